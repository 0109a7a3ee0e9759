package main

import (
	"context"

	"github.com/art35/art35/internal/cli"
)

func runTriage(ctx context.Context, e *env, args []string) error {
	var f cli.TriageFlags
	fs := e.FlagSet(triageCmd, "")
	f.Bind(fs, e.Getenv)
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	rep, err := f.Report(ctx, e, pos)
	if err != nil {
		return err
	}
	return f.Print(e.Stdout, rep)
}
