package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

var caseCmd = &command{
	name:  "case",
	short: "send requests and work the cases of a node: list, show, acknowledge, preserve, answer",
	usage: "case <send|list|show|served|renew|ack|start|preserved|disclosed|decline|needs-info|close|callback> --data DIR ...",
	long: `Case works on a node's database (--data DIR, or ART35_DATA). The node may be
running: what these commands queue, the running node delivers within a second.

  art35 case send --by NAME FILE      validate a request and send it to the requested
                                      party's 24/7 point of contact; refused with every
                                      problem listed (exit 1) when it is incomplete
  art35 case list [--json]            every case, the one due soonest first
  art35 case show ID [--json]         the case's timeline of evidences, its clocks, the
                                      actions due now and the notifications sent

Steps, each sent to the other side as a signed evidence:
  art35 case ack ID --by NAME         a named person read the request (acknowledged)
  art35 case start ID --by NAME       execution started (in-progress)
  art35 case preserved ID --by NAME --ref PROVIDER-REF [--until DATE]
                                      the data is preserved (end date YYYY-MM-DD or RFC 3339)
  art35 case disclosed ID --by NAME   the data or answer was sent
  art35 case decline ID --by NAME --code CODE [--linked ID]
  art35 case needs-info ID --by NAME --code CODE
  art35 case close ID --by NAME       the sender closes (or withdraws) the request
  art35 case served ID --by NAME
                                      a production order (Protocol Art. 8) was served on
                                      the provider: starts the 20/45-day clock for the data
  art35 case renew ID --by NAME --until DATE
                                      an interception's authorised period was renewed (Art. 34);
                                      content never flows through art35

An emergency request received here is disclosed only once confirmed (SPEC story 7):
countersigned by a second person of the requesting authority, or called back:
  art35 case callback ID --by NAME --number NUMBER --outcome TEXT [--at TIME] [--json]
                                      record the call made to the number the directory
                                      holds for the requesting authority (any other
                                      number is refused); without --by it
                                      prints the confirmation state

--details TEXT adds a free-text explanation to any step. Codes: ` + strings.Join(answerCodeNames(), ", ") + `.
The clocks (acknowledgement, preservation end held while an MLA request is pending,
extensions, Protocol Art. 7 and 8, EU 2023/1543, domestic 90 days) are computed the
same way here, in the portal and by the running node; see docs/cases.md.`,
}

func answerCodeNames() []string {
	var out []string
	for c := range request.AnswerCodes {
		out = append(out, string(c))
	}
	slices.Sort(out)
	return out
}

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
	subs = append(subs, subcommand{"callback", "record a call-back confirming a received emergency request", caseCallback})
	for _, st := range caseStepOrder {
		subs = append(subs, subcommand{st.name, "move the case to " + string(st.to), func(ctx context.Context, e *env, args []string) error {
			return caseStep(ctx, e, st.name, st.to, args)
		}})
	}
	return dispatch(ctx, e, caseCmd, subs, args)
}

func caseSend(ctx context.Context, e *env, args []string) error {
	var by, to string
	n, pos, err := openNode(ctx, e, caseCmd, "send", args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person sending the request (required)")
		fs.StringVar(&to, "to", "", "a provider's authority id: send the order straight to it, with the notification copy where the law requires one")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("send needs one request FILE (or - for standard input)")
	}
	if strings.TrimSpace(by) == "" {
		return usagef("send needs --by NAME: the person who sends the request")
	}
	doc, err := readArg(e, pos[0], request.MaxDocument+1)
	if err != nil {
		return err
	}
	c, problems, note, err := sendTo(ctx, n.Cases, doc, by, to)
	if err != nil && request.HasErrors(problems) {
		printProblems(e, problems)
		fmt.Fprintf(e.stdout, "%s: not sent: fix the errors above\n", pos[0])
		return silentError{code: apperr.ExitCode(apperr.EInvalid)}
	}
	if err != nil {
		return err
	}
	printProblems(e, problems)
	fmt.Fprintf(e.stdout, "sent %s (%s, %s) to %s, message %s\n", c.Request.ID, c.Request.Type, c.Request.Priority, c.Peer, c.MessageID)
	if note != nil && note.Required {
		fmt.Fprintf(e.stdout, "notification copy to %s (%s)\n", note.Authority, note.Basis)
	}
	fmt.Fprintln(e.stdout, "the running node delivers it; 'art35 case show "+c.Request.ID+"' follows it")
	return nil
}

func printProblems(e *env, ps []request.Problem) {
	for _, p := range ps {
		field := p.Field
		if field == "" {
			field = "(document)"
		}
		fmt.Fprintf(e.stdout, "%-7s %s [%s]\n        %s\n", p.Severity, field, p.Rule, p.Message)
	}
}

func caseList(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	n, pos, err := openNode(ctx, e, caseCmd, "list", args, func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") })
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 0 {
		return usagef("list takes no arguments")
	}
	list, err := n.Cases.List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no cases on this node")
		return nil
	}
	now := e.clock.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDIR\tTYPE\tPRIORITY\tPEER\tSTATE\tNEXT DUE")
	for _, s := range list {
		due := "-"
		if s.Held != "" {
			due = s.Held
		}
		if s.NextDue != nil {
			due = fmt.Sprintf("%s %s %s", s.NextDue.Clock, s.NextDue.Status, relative(s.NextDue.Due, now))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Direction, s.Type, s.Priority, s.Peer, s.State, due)
	}
	return tw.Flush()
}

// relative says when t is from now, in words a duty officer reads at a glance.
func relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Minute)
	stamp := " (" + t.UTC().Format(time.RFC3339) + ")"
	switch {
	case d > 0:
		return "in " + span(d) + stamp
	case d < 0:
		return span(-d) + " ago" + stamp
	}
	return "now" + stamp
}

// span prints a duration as days, hours and minutes ("95d 21h", "2h 0m").
func span(d time.Duration) string {
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	if days > 0 {
		return fmt.Sprintf("%dd %dh", days, h)
	}
	return fmt.Sprintf("%dh %dm", h, m)
}

// caseView is what "case show --json" prints.
type caseView struct {
	*cases.Case
	Agenda        request.Agenda        `json:"agenda"`
	Notifications []notify.Notification `json:"notifications"`
	Zone          string                `json:"zone"`
}

func caseShow(ctx context.Context, e *env, args []string) error {
	var (
		asJSON      bool
		by, purpose string
	)
	n, pos, err := openNode(ctx, e, caseCmd, "show", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.StringVar(&by, "by", "", "who reads the case (recorded in the audit log for received requests; default $USER)")
		fs.StringVar(&purpose, "purpose", "case work", "why (recorded with the read)")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("show needs one case ID ('art35 case list' shows them)")
	}
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
	v, err := loadView(ctx, e, n, pos[0])
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e, v)
	}
	r, lc := v.Request, v.Lifecycle
	zone, _ := time.LoadLocation(v.Zone)
	if zone == nil {
		zone = time.UTC
	}
	fmt.Fprintf(e.stdout, "%s  %s, %s  %s -> %s  (%s, peer %s)\n", r.ID, r.Type, r.Priority, r.Requesting.Party, r.Requested.Party, v.Direction, v.Peer)
	fmt.Fprintf(e.stdout, "state: %s   sender's reference: %s   message: %s\n", lc.State, r.SenderRef, v.MessageID)
	fmt.Fprintln(e.stdout, "\nTimeline (UTC):")
	for _, ev := range lc.Evidences {
		what := ev.Kind
		if ev.Kind == "transition" {
			what = string(ev.From) + " -> " + string(ev.To)
		}
		fmt.Fprintf(e.stdout, "  %s  %-26s by %s (%s)\n", ev.At.UTC().Format("2006-01-02 15:04:05"), what, ev.By, ev.As)
		var extra []string
		if ev.Code != "" {
			extra = append(extra, "code "+string(ev.Code))
		}
		if ev.ProviderRef != "" {
			extra = append(extra, "provider ref "+ev.ProviderRef)
		}
		if !ev.Until.IsZero() {
			extra = append(extra, "until "+ev.Until.Format(time.RFC3339))
		}
		if ev.LinkedID != "" {
			extra = append(extra, "linked "+ev.LinkedID)
		}
		if ev.Details != "" {
			extra = append(extra, ev.Details)
		}
		if len(extra) > 0 {
			fmt.Fprintf(e.stdout, "                       %s\n", strings.Join(extra, "; "))
		}
	}
	now := e.clock.Now()
	fmt.Fprintf(e.stdout, "\nClocks (days counted in %s):\n", zone)
	if len(v.Agenda.Deadlines) == 0 {
		fmt.Fprintln(e.stdout, "  none running")
	}
	for _, d := range v.Agenda.Deadlines {
		due := "(held)"
		if !d.Due.IsZero() {
			due = relative(d.Due, now) + ", " + d.Due.In(zone).Format("Mon 2 Jan 15:04 MST")
		}
		fmt.Fprintf(e.stdout, "  %-20s %-9s %s\n      %s\n", d.Clock, d.Status, due, d.Source)
		if d.Note != "" {
			fmt.Fprintf(e.stdout, "      %s\n", d.Note)
		}
	}
	if len(v.Agenda.Actions) > 0 {
		fmt.Fprintln(e.stdout, "\nDue now (the running node performs these):")
		for _, a := range v.Agenda.Actions {
			fmt.Fprintf(e.stdout, "  %-18s -> %-10s %s\n", a.Kind, a.To, a.Message)
		}
	}
	fmt.Fprintln(e.stdout, "\nNotifications:")
	if len(v.Notifications) == 0 {
		fmt.Fprintln(e.stdout, "  none")
	}
	for _, x := range v.Notifications {
		addr := x.Address
		if addr == "" {
			addr = "-"
		}
		fmt.Fprintf(e.stdout, "  %s  %-10s %s (%s) by %s %s: %s, %d attempt(s)", x.Created.UTC().Format("2006-01-02 15:04:05"), x.Action, x.Person, x.Role, x.Channel, addr, x.Status, x.Attempts)
		if x.LastError != "" {
			fmt.Fprintf(e.stdout, ": %s", x.LastError)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func loadView(ctx context.Context, e *env, n *node.Node, id string) (*caseView, error) {
	c, err := n.Cases.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	// The same computation as the clock runner and the portal (cases.Clocks).
	agenda, facts, err := n.Cases.Clocks(ctx, c, request.DefaultPolicy(), e.clock.Now())
	if err != nil {
		return nil, err
	}
	zone := facts.Zone
	ns, err := notify.List(ctx, n.DB, id)
	if err != nil {
		return nil, err
	}
	return &caseView{Case: c, Agenda: agenda, Notifications: ns, Zone: zone.String()}, nil
}

func caseStep(ctx context.Context, e *env, sub string, to request.State, args []string) error {
	var by, ref, until, code, details, linked string
	n, pos, err := openNode(ctx, e, caseCmd, sub, args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person taking the step (required)")
		fs.StringVar(&ref, "ref", "", "preserved: the provider's reference")
		fs.StringVar(&until, "until", "", "preserved: the end date the provider gave (YYYY-MM-DD or RFC 3339)")
		fs.StringVar(&code, "code", "", "decline, needs-info: the answer code")
		fs.StringVar(&details, "details", "", "a free-text explanation")
		fs.StringVar(&linked, "linked", "", "decline not-our-jurisdiction: the traffic-path answer's id")
	})
	if err != nil {
		return err
	}
	defer n.Close()
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
	fmt.Fprintf(e.stdout, "%s: %s -> %s by %s at %s; the evidence goes to the other side\n", pos[0], ev.From, ev.To, ev.By, ev.At.Format(time.RFC3339))
	return nil
}

// caseCallback records a call-back that confirms a received emergency
// request, or, without --by, prints how the request stands.
func caseCallback(ctx context.Context, e *env, args []string) error {
	var by, number, outcome, at string
	var asJSON bool
	n, pos, err := openNode(ctx, e, caseCmd, "callback", args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "who made the call (required to record one)")
		fs.StringVar(&number, "number", "", "the number dialled: the one the directory holds for the requesting authority")
		fs.StringVar(&outcome, "outcome", "", "what the person called confirmed (name, the request's id)")
		fs.StringVar(&at, "at", "", "when the call was made, RFC 3339 (default now)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("callback needs one case ID ('art35 case list' shows them)")
	}
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
		return writeJSON(e, conf)
	}
	switch {
	case !conf.Needed:
		fmt.Fprintf(e.stdout, "%s: not an emergency request received here; no confirmation is needed\n", pos[0])
		return nil
	case conf.Confirmed:
		fmt.Fprintf(e.stdout, "%s: confirmed; it may be executed\n", pos[0])
	default:
		fmt.Fprintf(e.stdout, "%s: NOT confirmed: %s\n", pos[0], conf.Recommendation)
	}
	if conf.Countersigned != "" {
		fmt.Fprintf(e.stdout, "  %s\n", conf.Countersigned)
	}
	for _, cb := range conf.Callbacks {
		fmt.Fprintf(e.stdout, "  called back by %s at %s on %s (%s): %s\n", cb.CalledBy, cb.CalledAt.Format(time.RFC3339), cb.Number, cb.Authority, cb.Outcome)
	}
	if conf.SignerRevoked != "" {
		fmt.Fprintf(e.stdout, "  WARNING: %s\n", conf.SignerRevoked)
	}
	return nil
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
