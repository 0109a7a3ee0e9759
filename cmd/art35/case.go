package main

import (
	"cmp"
	"context"
	"flag"
	"strings"

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
		{Name: "send", Short: "validate a request and send it to the requested party", Run: caseSend},
		{Name: "list", Short: "every case, due soonest first", Run: caseList},
		{Name: "show", Short: "timeline, clocks and notifications of a case", Run: caseShow},
		{Name: "served", Short: "record that a Protocol Art. 8 order was served on the provider (starts the 20/45-day data clock)", Run: caseServed},
		{Name: "renew", Short: "record the renewal of an interception's authorised period (Art. 34)", Run: caseRenew},
		{Name: "notify", Short: "send the notification copy of a direct order to the provider's party (Protocol Art. 7(5); EU Reg. Art. 8)", Run: caseNotify},
		{Name: "stop-disclosure", Short: "as the notified authority, instruct the provider not to execute a direct order", Run: caseStopDisclosure},
		{Name: "callback", Short: "record a call-back confirming a received emergency request", Run: caseCallback},
		{Name: "countersign", Short: "as a second person, countersign an emergency request this node sent", Run: caseCountersign},
	}
	for _, st := range caseStepOrder {
		subs = append(subs, subcommand{Name: st.name, Short: "move the case to " + string(st.to), Run: func(ctx context.Context, e *env, args []string) error {
			return caseStep(ctx, e, st.name, st.to, args)
		}})
	}
	return e.Dispatch(ctx, caseCmd, subs, args)
}

// onCase opens the node for a subcommand on one case ID (usage says what
// to give otherwise) and runs f with the node and the case work on it.
func onCase(ctx context.Context, e *env, sub string, args []string, usage string, extra func(*flag.FlagSet), f func(n *node.Node, w cli.CaseWork, id string) error) error {
	return e.OnNode(ctx, caseCmd, sub, args, 1, usage, extra, func(n *node.Node, pos []string) error {
		return f(n, cli.CaseWork{Cases: n.Cases, W: e.Stdout, Now: e.Clock.Now()}, pos[0])
	})
}

const needsID = " needs one case ID ('art35 case list' shows them)"

func caseSend(ctx context.Context, e *env, args []string) error {
	var by, to string
	return onCase(ctx, e, "send", args, "send needs one request FILE (or - for standard input)", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person sending the request (required)")
		fs.StringVar(&to, "to", "", "a provider's authority id: send the order straight to it, with the notification copy where the law requires one")
	}, func(n *node.Node, _ cli.CaseWork, name string) error {
		if strings.TrimSpace(by) == "" {
			return cli.Usagef("send needs --by NAME: the person who sends the request")
		}
		doc, err := requestFiles(e).Read(name)
		if err != nil {
			return err
		}
		c, problems, note, err := n.Cases.SubmitOrder(ctx, doc, by, to)
		return cli.PrintSent(e.Stdout, name, c, problems, note, err)
	})
}

func caseList(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	return e.OnNode(ctx, caseCmd, "list", args, 0, "list takes no arguments", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }, func(n *node.Node, pos []string) error {
		list, err := n.Cases.List(ctx)
		return cli.Show(e.Stdout, asJSON, list, err, func() error { return cli.PrintCaseList(e.Stdout, list, e.Clock.Now()) })
	})
}

func caseShow(ctx context.Context, e *env, args []string) error {
	var (
		asJSON      bool
		by, purpose string
	)
	return onCase(ctx, e, "show", args, "show"+needsID, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.StringVar(&by, "by", "", "who reads the case (recorded in the audit log for received requests; default $USER)")
		fs.StringVar(&purpose, "purpose", "case work", "why (recorded with the read)")
	}, func(n *node.Node, _ cli.CaseWork, id string) error {
		by = cmp.Or(by, e.Getenv("USER"), "cli")
		// Reading a received request's content is an access to personal data:
		// it is recorded with who and why (Protocol Art. 14(8)).
		if _, err := n.Cases.Read(ctx, id, by, purpose); err != nil {
			return err
		}
		v, err := cli.LoadCase(ctx, n.Cases, n.DB, id, e.Clock.Now())
		return cli.Show(e.Stdout, asJSON, v, err, func() error { cli.PrintCase(e.Stdout, v, e.Clock.Now()); return nil })
	})
}

func caseStep(ctx context.Context, e *env, sub string, to request.State, args []string) error {
	var until string
	step := request.Step{To: to}
	var code string
	return e.OnNode(ctx, caseCmd, sub, args, 1, sub+needsID, func(fs *flag.FlagSet) {
		fs.StringVar(&step.By, "by", "", "the name of the person taking the step (required)")
		fs.StringVar(&step.ProviderRef, "ref", "", "preserved: the provider's reference")
		fs.StringVar(&until, "until", "", "preserved: the end date the provider gave (YYYY-MM-DD or RFC 3339)")
		fs.StringVar(&code, "code", "", "decline, needs-info: the answer code")
		fs.StringVar(&step.Details, "details", "", "a free-text explanation")
		fs.StringVar(&step.LinkedID, "linked", "", "decline not-our-jurisdiction: the traffic-path answer's id")
	}, func(n *node.Node, pos []string) error {
		var res request.Reservations
		if d, err := n.Directory(ctx); err == nil {
			res = route.Reservations{Snapshot: d}
		}
		step.Code = request.AnswerCode(code)
		return cli.CaseWork{Cases: n.Cases, W: e.Stdout, Now: e.Clock.Now()}.Step(ctx, sub, pos[0], until, step, res)
	})
}

func caseCallback(ctx context.Context, e *env, args []string) error {
	var cb cases.CallbackRecord
	var at string
	var asJSON bool
	return onCase(ctx, e, "callback", args, "callback"+needsID, func(fs *flag.FlagSet) {
		fs.StringVar(&cb.CalledBy, "by", "", "who made the call (required to record one)")
		fs.StringVar(&cb.Number, "number", "", "the number dialled: the one the directory holds for the requesting authority")
		fs.StringVar(&cb.Outcome, "outcome", "", "what the person called confirmed (name, the request's id)")
		fs.StringVar(&at, "at", "", "when the call was made, RFC 3339 (default now)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(_ *node.Node, w cli.CaseWork, id string) error { return w.Callback(ctx, id, cb, at, asJSON) })
}

func caseServed(ctx context.Context, e *env, args []string) error {
	var by, details string
	return onCase(ctx, e, "served", args, "served"+needsID, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person recording the service (required)")
		fs.StringVar(&details, "details", "", "how it was served, e.g. the provider's acknowledgement reference")
	}, func(_ *node.Node, w cli.CaseWork, id string) error { return w.Served(ctx, id, by, details) })
}

func caseRenew(ctx context.Context, e *env, args []string) error {
	var by, until, details string
	return onCase(ctx, e, "renew", args, "renew"+needsID, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person recording the renewal (required)")
		fs.StringVar(&until, "until", "", "the new end of the authorised period (YYYY-MM-DD or RFC 3339)")
		fs.StringVar(&details, "details", "", "the renewing decision, e.g. the court order's reference")
	}, func(_ *node.Node, w cli.CaseWork, id string) error { return w.Renew(ctx, id, by, until, details) })
}

func caseCountersign(ctx context.Context, e *env, args []string) error {
	var by, keyFile string
	return onCase(ctx, e, "countersign", args, "countersign needs one case ID", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the second person, who countersigns (required)")
		fs.StringVar(&keyFile, "key", "", "that person's own signing key file, listed in the directory for this authority (required)")
	}, func(_ *node.Node, w cli.CaseWork, id string) error { return w.Countersign(ctx, id, by, keyFile) })
}

func caseNotify(ctx context.Context, e *env, args []string) error {
	var by string
	return onCase(ctx, e, "notify", args, "notify needs one case ID and --by NAME", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person sending the copy (required)")
	}, func(_ *node.Node, w cli.CaseWork, id string) error { return w.Notify(ctx, id, by) })
}

func caseStopDisclosure(ctx context.Context, e *env, args []string) error {
	var by, provider, reason string
	return onCase(ctx, e, "stop-disclosure", args, cli.StopUsage, func(fs *flag.FlagSet) {
		fs.StringVar(&provider, "provider", "", "the provider's authority id the order went to (required)")
		fs.StringVar(&by, "by", "", "the name of the person who stops disclosure (required)")
		fs.StringVar(&reason, "reason", "", "the ground, e.g. it would prejudice a domestic investigation (required)")
	}, func(_ *node.Node, w cli.CaseWork, id string) error {
		return w.StopDisclosure(ctx, id, provider, by, reason)
	})
}
