package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/request"
)

// caseServed records that a Protocol Art. 8 production order was served
// on the provider: the note starts the 20-day (subscriber information) or
// 45-day (traffic data) clock for the data (Protocol Art. 8(7)).
func caseServed(ctx context.Context, e *env, args []string) error {
	var by, details string
	n, pos, err := openNode(ctx, e, caseCmd, "served", args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person recording the service (required)")
		fs.StringVar(&details, "details", "", "how it was served, e.g. the provider's acknowledgement reference")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("served needs one case ID ('art35 case list' shows them)")
	}
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
}
