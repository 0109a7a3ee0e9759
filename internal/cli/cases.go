package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/store"
)

func PrintProblems(w io.Writer, ps []request.Problem) {
	for _, p := range ps {
		field := p.Field
		if field == "" {
			field = "(document)"
		}
		fmt.Fprintf(w, "%-7s %s [%s]\n        %s\n", p.Severity, field, p.Rule, p.Message)
	}
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

// CaseView is a case as "case show" prints it (and its --json).
type CaseView struct {
	*cases.Case
	Agenda        request.Agenda        `json:"agenda"`
	Notifications []notify.Notification `json:"notifications"`
	Zone          string                `json:"zone"`
}

// PrintCaseList prints the cases, due soonest first, with their next due
// clock relative to now.
func PrintCaseList(w io.Writer, list []cases.Summary, now time.Time) error {
	if len(list) == 0 {
		fmt.Fprintln(w, "no cases on this node")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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

// PrintCase prints a case: its timeline, clocks (days counted in the
// case's zone), the actions due now and the notifications sent.
func PrintCase(w io.Writer, v *CaseView, now time.Time) {
	r, lc := v.Request, v.Lifecycle
	zone, _ := time.LoadLocation(v.Zone)
	if zone == nil {
		zone = time.UTC
	}
	fmt.Fprintf(w, "%s  %s, %s  %s -> %s  (%s, peer %s)\n", r.ID, r.Type, r.Priority, r.Requesting.Party, r.Requested.Party, v.Direction, v.Peer)
	fmt.Fprintf(w, "state: %s   sender's reference: %s   message: %s\n", lc.State, r.SenderRef, v.MessageID)
	fmt.Fprintln(w, "\nTimeline (UTC):")
	for _, ev := range lc.Evidences {
		what := ev.Kind
		if ev.Kind == "transition" {
			what = string(ev.From) + " -> " + string(ev.To)
		}
		fmt.Fprintf(w, "  %s  %-26s by %s (%s)\n", ev.At.UTC().Format("2006-01-02 15:04:05"), what, ev.By, ev.As)
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
			fmt.Fprintf(w, "                       %s\n", strings.Join(extra, "; "))
		}
	}
	fmt.Fprintf(w, "\nClocks (days counted in %s):\n", zone)
	if len(v.Agenda.Deadlines) == 0 {
		fmt.Fprintln(w, "  none running")
	}
	for _, d := range v.Agenda.Deadlines {
		due := "(held)"
		if !d.Due.IsZero() {
			due = relative(d.Due, now) + ", " + d.Due.In(zone).Format("Mon 2 Jan 15:04 MST")
		}
		fmt.Fprintf(w, "  %-20s %-9s %s\n      %s\n", d.Clock, d.Status, due, d.Source)
		if d.Note != "" {
			fmt.Fprintf(w, "      %s\n", d.Note)
		}
	}
	if len(v.Agenda.Actions) > 0 {
		fmt.Fprintln(w, "\nDue now (the running node performs these):")
		for _, a := range v.Agenda.Actions {
			fmt.Fprintf(w, "  %-18s -> %-10s %s\n", a.Kind, a.To, a.Message)
		}
	}
	fmt.Fprintln(w, "\nNotifications:")
	if len(v.Notifications) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, x := range v.Notifications {
		addr := x.Address
		if addr == "" {
			addr = "-"
		}
		fmt.Fprintf(w, "  %s  %-10s %s (%s) by %s %s: %s, %d attempt(s)", x.Created.UTC().Format("2006-01-02 15:04:05"), x.Action, x.Person, x.Role, x.Channel, addr, x.Status, x.Attempts)
		if x.LastError != "" {
			fmt.Fprintf(w, ": %s", x.LastError)
		}
		fmt.Fprintln(w)
	}
}

// PrintConfirmation prints whether a received emergency request is
// confirmed (call-backs, countersignature) and may be executed.
func PrintConfirmation(w io.Writer, id string, conf *cases.Confirmation) {
	switch {
	case !conf.Needed:
		fmt.Fprintf(w, "%s: not an emergency request received here; no confirmation is needed\n", id)
		return
	case conf.Confirmed:
		fmt.Fprintf(w, "%s: confirmed; it may be executed\n", id)
	default:
		fmt.Fprintf(w, "%s: NOT confirmed: %s\n", id, conf.Recommendation)
	}
	if conf.Countersigned != "" {
		fmt.Fprintf(w, "  %s\n", conf.Countersigned)
	}
	for _, cb := range conf.Callbacks {
		fmt.Fprintf(w, "  called back by %s at %s on %s (%s): %s\n", cb.CalledBy, cb.CalledAt.Format(time.RFC3339), cb.Number, cb.Authority, cb.Outcome)
	}
	if conf.SignerRevoked != "" {
		fmt.Fprintf(w, "  WARNING: %s\n", conf.SignerRevoked)
	}
}

// LoadCase reads the case id with its clocks at now (the same computation
// as the clock runner and the portal: cases.Clocks) and the notifications
// sent about it.
func LoadCase(ctx context.Context, svc *cases.Service, db *store.DB, id string, now time.Time) (*CaseView, error) {
	c, err := svc.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	agenda, facts, err := svc.Clocks(ctx, c, request.DefaultPolicy(), now)
	if err != nil {
		return nil, err
	}
	ns, err := notify.List(ctx, db, id)
	if err != nil {
		return nil, err
	}
	return &CaseView{Case: c, Agenda: agenda, Notifications: ns, Zone: facts.Zone.String()}, nil
}

// PrintSent prints what "case send" says about the request file name:
// the problems found and, when sent, where it went (c, note). With errors
// among the problems it says the request was not sent and returns the
// invalid exit status; any other err is returned as it is.
func PrintSent(w io.Writer, name string, c *cases.Case, problems []request.Problem, note *route.Notification, err error) error {
	if err != nil && request.HasErrors(problems) {
		PrintProblems(w, problems)
		fmt.Fprintf(w, "%s: not sent: fix the errors above\n", name)
		return ExitError{Code: apperr.ExitCode(apperr.EInvalid)}
	}
	if err != nil {
		return err
	}
	PrintProblems(w, problems)
	fmt.Fprintf(w, "sent %s (%s, %s) to %s, message %s\n", c.Request.ID, c.Request.Type, c.Request.Priority, c.Peer, c.MessageID)
	if note != nil && note.Required {
		fmt.Fprintf(w, "notification copy to %s (%s)\n", note.Authority, note.Basis)
	}
	fmt.Fprintln(w, "the running node delivers it; 'art35 case show "+c.Request.ID+"' follows it")
	return nil
}

// PrintStep prints the line "case ack", "start", ... give for the step
// ev taken on case id.
func PrintStep(w io.Writer, id string, ev *request.Evidence) {
	fmt.Fprintf(w, "%s: %s -> %s by %s at %s; the evidence goes to the other side\n", id, ev.From, ev.To, ev.By, ev.At.Format(time.RFC3339))
}
