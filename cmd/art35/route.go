package main

import (
	"context"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

func runRoute(ctx context.Context, e *env, args []string) error {
	c := routeCmd
	fs := e.FlagSet(c, "")
	dateFlag := fs.String("date", "", "date of the request, YYYY-MM-DD (default: today, UTC)")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	recipient := fs.String("recipient", "", "who receives the request: authority, provider or registrar (default: any)")
	var src cli.DirSource
	src.Bind(fs)
	pos, err := cli.ParseArgs(fs, args, 3, "route needs FROM TO TYPE, e.g. art35 route US IT preserve")
	if err != nil {
		return err
	}
	at := e.Clock.Now()
	if *dateFlag != "" {
		at, err = time.Parse("2006-01-02", *dateFlag)
		if err != nil {
			return cli.Usagef("--date %q is not a date; write YYYY-MM-DD, e.g. 2026-11-25", *dateFlag)
		}
	}
	addr, err := route.ParseAddressee(*recipient)
	if err != nil {
		return cli.Usagef("--recipient: %v", err)
	}
	snap, _, err := src.Load(e.Getenv, e.Clock.Now())
	if err != nil {
		return err
	}
	d, err := route.DecideFor(snap, route.Question{From: pos[0], To: pos[1], Type: request.Type(pos[2]), At: at, Addressee: addr})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := cli.WriteJSON(e.Stdout, d); err != nil {
			return err
		}
	} else {
		fmt.Fprint(e.Stdout, d.Explain())
	}
	if !d.Allowed {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EInvalid)}
	}
	return nil
}
