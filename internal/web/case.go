package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

// The request view is the case: what is asked, what to do next and by
// when, the chain, the timeline and the actions. Its live parts (state,
// next step, clocks, chain, timeline, actions) are re-checked every two
// seconds by htmx; the server answers 204 (nothing to swap, focus and
// scroll untouched) while the case has not changed, and the new parts,
// swapped out of band, when it has.

// nextStep is what the officer looking at the case should do now.
type nextStep struct {
	Text  string
	Due   time.Time // zero: no deadline for it
	Since time.Time // when the step became due, for a clock that counts up
	Note  string
}

// consequential steps ask for confirmation naming their consequence
// (the words are consequence.STATE in the catalogue).
var consequential = map[request.State]bool{
	request.StateDeclined: true, request.StatePostponed: true, request.StateNeedsInfo: true,
	request.StateClosed: true, request.StatePartiallyExecuted: true,
}

// caseData is everything the request view's templates read.
func (s *Server) caseData(r *http.Request, c *cases.Case) map[string]any {
	ctx := r.Context()
	now := s.d.Clock.Now()
	d, _ := s.d.Directory(ctx)
	zone := cases.Zone(c.Request, d)
	// The same computation as the clock runner and the CLI (cases.Clocks):
	// MLA hold, extensions applied to the original, served steps.
	agenda, _, err := s.d.Cases.Clocks(ctx, c, request.DefaultPolicy(), now)
	if err != nil {
		s.d.Log.Error("portal: clocks of a case", "id", c.Request.ID, "err", err)
		agenda = request.Due(request.Facts{Request: c.Request, Lifecycle: c.Lifecycle, Zone: zone}, request.DefaultPolicy(), now)
	}
	evs := slices.Clone(c.Lifecycle.Evidences)
	slices.Reverse(evs) // newest first: what just happened is what matters at 3 a.m.
	chain := s.chain(ctx, c)
	viewer := s.viewerZone(r)
	minUntil := now.AddDate(0, 0, request.PreservationMinDays).In(viewer)
	lang := langOf(r)
	data := map[string]any{"Title": word(lang, "type", string(c.Request.Type)) + " " + c.Request.ID, "Case": c, "Agenda": agenda,
		"Evidences": evs, "Actions": actionsFor(c), "CanServe": canServe(c), "FollowUps": followUps(lang, c), "Chain": chain,
		"Sender": c.Request.Requesting.TimeZone, "Asked": askedOf(lang, c.Request), "Next": nextFor(lang, c, agenda, now),
		"MinUntil": minUntil.Format("2006-01-02"), "Version": caseVersion(c, agenda, chain),
		"Consequential": consequential, "Emergency": s.emergencyOf(ctx, c)}
	return data
}

// caseVersion changes whenever anything the live parts show changes
// (countdowns excepted: portal.js moves them every second).
func caseVersion(c *cases.Case, agenda request.Agenda, chain []chainBox) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|", c.Lifecycle.State, len(c.Lifecycle.Evidences))
	for _, d := range agenda.Deadlines {
		fmt.Fprintf(h, "%s|%s|%d|", d.Clock, d.Status, d.Due.Unix())
	}
	for _, b := range chain {
		fmt.Fprintf(h, "%s|%s|%s|", b.ID, b.State, b.Rel)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func (s *Server) requestView(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	// Read records who looked at a received request, and why (Protocol
	// Art. 14(8)); the live refresh below reads without recording, since
	// it only follows a page already opened.
	c, err := s.d.Cases.Read(r.Context(), r.PathValue("id"), sess.Account.Username, "case view in the portal")
	if err != nil {
		s.caseFail(w, r, sess, err)
		return
	}
	data := s.caseData(r, c)
	q := r.URL.Query()
	if q.Get("sent") == "1" {
		data["Flash"] = T(r, "case.flash-sent", c.Request.Requested.Party)
	}
	if to := q.Get("done"); to != "" {
		data["Flash"] = T(r, "case.flash-done", strings.ToLower(word(langOf(r), "state", to)))
	}
	data["Error"] = q.Get("error")
	s.render(w, r, sess, "request", data)
}

// caseFail answers a case that cannot be read: a missing one in words an
// officer can act on, anything else as usual.
func (s *Server) caseFail(w http.ResponseWriter, r *http.Request, sess *users.Session, err error) {
	if apperr.Is(err, apperr.ENotFound) {
		err = apperr.Errorf(apperr.ENotFound, "%s", T(r, "case.not-found", r.PathValue("id")))
	}
	s.fail(w, r, sess, err)
}

// requestLive answers the view's poll: 204 while nothing changed, else the
// live parts to swap out of band.
func (s *Server) requestLive(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	c, err := s.d.Cases.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		http.Error(w, T(r, "case.unreadable"), apperr.HTTPStatus(apperr.Code(err)))
		return
	}
	data := s.caseData(r, c)
	if data["Version"] == r.URL.Query().Get("v") {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.renderPartSession(w, r, sess, "request", "live", data)
}

// act takes a step on a request. A step with consequences for the other
// side (decline, postpone, ask for information, close) is first shown
// back with its consequence and taken only when confirmed.
func (s *Server) act(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	id := r.PathValue("id")
	if !s.actForm(w, r, sess, T(r, "case.reads-only", T(r, "layout.role."+string(sess.Account.Role)))) {
		return
	}
	f := r.PostForm
	to := request.State(f.Get("to"))
	step := request.Step{To: to, By: sess.Account.Name, Code: request.AnswerCode(f.Get("code")),
		Details: strings.TrimSpace(f.Get("details")), ProviderRef: strings.TrimSpace(f.Get("provider_ref"))}
	c, err := s.d.Cases.Get(r.Context(), id)
	if err != nil {
		s.caseFail(w, r, sess, err)
		return
	}
	if u := strings.TrimSpace(f.Get("until")); u != "" {
		// The date the officer chose, in the officer's zone, stays that
		// date: the preservation runs to the end of that day there.
		day, err := time.ParseInLocation("2006-01-02", u, s.viewerZone(r))
		if err != nil {
			s.actError(w, r, sess, c, T(r, "case.bad-until", u))
			return
		}
		step.Until = day.Add(24*time.Hour - time.Second)
	}
	i := slices.IndexFunc(actionsFor(c), func(a actionForm) bool { return a.To == to })
	lang := langOf(r)
	if consequential[to] && i >= 0 && f.Get("confirm") != "yes" {
		if len(actionsFor(c)[i].Codes) > 0 && step.Code == "" {
			s.actError(w, r, sess, c, T(r, "case.choose-ground", word(lang, "verb", string(to))))
			return
		}
		s.render(w, r, sess, "confirm_step", map[string]any{"Title": T(r, "confirm.title", word(lang, "verb", string(to))), "Case": c, "To": to,
			"Step": step, "Until": f.Get("until"), "Consequence": word(lang, "consequence", string(to)), "CodeText": codeWords(lang, step.Code)})
		return
	}
	d, _ := s.d.Directory(r.Context())
	if _, err := s.d.Cases.Act(r.Context(), id, step, route.Reservations{Snapshot: d}); err != nil {
		if apperr.Code(err) == apperr.EInternal {
			s.fail(w, r, sess, err)
			return
		}
		s.actError(w, r, sess, c, err.Error())
		return
	}
	http.Redirect(w, r, "/requests/"+url.PathEscape(id)+"?done="+url.QueryEscape(string(to)), http.StatusSeeOther)
}

// actError shows the request view again with the error at the top and
// what the officer typed still in the form.
func (s *Server) actError(w http.ResponseWriter, r *http.Request, sess *users.Session, c *cases.Case, msg string) {
	data := s.caseData(r, c)
	data["Error"] = plainError(msg)
	data["Posted"] = r.PostForm
	w.WriteHeader(http.StatusUnprocessableEntity)
	s.render(w, r, sess, "request", data)
}

// nextFor says what the officer should do now, and by when.
func nextFor(lang string, c *cases.Case, a request.Agenda, now time.Time) nextStep {
	r := c.Request
	pending := func(clock string) time.Time {
		for _, d := range a.Deadlines {
			// A missed clock still shows its time: "OVERDUE by ...".
			if d.Clock == clock && (d.Status == request.DeadlinePending || (d.Status == request.DeadlineMissed && d.Note == "")) {
				return d.Due
			}
		}
		return time.Time{}
	}
	in := c.Direction == cases.Incoming
	other := r.Requested.Party
	if in {
		other = r.Requesting.Party
	}
	ackAt := func() string {
		if e, ok := c.Lifecycle.First("transition", request.StateAcknowledged); ok {
			return formatDate(lang, "date.stamp", e.At.UTC())
		}
		return ""
	}
	t := func(key string, args ...any) string { return i18n.T(lang, "case.next."+key, args...) }
	st := c.Lifecycle.State
	switch {
	case st == request.StateClosed:
		return nextStep{Text: t("closed")}
	case in && (st == request.StateDelivered || st == request.StateSent):
		return nextStep{Text: t("in-acknowledge"), Due: pending(request.ClockAck), Note: t("in-acknowledge-note", other)}
	case in && st == request.StateAcknowledged:
		n := nextStep{Text: t("in-start"), Note: t("in-start-note", ackAt())}
		if e, ok := c.Lifecycle.First("transition", request.StateAcknowledged); ok {
			n.Since = e.At
		}
		return n
	case in && st == request.StateInProgress && r.Type.Preserves():
		return nextStep{Text: t("in-preserve")}
	case in && st == request.StateInProgress:
		return nextStep{Text: t("in-execute")}
	case in && st == request.StateNeedsInfo:
		return nextStep{Text: t("in-needs-info", other)}
	case in && st == request.StatePreserved:
		return nextStep{Text: t("in-preserved"), Due: pending(request.ClockPreservation)}
	case in:
		return nextStep{Text: t("in-wait-close", other)}
	case st == request.StateSent || st == request.StateDelivered:
		return nextStep{Text: t("out-wait-ack", other), Due: pending(request.ClockAck)}
	case st == request.StateAcknowledged || st == request.StateInProgress:
		return nextStep{Text: t("out-executing", other)}
	case st == request.StatePreserved:
		return nextStep{Text: t("out-preserved"), Due: pending(request.ClockPreservation)}
	case st == request.StateNeedsInfo:
		return nextStep{Text: t("out-needs-info", other)}
	case st == request.StateDeclined || st == request.StatePostponed:
		return nextStep{Text: t("out-answered", other, strings.ToLower(word(lang, "state", string(st))))}
	default:
		return nextStep{Text: t("out-close")}
	}
}
