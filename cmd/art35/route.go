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
	fs := newFlagSet(e, c, "")
	dateFlag := fs.String("date", "", "date of the request, YYYY-MM-DD (default: today, UTC)")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	recipient := fs.String("recipient", "", "who receives the request: authority, provider or registrar (default: any)")
	var src cli.DirSource
	src.Bind(fs)
	pos, err := parseArgs(fs, args, 3, "route needs FROM TO TYPE, e.g. art35 route US IT preserve")
	if err != nil {
		return err
	}
	at := e.clock.Now()
	if *dateFlag != "" {
		at, err = time.Parse("2006-01-02", *dateFlag)
		if err != nil {
			return usagef("--date %q is not a date; write YYYY-MM-DD, e.g. 2026-11-25", *dateFlag)
		}
	}
	addr, err := route.ParseAddressee(*recipient)
	if err != nil {
		return usagef("--recipient: %v", err)
	}
	snap, _, err := src.Load(e.getenv, e.clock.Now())
	if err != nil {
		return err
	}
	d, err := route.DecideFor(snap, route.Question{From: pos[0], To: pos[1], Type: request.Type(pos[2]), At: at, Addressee: addr})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := cli.WriteJSON(e.stdout, d); err != nil {
			return err
		}
	} else {
		fmt.Fprint(e.stdout, d.Explain())
	}
	if !d.Allowed {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EInvalid)}
	}
	return nil
}
