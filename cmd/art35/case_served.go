package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
)

// caseServed records that a Protocol Art. 8 production order was served
// on the provider: the note starts the 20-day (subscriber information) or
// 45-day (traffic data) clock for the data (Protocol Art. 8(7)).
func caseServed(ctx context.Context, e *env, args []string) error {
	var by, details string
	return onNode(ctx, e, caseCmd, "served", args, 1, "served needs one case ID ('art35 case list' shows them)", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person recording the service (required)")
		fs.StringVar(&details, "details", "", "how it was served, e.g. the provider's acknowledgement reference")
	}, func(n *node.Node, pos []string) error {
		if strings.TrimSpace(by) == "" {
			return usagef("served needs --by NAME: every step names the person who took it")
		}
		c, err := n.Cases.Get(ctx, pos[0])
		if err != nil {
			return err
		}
		if c.Request.Type != request.TypeProductionOrder {
			return usagef("served applies to a production-order (Protocol Art. 8); %s is a %s", pos[0], c.Request.Type)
		}
		if c.Direction != cases.Incoming {
			return usagef("served is recorded by the requested party, which serves the order on its provider; %s was sent from this node", pos[0])
		}
		ev, err := n.Cases.Note(ctx, pos[0], cases.NoteSpec{Kind: request.NoteServed, By: by, As: request.ByReceiver, Details: details}, nil)
		if err != nil {
			return err
		}
		// The service is recorded now (the note's time starts the clock).
		var agenda request.Agenda
		if c, err = n.Cases.Get(ctx, pos[0]); err == nil {
			agenda, _, err = n.Cases.Clocks(ctx, c, request.DefaultPolicy(), e.clock.Now())
		}
		fmt.Fprintf(e.stdout, "%s: served on the provider, recorded by %s at %s\n", pos[0], ev.By, ev.At.Format(time.RFC3339))
		if err == nil {
			for _, d := range agenda.Deadlines {
				if d.Clock == request.ClockArt8Data {
					fmt.Fprintf(e.stdout, "data due by %s (%s)\n", d.Due.Format(time.RFC3339), d.Source)
				}
			}
		}
		return nil
	})
}

// caseRenew records the renewal of an Art. 34 interception's authorised
// period: the note's Until is the new end, which the interception clock
// reads.
func caseRenew(ctx context.Context, e *env, args []string) error {
	var by, until, details string
	return onNode(ctx, e, caseCmd, "renew", args, 1, "renew needs one case ID ('art35 case list' shows them)", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person recording the renewal (required)")
		fs.StringVar(&until, "until", "", "the new end of the authorised period (YYYY-MM-DD or RFC 3339)")
		fs.StringVar(&details, "details", "", "the renewing decision, e.g. the court order's reference")
	}, func(n *node.Node, pos []string) error {
		if strings.TrimSpace(by) == "" || until == "" {
			return usagef("renew needs --by NAME and --until DATE (the new end of the authorised period)")
		}
		end, err := parseUntil(until)
		if err != nil {
			return err
		}
		c, err := n.Cases.Get(ctx, pos[0])
		if err != nil {
			return err
		}
		if c.Request.Type != request.TypeInterception {
			return usagef("renew applies to an interception (Art. 34); %s is a %s", pos[0], c.Request.Type)
		}
		if !end.After(e.clock.Now()) {
			return usagef("--until %s is not in the future", until)
		}
		ev, err := n.Cases.Note(ctx, pos[0], cases.NoteSpec{Kind: request.NoteRenewed, By: by, As: request.ByReceiver, Details: details, Until: end}, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: authorised period renewed until %s, recorded by %s at %s\n", pos[0], end.Format(time.RFC3339), ev.By, ev.At.Format(time.RFC3339))
		return nil
	})
}
