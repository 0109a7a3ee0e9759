package main

import (
	"context"
	"flag"
	"strings"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// caseStepOrder lists the step subcommands and the state each moves to.
var caseStepOrder = []struct {
	name string
	to   request.State
}{
	{"ack", request.StateAcknowledged},
	{"start", request.StateInProgress},
	{"preserved", request.StatePreserved},
	{"disclosed", request.StateDisclosed},
	{"decline", request.StateDeclined},
	{"needs-info", request.StateNeedsInfo},
	{"close", request.StateClosed},
}

func runCase(ctx context.Context, e *env, args []string) error {
	subs := []subcommand{
		{"send", "validate a request and send it to the requested party", caseSend},
		{"list", "every case, due soonest first", caseList},
		{"show", "timeline, clocks and notifications of a case", caseShow},
		{"served", "record that a Protocol Art. 8 order was served on the provider (starts the 20/45-day data clock)", caseServed},
		{"renew", "record the renewal of an interception's authorised period (Art. 34)", caseRenew},
		{"notify", "send the notification copy of a direct order to the provider's party (Protocol Art. 7(5); EU Reg. Art. 8)", caseNotify},
		{"stop-disclosure", "as the notified authority, instruct the provider not to execute a direct order", caseStopDisclosure},
	}
	subs = append(subs, subcommand{"callback", "record a call-back confirming a received emergency request", caseCallback},
		subcommand{"countersign", "as a second person, countersign an emergency request this node sent", caseCountersign})
	for _, st := range caseStepOrder {
		subs = append(subs, subcommand{st.name, "move the case to " + string(st.to), func(ctx context.Context, e *env, args []string) error {
			return caseStep(ctx, e, st.name, st.to, args)
		}})
	}
	return dispatch(ctx, e, caseCmd, subs, args)
}

func caseSend(ctx context.Context, e *env, args []string) error {
	var by, to string
	return onNode(ctx, e, caseCmd, "send", args, 1, "send needs one request FILE (or - for standard input)", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person sending the request (required)")
		fs.StringVar(&to, "to", "", "a provider's authority id: send the order straight to it, with the notification copy where the law requires one")
	}, func(n *node.Node, pos []string) error {
		if strings.TrimSpace(by) == "" {
			return usagef("send needs --by NAME: the person who sends the request")
		}
		doc, err := requestFiles(e).Read(pos[0])
		if err != nil {
			return err
		}
		c, problems, note, err := n.Cases.SubmitOrder(ctx, doc, by, to)
		return cli.PrintSent(e.stdout, pos[0], c, problems, note, err)
	})
}

func caseList(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	return onNode(ctx, e, caseCmd, "list", args, 0, "list takes no arguments", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }, func(n *node.Node, pos []string) error {
		list, err := n.Cases.List(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return cli.WriteJSON(e.stdout, list)
		}
		return cli.PrintCaseList(e.stdout, list, e.clock.Now())
	})
}

func caseShow(ctx context.Context, e *env, args []string) error {
	var (
		asJSON      bool
		by, purpose string
	)
	return onNode(ctx, e, caseCmd, "show", args, 1, "show needs one case ID ('art35 case list' shows them)", func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.StringVar(&by, "by", "", "who reads the case (recorded in the audit log for received requests; default $USER)")
		fs.StringVar(&purpose, "purpose", "case work", "why (recorded with the read)")
	}, func(n *node.Node, pos []string) error {
		if by == "" {
			by = e.getenv("USER")
		}
		if by == "" {
			by = "cli"
		}
		// Reading a received request's content is an access to personal data:
		// it is recorded with who and why (Protocol Art. 14(8)).
		if _, err := n.Cases.Read(ctx, pos[0], by, purpose); err != nil {
			return err
		}
		v, err := cli.LoadCase(ctx, n.Cases, n.DB, pos[0], e.clock.Now())
		if err != nil {
			return err
		}
		if asJSON {
			return cli.WriteJSON(e.stdout, v)
		}
		cli.PrintCase(e.stdout, v, e.clock.Now())
		return nil
	})
}

func caseStep(ctx context.Context, e *env, sub string, to request.State, args []string) error {
	var by, ref, until, code, details, linked string
	return onNode(ctx, e, caseCmd, sub, args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person taking the step (required)")
		fs.StringVar(&ref, "ref", "", "preserved: the provider's reference")
		fs.StringVar(&until, "until", "", "preserved: the end date the provider gave (YYYY-MM-DD or RFC 3339)")
		fs.StringVar(&code, "code", "", "decline, needs-info: the answer code")
		fs.StringVar(&details, "details", "", "a free-text explanation")
		fs.StringVar(&linked, "linked", "", "decline not-our-jurisdiction: the traffic-path answer's id")
	}, func(n *node.Node, pos []string) error {
		if len(pos) != 1 {
			return usagef("%s needs one case ID ('art35 case list' shows them)", sub)
		}
		if strings.TrimSpace(by) == "" {
			return usagef("%s needs --by NAME: every step names the person who took it", sub)
		}
		step := request.Step{To: to, By: by, Code: request.AnswerCode(code), Details: details, ProviderRef: ref, LinkedID: linked}
		if until != "" {
			t, err := parseUntil(until)
			if err != nil {
				return err
			}
			step.Until = t
		}
		var res request.Reservations
		if d, err := n.Directory(ctx); err == nil {
			res = route.Reservations{Snapshot: d}
		}
		ev, err := n.Cases.Act(ctx, pos[0], step, res)
		if err != nil {
			return err
		}
		cli.PrintStep(e.stdout, pos[0], ev)
		return nil
	})
}

// caseCallback records a call-back that confirms a received emergency
// request, or, without --by, prints how the request stands.
func caseCallback(ctx context.Context, e *env, args []string) error {
	var by, number, outcome, at string
	var asJSON bool
	return onNode(ctx, e, caseCmd, "callback", args, 1, "callback needs one case ID ('art35 case list' shows them)", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "who made the call (required to record one)")
		fs.StringVar(&number, "number", "", "the number dialled: the one the directory holds for the requesting authority")
		fs.StringVar(&outcome, "outcome", "", "what the person called confirmed (name, the request's id)")
		fs.StringVar(&at, "at", "", "when the call was made, RFC 3339 (default now)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, pos []string) error {
		var err error
		if by != "" || number != "" || outcome != "" {
			cb := cases.CallbackRecord{CalledBy: by, Number: number, Outcome: outcome}
			if at != "" {
				if cb.CalledAt, err = time.Parse(time.RFC3339, at); err != nil {
					return usagef("--at %q: not RFC 3339 (e.g. 2026-11-25T02:00:00Z)", at)
				}
			}
			if _, err := n.Cases.Callback(ctx, pos[0], cb); err != nil {
				return err
			}
		}
		conf, err := n.Cases.Confirm(ctx, pos[0])
		if err != nil {
			return err
		}
		if asJSON {
			return cli.WriteJSON(e.stdout, conf)
		}
		cli.PrintConfirmation(e.stdout, pos[0], conf)
		return nil
	})
}

// parseUntil reads an end date: a day (end of that day, UTC) or an RFC
// 3339 time with a zone.
func parseUntil(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	ts := request.ParseTimestamp(s)
	if !ts.Valid() {
		return time.Time{}, usagef("--until %q: give a date YYYY-MM-DD or an RFC 3339 time with a zone, e.g. 2027-02-28 or 2027-02-28T23:59:59Z", s)
	}
	return ts.T, nil
}
