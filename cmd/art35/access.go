package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/transborder"
)

func runAccess(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, accessCmd, []subcommand{
		{Name: "record", Short: "record one access under Art. 32(a) or 32(b)", Run: accessRecord},
		{Name: "list", Short: "the recorded accesses, newest first", Run: accessList},
	}, args)
}

func accessRecord(ctx context.Context, e *env, args []string) error {
	var a transborder.Access
	var ground, at string
	return e.OnNode(ctx, accessCmd, "record", args, 0, "record takes flags only, e.g. art35 access record --ground publicly-available --what ... --source ... --at ... --by ...", func(fs *flag.FlagSet) {
		fs.StringVar(&ground, "ground", "", "publicly-available (Art. 32(a)) or consent (Art. 32(b))")
		fs.StringVar(&a.What, "what", "", "the data accessed")
		fs.StringVar(&a.Source, "source", "", "the service, system or URL")
		fs.StringVar(&at, "at", "", "when the data was accessed, RFC 3339 with a zone")
		fs.StringVar(&a.RecordedBy, "by", "", "the person who accessed the data")
		fs.StringVar(&a.Party, "located-in", "", "where the data is located (ISO 3166-1 alpha-2), if known")
		fs.StringVar(&a.ConsentBy, "consent-by", "", "Art. 32(b): the person who consented")
		fs.StringVar(&a.ConsentAuthority, "lawful-authority", "", "Art. 32(b): why that person may lawfully disclose the data")
		fs.StringVar(&a.CaseRef, "case", "", "the case or investigation reference")
		fs.StringVar(&a.Notice, "notice", "", "the notice given to the other party, if any")
	}, func(n *node.Node, pos []string) error {
		a.Ground = transborder.Ground(ground)
		if at != "" {
			ts := request.ParseTimestamp(at)
			if !ts.Valid() {
				return cli.Usagef("--at %q: give an RFC 3339 time with a zone, e.g. 2026-12-02T08:00:00Z", at)
			}
			a.AccessedAt = ts.T
		}
		s := &transborder.Service{DB: n.DB, Clock: e.Clock}
		rec, err := s.Record(ctx, a)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "recorded %s: %s (Budapest %s), accessed %s by %s; audit log updated\n", rec.ID, rec.Ground, rec.Ground.Article(), rec.AccessedAt.Format(time.RFC3339), rec.RecordedBy)
		return nil
	})
}

func accessList(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	return e.OnNode(ctx, accessCmd, "list", args, 0, "list takes no arguments", func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, pos []string) error {
		list, err := (&transborder.Service{DB: n.DB, Clock: e.Clock}).List(ctx)
		return cli.ShowList(e.Stdout, asJSON, list, err, func() error { return cli.PrintAccesses(e.Stdout, list) })
	})
}
