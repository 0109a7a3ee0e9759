package main

import (
	"context"
	"fmt"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/request"
)

func runAttribute(ctx context.Context, e *env, args []string) error {
	var f cli.AttributeFlags
	fs := e.FlagSet(attributeCmd, "")
	f.Bind(fs, e.Getenv)
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	if f.Sources && len(pos) == 0 {
		db, err := cli.OpenIPDB(f.Data)
		if err != nil {
			return err
		}
		return cli.PrintCredits(e.Stdout, db, f.JSON)
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
	snap, _, err := f.Dir.Load(e.Getenv, e.Clock.Now())
	if err != nil {
		return err
	}
	out.AddRoute(snap, cli.RequestingParty(f.From, f.Data, e.Getenv), request.Type(f.Type), e.Clock.Now())
	if f.JSON {
		return cli.WriteJSON(e.Stdout, out)
	}
	cli.PrintAttribution(e.Stdout, out)
	if f.Sources {
		fmt.Fprintln(e.Stdout)
		return cli.PrintCredits(e.Stdout, db, false)
	}
	return nil
}
