package main

import (
	"context"
	"flag"
	"strings"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/ping"
)

func runPing(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, pingCmd, []subcommand{
		{Name: "campaign", Short: "send a ping challenge to all or chosen points of contact", Run: runPingCampaign},
		{Name: "results", Short: "show each ping of a campaign (the latest by default): reachable, answered, how fast", Run: runPingResults},
		{Name: "table", Short: "responsiveness per country over 90 days: pass rate, median and p90 answer time", Run: runPingTable},
		{Name: "pending", Short: "list the challenges this node received that wait for a person's answer", Run: runPingPending},
		{Name: "answer", Short: "answer a received challenge as the person on duty", Run: runPingAnswer},
	}, args)
}

// pingWork is the ping service of the node n.
func pingWork(e *env, n *node.Node) cli.PingWork {
	return cli.PingWork{Ping: app.Ping(n), Now: e.Clock.Now()}
}

func runPingCampaign(ctx context.Context, e *env, args []string) error {
	var to, by string
	var opt ping.CampaignOptions
	var asJSON bool
	return e.OnNode(ctx, pingCmd, "campaign", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "comma-separated party codes (default: every point of contact that lists a node)")
		fs.StringVar(&by, "by", "", "your name: who starts the campaign (required)")
		fs.DurationVar(&opt.Window, "window", ping.DefaultWindow, "how long a person has to answer")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, _ []string) error {
		if strings.TrimSpace(by) == "" {
			return cli.Usagef("--by NAME is required: a campaign records who started it")
		}
		opt.To, opt.By = cli.SplitList(to), by
		c, err := app.Ping(n).StartCampaign(ctx, opt)
		return cli.Show(e.Stdout, asJSON, c, err, func() error { return cli.PrintCampaign(e.Stdout, c) })
	})
}

func runPingResults(ctx context.Context, e *env, args []string) error {
	var out cli.ListOutput
	var campaign string
	var all bool
	return e.OnNode(ctx, pingCmd, "results", args, -1, "", func(fs *flag.FlagSet) {
		out.Bind(fs)
		fs.StringVar(&campaign, "campaign", "", "campaign id (default: the latest)")
		fs.BoolVar(&all, "all", false, "every ping of the last 90 days instead of one campaign")
	}, func(n *node.Node, _ []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		rs, campaign, err := pingWork(e, n).Results(ctx, campaign, all)
		if err != nil {
			return err
		}
		return cli.PrintList(e.Stdout, out, rs, func() error { return ping.WriteResultsCSV(e.Stdout, rs) },
			func() error { return cli.PrintPingResults(e.Stdout, rs, campaign) })
	})
}

func runPingTable(ctx context.Context, e *env, args []string) error {
	var out cli.ListOutput
	var days int
	return e.OnNode(ctx, pingCmd, "table", args, -1, "", func(fs *flag.FlagSet) {
		out.Bind(fs)
		fs.IntVar(&days, "days", ping.TableDays, "period in days, ending now")
	}, func(n *node.Node, _ []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		rows, err := pingWork(e, n).Table(ctx, days)
		if err != nil {
			return err
		}
		return cli.PrintList(e.Stdout, out, rows, func() error { return ping.WriteTableCSV(e.Stdout, rows) },
			func() error { return cli.PrintPingTable(e.Stdout, rows, days) })
	})
}

func runPingPending(ctx context.Context, e *env, args []string) error {
	var asJSON, all bool
	return e.OnNode(ctx, pingCmd, "pending", args, -1, "", func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.BoolVar(&all, "all", false, "also list the challenges already answered")
	}, func(n *node.Node, _ []string) error {
		cs, err := pingWork(e, n).Pending(ctx, all)
		return cli.ShowList(e.Stdout, asJSON, cs, err, func() error { return cli.PrintChallenges(e.Stdout, cs, e.Clock.Now()) })
	})
}

func runPingAnswer(ctx context.Context, e *env, args []string) error {
	var by string
	return e.OnNode(ctx, pingCmd, "answer", args, 1, "give exactly one challenge id (see \"art35 ping pending\")", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "your name: the person answering (required)")
	}, func(n *node.Node, pos []string) error {
		if strings.TrimSpace(by) == "" {
			return cli.Usagef("--by NAME is required: a ping passes only when a person answers")
		}
		c, err := app.Ping(n).Answer(ctx, pos[0], by)
		return cli.PrintAnswered(e.Stdout, c, err)
	})
}
