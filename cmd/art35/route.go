package main

import (
	"context"
	"fmt"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/route"
)

func runRoute(ctx context.Context, e *env, args []string) error {
	var f cli.RouteFlags
	fs := e.FlagSet(routeCmd, "")
	f.Bind(fs)
	pos, err := cli.ParseArgs(fs, args, 3, "route needs FROM TO TYPE, e.g. art35 route US IT preserve")
	if err != nil {
		return err
	}
	q, err := f.Question(pos[0], pos[1], pos[2], e.Clock.Now())
	if err != nil {
		return err
	}
	snap, _, err := f.Dir.Load(e.Getenv, e.Clock.Now())
	if err != nil {
		return err
	}
	d, err := route.DecideFor(snap, q)
	if err := cli.Show(e.Stdout, f.JSON, d, err, func() error { _, err := fmt.Fprint(e.Stdout, d.Explain()); return err }); err != nil {
		return err
	}
	if !d.Allowed {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EInvalid)}
	}
	return nil
}
