package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/art35/art35/internal/ping"
)

// ListOutput is the --json/--csv choice of the commands that print a
// table (text by default).
type ListOutput struct{ JSON, CSV bool }

// Bind defines --json and --csv on fs.
func (o *ListOutput) Bind(fs *flag.FlagSet) {
	fs.BoolVar(&o.JSON, "json", false, "print JSON")
	fs.BoolVar(&o.CSV, "csv", false, "print CSV")
}

// Check refuses both at once.
func (o ListOutput) Check() error {
	if o.JSON && o.CSV {
		return Usagef("--json and --csv exclude each other: choose one")
	}
	return nil
}

// PrintList prints list as JSON (never null), as CSV (csv) or as text
// (text), as o chooses.
func PrintList[T any](w io.Writer, o ListOutput, list []T, csv, text func() error) error {
	switch {
	case o.JSON:
		return WriteJSONList(w, list)
	case o.CSV:
		return csv()
	}
	return text()
}

// PingWork is what the "ping" subcommands do with a node's ping service.
// Each first closes the answer windows that passed, so that what it
// prints is current even if the node's own sweeper has not run yet.
type PingWork struct {
	Ping *ping.Service
	Now  time.Time
}

// Results are the pings of campaign (the latest when "") or, with all,
// of the last ping.TableDays days, and the campaign they are of.
func (p PingWork) Results(ctx context.Context, campaign string, all bool) ([]ping.Result, string, error) {
	if _, err := p.Ping.Sweep(ctx); err != nil {
		return nil, "", err
	}
	f := ping.Filter{Campaign: campaign}
	if all {
		f = ping.Filter{Since: p.Now.Add(-ping.TableDays * 24 * time.Hour)}
	} else if campaign == "" {
		var err error
		if f.Campaign, err = p.Ping.LatestCampaign(ctx); err != nil {
			return nil, "", err
		}
		if f.Campaign == "" {
			return nil, "", Usagef("this node has started no ping campaign yet: start one with \"art35 ping campaign --by NAME\"")
		}
	}
	rs, err := p.Ping.Results(ctx, f)
	return rs, f.Campaign, err
}

// Table is responsiveness per country over days days (1 to 3660).
func (p PingWork) Table(ctx context.Context, days int) ([]ping.CountryRow, error) {
	if days <= 0 || days > 3660 {
		return nil, Usagef("--days %d: give a period of 1 to 3660 days", days)
	}
	if _, err := p.Ping.Sweep(ctx); err != nil {
		return nil, err
	}
	return p.Ping.Table(ctx, days)
}

// Pending are the challenges received that wait for a person's answer
// (with all, those answered too).
func (p PingWork) Pending(ctx context.Context, all bool) ([]ping.Challenge, error) {
	if _, err := p.Ping.Sweep(ctx); err != nil {
		return nil, err
	}
	return p.Ping.Challenges(ctx, all)
}

// PrintAnswered says that challenge c was answered and its signed answer
// queued.
func PrintAnswered(w io.Writer, c *ping.Challenge, err error) error {
	if err == nil {
		fmt.Fprintf(w, "answered challenge %s from %s as %s at %s; the signed answer is queued for %s\n",
			c.ID, c.From, c.AnsweredBy, c.AnsweredAt.Format(time.RFC3339), c.From)
	}
	return err
}
