package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

// The supervisor's page: the desk's open and overdue work by person, who
// is on duty now by the roster, and the escalations of the last 24 hours.

// personLoad is one person's share of the open work.
type personLoad struct {
	Name          string
	Open, Overdue int
}

// escalation is one escalation or missed acknowledgement of the last day.
type escalation struct {
	ID, Kind, To string
	At           time.Time
}

// finished states need nobody's work.
var finished = []string{"closed", "declined", "disclosed", "partially-executed"}

func (s *Server) supervisorPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	if sess.Account.Role == users.Officer {
		s.fail(w, r, sess, apperr.Errorf(apperr.EUnauthorized, "%s", T(r, "supervisor.not-allowed")))
		return
	}
	ctx := r.Context()
	now := s.d.Clock.Now()
	list, err := s.d.Cases.List(ctx)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	loads := map[string]*personLoad{}
	var overdue []row
	var escalations []escalation
	open := 0
	for _, sum := range list {
		c, err := s.d.Cases.Get(ctx, sum.ID)
		if err != nil {
			continue
		}
		for _, e := range c.Lifecycle.Evidences {
			if (e.Kind == request.NoteEscalated || e.Kind == request.NoteNegativeAck) && now.Sub(e.At) <= 24*time.Hour {
				escalations = append(escalations, escalation{ID: sum.ID, Kind: e.Kind, To: e.Details, At: e.At})
			}
		}
		if slices.Contains(finished, sum.State) {
			continue
		}
		open++
		late := sum.NextDue != nil && sum.NextDue.Due.Before(now)
		party := sum.Peer
		if i := len(party) - 4; i > 0 && party[i:] == "-247" {
			party = party[:i]
		}
		if late {
			overdue = append(overdue, row{Summary: sum, Party: party})
		}
		// Whose is it: the last person on this side who took a step;
		// nobody's yet when it only arrived.
		mine := request.BySender
		if sum.Direction == cases.Incoming {
			mine = request.ByReceiver
		}
		who := T(r, "supervisor.nobody-yet")
		for _, e := range c.Lifecycle.Evidences {
			if e.As == mine && e.By != "" {
				who = e.By
			}
		}
		l := loads[who]
		if l == nil {
			l = &personLoad{Name: who}
			loads[who] = l
		}
		l.Open++
		if late {
			l.Overdue++
		}
	}
	var people []personLoad
	for _, l := range loads {
		people = append(people, *l)
	}
	sort.Slice(people, func(i, j int) bool {
		if people[i].Overdue != people[j].Overdue {
			return people[i].Overdue > people[j].Overdue
		}
		return people[i].Name < people[j].Name
	})
	sort.Slice(escalations, func(i, j int) bool { return escalations[i].At.After(escalations[j].At) })
	data := map[string]any{"Title": T(r, "supervisor.title"), "Open": open, "Overdue": overdue, "People": people, "Escalations": escalations}
	if d, err := s.d.Directory(ctx); err == nil {
		data["Duty"] = s.duty(ctx, langOf(r), d, now)
	}
	s.render(w, r, sess, "supervisor", data)
}

// dutyRow is one person of this party's roster and whether their
// authority is on duty now.
type dutyRow struct {
	directory.Person
	Authority, AuthorityName, OnDuty, Local, Hours string
}

// duty lists this party's people by authority and escalation order.
//
// For this node's own authority, when it keeps a duty roster (the roster
// page), each person is on or off by their own slots: the roster is what
// the alarms follow (notify.Roster.OnDuty), so the supervisor sees the
// same. Other authorities, and an authority without a roster, show the
// directory's duty hours.
func (s *Server) duty(ctx context.Context, lang string, d *directory.Snapshot, now time.Time) []dutyRow {
	p, ok := d.Party(s.d.Party)
	if !ok {
		return nil
	}
	var out []dutyRow
	for i := range p.Authorities {
		a := &p.Authorities[i]
		on, local := dutyOf(lang, a, now)
		var rostered map[string]bool
		if s.d.Roster != nil && a.ID == s.d.Authority {
			var kept bool
			var err error
			if rostered, kept, err = s.d.Roster.OnDutyNow(ctx, a, now); err != nil {
				s.d.Log.Error("portal: duty roster", "authority", a.ID, "err", err)
			} else if !kept {
				rostered = nil
			}
		}
		people := slices.Clone(a.People)
		sort.SliceStable(people, func(i, j int) bool { return people[i].Order < people[j].Order })
		if len(people) == 0 {
			out = append(out, dutyRow{Person: directory.Person{Name: i18n.T(lang, "duty.no-one")}, Authority: a.ID, AuthorityName: a.Name, OnDuty: on, Local: local, Hours: a.DutyHours})
		}
		for _, pe := range people {
			row := dutyRow{Person: pe, Authority: a.ID, AuthorityName: a.Name, OnDuty: on, Local: local, Hours: a.DutyHours}
			if rostered != nil {
				row.OnDuty, row.Hours = "off", i18n.T(lang, "duty.by-roster")
				if rostered[pe.Name] {
					row.OnDuty = "on"
				}
			}
			out = append(out, row)
		}
	}
	return out
}

// The roster page is in roster.go.
