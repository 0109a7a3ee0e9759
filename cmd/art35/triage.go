package main

import (
	"context"
	"fmt"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
)

func runTriage(ctx context.Context, e *env, args []string) error {
	var f cli.TriageFlags
	fs := e.FlagSet(triageCmd, "")
	f.Bind(fs, e.Getenv)
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	x, err := f.Extractor(pos)
	if err != nil {
		return err
	}
	fromCC := cli.RequestingParty(f.From, f.Data, e.Getenv)
	snap, _, err := f.Dir.Load(e.Getenv, e.Clock.Now()) // for country names, and routes with --from
	if err != nil {
		return err
	}
	if _, ok := snap.Party(fromCC); fromCC != "" && !ok {
		return cli.Usagef("--from %q is not a party in the directory; give an ISO 3166-1 alpha-2 code such as US", fromCC)
	}
	res, err := cli.ScanLogs(ctx, e.Stdin, e.Stderr, e.Clock.Now, triage.Scanner{Extractor: x, Workers: f.Workers}, pos)
	if err != nil {
		return err
	}
	db, err := cli.OpenIPDB(f.Data)
	if err != nil {
		return err
	}
	rep := triage.Summarize(res, db, triage.Options{From: fromCC, Type: request.Type(f.Type), Now: e.Clock.Now(), Directory: snap, Addresses: f.Drafts != ""})
	for _, fi := range rep.Input.Files {
		if fi.Error != "" {
			fmt.Fprintf(e.Stderr, "art35 triage: %s: %s\n", fi.Name, fi.Error)
		}
	}
	if f.Drafts != "" {
		if fromCC == "" {
			return cli.Usagef("--draft-requests needs --from CC: a request has a requesting party")
		}
		files, err := triage.WriteDrafts(f.Drafts, rep, triage.Requesting(snap, fromCC), e.Clock.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stderr, "art35 triage: wrote %d draft preserve requests to %s; a person must complete and confirm each before it is sent\n", len(files), f.Drafts)
	}
	switch {
	case f.JSON:
		return cli.WriteJSON(e.Stdout, rep)
	case f.CSV:
		return triage.WriteCSV(e.Stdout, rep)
	}
	return triage.WriteText(e.Stdout, rep)
}
