// Package stats computes a node's statistics from its own casework (SPEC
// story 8): per partner country, request type or priority, over any
// period, how many requests were sent and received, how long each step
// took (machine receipt, a person's acknowledgement, preservation,
// disclosure), how often the acknowledgement clock was kept, how many
// preservations were followed by an MLA request, the declines by reason
// code, and the ping results.
//
// The figures are counts and durations only: no name, reference, address
// or other personal data ever enters them, so they may be shown to anyone
// on the node and shared with the secretariat. Exercises (requests whose
// envelope carried the exercise flag) and tests (requests of type ping)
// are never counted with real work: a Query either leaves them out (the
// default) or reports the exercises alone.
//
// The package owns its SQL: read-only queries over the casework tables
// (requests, evidences, pings_out, pings_in, outbound_envelopes) in the
// subset both engines accept. It never writes.
package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// Querier is what the statistics read from: the node's database
// (*store.DB satisfies it).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Source computes statistics from one node's database.
type Source struct {
	DB    Querier
	Clock clock.Clock
	// Policy gives the acknowledgement periods per priority; zero means
	// request.DefaultPolicy (SPEC section 6).
	Policy request.Policy
}

// New returns a Source over db with the default clock policy.
func New(db Querier, clk clock.Clock) *Source {
	return &Source{DB: db, Clock: clk, Policy: request.DefaultPolicy()}
}

// Dimension is what the rows of a report are grouped by.
type Dimension string

// Dimensions.
const (
	ByCountry  Dimension = "country"  // the partner party: requested party of a sent request, requesting party of a received one
	ByType     Dimension = "type"     // the request type
	ByPriority Dimension = "priority" // emergency, urgent, routine
	// ByOffence groups by offence class (Offences): a case of several
	// classes counts in each, a case of none under Unclassified.
	ByOffence Dimension = "offence"
)

// ParseDimension reads a dimension given on a command line or in a URL.
func ParseDimension(s string) (Dimension, error) {
	switch d := Dimension(s); d {
	case ByCountry, ByType, ByPriority, ByOffence:
		return d, nil
	case "":
		return ByCountry, nil
	}
	return "", apperr.Errorf(apperr.EInvalid, "by: %q is not a dimension; use country, type, priority or offence", s)
}

// Scope says whether a report counts real work or exercises.
type Scope string

// Scopes.
const (
	ScopeReal     Scope = "real"     // real work: exercises and tests left out
	ScopeExercise Scope = "exercise" // exercises only
)

// Query selects what a report covers. A request belongs to the period in
// which it left its sender (its "sent" evidence); its later steps count
// even when they fall after the period, so a request's durations are
// whole.
type Query struct {
	From, To time.Time // [From, To); zero From is the beginning, zero To is now
	By       Dimension // zero is ByCountry
	Scope    Scope     // zero is ScopeReal
	// Exercise, when set, reports that exercise alone (its id, as
	// package exercise names it); the scope is then ScopeExercise.
	Exercise string
}

// Report is a node's statistics for a period.
type Report struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Computed time.Time `json:"computed_at"`
	By       Dimension `json:"by"`
	Scope    Scope     `json:"scope"`
	Exercise string    `json:"exercise,omitempty"`
	// Sent and Received are the totals of each direction.
	Sent     Figures `json:"sent"`
	Received Figures `json:"received"`
	// Rows are the figures per key of By, sent first, each direction in
	// key order.
	Rows []Row `json:"rows"`
	// Pings are the ping tests of the period, per party pinged (sent) and
	// per authority that pinged this node (received).
	Pings []PingRow `json:"pings"`
	// Excluded counts what the period held but the report leaves out.
	Excluded Excluded `json:"excluded"`
}

// Excluded counts requests of the period that a report does not count.
type Excluded struct {
	// Exercises are requests carried by envelopes with the exercise flag
	// (counted in a ScopeExercise report instead).
	Exercises int `json:"exercises"`
	// Tests are requests of type ping: they are reported as ping results.
	Tests int `json:"tests"`
	// RealWork is, in an exercise report, the real requests left out.
	RealWork int `json:"real_work,omitempty"`
}

// Direction names in a report.
const (
	Sent     = "sent"
	Received = "received"
)

// Row is the figures of one key (a country, type or priority) in one
// direction.
type Row struct {
	Key       string `json:"key"`
	Direction string `json:"direction"`
	Figures
}

// Figures are the counts and durations of a set of requests.
type Figures struct {
	Requests int `json:"requests"`
	// Open requests have not reached a final state (closed) yet.
	Open int `json:"open"`
	// Durations from the moment the request left its sender.
	ToReceipt         Durations `json:"to_receipt"`
	ToAcknowledgement Durations `json:"to_acknowledgement"`
	ToPreservation    Durations `json:"to_preservation"`
	ToDisclosure      Durations `json:"to_disclosure"`
	// AckDecided counts requests whose acknowledgement clock is decided
	// (acknowledged, or due and not acknowledged); AckInTime those
	// acknowledged within it. AckInTimeShare is their ratio, -1 when none
	// is decided.
	AckDecided     int     `json:"ack_decided"`
	AckInTime      int     `json:"ack_in_time"`
	AckInTimeShare float64 `json:"ack_in_time_share"`
	// Preserved counts preservations carried out; FollowedByMLA those
	// followed by an MLA request (a linked mla-followup request or the
	// requested side's note that the MLA request arrived); MLAShare is
	// their ratio, -1 when nothing was preserved.
	Preserved     int     `json:"preserved"`
	FollowedByMLA int     `json:"followed_by_mla"`
	MLAShare      float64 `json:"mla_share"`
	// Declined counts refusals; DeclinesByCode by reason code ("unknown"
	// when the evidence was purged under the retention policy).
	Declined       int            `json:"declined"`
	DeclinesByCode map[string]int `json:"declines_by_code"`
}

// Durations sums up how long a step took, in seconds, over the requests
// that reached it. Median and P90 are nearest-rank percentiles (an
// observed value); all are 0 when Count is 0.
type Durations struct {
	Count         int     `json:"count"`
	MedianSeconds float64 `json:"median_seconds"`
	P90Seconds    float64 `json:"p90_seconds"`
	MaxSeconds    float64 `json:"max_seconds"`
}

// PingRow is the ping tests with one partner in one direction: sent are
// this node's challenges to a party's point of contact, received are
// challenges another authority sent here.
type PingRow struct {
	Key       string `json:"key"` // party pinged (sent) or authority that pinged (received)
	Direction string `json:"direction"`
	Pings     int    `json:"pings"`
	// Reachable: a signed machine receipt came back (always, for received).
	Reachable int `json:"reachable"`
	// Answered: a person answered, in time or late; InTime within the window.
	Answered int `json:"answered"`
	InTime   int `json:"in_time"`
	// Failed: the window passed without an answer; Waiting: still open.
	Failed  int `json:"failed"`
	Waiting int `json:"waiting"`
	// Answer: from the challenge to the person's answer.
	Answer Durations `json:"answer"`
}

// Compute builds the report of q.
func (s *Source) Compute(ctx context.Context, q Query) (*Report, error) {
	now := s.Clock.Now().UTC()
	if q.To.IsZero() {
		q.To = now
	}
	if q.By == "" {
		q.By = ByCountry
	}
	if err := checkExercise(&q); err != nil {
		return nil, err
	}
	if q.Scope == "" {
		q.Scope = ScopeReal
	}
	if q.Scope != ScopeReal && q.Scope != ScopeExercise {
		return nil, apperr.Errorf(apperr.EInvalid, "scope: %q is not a scope; use real or exercise", q.Scope)
	}
	if _, err := ParseDimension(string(q.By)); err != nil {
		return nil, err
	}
	if !q.To.After(q.From) {
		return nil, apperr.Errorf(apperr.EInvalid, "period: to (%s) must be after from (%s)", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	cs, err := s.cases(ctx, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("statistics: read cases: %w", err)
	}
	followed, err := s.mlaFollowups(ctx)
	if err != nil {
		return nil, fmt.Errorf("statistics: read MLA follow-ups: %w", err)
	}
	classes, err := s.offences(ctx)
	if err != nil {
		return nil, fmt.Errorf("statistics: read offence classes: %w", err)
	}
	r := &Report{From: q.From.UTC(), To: q.To.UTC(), Computed: now, By: q.By, Scope: q.Scope, Exercise: q.Exercise, Rows: []Row{}}
	totals := map[string]*acc{Sent: newAcc(), Received: newAcc()}
	groups := map[[2]string]*acc{}
	for _, c := range cs {
		switch {
		case c.typ == string(request.TypePing):
			r.Excluded.Tests++
			continue
		}
		if keep, as := keepCase(q, c); !keep { // exercise.go
			if as == "real" {
				r.Excluded.RealWork++
			} else {
				r.Excluded.Exercises++
			}
			continue
		}
		if c.mla || followed[c.id] {
			c.followed = true
		}
		dir := Sent
		if c.direction == "in" {
			dir = Received
		}
		c.offences = classes[c.id]
		totals[dir].add(c, s.Policy, now)
		for _, key := range c.keys(q.By) {
			g := groups[[2]string{dir, key}]
			if g == nil {
				g = newAcc()
				groups[[2]string{dir, key}] = g
			}
			g.add(c, s.Policy, now)
		}
	}
	r.Sent, r.Received = totals[Sent].figures(), totals[Received].figures()
	keys := make([][2]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] == Sent
		}
		return keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		r.Rows = append(r.Rows, Row{Key: k[1], Direction: k[0], Figures: groups[k].figures()})
	}
	// Pings are tests of the network: they belong to the report of real
	// work, except the pings of an exercise, which belong to its report.
	if r.Pings, err = s.pings(ctx, q); err != nil {
		return nil, fmt.Errorf("statistics: read pings: %w", err)
	}
	return r, nil
}

// caseFacts is what the statistics keep of one request: its keys and the
// times of its steps, never its content.
type caseFacts struct {
	id, direction, typ, requesting, requested, priority string
	exercise                                            bool
	exerciseID                                          string
	sent, delivered, acked, preserved, disclosed        time.Time
	closed                                              time.Time
	declined                                            bool
	declineCode                                         string
	mla, followed                                       bool
	offences                                            []string
}

// keys returns the row keys of c in dimension d: one, except by offence,
// where a case counts once per class.
func (c *caseFacts) keys(d Dimension) []string {
	switch d {
	case ByType:
		return []string{c.typ}
	case ByPriority:
		return []string{c.priority}
	case ByOffence:
		if len(c.offences) == 0 {
			return []string{Unclassified}
		}
		return c.offences
	}
	if c.direction == "in" {
		return []string{c.requesting}
	}
	return []string{c.requested}
}

// cases reads the requests that left their sender in [from, to) with the
// times of their steps. Only the evidence documents of refusals are read
// (for the reason code); everything else comes from plain columns.
func (s *Source) cases(ctx context.Context, from, to time.Time) ([]*caseFacts, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT r.id, r.direction, r.type, r.requesting_party, r.requested_party, r.priority, r.exercise,
			COALESCE(x.exercise_id, ''), e.kind, e.to_state, e.at, CASE WHEN e.to_state = 'declined' THEN e.document ELSE NULL END
		FROM requests r JOIN evidences e ON e.request_id = r.id`+exerciseJoin+`
		WHERE r.id IN (SELECT request_id FROM evidences WHERE seq = 0 AND at >= $1 AND at < $2)
		ORDER BY r.id, e.seq`, store.FormatTime(from), store.FormatTime(to))
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var (
		out []*caseFacts
		cur *caseFacts
	)
	for rows.Next() {
		var (
			c                 caseFacts
			exercise          int64
			kind, toState, at string
			doc               []byte
		)
		if err := rows.Scan(&c.id, &c.direction, &c.typ, &c.requesting, &c.requested, &c.priority, &exercise, &c.exerciseID, &kind, &toState, &at, &doc); err != nil {
			return nil, err
		}
		if cur == nil || cur.id != c.id {
			c.exercise = exercise != 0 || c.exerciseID != ""
			cur = &c
			out = append(out, cur)
		}
		t, err := store.ParseTime(at)
		if err != nil {
			return nil, err
		}
		if kind == request.NoteMLAReceived {
			cur.mla = true
		}
		if kind != "transition" {
			continue
		}
		first := func(p *time.Time) {
			if p.IsZero() {
				*p = t
			}
		}
		switch request.State(toState) {
		case request.StateSent:
			first(&cur.sent)
		case request.StateDelivered:
			first(&cur.delivered)
		case request.StateAcknowledged:
			first(&cur.acked)
		case request.StatePreserved:
			first(&cur.preserved)
		case request.StateDisclosed:
			first(&cur.disclosed)
		case request.StateClosed:
			first(&cur.closed)
		case request.StateDeclined:
			if !cur.declined {
				cur.declined, cur.declineCode = true, declineCode(doc)
			}
		}
	}
	return out, rows.Err()
}

// declineCode reads the reason code of a refusal's evidence; a purged or
// unreadable document gives "unknown".
func declineCode(doc []byte) string {
	var ev struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(doc, &ev) != nil || ev.Code == "" {
		return "unknown"
	}
	return ev.Code
}

// mlaFollowups returns the ids of the preservations that an mla-followup
// request held here links to (by a follows-up link or its
// preservation_id), whenever that request was made.
func (s *Source) mlaFollowups(ctx context.Context) (map[string]bool, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT document FROM requests WHERE type = $1`, string(request.TypeMLAFollowup))
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var r struct {
			Links []struct {
				Rel string `json:"rel"`
				ID  string `json:"id"`
			} `json:"links"`
			MLA struct {
				PreservationID string `json:"preservation_id"`
			} `json:"mla_followup"`
		}
		if json.Unmarshal(doc, &r) != nil {
			continue // a purged or unreadable document links nothing
		}
		if r.MLA.PreservationID != "" {
			out[r.MLA.PreservationID] = true
		}
		for _, l := range r.Links {
			if l.Rel == request.RelFollowsUp && l.ID != "" {
				out[l.ID] = true
			}
		}
	}
	return out, rows.Err()
}

// acc accumulates the figures of a set of requests.
type acc struct {
	f                                  Figures
	receipt, ack, preserve, disclosure []float64
}

func newAcc() *acc { return &acc{f: Figures{DeclinesByCode: map[string]int{}}} }

func (a *acc) add(c *caseFacts, p request.Policy, now time.Time) {
	a.f.Requests++
	if c.closed.IsZero() {
		a.f.Open++
	}
	since := func(t time.Time) float64 { return t.Sub(c.sent).Seconds() }
	if !c.delivered.IsZero() {
		a.receipt = append(a.receipt, since(c.delivered))
	}
	if !c.acked.IsZero() {
		a.ack = append(a.ack, since(c.acked))
	}
	if !c.preserved.IsZero() {
		a.preserve = append(a.preserve, since(c.preserved))
		a.f.Preserved++
		if c.followed {
			a.f.FollowedByMLA++
		}
	}
	if !c.disclosed.IsZero() {
		a.disclosure = append(a.disclosure, since(c.disclosed))
	}
	if c.declined {
		a.f.Declined++
		a.f.DeclinesByCode[c.declineCode]++
	}
	if decided, inTime := ackClock(c, p, now); decided {
		a.f.AckDecided++
		if inTime {
			a.f.AckInTime++
		}
	}
}

// ackClock tells whether the acknowledgement clock of c is decided and
// whether it was kept. It runs from delivery (or sending, when no receipt
// was recorded) for the period of the request's priority, as in
// request.Due: acknowledged by the end is kept, acknowledged later or not
// at all by now is missed; a request withdrawn before its clock ran out
// is not counted either way.
func ackClock(c *caseFacts, p request.Policy, now time.Time) (decided, inTime bool) {
	start := c.delivered
	if start.IsZero() {
		start = c.sent
	}
	if start.IsZero() {
		return false, false
	}
	period, ok := p.Ack[request.Priority(c.priority)]
	if !ok {
		period = p.Ack[request.PriorityRoutine]
	}
	due := start.Add(period)
	switch {
	case !c.acked.IsZero():
		return true, !c.acked.After(due)
	case !c.closed.IsZero() && c.closed.Before(due):
		return false, false
	case !now.Before(due):
		return true, false
	}
	return false, false
}

func (a *acc) figures() Figures {
	f := a.f
	f.ToReceipt = Summarize(a.receipt)
	f.ToAcknowledgement = Summarize(a.ack)
	f.ToPreservation = Summarize(a.preserve)
	f.ToDisclosure = Summarize(a.disclosure)
	f.AckInTimeShare = share(f.AckInTime, f.AckDecided)
	f.MLAShare = share(f.FollowedByMLA, f.Preserved)
	return f
}

func share(n, d int) float64 {
	if d == 0 {
		return -1
	}
	return float64(n) / float64(d)
}

// Summarize returns the count, nearest-rank median and 90th percentile,
// and maximum of xs (seconds).
func Summarize(xs []float64) Durations {
	if len(xs) == 0 {
		return Durations{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return Durations{Count: len(s), MedianSeconds: rank(0.5), P90Seconds: rank(0.9), MaxSeconds: s[len(s)-1]}
}

// pings reads the ping tests of [from, to): the challenges this node sent
// (reachable when the outbound envelope was receipted) and those it
// received.
func (s *Source) pings(ctx context.Context, q Query) ([]PingRow, error) {
	type pacc struct {
		row   PingRow
		times []float64
	}
	groups := map[[2]string]*pacc{}
	get := func(dir, key string) *pacc {
		g := groups[[2]string{dir, key}]
		if g == nil {
			g = &pacc{row: PingRow{Key: key, Direction: dir}}
			groups[[2]string{dir, key}] = g
		}
		return g
	}
	f, t := store.FormatTime(q.From), store.FormatTime(q.To)
	cond, args := pingFilter(q, 3) // exercise.go
	rows, err := s.DB.QueryContext(ctx, `SELECT p.party, p.state, p.sent_at, p.answered_at, COALESCE(o.state, '')
		FROM pings_out p LEFT JOIN outbound_envelopes o ON o.message_id = p.message_id
		WHERE p.sent_at >= $1 AND p.sent_at < $2`+cond, append([]any{f, t}, args...)...)
	if err != nil {
		return nil, store.MapError(err)
	}
	for rows.Next() {
		var party, state, sent, answered, ostate string
		if err := rows.Scan(&party, &state, &sent, &answered, &ostate); err != nil {
			rows.Close()
			return nil, err
		}
		g := get(Sent, party)
		g.row.Pings++
		if ostate == "delivered" {
			g.row.Reachable++
		}
		switch state {
		case "passed":
			g.row.Answered++
			g.row.InTime++
		case "late":
			g.row.Answered++
		case "failed":
			g.row.Failed++
		default:
			g.row.Waiting++
		}
		if d, ok, err := between(sent, answered); err != nil {
			rows.Close()
			return nil, err
		} else if ok {
			g.times = append(g.times, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.DB.QueryContext(ctx, `SELECT p.sender, p.state, p.received_at, p.deadline, p.answered_at
		FROM pings_in p WHERE p.received_at >= $1 AND p.received_at < $2`+cond, append([]any{f, t}, args...)...)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	now := store.FormatTime(s.Clock.Now())
	for rows.Next() {
		var sender, state, received, deadline, answered string
		if err := rows.Scan(&sender, &state, &received, &deadline, &answered); err != nil {
			return nil, err
		}
		g := get(Received, sender)
		g.row.Pings++
		g.row.Reachable++
		switch {
		case answered != "":
			g.row.Answered++
			// Fixed-width UTC text: string order is time order.
			if answered <= deadline {
				g.row.InTime++
			}
		case now >= deadline:
			g.row.Failed++
		default:
			g.row.Waiting++
		}
		if d, ok, err := between(received, answered); err != nil {
			return nil, err
		} else if ok {
			g.times = append(g.times, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]PingRow, 0, len(groups))
	for _, g := range groups {
		g.row.Answer = Summarize(g.times)
		out = append(out, g.row)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Direction != out[j].Direction {
			return out[i].Direction == Sent
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// between returns the seconds from a to b (stored times), ok false when
// b is empty (the step did not happen).
func between(a, b string) (float64, bool, error) {
	if b == "" {
		return 0, false, nil
	}
	ta, err := store.ParseTime(a)
	if err != nil {
		return 0, false, err
	}
	tb, err := store.ParseTime(b)
	if err != nil {
		return 0, false, err
	}
	return tb.Sub(ta).Seconds(), true, nil
}
