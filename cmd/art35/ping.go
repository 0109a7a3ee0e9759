package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/ping"
)

var pingCmd = &command{
	name:  "ping",
	short: "test that a person answers at each point of contact (ping campaigns)",
	usage: "ping <campaign|results|table|pending|answer> --data DIR [flags]",
	long: `A ping test checks that each 24/7 point of contact really answers (SPEC 8).
"ping campaign" sends a signed challenge to all or chosen points of contact that
list a node; each node returns a machine receipt at once and raises the
challenge to its person on duty, who answers with "ping answer". A ping passes
only when a person answers within the window (default 30 minutes); after the
window it fails and is escalated to the backup contact on both sides.

The sending node keeps the results: reachable (signed receipt), answered, by
whom, how fast, inside or outside the target's office hours. "ping table" sums
them up per country over 90 days (median and 90th percentile answer time, pass
rate). Both export as --json or --csv.

The node that receives pings must be running ("art35 node run") to take them.

Examples:
	art35 ping campaign --data ./us-node --by "Sam Sample"
	art35 ping campaign --data ./us-node --to IT,FR --window 15m --by "Sam Sample"
	art35 ping pending --data ./it-node
	art35 ping answer 0123456789abcdef0123456789abcdef --by "Paola Esempio" --data ./it-node
	art35 ping results --data ./us-node --csv
	art35 ping table --data ./us-node --json`,
}

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

func pingJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runPingCampaign(ctx context.Context, e *env, args []string) error {
	var to, by string
	var window time.Duration
	var asJSON bool
	n, _, err := openNode(ctx, e, pingCmd, "campaign", args, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "comma-separated party codes (default: every point of contact that lists a node)")
		fs.StringVar(&by, "by", "", "your name: who starts the campaign (required)")
		fs.DurationVar(&window, "window", ping.DefaultWindow, "how long a person has to answer")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if strings.TrimSpace(by) == "" {
		return usagef("--by NAME is required: a campaign records who started it")
	}
	var parties []string
	for p := range strings.SplitSeq(to, ",") {
		if p = strings.TrimSpace(p); p != "" {
			parties = append(parties, p)
		}
	}
	c, err := app.Ping(n).StartCampaign(ctx, ping.CampaignOptions{To: parties, Window: window, By: by})
	if err != nil {
		return err
	}
	if asJSON {
		return pingJSON(e, c)
	}
	fmt.Fprintf(e.stdout, "campaign %s: %d challenges queued, answer window %s (until %s)\n",
		c.ID, len(c.Pings), c.Window, c.StartedAt.Add(c.Window).Format(time.RFC3339))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTY\tAUTHORITY\tOFFICE HOURS\tPING")
	for _, p := range c.Pings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Party, p.Authority, p.OfficeHours, p.ID)
	}
	tw.Flush()
	for _, s := range c.Skipped {
		fmt.Fprintf(e.stdout, "not pinged: %s: %s\n", s.Party, s.Reason)
	}
	fmt.Fprintf(e.stdout, "follow it with: art35 ping results --campaign %s\n", c.ID)
	return nil
}

func runPingResults(ctx context.Context, e *env, args []string) error {
	var out pingOutput
	var campaign string
	var all bool
	n, _, err := openNode(ctx, e, pingCmd, "results", args, func(fs *flag.FlagSet) {
		out.bind(fs)
		fs.StringVar(&campaign, "campaign", "", "campaign id (default: the latest)")
		fs.BoolVar(&all, "all", false, "every ping of the last 90 days instead of one campaign")
	})
	if err != nil {
		return err
	}
	defer n.Close()
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
		if rs == nil {
			rs = []ping.Result{}
		}
		return pingJSON(e, rs)
	case out.csv:
		return ping.WriteResultsCSV(e.stdout, rs)
	}
	if len(rs) == 0 {
		fmt.Fprintf(e.stdout, "no pings in campaign %q\n", f.Campaign)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTY\tSENT (UTC)\tOFFICE HOURS\tRECEIPT\tSTATE\tANSWERED BY\tIN\tESCALATED TO")
	for _, r := range rs {
		receipt := "none"
		if r.Reachable {
			receipt = r.ReceiptAt.Format("15:04:05")
		}
		in := "-"
		if r.AnswerSeconds >= 0 {
			in = (time.Duration(r.AnswerSeconds) * time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Party, r.SentAt.Format("2006-01-02 15:04"), r.OfficeHours,
			receipt, r.State, pingDash(r.AnsweredBy), in, pingDash(r.EscalatedTo))
	}
	return tw.Flush()
}

func runPingTable(ctx context.Context, e *env, args []string) error {
	var out pingOutput
	var days int
	n, _, err := openNode(ctx, e, pingCmd, "table", args, func(fs *flag.FlagSet) {
		out.bind(fs)
		fs.IntVar(&days, "days", ping.TableDays, "period in days, ending now")
	})
	if err != nil {
		return err
	}
	defer n.Close()
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
		if rows == nil {
			rows = []ping.CountryRow{}
		}
		return pingJSON(e, rows)
	case out.csv:
		return ping.WriteTableCSV(e.stdout, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(e.stdout, "no pings in the last %d days\n", days)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PARTY\tPINGS\tREACHABLE\tPASSED\tLATE\tFAILED\tWAITING\tPASS RATE\tMEDIAN\tP90\tNIGHT PASSED\t")
	for _, c := range rows {
		rate := "-"
		if c.PassRate >= 0 {
			rate = fmt.Sprintf("%.0f%%", 100*c.PassRate)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%d/%d\t\n", c.Party, c.Pings, c.Reachable, c.Passed, c.Late,
			c.Failed, c.Waiting, rate, pingSecs(c.MedianSeconds), pingSecs(c.P90Seconds), c.OutsideHoursPassed, c.OutsideHours)
	}
	return tw.Flush()
}

func runPingPending(ctx context.Context, e *env, args []string) error {
	var asJSON, all bool
	n, _, err := openNode(ctx, e, pingCmd, "pending", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.BoolVar(&all, "all", false, "also list the challenges already answered")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	s := app.Ping(n)
	if _, err := s.Sweep(ctx); err != nil {
		return err
	}
	cs, err := s.Challenges(ctx, all)
	if err != nil {
		return err
	}
	if asJSON {
		if cs == nil {
			cs = []ping.Challenge{}
		}
		return pingJSON(e, cs)
	}
	if len(cs) == 0 {
		fmt.Fprintln(e.stdout, "no ping challenge waits for an answer")
		return nil
	}
	now := e.clock.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHALLENGE\tFROM\tRECEIVED (UTC)\tANSWER BY\tRAISED TO\tSTATE")
	for _, c := range cs {
		var state string
		switch {
		case c.State == "answered":
			state = "answered by " + c.AnsweredBy
		case c.EscalatedTo != "":
			state = "WINDOW PASSED, escalated to " + c.EscalatedTo
		default:
			state = "pending, " + c.Deadline.Sub(now).Round(time.Second).String() + " left"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.From, c.ReceivedAt.Format("2006-01-02 15:04:05"),
			c.Deadline.Format("15:04:05"), c.RaisedTo, state)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, `answer with: art35 ping answer CHALLENGE --by "YOUR NAME"`)
	return nil
}

func runPingAnswer(ctx context.Context, e *env, args []string) error {
	var by string
	n, pos, err := openNode(ctx, e, pingCmd, "answer", args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "your name: the person answering (required)")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("give exactly one challenge id (see \"art35 ping pending\")")
	}
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
}

func pingDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func pingSecs(f float64) string {
	if f < 0 {
		return "-"
	}
	return (time.Duration(f) * time.Second).String()
}
