package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// PrintValidation prints a request's checklist problems and the verdict
// for the file name.
func PrintValidation(w io.Writer, name string, ps []request.Problem) {
	PrintProblems(w, ps)
	errs := 0
	for _, p := range ps {
		if p.Severity == request.SeverityError {
			errs++
		}
	}
	if errs == 0 {
		fmt.Fprintf(w, "%s: valid (%d warnings)\n", name, len(ps))
	} else {
		fmt.Fprintf(w, "%s: invalid: %d errors, %d warnings\n", name, errs, len(ps)-errs)
	}
}

// PrintChain prints a chain of linked requests, indented by depth.
func PrintChain(w io.Writer, chain []request.ChainNode) {
	for _, n := range chain {
		rel := ""
		if n.Rel != "" {
			rel = " (" + n.Rel + ")"
		}
		fmt.Fprintf(w, "%s%s %s %s -> %s%s\n", strings.Repeat("  ", n.Depth), n.ID, n.Type, n.From, n.To, rel)
	}
}

// AgendaView is what "request due" judges: a request, the state its
// evidences led to, and its clocks at Now.
type AgendaView struct {
	Request   *request.Request
	State     request.State
	Agenda    request.Agenda
	Zone      *time.Location
	Directory *directory.Snapshot // whom to notify or escalate to
	Now       time.Time
}

// PrintAgenda prints a request's deadlines (UTC and local time) and the
// actions due now, with the people the directory names for them.
func PrintAgenda(w io.Writer, v AgendaView) {
	r, agenda, zone, snap, now := v.Request, v.Agenda, v.Zone, v.Directory, v.Now
	fmt.Fprintf(w, "%s (%s, %s) %s -> %s: %s, at %s\n", r.ID, r.Type, r.Priority, r.Requesting.Party, r.Requested.Party, v.State, now.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "\nDeadlines (UTC, and local time in %s):\n", zone)
	if len(agenda.Deadlines) == 0 {
		fmt.Fprintln(w, "  none running")
	}
	for _, d := range agenda.Deadlines {
		due := "(held)"
		if !d.Due.IsZero() {
			due = d.Due.Format(time.RFC3339) + " (" + d.Due.In(zone).Format("Mon 2 Jan 15:04 MST") + ")"
		}
		fmt.Fprintf(w, "  %-20s %-9s %s\n      %s\n", d.Clock, d.Status, due, d.Source)
		if d.Note != "" {
			fmt.Fprintf(w, "      %s\n", d.Note)
		}
	}
	fmt.Fprintln(w, "\nActions due now:")
	if len(agenda.Actions) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, a := range agenda.Actions {
		fmt.Fprintf(w, "  %-18s -> %-10s %s\n", a.Kind, a.To, a.Message)
		if a.Kind == request.ActionNotify || a.Kind == request.ActionEscalate {
			people := route.Escalation(snap, r.Requested.Party, a.To)
			if len(people) == 0 {
				fmt.Fprintf(w, "      the directory lists no %s for %s: reach the point of contact by its published channel\n", a.To, r.Requested.Party)
			}
			for _, p := range people {
				fmt.Fprintf(w, "      %s %s %s\n", p.Name, p.Phone, p.Email)
			}
		}
	}
}

// PrintRequestSummary prints a request's summary, its checklist counts
// and its legal route in snap, and returns the number of errors.
func PrintRequestSummary(w io.Writer, r *request.Request, ps []request.Problem, snap *directory.Snapshot, now time.Time) (errs int) {
	fmt.Fprintf(w, "%s  %s  %s -> %s  priority %s  handling %s\n", r.ID, r.Type, r.Requesting.Party, r.Requested.Party, r.Priority, r.Handling.Code)
	fmt.Fprintf(w, "reference %s, created %s, language %s, basis %s %s\n", r.SenderRef, r.CreatedAt, r.Language, r.LegalBasis.Instrument, r.LegalBasis.Article)
	for _, l := range r.Links {
		fmt.Fprintf(w, "link %s %s\n", l.Rel, l.ID)
	}
	for _, p := range ps {
		if p.Severity == request.SeverityError {
			errs++
		}
	}
	fmt.Fprintf(w, "checklist: %d errors, %d warnings (art35 request validate for details)\n", errs, len(ps)-errs)
	at := r.CreatedAt.T
	if !r.CreatedAt.Valid() {
		at = now
	}
	d, err := route.Decide(snap, r.Requesting.Party, r.Requested.Party, r.Type, at)
	if err != nil {
		fmt.Fprintf(w, "route: %v\n", err)
	} else {
		fmt.Fprintf(w, "route: %s\n", d.Summary)
	}
	for _, p := range ps {
		if strings.HasPrefix(p.Rule, "route-") {
			fmt.Fprintf(w, "warning: %s\n", p.Message)
		}
	}
	return errs
}

// Validation is what "request validate --json" prints.
type Validation struct {
	Valid    bool              `json:"valid"`
	Problems []request.Problem `json:"problems"` // [] rather than null
}

// NewValidation is the validation of a document with the problems ps.
func NewValidation(ps []request.Problem) Validation {
	if ps == nil {
		ps = []request.Problem{}
	}
	return Validation{Valid: !request.HasErrors(ps), Problems: ps}
}

// PrintProblemLines prints the problems ps one a line (severity, field,
// rule, message), the short form "request letter" gives on its error
// output.
func PrintProblemLines(w io.Writer, ps []request.Problem) {
	for _, p := range ps {
		fmt.Fprintf(w, "%s %s [%s] %s\n", p.Severity, p.Field, p.Rule, p.Message)
	}
}

// AgendaJSON is what "request due --json" prints: the request's state
// beside its agenda.
type AgendaJSON struct {
	State request.State `json:"state"`
	request.Agenda
}
