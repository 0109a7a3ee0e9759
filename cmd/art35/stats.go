package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

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
	var from, to, by string
	var asJSON, asCSV, pings bool
	var exercise string
	return onNode(ctx, e, statsCmd, "", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period: a date (UTC) or an RFC 3339 time (default: the beginning)")
		fs.StringVar(&to, "to", "", "end of the period: a date (that whole day, UTC) or an RFC 3339 time (default: now)")
		fs.StringVar(&by, "by", "country", "group rows by country, type, priority or offence")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.BoolVar(&asCSV, "csv", false, "print CSV")
		fs.BoolVar(&pings, "pings", false, "with --csv: print the ping rows instead of the request figures")
		fs.StringVar(&exercise, "exercise", "", "report exercise ID alone (or all for every exercise) instead of real work")
	}, func(n *node.Node, pos []string) error {
		if len(pos) > 0 {
			return usagef("unexpected argument %q: stats takes flags only", pos[0])
		}
		if asJSON && asCSV {
			return usagef("--json and --csv exclude each other: choose one")
		}
		if pings && !asCSV {
			return usagef("--pings goes with --csv (text and JSON show the pings anyway)")
		}
		q, err := statsQuery(from, to, by, exercise)
		if err != nil {
			return err
		}
		r, err := stats.New(n.DB, n.Clock).Compute(ctx, q)
		if err != nil {
			return err
		}
		switch {
		case asJSON:
			return cli.WriteJSON(e.stdout, r)
		case asCSV && pings:
			return stats.WritePingsCSV(e.stdout, r)
		case asCSV:
			return stats.WriteCSV(e.stdout, r)
		}
		return stats.WriteText(e.stdout, r)
	})
}

func runStatsShare(ctx context.Context, e *env, args []string) error {
	var from, to, out string
	return onNode(ctx, e, statsCmd, "share", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period: a date (UTC) or an RFC 3339 time (required)")
		fs.StringVar(&to, "to", "", "end of the period: a date (that whole day) or an RFC 3339 time (required)")
		fs.StringVar(&out, "out", "", "file to write the signed share to (default: standard output)")
	}, func(n *node.Node, pos []string) error {
		if len(pos) > 0 {
			return usagef("unexpected argument %q", pos[0])
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
		if out == "" {
			_, err = e.stdout.Write(append(signed, '\n'))
			return err
		}
		if err := os.WriteFile(out, append(signed, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote the signed share of %s for %s to %s: %s\n", n.Config.Authority, f.Format(time.DateOnly), t.Add(-time.Second).Format(time.DateOnly), out)
		return nil
	})
}

func runStatsNetwork(ctx context.Context, e *env, args []string) error {
	var from, to string
	var asJSON bool
	return onNode(ctx, e, statsCmd, "network", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "start of the period the shares must cover (required)")
		fs.StringVar(&to, "to", "", "end of that period (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, files []string) error {
		f, t, err := cli.Period(from, to)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return usagef("name the share files to combine (written by 'art35 stats share' on each node)")
		}
		var shares [][]byte
		for _, name := range files {
			b, err := readArg(e, name, stats.MaxShare)
			if err != nil {
				return err
			}
			shares = append(shares, b)
		}
		d, err := n.Directory(ctx)
		if err != nil {
			return err
		}
		net := stats.Combine(shares, d, f, t, n.Clock.Now())
		if asJSON {
			return cli.WriteJSON(e.stdout, net)
		}
		return cli.PrintNetwork(e.stdout, net, f, t, len(shares))
	})
}

func runStatsClassify(ctx context.Context, e *env, args []string) error {
	var offences, by string
	return onNode(ctx, e, statsCmd, "classify", args, 1, "give one request id: art35 stats classify ID --offence illegal-access --by NAME", func(fs *flag.FlagSet) {
		fs.StringVar(&offences, "offence", "", "comma-separated offence classes (see -h); empty clears them")
		fs.StringVar(&by, "by", "", "your name: who classifies the case (required)")
	}, func(n *node.Node, pos []string) error {
		classes := cli.SplitList(offences)
		if err := (stats.Classifier{DB: n.DB}).Classify(ctx, pos[0], classes, by, n.Clock.Now()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: offence classes %s\n", pos[0], strings.Join(append([]string{}, classes...), ", "))
		return nil
	})
}

// statsQuery reads the period, grouping and scope of "stats".
func statsQuery(from, to, by, exercise string) (q stats.Query, err error) {
	q.Scope = stats.ScopeReal
	switch exercise {
	case "":
	case "all":
		q.Scope = stats.ScopeExercise
	default:
		q.Scope, q.Exercise = stats.ScopeExercise, exercise
	}
	if q.By, err = stats.ParseDimension(by); err != nil {
		return q, usagef("--by: %q is not a grouping; use country, type, priority or offence", by)
	}
	if q.From, err = cli.ParseBound(from, false); err != nil {
		return q, usagef("--from: %v", err)
	}
	if q.To, err = cli.ParseBound(to, true); err != nil {
		return q, usagef("--to: %v", err)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return q, usagef("--to (%s) must be after --from (%s)", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	return q, nil
}
