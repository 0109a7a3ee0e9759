package main

import (
	"context"
	"fmt"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/request"
)

func runAttribute(ctx context.Context, e *env, args []string) error {
	var f cli.AttributeFlags
	fs := newFlagSet(e, attributeCmd, "")
	f.Bind(fs, e.getenv)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if f.Sources && len(pos) == 0 {
		db, err := cli.OpenIPDB(f.Data)
		if err != nil {
			return err
		}
		return cli.PrintCredits(e.stdout, db, f.JSON)
	}
	ip, at, err := f.Args(pos)
	if err != nil {
		return err
	}
	db, err := cli.OpenIPDB(f.Data)
	if err != nil {
		return err
	}
	out := cli.Attribute(ip, db.Lookup(ip), f.Port, at)
	snap, _, err := f.Dir.Load(e.getenv, e.clock.Now())
	if err != nil {
		return err
	}
	out.AddRoute(snap, cli.RequestingParty(f.From, f.Data, e.getenv), request.Type(f.Type), e.clock.Now())
	if f.JSON {
		return cli.WriteJSON(e.stdout, out)
	}
	cli.PrintAttribution(e.stdout, out)
	if f.Sources {
		fmt.Fprintln(e.stdout)
		return cli.PrintCredits(e.stdout, db, false)
	}
	return nil
}
