package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/ping"
)

func runPing(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, pingCmd, []subcommand{
		{"campaign", "send a ping challenge to all or chosen points of contact", runPingCampaign},
		{"results", "show each ping of a campaign (the latest by default): reachable, answered, how fast", runPingResults},
		{"table", "responsiveness per country over 90 days: pass rate, median and p90 answer time", runPingTable},
		{"pending", "list the challenges this node received that wait for a person's answer", runPingPending},
		{"answer", "answer a received challenge as the person on duty", runPingAnswer},
	}, args)
}

// pingOutput is the --json/--csv choice shared by the listing subcommands.
type pingOutput struct{ json, csv bool }

func (o *pingOutput) bind(fs *flag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print JSON")
	fs.BoolVar(&o.csv, "csv", false, "print CSV")
}

func (o pingOutput) check() error {
	if o.json && o.csv {
		return usagef("--json and --csv exclude each other: choose one")
	}
	return nil
}

func runPingCampaign(ctx context.Context, e *env, args []string) error {
	var to, by string
	var window time.Duration
	var asJSON bool
	return onNode(ctx, e, pingCmd, "campaign", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "comma-separated party codes (default: every point of contact that lists a node)")
		fs.StringVar(&by, "by", "", "your name: who starts the campaign (required)")
		fs.DurationVar(&window, "window", ping.DefaultWindow, "how long a person has to answer")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, _ []string) error {
		if strings.TrimSpace(by) == "" {
			return usagef("--by NAME is required: a campaign records who started it")
		}
		parties := cli.SplitList(to)
		c, err := app.Ping(n).StartCampaign(ctx, ping.CampaignOptions{To: parties, Window: window, By: by})
		if err != nil {
			return err
		}
		if asJSON {
			return cli.WriteJSON(e.stdout, c)
		}
		return cli.PrintCampaign(e.stdout, c)
	})
}

func runPingResults(ctx context.Context, e *env, args []string) error {
	var out pingOutput
	var campaign string
	var all bool
	return onNode(ctx, e, pingCmd, "results", args, -1, "", func(fs *flag.FlagSet) {
		out.bind(fs)
		fs.StringVar(&campaign, "campaign", "", "campaign id (default: the latest)")
		fs.BoolVar(&all, "all", false, "every ping of the last 90 days instead of one campaign")
	}, func(n *node.Node, _ []string) error {
		var err error
		if err := out.check(); err != nil {
			return err
		}
		s := app.Ping(n)
		// Close the windows that passed, so that results are current even if
		// the node's own sweeper has not run yet.
		if _, err := s.Sweep(ctx); err != nil {
			return err
		}
		f := ping.Filter{Campaign: campaign}
		if all {
			f = ping.Filter{Since: e.clock.Now().Add(-ping.TableDays * 24 * time.Hour)}
		} else if campaign == "" {
			if f.Campaign, err = s.LatestCampaign(ctx); err != nil {
				return err
			}
			if f.Campaign == "" {
				return usagef("this node has started no ping campaign yet: start one with \"art35 ping campaign --by NAME\"")
			}
		}
		rs, err := s.Results(ctx, f)
		if err != nil {
			return err
		}
		switch {
		case out.json:
			return cli.WriteJSONList(e.stdout, rs)
		case out.csv:
			return ping.WriteResultsCSV(e.stdout, rs)
		}
		return cli.PrintPingResults(e.stdout, rs, f.Campaign)
	})
}

func runPingTable(ctx context.Context, e *env, args []string) error {
	var out pingOutput
	var days int
	return onNode(ctx, e, pingCmd, "table", args, -1, "", func(fs *flag.FlagSet) {
		out.bind(fs)
		fs.IntVar(&days, "days", ping.TableDays, "period in days, ending now")
	}, func(n *node.Node, _ []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if days <= 0 || days > 3660 {
			return usagef("--days %d: give a period of 1 to 3660 days", days)
		}
		s := app.Ping(n)
		if _, err := s.Sweep(ctx); err != nil {
			return err
		}
		rows, err := s.Table(ctx, days)
		if err != nil {
			return err
		}
		switch {
		case out.json:
			return cli.WriteJSONList(e.stdout, rows)
		case out.csv:
			return ping.WriteTableCSV(e.stdout, rows)
		}
		return cli.PrintPingTable(e.stdout, rows, days)
	})
}

func runPingPending(ctx context.Context, e *env, args []string) error {
	var asJSON, all bool
	return onNode(ctx, e, pingCmd, "pending", args, -1, "", func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.BoolVar(&all, "all", false, "also list the challenges already answered")
	}, func(n *node.Node, _ []string) error {
		s := app.Ping(n)
		if _, err := s.Sweep(ctx); err != nil {
			return err
		}
		cs, err := s.Challenges(ctx, all)
		if err != nil {
			return err
		}
		if asJSON {
			return cli.WriteJSONList(e.stdout, cs)
		}
		return cli.PrintChallenges(e.stdout, cs, e.clock.Now())
	})
}

func runPingAnswer(ctx context.Context, e *env, args []string) error {
	var by string
	return onNode(ctx, e, pingCmd, "answer", args, 1, "give exactly one challenge id (see \"art35 ping pending\")", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "your name: the person answering (required)")
	}, func(n *node.Node, pos []string) error {
		if strings.TrimSpace(by) == "" {
			return usagef("--by NAME is required: a ping passes only when a person answers")
		}
		c, err := app.Ping(n).Answer(ctx, pos[0], by)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "answered challenge %s from %s as %s at %s; the signed answer is queued for %s\n",
			c.ID, c.From, c.AnsweredBy, c.AnsweredAt.Format(time.RFC3339), c.From)
		return nil
	})
}
