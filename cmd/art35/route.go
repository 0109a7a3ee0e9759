package main

import (
	"context"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

var routeCmd = &command{
	name:  "route",
	short: "say which legal instrument allows a request between two parties",
	usage: "route FROM TO TYPE [--date YYYY-MM-DD] [--recipient authority|provider|registrar] [--snapshot FILE --pubkey KEY] [--json]",
	long: `Evaluate the decision table of internal/route for a request of TYPE from
party FROM to party TO (ISO 3166-1 alpha-2 codes) on a date (default today,
UTC), against the directory snapshot shipped with art35. Every instrument is
listed with the reason it applies or does not; when none applies, the
answer is "no route" with what remains (bilateral treaty, INTERPOL,
letters rogatory). Each route names its article, the recipient (point of
contact, central authority, provider, registrar) and the clock it starts.
--recipient limits the answer to routes to an authority of TO, or to a
provider or registrar there directly (Protocol Art. 6, 7; EU 2023/1543).
--snapshot/--pubkey read a signed directory (with the bilateral treaties the
secretariat entered) instead of the shipped one.
Exit status 0 when a route exists, 1 when none does.
Routing proposes; a person confirms before anything is sent.

Examples:
	art35 route US IT emergency-mla
	art35 route FR DE emergency-disclosure --date 2026-12-02 --recipient provider
	art35 route JP US preserve --json`,
}

func runRoute(ctx context.Context, e *env, args []string) error {
	c := routeCmd
	fs := newFlagSet(e, c, "")
	dateFlag := fs.String("date", "", "date of the request, YYYY-MM-DD (default: today, UTC)")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	recipient := fs.String("recipient", "", "who receives the request: authority, provider or registrar (default: any)")
	var src dirSource
	src.bind(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 3 {
		return usagef("route needs FROM TO TYPE, e.g. art35 route US IT preserve")
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
	snap, _, err := src.load(e)
	if err != nil {
		return err
	}
	d, err := route.DecideFor(snap, route.Question{From: pos[0], To: pos[1], Type: request.Type(pos[2]), At: at, Addressee: addr})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(e, d); err != nil {
			return err
		}
	} else {
		fmt.Fprint(e.stdout, d.Explain())
	}
	if !d.Allowed {
		return silentError{code: apperr.ExitCode(apperr.EInvalid)}
	}
	return nil
}
