package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/transborder"
)

var accessCmd = &command{
	name:  "access",
	short: "record trans-border access to stored data without the other party's authorisation (Art. 32)",
	usage: "access <record|list> --data DIR ...",
	long: `A party may access stored computer data located in another party without its
authorisation when the data is publicly available (Budapest Art. 32(a)), or with
the lawful and voluntary consent of the person who has the lawful authority to
disclose it (Art. 32(b)). Nothing is sent: the node keeps a record of what was
accessed, on which ground, when, by whom, and the notice given to the other
party if any, each with its audit-log entry.

	art35 access record --data DIR --ground publicly-available --what TEXT --source URL
	    --at 2026-12-02T08:00:00Z --by NAME [--located-in CC] [--case REF] [--notice TEXT]
	art35 access record --data DIR --ground consent --consent-by NAME --lawful-authority TEXT ...
	art35 access list --data DIR [--json]

Exit status 1 with the field named when a record is incomplete; nothing is written.`,
}

func runAccess(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, accessCmd, []subcommand{
		{"record", "record one access under Art. 32(a) or 32(b)", accessRecord},
		{"list", "the recorded accesses, newest first", accessList},
	}, args)
}

func accessRecord(ctx context.Context, e *env, args []string) error {
	var a transborder.Access
	var ground, at string
	n, pos, err := openNode(ctx, e, accessCmd, "record", args, func(fs *flag.FlagSet) {
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
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 0 {
		return usagef("record takes flags only, e.g. art35 access record --ground publicly-available --what ... --source ... --at ... --by ...")
	}
	a.Ground = transborder.Ground(ground)
	if at != "" {
		ts := request.ParseTimestamp(at)
		if !ts.Valid() {
			return usagef("--at %q: give an RFC 3339 time with a zone, e.g. 2026-12-02T08:00:00Z", at)
		}
		a.AccessedAt = ts.T
	}
	s := &transborder.Service{DB: n.DB, Clock: e.clock}
	rec, err := s.Record(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "recorded %s: %s (Budapest %s), accessed %s by %s; audit log updated\n", rec.ID, rec.Ground, rec.Ground.Article(), rec.AccessedAt.Format(time.RFC3339), rec.RecordedBy)
	return nil
}

func accessList(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	n, pos, err := openNode(ctx, e, accessCmd, "list", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 0 {
		return usagef("list takes no arguments")
	}
	list, err := (&transborder.Service{DB: n.DB, Clock: e.clock}).List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		if list == nil {
			list = []transborder.Access{}
		}
		return writeJSON(e, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no trans-border access recorded on this node")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACCESSED (UTC)\tGROUND\tPARTY\tBY\tWHAT\tNOTICE")
	for _, a := range list {
		party, notice := a.Party, a.Notice
		if party == "" {
			party = "not known"
		}
		if notice == "" {
			notice = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t%s\t%s\t%s\t%s\n", a.ID, a.AccessedAt.Format("2006-01-02 15:04"), a.Ground, a.Ground.Article(), party, a.RecordedBy, a.What, notice)
	}
	return tw.Flush()
}
