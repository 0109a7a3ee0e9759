package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/stats"
)

func runStats(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "share":
			return runStatsShare(ctx, e, args[1:])
		case "network":
			return runStatsNetwork(ctx, e, args[1:])
		case "classify":
			return runStatsClassify(ctx, e, args[1:])
		}
	}
	var f cli.StatsFlags
	return e.OnNode(ctx, statsCmd, "", args, -1, "", f.Bind, func(n *node.Node, pos []string) error {
		if len(pos) > 0 {
			return cli.Usagef("unexpected argument %q: stats takes flags only", pos[0])
		}
		q, err := f.Query()
		if err != nil {
			return err
		}
		r, err := stats.New(n.DB, n.Clock).Compute(ctx, q)
		if err != nil {
			return err
		}
		return f.Print(e.Stdout, r)
	})
}

func runStatsShare(ctx context.Context, e *env, args []string) error {
	var from, to, out string
	return e.OnNode(ctx, statsCmd, "share", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period: a date (UTC) or an RFC 3339 time (required)")
		fs.StringVar(&to, "to", "", "end of the period: a date (that whole day) or an RFC 3339 time (required)")
		fs.StringVar(&out, "out", "", "file to write the signed share to (default: standard output)")
	}, func(n *node.Node, pos []string) error {
		if len(pos) > 0 {
			return cli.Usagef("unexpected argument %q", pos[0])
		}
		f, t, err := cli.Period(from, to)
		if err != nil {
			return err
		}
		sh, err := stats.New(n.DB, n.Clock).NewShare(ctx, n.Config.Authority, n.Config.Party, f, t)
		if err != nil {
			return err
		}
		signed, err := sh.Sign(n.Signing)
		if err != nil {
			return err
		}
		return cli.WriteShare(e.Stdout, signed, out, n.Config.Authority, f, t)
	})
}

func runStatsNetwork(ctx context.Context, e *env, args []string) error {
	var from, to string
	var asJSON bool
	return e.OnNode(ctx, statsCmd, "network", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period the shares must cover (required)")
		fs.StringVar(&to, "to", "", "end of that period (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, files []string) error {
		f, t, err := cli.Period(from, to)
		if err != nil {
			return err
		}
		shares, err := cli.ReadShares(e.Stdin, files)
		if err != nil {
			return err
		}
		d, err := n.Directory(ctx)
		if err != nil {
			return err
		}
		net := stats.Combine(shares, d, f, t, n.Clock.Now())
		return cli.Show(e.Stdout, asJSON, net, nil, func() error { return cli.PrintNetwork(e.Stdout, net, f, t, len(shares)) })
	})
}

func runStatsClassify(ctx context.Context, e *env, args []string) error {
	var offences, by string
	return e.OnNode(ctx, statsCmd, "classify", args, 1, "give one request id: art35 stats classify ID --offence illegal-access --by NAME", func(fs *flag.FlagSet) {
		fs.StringVar(&offences, "offence", "", "comma-separated offence classes (see -h); empty clears them")
		fs.StringVar(&by, "by", "", "your name: who classifies the case (required)")
	}, func(n *node.Node, pos []string) error {
		classes := cli.SplitList(offences)
		if err := (stats.Classifier{DB: n.DB}).Classify(ctx, pos[0], classes, by, n.Clock.Now()); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%s: offence classes %s\n", pos[0], strings.Join(append([]string{}, classes...), ", "))
		return nil
	})
}
