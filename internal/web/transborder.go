package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/transborder"
	"github.com/art35/art35/internal/users"
)

// The trans-border page: what a desk records without asking anyone.
// Art. 32 access (publicly available data, or data disclosed with lawful
// and voluntary consent) is recorded with its audit-log entry, as 'art35
// access record' does; Art. 34 interceptions are tracked as cases with
// their authorised period, renewals and end, as 'art35 case renew' does
// (content never flows through art35).

func init() { pages = append(pages, "transborder") }

// transborderRoutes registers the page on the portal's mux.
func (s *Server) transborderRoutes(mux *http.ServeMux) {
	mux.Handle("GET /transborder", s.auth(s.transborderPage))
	mux.Handle("POST /transborder/access", s.auth(s.transborderRecord))
	mux.Handle("POST /transborder/interceptions/{id}/renew", s.auth(s.interceptionRenew))
}

func (s *Server) accesses() *transborder.Service {
	return &transborder.Service{DB: s.d.Cases.DB, Clock: s.d.Clock}
}

// interceptionRow is one Art. 34 interception with its authorised period.
type interceptionRow struct {
	ID, Peer, State string
	Direction       cases.Direction
	End             time.Time
	Status, Source  string
	Renewals        []request.Evidence
	CanRenew        bool
}

func (s *Server) interceptions(r *http.Request) ([]interceptionRow, error) {
	list, err := s.d.Cases.List(r.Context())
	if err != nil {
		return nil, err
	}
	var out []interceptionRow
	for _, sum := range list {
		if sum.Type != string(request.TypeInterception) {
			continue
		}
		c, err := s.d.Cases.Get(r.Context(), sum.ID)
		if err != nil {
			return nil, err
		}
		row := interceptionRow{ID: sum.ID, Peer: sum.Peer, State: sum.State, Direction: sum.Direction,
			Renewals: c.Lifecycle.All(request.NoteRenewed)}
		agenda, _, err := s.d.Cases.Clocks(r.Context(), c, request.DefaultPolicy(), s.d.Clock.Now())
		if err != nil {
			return nil, err
		}
		for _, d := range agenda.Deadlines {
			if d.Clock == request.ClockInterception {
				row.End, row.Status, row.Source = d.Due, d.Status, d.Source
			}
		}
		st := request.State(sum.State)
		row.CanRenew = c.Direction == cases.Incoming && (st == request.StateAcknowledged || st == request.StateInProgress)
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) transborderPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	s.transborderRender(w, r, sess, http.StatusOK, nil, url.Values{})
}

// transborderRender draws the page; problem, when set, is shown at the
// top and beside the field it names, with the form as it was filled in.
func (s *Server) transborderRender(w http.ResponseWriter, r *http.Request, sess *users.Session, status int, problem *fieldProblem, form url.Values) {
	list, err := s.accesses().List(r.Context())
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	ints, err := s.interceptions(r)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.render(w, r, sess, "transborder", map[string]any{"Title": T(r, "transborder.title"), "Accesses": list,
		"Interceptions": ints, "Problem": problem, "Form": form, "Recorded": r.URL.Query().Get("recorded"),
		"Renewed": r.URL.Query().Get("renewed"), "CanAct": sess.Account.Role.CanAct()})
}

// apperrText is an error's message without its code prefix.
func apperrText(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// fieldProblem is one refused input: the field, and the message that
// says the rule and the fix.
type fieldProblem struct{ Field, Message string }

// problemOf reads transborder.Access.Validate's "field: message" error.
func problemOf(err error) *fieldProblem {
	msg := apperrText(err)
	field, rest, ok := strings.Cut(msg, ": ")
	if !ok || strings.ContainsAny(field, " ") {
		return &fieldProblem{Message: msg}
	}
	return &fieldProblem{Field: field, Message: rest}
}

func (s *Server) transborderRecord(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	if !s.actForm(w, r, sess, T(r, "transborder.read-only", sess.Account.Role)) {
		return
	}
	f := r.PostForm
	a := transborder.Access{Ground: transborder.Ground(f.Get("ground")), Party: f.Get("party"), What: f.Get("what"), Source: f.Get("source"),
		ConsentBy: f.Get("consent_by"), ConsentAuthority: f.Get("consent_authority"), RecordedBy: sess.Account.Name,
		CaseRef: strings.TrimSpace(f.Get("case_ref")), Notice: strings.TrimSpace(f.Get("notice"))}
	if v := strings.TrimSpace(f.Get("accessed_at")); v != "" {
		t, err := s.formTime(r, v)
		if err != nil {
			s.transborderRender(w, r, sess, http.StatusUnprocessableEntity, &fieldProblem{Field: "accessed_at", Message: apperrText(err)}, f)
			return
		}
		a.AccessedAt = t
	}
	rec, err := s.accesses().Record(r.Context(), a)
	if err != nil {
		if apperr.Is(err, apperr.EInvalid) {
			s.transborderRender(w, r, sess, http.StatusUnprocessableEntity, problemOf(err), f)
			return
		}
		s.fail(w, r, sess, err)
		return
	}
	http.Redirect(w, r, "/transborder?recorded="+url.QueryEscape(rec.ID), http.StatusSeeOther)
}

// formTime reads a datetime-local field in the viewer's zone, or an RFC
// 3339 time with its own zone.
func (s *Server) formTime(r *http.Request, v string) (time.Time, error) {
	if ts := request.ParseTimestamp(v); ts.Valid() {
		return ts.T, nil
	}
	zone := s.viewerZone(r)
	if zone == nil {
		zone = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apperr.Errorf(apperr.EInvalid, "%s", T(r, "transborder.time-bad", v, zone.String()))
}

func (s *Server) interceptionRenew(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	id := r.PathValue("id")
	if !s.actForm(w, r, sess, T(r, "transborder.read-only", sess.Account.Role)) {
		return
	}
	c, err := s.d.Cases.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	form := r.PostForm
	bad := func(msg string) {
		s.transborderRender(w, r, sess, http.StatusUnprocessableEntity, &fieldProblem{Field: "until-" + id, Message: msg}, form)
	}
	if c.Request.Type != request.TypeInterception || c.Direction != cases.Incoming {
		bad(T(r, "transborder.only-received", id))
		return
	}
	end, err := s.formTime(r, strings.TrimSpace(form.Get("until")))
	if err != nil {
		bad(T(r, "transborder.until-bad", apperrText(err)))
		return
	}
	if !end.After(s.d.Clock.Now()) {
		bad(T(r, "transborder.until-past"))
		return
	}
	if _, err := s.d.Cases.Note(r.Context(), id, cases.NoteSpec{Kind: request.NoteRenewed, By: sess.Account.Name, As: request.ByReceiver,
		Details: strings.TrimSpace(form.Get("details")), Until: end}, nil); err != nil {
		if apperr.Is(err, apperr.EInvalid) || apperr.Is(err, apperr.EConflict) {
			bad(err.Error())
			return
		}
		s.fail(w, r, sess, err)
		return
	}
	http.Redirect(w, r, "/transborder?renewed="+url.QueryEscape(id), http.StatusSeeOther)
}
