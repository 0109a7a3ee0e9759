package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/httperr"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

// --- sign-in ---

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.session(r); err == nil {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return
	}
	s.render(w, r, nil, "signin", map[string]any{"Title": T(r, "signin.title")})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, T(r, "error.bad-form"), http.StatusBadRequest)
		return
	}
	user := strings.TrimSpace(r.PostForm.Get("username"))
	sess, err := s.d.Users.SignIn(r.Context(), user, r.PostForm.Get("password"), r.PostForm.Get("code"), r.RemoteAddr)
	if err != nil {
		// One message for every refusal (users.ErrSignIn), 429 with a wait
		// for too many attempts, and a reference, never the text, for a
		// fault of ours.
		status, _, msg := httperr.Public(w, r, s.d.Log, err)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "30")
		}
		w.WriteHeader(status)
		s.render(w, r, nil, "signin", map[string]any{"Title": T(r, "signin.title"), "Error": publicText(langOf(r), status, msg), "Username": user})
		return
	}
	// Max-Age, not Expires: the lifetime is relative, so a browser whose
	// clock differs from the node's (or a test on a manual clock) keeps the
	// cookie exactly as long as the node keeps the session.
	http.SetCookie(w, &http.Cookie{Name: s.cookie(), Value: sess.Token, Path: "/", MaxAge: cookieMaxAge(sess.Expires.Sub(s.d.Clock.Now())),
		HttpOnly: true, Secure: s.d.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}

// cookieMaxAge turns a session's remaining life into a cookie Max-Age of at
// least one second (0 would mean "no Max-Age" to net/http, a session cookie).
func cookieMaxAge(d time.Duration) int {
	if sec := int(d / time.Second); sec > 0 {
		return sec
	}
	return 1
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	_ = s.d.Users.SignOut(r.Context(), sess.Token)
	http.SetCookie(w, &http.Cookie{Name: s.cookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.d.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// --- inbox ---

// row is one line of the inbox.
type row struct {
	cases.Summary
	Party string // the other side's party code
}

// inboxFilter is the inbox's query: type, party, state, direction.
type inboxFilter struct{ Type, Party, State, Dir string }

func filterOf(q url.Values) inboxFilter {
	return inboxFilter{Type: q.Get("type"), Party: strings.ToUpper(q.Get("party")), State: q.Get("state"), Dir: q.Get("dir")}
}

func (f inboxFilter) Query() string {
	v := url.Values{}
	for k, x := range map[string]string{"type": f.Type, "party": f.Party, "state": f.State, "dir": f.Dir} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

func (s *Server) rows(ctx context.Context, f inboxFilter) ([]row, []string, error) {
	list, err := s.d.Cases.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []row
	seen := map[string]bool{}
	var parties []string
	for _, c := range list {
		party, _, _ := strings.Cut(c.Peer, "-")
		if !seen[party] {
			seen[party] = true
			parties = append(parties, party)
		}
		if (f.Type != "" && c.Type != f.Type) || (f.Party != "" && party != f.Party) || (f.State != "" && c.State != f.State) || (f.Dir != "" && string(c.Direction) != f.Dir) {
			continue
		}
		out = append(out, row{Summary: c, Party: party})
	}
	sort.Strings(parties)
	return out, parties, nil
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	f := filterOf(r.URL.Query())
	rows, parties, err := s.rows(r.Context(), f)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	s.render(w, r, sess, "inbox", map[string]any{"Title": T(r, "inbox.title"), "Rows": rows, "Filter": f, "Parties": parties,
		"Types": request.Types, "States": request.States, "Poll": s.poll(), "Version": rowsVersion(rows),
		"CSV": template.URL("/inbox.csv?" + f.Query())})
}

func (s *Server) poll() string { return fmt.Sprintf("every %dms", s.d.PollInterval.Milliseconds()) }

// inboxRows answers the inbox's poll: 204 (nothing swapped, so the
// officer's focus and scroll stay) while the list is the same, the new
// table body when it changed.
func (s *Server) inboxRows(w http.ResponseWriter, r *http.Request, _ *users.Session) {
	f := filterOf(r.URL.Query())
	rows, _, err := s.rows(r.Context(), f)
	if err != nil {
		http.Error(w, T(r, "inbox.unreadable"), http.StatusInternalServerError)
		return
	}
	v := rowsVersion(rows)
	if v == r.URL.Query().Get("v") {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.renderPart(w, r, "inbox", "rows", map[string]any{"Rows": rows, "Filter": f, "Poll": s.poll(), "Version": v})
}

// rowsVersion changes when a line of the inbox would change (countdowns
// excepted: portal.js moves them).
func rowsVersion(rows []row) string {
	h := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(h, "%s|%s|%s|%d|", r.ID, r.State, r.Priority, r.Updated.UnixNano())
		if r.NextDue != nil {
			fmt.Fprintf(h, "%s|%d|", r.NextDue.Clock, r.NextDue.Due.Unix())
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// --- request view ---

// actionForm is one step a person may take on a request now.
type actionForm struct {
	To      request.State
	Meaning string
	Codes   []codeOption // for states that need a reason
	Needs   string       // "preserved": provider ref and end date
}

type codeOption struct {
	Code request.AnswerCode
	Text string
}

func actionsFor(c *cases.Case) []actionForm {
	side := request.BySender
	if c.Direction == cases.Incoming {
		side = request.ByReceiver
	}
	var out []actionForm
	for _, t := range request.Transitions {
		if t.From != c.Lifecycle.State || t.By != side {
			continue
		}
		if t.To == request.StatePreserved && !c.Request.Type.Preserves() {
			continue
		}
		a := actionForm{To: t.To, Meaning: t.Meaning}
		if t.To == request.StatePreserved {
			a.Needs = "preserved"
		}
		for code, info := range request.AnswerCodes {
			if slices.Contains(info.States, t.To) {
				a.Codes = append(a.Codes, codeOption{code, info.Source + ": " + info.Text})
			}
		}
		sort.Slice(a.Codes, func(i, j int) bool { return a.Codes[i].Code < a.Codes[j].Code })
		out = append(out, a)
	}
	return out
}

// chainBox is one request of the chain diagram.
type chainBox struct {
	ID, Type, State, Rel string
	Current              bool
}

// chain returns the requests linked to c: the ones it links to, itself,
// and the ones on this node that link to it.
func (s *Server) chain(ctx context.Context, c *cases.Case) []chainBox {
	var boxes []chainBox
	for _, l := range c.Request.Links {
		b := chainBox{ID: l.ID, Rel: l.Rel, Type: "?"}
		if other, err := s.d.Cases.Get(ctx, l.ID); err == nil {
			b.Type, b.State = string(other.Request.Type), string(other.Lifecycle.State)
		}
		boxes = append(boxes, b)
	}
	boxes = append(boxes, chainBox{ID: c.Request.ID, Type: string(c.Request.Type), State: string(c.Lifecycle.State), Current: true})
	list, err := s.d.Cases.List(ctx)
	if err != nil {
		return boxes
	}
	for _, sum := range list {
		if sum.ID == c.Request.ID {
			continue
		}
		other, err := s.d.Cases.Get(ctx, sum.ID)
		if err != nil {
			continue
		}
		for _, l := range other.Request.Links {
			if l.ID == c.Request.ID {
				boxes = append(boxes, chainBox{ID: sum.ID, Type: sum.Type, State: sum.State, Rel: l.Rel})
			}
		}
	}
	return boxes
}

func (s *Server) requestLetter(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	// The letter shows the request's content: its reading is recorded like
	// the case view's (Protocol Art. 14(8)).
	c, err := s.d.Cases.Read(r.Context(), r.PathValue("id"), sess.Account.Username, "request letter in the portal")
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	var buf bytes.Buffer
	if err := request.RenderLetter(&buf, c.Request, request.LetterOptions{Now: s.d.Clock.Now(), Exercise: s.letterExercise(r)}); err != nil {
		s.fail(w, r, sess, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// fixedPaths cannot be set from a link.
var fixedPaths = map[string]bool{"id": true, "type": true, "created_at": true, "requesting.party": true, "requesting.name": true}

// followUp is a link from a request view to a compose form that answers or
// continues it.
type followUp struct {
	Label string
	URL   string
}

// followUps are the requests a person may start from this one: the
// receiver of a preserve answers with a traffic path (Art. 30); the sender
// of a preserved request extends it or sends the MLA follow-up.
func followUps(lang string, c *cases.Case) []followUp {
	r := c.Request
	if r.Type == request.TypeTrafficPath && r.TrafficPath != nil && c.Direction == cases.Incoming {
		return onwardPreserve(lang, r)
	}
	if r.Type != request.TypePreserve {
		return nil
	}
	mk := func(label string, t request.Type, v url.Values) followUp {
		return followUp{label, "/compose/" + string(t) + "?" + v.Encode()}
	}
	var out []followUp
	switch {
	case c.Direction == cases.Incoming && slices.Contains([]request.State{request.StateAcknowledged, request.StateInProgress, request.StatePreserved}, c.Lifecycle.State):
		out = append(out, mk(i18n.T(lang, "request.follow-traffic-path"), request.TypeTrafficPath, url.Values{
			"requested.party": {r.Requesting.Party}, "traffic_path.preservation_id": {r.ID}, "links[0].rel": {request.RelAnswers}, "links[0].id": {r.ID}}))
	case c.Direction == cases.Outgoing && c.Lifecycle.State == request.StatePreserved:
		out = append(out,
			mk(i18n.T(lang, "request.follow-extend"), request.TypePreserve, url.Values{"requested.party": {r.Requested.Party}, "preserve.status": {"extension"},
				"preserve.extends_ref": {r.ID}, "links[0].rel": {request.RelExtends}, "links[0].id": {r.ID}}),
			mk(i18n.T(lang, "request.follow-mla"), request.TypeMLAFollowup, url.Values{"requested.party": {r.Requested.Party},
				"mla_followup.preservation_id": {r.ID}, "links[0].rel": {request.RelFollowsUp}, "links[0].id": {r.ID}}))
	}
	return out
}

// --- compose ---

func (s *Server) composeIndex(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	s.render(w, r, sess, "compose_index", map[string]any{"Title": T(r, "compose.index-title"), "Types": request.Types})
}

// defaults fills a new form: a fresh id, this node's authority, the
// person composing as contact, and the usual choices.
func (s *Server) defaults(ctx context.Context, fields []Field, t request.Type, sess *users.Session, zone *time.Location) {
	now := s.d.Clock.Now()
	var pocName, pocZone, pocHours, phone, email string
	if d, err := s.d.Directory(ctx); err == nil {
		if poc, err := d.PointOfContact(s.d.Party); err == nil {
			pocName, pocZone, pocHours, phone, email = poc.Name, poc.TimeZone, poc.DutyHours, poc.Phone, poc.Email
			// The officer's own line when the roster lists them, the
			// desk's 24/7 line otherwise.
			for _, p := range poc.People {
				if p.Name == sess.Account.Name {
					phone, email = cmp.Or(p.Phone, phone), cmp.Or(p.Email, email)
				}
			}
		}
	}
	// The officer's own profile wins over the directory.
	if p, err := loadProfile(ctx, s.d.Users.DB, sess.Account.Username); err == nil {
		phone, email = cmp.Or(p.Phone, phone), cmp.Or(p.Email, email)
	}
	if pocName == "" {
		pocName = s.d.Party + " 24/7 point of contact"
	}
	// A point of contact is on duty round the clock (Art. 35); the zone
	// is the officer's own when the directory gives none.
	pocHours = cmp.Or(pocHours, "24/7 point of contact (Art. 35)")
	pocZone = cmp.Or(pocZone, zone.String())
	vals := map[string]string{
		"id": fmt.Sprintf("%s-%d-%06d", s.d.Party, now.Year(), now.UnixNano()/1000%1000000), "type": string(t),
		"created_at": now.UTC().Format(time.RFC3339), "requesting.party": s.d.Party, "requesting.name": pocName,
		"requesting.time_zone": pocZone, "requesting.office_hours": pocHours, "requesting.contact.name": sess.Account.Name,
		"priority": "urgent", "legal_basis.instrument": "budapest", "language": "en", "handling.code": "H0",
		"requesting.contact.phone": phone, "requesting.contact.email": email,
	}
	vals["sender_ref"] = vals["id"] // the officer may put their own file number instead
	// Whom to call back: the officer composing, unless they change it.
	for _, c := range []string{"preserve.confirmation_contact", "subscriber_direct.reply_contact", "production_order.supporting.reply_contact"} {
		vals[c+".name"], vals[c+".phone"], vals[c+".email"] = sess.Account.Name, phone, email
	}
	if t == request.TypePreserve {
		vals["preserve.status"], vals["preserve.mla_will_follow"], vals["preserve.reply_channel"] = "new", "true", "node"
	}
	for i := range fields {
		if v, ok := vals[fields[i].Path]; ok {
			fields[i].Value = v
		}
	}
}

func (s *Server) composeForm(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	t := request.Type(r.PathValue("type"))
	fields, err := FormFields(t)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	fields = expandFields(fields, slices.Collect(maps.Keys(r.URL.Query())))
	s.defaults(r.Context(), fields, t, sess, s.viewerZone(r))
	// A form opened from a request view arrives with values to start
	// from (the linked request, the party to answer); the id, type and
	// requesting authority stay this node's.
	q := r.URL.Query()
	for i := range fields {
		if v := q.Get(fields[i].Path); v != "" && !fixedPaths[fields[i].Path] {
			fields[i].Value = v
		}
	}
	s.renderCompose(w, r, sess, t, fields, nil, http.StatusOK)
}

func (s *Server) renderCompose(w http.ResponseWriter, r *http.Request, sess *users.Session, t request.Type, fields []Field, general []request.Problem, status int) {
	var parties []directory.Party
	if d, err := s.d.Directory(r.Context()); err == nil {
		for _, p := range d.Parties {
			if _, err := d.PointOfContact(p.Code); err == nil && p.Code != s.d.Party {
				parties = append(parties, p)
			}
		}
	}
	// The summary at the top lists every problem, each linked to its
	// field; focus goes there (portal.js) so a screen reader reads it.
	type summaryLine struct{ ID, Label, Message string }
	labels := map[string]string{}
	for _, f := range localized(langOf(r), fields) {
		labels[f.Path] = f.Label
	}
	var summary []summaryLine
	for _, f := range fields {
		for _, p := range f.Problems {
			if p.Severity == request.SeverityError {
				summary = append(summary, summaryLine{f.ID(), labels[f.Path], problemText(langOf(r), p)})
			}
		}
	}
	w.WriteHeader(status)
	lang := langOf(r)
	s.render(w, r, sess, "compose", map[string]any{"Title": T(r, "compose.title", word(lang, "type", string(t))), "Type": t, "Fields": localized(lang, fields),
		"General": general, "Parties": parties, "Summary": summary})
}

// composed builds the document from a posted form and checks it.
func (s *Server) composed(r *http.Request, t request.Type) ([]Field, []byte, []request.Problem, error) {
	fields, err := FormFields(t)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := r.ParseForm(); err != nil {
		return nil, nil, nil, apperr.Errorf(apperr.EInvalid, "%s", T(r, "error.bad-form"))
	}
	fields = expandFields(fields, slices.Collect(maps.Keys(r.PostForm)))
	Fill(fields, r.PostForm)
	zonedTimes(fields, s.viewerZone(r))
	// Every problem at once: a bad number is reported beside its field
	// and left out, so the checklist still runs on everything else.
	var early []request.Problem
	for i := range fields {
		if fields[i].Kind == "number" && fields[i].Value != "" {
			if _, err := strconv.Atoi(fields[i].Value); err != nil {
				early = append(early, request.Problem{Field: fields[i].Path, Rule: "whole-number", Severity: request.SeverityError,
					Message: T(r, "compose.not-a-number", fields[i].Value)})
				fields[i].Value = ""
			}
		}
	}
	early = append(early, phoneProblems(langOf(r), fields)...)
	doc, err := Document(fields)
	if err != nil {
		return fields, nil, append(early, request.Problem{Field: "form", Rule: "form", Message: err.Error(), Severity: request.SeverityError}), nil
	}
	// The requested authority's name comes from the directory.
	if d, err := s.d.Directory(r.Context()); err == nil {
		party := r.PostForm.Get("requested.party")
		if poc, err := d.PointOfContact(party); err == nil {
			name := poc.Name
			if name == "" {
				name = party + " 24/7 point of contact (" + poc.ID + ")"
			}
			fields = append(fields, Field{Path: "requested.name", Kind: "hidden", Value: name})
			if doc, err = Document(fields); err != nil {
				return fields, nil, nil, err
			}
		}
	}
	now := s.d.Clock.Now()
	req, problems := request.Check(doc, now)
	problems = append(early, problems...)
	// The legal route between the two parties for this type: warnings
	// beside the legal basis, for the person to weigh (route.Check).
	if d, err := s.d.Directory(r.Context()); err == nil && req != nil {
		problems = append(problems, route.Check(d, req, now)...)
	}
	return fields, doc, problems, nil
}

func (s *Server) composeCheck(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	t := request.Type(r.PathValue("type"))
	fields, doc, problems, err := s.composed(r, t)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	if request.HasErrors(problems) {
		general := Attach(fields, problems)
		s.renderCompose(w, r, sess, t, fields, general, http.StatusUnprocessableEntity)
		return
	}
	req, _ := request.Decode(doc)
	var decision *route.Decision
	if d, err := s.d.Directory(r.Context()); err == nil && req != nil {
		if dec, err := route.Decide(d, req.Requesting.Party, req.Requested.Party, req.Type, s.d.Clock.Now()); err == nil {
			decision = &dec
		}
	}
	var letter bytes.Buffer
	if req != nil {
		_ = request.RenderLetter(&letter, req, request.LetterOptions{Now: s.d.Clock.Now()})
	}
	s.render(w, r, sess, "preview", map[string]any{"Title": T(r, "preview.title"), "Type": t, "Doc": string(doc), "Letter": letter.String(),
		"Warnings": problems, "Fields": localized(langOf(r), fields), "Request": req, "Route": decision})
}

func (s *Server) composeSend(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	t := request.Type(r.PathValue("type"))
	if !s.actForm(w, r, sess, T(r, "compose.reads-only", T(r, "layout.role."+string(sess.Account.Role)))) {
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		// SPEC section 7: nothing leaves the node before a person confirms.
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "%s", T(r, "compose.not-confirmed")))
		return
	}
	c, problems, err := s.d.Cases.Submit(r.Context(), []byte(r.PostForm.Get("doc")), sess.Account.Name)
	if err != nil {
		if request.HasErrors(problems) {
			fields, _ := FormFields(t)
			general := Attach(fields, problems)
			s.renderCompose(w, r, sess, t, fields, general, http.StatusUnprocessableEntity)
			return
		}
		s.fail(w, r, sess, err)
		return
	}
	http.Redirect(w, r, "/requests/"+url.PathEscape(c.Request.ID)+"?sent=1", http.StatusSeeOther)
}

// --- directory ---

// dirRow is one party of the directory page.
type dirRow struct {
	directory.Party
	PoC    *directory.Authority
	OnDuty string // "on", "off", or why it is not known: "hours-unknown", "unknown", "no-poc"
	Local  string // the local time at the point of contact
}

// dutyOf says whether an authority is on duty now ("on", "off",
// "hours-unknown", "unknown", "no-poc": the duty.* words of the
// catalogue) and its local time, written in lang.
func dutyOf(lang string, a *directory.Authority, now time.Time) (string, string) {
	if a == nil {
		return "no-poc", ""
	}
	on, local, err := a.OnDuty(now)
	if err != nil {
		if !local.IsZero() && a.TimeZone != "" {
			return "hours-unknown", formatDate(lang, "date.local", local)
		}
		return "unknown", ""
	}
	if on {
		return "on", formatDate(lang, "date.local", local)
	}
	return "off", formatDate(lang, "date.local", local)
}

func (s *Server) directoryPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	d, err := s.d.Directory(r.Context())
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	now := s.d.Clock.Now()
	var rows []dirRow
	for _, p := range d.Parties {
		if q != "" && !strings.Contains(strings.ToLower(p.Code+" "+p.Name), q) {
			continue
		}
		row := dirRow{Party: p}
		if poc, err := d.PointOfContact(p.Code); err == nil {
			row.PoC = poc
		}
		row.OnDuty, row.Local = dutyOf(langOf(r), row.PoC, now)
		rows = append(rows, row)
	}
	s.render(w, r, sess, "directory", map[string]any{"Title": T(r, "directory.title"), "Rows": rows, "Q": q, "Serial": d.Serial, "Source": d.Source})
}

// authRow is one authority on the party page.
type authRow struct {
	directory.Authority
	OnDuty, Local string
}

func (s *Server) partyPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	d, err := s.d.Directory(r.Context())
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	p, ok := d.Party(r.PathValue("code"))
	if !ok {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "party.not-found", r.PathValue("code"))))
		return
	}
	now := s.d.Clock.Now()
	var auths []authRow
	for i := range p.Authorities {
		a := &p.Authorities[i]
		on, local := dutyOf(langOf(r), a, now)
		auths = append(auths, authRow{Authority: *a, OnDuty: on, Local: local})
	}
	type inst struct {
		Name   string
		Status directory.InstrumentStatus
	}
	insts := []inst{{T(r, "party.budapest"), p.Budapest}, {T(r, "party.protocol2"), p.Protocol2},
		{T(r, "party.un2024"), p.UN2024}, {T(r, "party.eu"), p.Status(directory.EU)}}
	s.render(w, r, sess, "party", map[string]any{"Title": p.Name, "P": p, "Authorities": auths, "Instruments": insts})
}

// html marks trusted markup (the letter made by request.RenderLetter).
var _ = template.HTML("")

// onwardPreserve is story 1's second half: from a traffic-path answer
// that names a provider in a third country, the preservation request to
// that country, in one click, with the provider, the identifiers and
// their times filled in and linked to the answer.
func onwardPreserve(lang string, r *request.Request) []followUp {
	tp := r.TrafficPath
	to := strings.ToUpper(tp.Provider.Country)
	if to == "" {
		return nil
	}
	v := url.Values{"requested.party": {to}, "links[0].rel": {request.RelTrafficPath}, "links[0].id": {r.ID},
		"preserve.custodian":           {strings.Join(slices.DeleteFunc([]string{tp.Provider.Name, tp.Provider.Address, to}, func(x string) bool { return x == "" }), ", ")},
		"preserve.data[0].category":    {"traffic"},
		"preserve.data[0].description": {"connection records of the identifiers below, as shown by the traffic path " + r.ID + " from " + r.Requesting.Party},
		"preserve.provider.name":       {tp.Provider.Name}, "preserve.provider.address": {tp.Provider.Address}, "preserve.provider.country": {to},
	}
	for i, id := range tp.Identifiers {
		if i == maxElements {
			break
		}
		p := fmt.Sprintf("preserve.data[0].identifiers[%d].", i)
		v.Set(p+"kind", id.Kind)
		v.Set(p+"value", id.Value)
		if id.Port != 0 {
			v.Set(p+"port", strconv.Itoa(id.Port))
		}
		if !id.Time.T.IsZero() {
			v.Set(p+"time", id.Time.T.UTC().Format(time.RFC3339))
		}
	}
	return []followUp{{i18n.T(lang, "request.follow-onward", to), "/compose/" + string(request.TypePreserve) + "?" + v.Encode()}}
}

// routeSummary is the legal route's one-line summary in lang, made from the
// same findings as route.Decide's English one.
func routeSummary(lang string, d *route.Decision) string {
	if d == nil {
		return ""
	}
	if lang == i18n.Default {
		return d.Summary
	}
	if d.Allowed {
		var names []string
		for _, f := range d.Routes() {
			names = append(names, findingName(lang, f)+" ("+articleWords(lang, f.Article)+")")
		}
		return i18n.T(lang, "preview.route-summary", d.From, word(lang, "type", string(d.Type)), d.To, strings.Join(names, "; "))
	}
	return i18n.T(lang, "preview.route-none-summary", word(lang, "type", string(d.Type)), d.From, d.To, d.Date)
}

// findingName is an instrument's name in lang (a bilateral treaty keeps
// its own title).
func findingName(lang string, f route.Finding) string {
	if f.Instrument == request.InstrumentBilateral {
		return f.Name
	}
	if s, ok := i18n.Lookup(lang, "instrument."+string(f.Instrument)); ok {
		return s
	}
	return f.Name
}
