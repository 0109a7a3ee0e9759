// Package ping runs the network's ping tests (SPEC section 8): a node
// sends a signed challenge to chosen or all points of contact; the
// receiving node stores it (the signed transport receipt going back is the
// machine's answer) and raises it to the person on duty; the test passes
// only when a person answers within the window (default 30 minutes). A
// challenge left unanswered is failed at the deadline and escalated to the
// backup contact on both sides. Results are kept per contact point and
// summed up per country (median and 90th percentile answer time, pass rate
// over 90 days).
//
// Everything is stored in the node's database in the same transaction as
// the envelope it causes, so a crash never leaves a ping sent without its
// row, or an answer recorded without its envelope.
package ping

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/store"
)

// DefaultWindow is how long a person has to answer a challenge (SPEC 8).
const DefaultWindow = 30 * time.Minute

// MaxWindow bounds the window: a ping is a test of the 24/7 promise, and
// the envelope carrying it expires after seven days.
const MaxWindow = 24 * time.Hour

// SweepInterval is how often a running node looks for challenges whose
// window has closed.
var SweepInterval = 30 * time.Second

// States of a ping this node sent.
const (
	StateWaiting = "waiting" // sent, window still open
	StatePassed  = "passed"  // a person answered within the window
	StateLate    = "late"    // a person answered, but after the window: counts as failed
	StateFailed  = "failed"  // nobody answered within the window; escalated to the backup contact
)

// Office-hours positions of the target when the ping was sent.
const (
	OfficeInside  = "inside"
	OfficeOutside = "outside"
	OfficeUnknown = "unknown" // the directory has no time zone or duty hours
)

// Sender is what the service needs of a node to send (the node's Send).
type Sender func(ctx context.Context, h envelope.Header, body []byte, change func(tx *sql.Tx) error) (*envelope.Envelope, error)

// Message is one envelope of a batch: its header and body.
type Message struct {
	Header envelope.Header
	Body   []byte
}

// BatchSender seals several messages and queues them all in one
// transaction with change (the node's SendMany): a campaign to 200 nodes
// commits once, not 200 times.
type BatchSender func(ctx context.Context, msgs []Message, change func(tx *sql.Tx) error) error

// Service is the ping service of one node.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	Send  Sender
	// SendBatch, when set, queues a campaign's challenges in one
	// transaction; nil sends them one by one with Send.
	SendBatch BatchSender
	Directory func(ctx context.Context) (*directory.Snapshot, error)
	Party     string // this node's party
	Authority string // this node's authority id
	Log       *slog.Logger
	// Delivered tells when the node's outgoing envelopes of a kind queued
	// since a time were delivered, by message id (the node's
	// federation.Envelopes.DeliveredSince); nil means none is known.
	Delivered func(ctx context.Context, kind envelope.Kind, since time.Time) (map[string]time.Time, error)
	// Drills, when set, names the message ids of the pings sent in
	// exercises (package exercise): Table leaves them out.
	Drills func(ctx context.Context) (map[string]bool, error)
}

// Host is what the ping service needs of the node that runs it: a
// handler for arriving pings, and a background worker. *node.Node is one;
// internal/app wires them.
type Host interface {
	OnArrival(kind envelope.Kind, h func(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error)
	Go(worker func(ctx context.Context))
}

// Register makes a node take part in ping tests: it stores challenges and
// answers on arrival and closes expired windows in the background. Call it
// before the host runs.
func (s *Service) Register(h Host) *Service {
	h.OnArrival(envelope.KindPing, s.Arrived)
	h.Go(func(ctx context.Context) { s.Run(ctx, SweepInterval) })
	return s
}

// Run sweeps expired windows every interval until ctx ends. Errors are
// logged and retried at the next tick: a database hiccup must not stop
// the tests.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("ping sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// CampaignOptions choose whom a campaign pings.
type CampaignOptions struct {
	// To lists party codes; empty means every party whose point of contact
	// lists a node in the directory.
	To []string
	// Window is how long a person has to answer; 0 means DefaultWindow.
	Window time.Duration
	// By names who started the campaign.
	By string
}

// Campaign is one round of pings.
type Campaign struct {
	ID        string        `json:"id"`
	StartedAt time.Time     `json:"started_at"`
	StartedBy string        `json:"started_by"`
	Window    time.Duration `json:"window_ns"`
	Pings     []Sent        `json:"pings"`
	Skipped   []Skip        `json:"skipped,omitempty"`
}

// Sent is one challenge sent by a campaign.
type Sent struct {
	ID          string    `json:"id"`
	Party       string    `json:"party"`
	Authority   string    `json:"authority"`
	MessageID   string    `json:"message_id"`
	Deadline    time.Time `json:"deadline"`
	OfficeHours string    `json:"office_hours"`
}

// Skip is a party a campaign could not ping, and why.
type Skip struct {
	Party  string `json:"party"`
	Reason string `json:"reason"`
}

type target struct {
	party string
	auth  *directory.Authority
}

// targets resolves the parties to ping from the directory in force.
func (s *Service) targets(snap *directory.Snapshot, to []string) ([]target, []Skip, error) {
	var out []target
	var skipped []Skip
	consider := func(code string, explicit bool) {
		if code == s.Party {
			if explicit {
				skipped = append(skipped, Skip{code, "this node's own party"})
			}
			return
		}
		a, err := snap.PointOfContact(code)
		switch {
		case err != nil:
			skipped = append(skipped, Skip{code, err.Error()})
		case a.Endpoint == "":
			skipped = append(skipped, Skip{code, fmt.Sprintf("point of contact %s lists no node in directory snapshot %d: ping it by phone", a.ID, snap.Serial)})
		default:
			out = append(out, target{code, a})
		}
	}
	if len(to) == 0 {
		for _, p := range snap.Parties {
			if a, err := snap.PointOfContact(p.Code); err == nil && a.Endpoint != "" {
				consider(p.Code, false)
			}
		}
		if len(out) == 0 {
			return nil, nil, apperr.Errorf(apperr.ENotFound, "no point of contact in directory snapshot %d lists a node to ping (fix: accept a directory that lists the network's nodes)", snap.Serial)
		}
		return out, nil, nil
	}
	seen := map[string]bool{}
	for _, code := range to {
		code = strings.ToUpper(strings.TrimSpace(code))
		if seen[code] {
			continue
		}
		seen[code] = true
		if _, ok := snap.Party(code); !ok {
			return nil, nil, apperr.Errorf(apperr.EInvalid, "--to: party %q is not in directory snapshot %d (fix: use ISO codes of listed parties, e.g. IT,FR)", code, snap.Serial)
		}
		consider(code, true)
	}
	return out, skipped, nil
}

// StartCampaign sends a challenge to each chosen point of contact. Each
// challenge is stored and queued in one transaction; delivery and the
// machine receipt follow through the node's outbox.
func (s *Service) StartCampaign(ctx context.Context, opt CampaignOptions) (*Campaign, error) {
	if opt.Window == 0 {
		opt.Window = DefaultWindow
	}
	if opt.Window < time.Minute || opt.Window > MaxWindow {
		return nil, apperr.Errorf(apperr.EInvalid, "window %s: must be between 1m and %s (fix: e.g. --window 30m)", opt.Window, MaxWindow)
	}
	by := strings.TrimSpace(opt.By)
	if by == "" || len(by) > MaxName || hasControl(by) {
		return nil, apperr.Errorf(apperr.EInvalid, "by: name who starts the campaign (1 to %d printable characters, e.g. --by \"Ana Example\")", MaxName)
	}
	snap, err := s.Directory(ctx)
	if err != nil {
		return nil, err
	}
	targets, skipped, err := s.targets(snap, opt.To)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now().UTC()
	c := &Campaign{ID: campaignID(now), StartedAt: now, StartedBy: by, Window: opt.Window, Skipped: skipped}
	saveCampaign := func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ping_campaigns (id, started_at, started_by, window_seconds) VALUES ($1, $2, $3, $4)`,
			c.ID, storeTime(now), by, int64(opt.Window/time.Second))
		if err != nil {
			return fmt.Errorf("store ping campaign: %w", err)
		}
		return nil
	}
	chals := make([]challenge, len(targets))
	for i, t := range targets {
		if chals[i], err = newChallenge(c, t, now); err != nil {
			return nil, err
		}
	}
	if s.SendBatch != nil {
		// One transaction: the campaign, every challenge's row, envelope
		// and audit record, or nothing.
		msgs := make([]Message, len(chals))
		for i, ch := range chals {
			msgs[i] = Message{Header: ch.header, Body: ch.raw}
		}
		err := s.SendBatch(ctx, msgs, func(tx *sql.Tx) error {
			if err := saveCampaign(ctx, tx); err != nil {
				return err
			}
			for _, ch := range chals {
				if err := ch.insert(ctx, tx); err != nil {
					return fmt.Errorf("ping %s (%s): %w", ch.sent.Party, ch.sent.Authority, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, ch := range chals {
			c.Pings = append(c.Pings, ch.sent)
		}
		return c, nil
	}
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return saveCampaign(ctx, tx) }); err != nil {
		return nil, err
	}
	for _, ch := range chals {
		if _, err := s.Send(ctx, ch.header, ch.raw, func(tx *sql.Tx) error { return ch.insert(ctx, tx) }); err != nil {
			return c, fmt.Errorf("ping %s (%s): %w", ch.sent.Party, ch.sent.Authority, err)
		}
		c.Pings = append(c.Pings, ch.sent)
	}
	return c, nil
}

// challenge is one challenge of a campaign, built before it is queued.
type challenge struct {
	header envelope.Header
	raw    []byte
	body   Body
	sent   Sent
}

func newChallenge(c *Campaign, t target, now time.Time) (challenge, error) {
	id, err := envelope.NewID(rand.Reader)
	if err != nil {
		return challenge{}, err
	}
	msgID, err := envelope.NewID(rand.Reader)
	if err != nil {
		return challenge{}, err
	}
	b := Body{Type: TypeChallenge, ID: id, Campaign: c.ID, Code: newCode(), SentAt: now, Deadline: now.Add(c.Window)}
	raw, err := b.Marshal()
	if err != nil {
		return challenge{}, err
	}
	office := officeHours(*t.auth, now)
	h := envelope.Header{ID: msgID, IdempotencyKey: "ping:" + id, Kind: envelope.KindPing, Subkind: TypeChallenge,
		Recipient: t.auth.ID, CaseRef: "ping-" + c.ID, Handling: envelope.H0}
	return challenge{header: h, raw: raw, body: b,
		sent: Sent{ID: id, Party: t.party, Authority: t.auth.ID, MessageID: msgID, Deadline: b.Deadline, OfficeHours: office}}, nil
}

// insert stores the challenge's row (state waiting) in tx.
func (ch challenge) insert(ctx context.Context, tx *sql.Tx) error {
	sn := ch.sent
	_, err := tx.ExecContext(ctx, `INSERT INTO pings_out (id, campaign_id, party, authority, message_id, code, sent_at, deadline, office_hours, state)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		sn.ID, ch.body.Campaign, sn.Party, sn.Authority, sn.MessageID, ch.body.Code, storeTime(ch.body.SentAt), storeTime(sn.Deadline), sn.OfficeHours, StateWaiting)
	return err
}

func storeTime(t time.Time) string { return store.FormatTime(t) }

// officeHours says whether at falls inside the authority's duty hours.
func officeHours(a directory.Authority, at time.Time) string {
	on, _, err := a.OnDuty(at)
	switch {
	case err != nil:
		return OfficeUnknown
	case on:
		return OfficeInside
	}
	return OfficeOutside
}

// contact names the person of a role on an authority's roster, with a
// phone number, falling back along the escalation order and then to the
// authority's own phone.
func contact(a *directory.Authority, role directory.PersonRole) string {
	if a == nil {
		return "no roster in the directory"
	}
	people := a.Escalation()
	for _, p := range people {
		if p.Role == role {
			return describe(p)
		}
	}
	if role == directory.Backup && len(people) > 1 {
		return describe(people[1])
	}
	if role == directory.Primary && len(people) > 0 {
		return describe(people[0])
	}
	if a.Phone != "" {
		return fmt.Sprintf("%s duty line %s (no %s on its roster)", a.ID, a.Phone, role)
	}
	return fmt.Sprintf("%s has no %s contact in the directory", a.ID, role)
}

func describe(p directory.Person) string {
	s := p.Name + " (" + string(p.Role)
	if p.Phone != "" {
		s += ", " + p.Phone
	}
	return s + ")"
}

func campaignID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

func newCode() string {
	var b [CodeLen]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b[:])
}

// Arrived stores a ping envelope accepted by the inbox, inside the
// transaction that stores the envelope (node.ArrivalHandler). A challenge
// becomes a pending challenge for the person on duty; an answer closes the
// ping this node sent.
func (s *Service) Arrived(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error {
	h := in.Envelope.Header
	b, err := ParseBody(in.Body)
	if err != nil {
		return err
	}
	if h.Subkind != b.Type {
		return apperr.Errorf(apperr.EInvalid, "ping envelope %s: header subkind %q does not match body type %q", h.ID, h.Subkind, b.Type)
	}
	now := s.Clock.Now().UTC()
	if b.Type == TypeChallenge {
		raised := s.ownContact(ctx, directory.Primary)
		_, err := tx.ExecContext(ctx, `INSERT INTO pings_in (id, sender, message_id, code, received_at, deadline, raised_to, state)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') ON CONFLICT (id) DO NOTHING`,
			b.ID, h.Sender, h.ID, b.Code, store.FormatTime(now), store.FormatTime(b.Deadline), raised)
		if err == nil {
			s.log().Info("ping challenge raised to the person on duty", "from", h.Sender, "id", b.ID, "raised_to", raised, "deadline", b.Deadline)
		}
		return err
	}
	return s.answered(ctx, tx, h, b, now)
}

// answered records a person's answer to a ping this node sent.
func (s *Service) answered(ctx context.Context, tx *sql.Tx, h envelope.Header, b Body, now time.Time) error {
	var authority, msgID, code, state, sentAt, deadline string
	err := tx.QueryRowContext(ctx, `SELECT authority, message_id, code, state, sent_at, deadline FROM pings_out WHERE id = $1`, b.ID).
		Scan(&authority, &msgID, &code, &state, &sentAt, &deadline)
	found, err := store.Found(err)
	if err != nil {
		return err
	}
	if !found {
		return apperr.Errorf(apperr.EInvalid, "ping answer %s: no ping %s was sent by this node (fix: answer the challenge id you received)", h.ID, b.ID)
	}
	switch {
	case authority != h.Sender:
		return apperr.Errorf(apperr.EUnauthorized, "ping answer %s: ping %s was sent to %s, not to %s", h.ID, b.ID, authority, h.Sender)
	case h.InReplyTo != msgID:
		return apperr.Errorf(apperr.EInvalid, "ping answer %s: in_reply_to %q is not the challenge's message id %s", h.ID, h.InReplyTo, msgID)
	case b.Code != code:
		return apperr.Errorf(apperr.EInvalid, "ping answer %s: code does not match the challenge's (fix: answer with the code received)", h.ID)
	case state == StatePassed || state == StateLate:
		return nil // already answered: a second answer changes nothing
	}
	sent, err := store.ParseTime(sentAt)
	if err != nil {
		return err
	}
	dl, err := store.ParseTime(deadline)
	if err != nil {
		return err
	}
	// The signed answer says when the person answered; it counts, not when
	// the envelope arrived (an outage of the answerer's link is not their
	// failure), but it can be neither before the challenge nor in the future.
	at := b.AnsweredAt.UTC()
	if at.Before(sent) || at.After(now.Add(federation.DefaultMaxSkew)) {
		at = now
	}
	newState := StatePassed
	if at.After(dl) {
		newState = StateLate
	}
	_, err = tx.ExecContext(ctx, `UPDATE pings_out SET state = $2, answered_at = $3, answered_by = $4, answer_message_id = $5 WHERE id = $1`,
		b.ID, newState, store.FormatTime(at), b.AnsweredBy, h.ID)
	return err
}

// ownContact names the person of a role on this node's own roster.
func (s *Service) ownContact(ctx context.Context, role directory.PersonRole) string {
	snap, err := s.Directory(ctx)
	if err != nil {
		return "person on duty (directory unavailable)"
	}
	_, a, ok := snap.AuthorityByID(s.Authority)
	if !ok {
		return "person on duty (this node is not in the directory)"
	}
	return contact(a, role)
}

// Challenge is a ping this node received.
type Challenge struct {
	ID          string    `json:"id"`
	From        string    `json:"from"`
	MessageID   string    `json:"message_id"`
	ReceivedAt  time.Time `json:"received_at"`
	Deadline    time.Time `json:"deadline"`
	RaisedTo    string    `json:"raised_to"`
	State       string    `json:"state"`
	AnsweredAt  time.Time `json:"answered_at,omitzero"`
	AnsweredBy  string    `json:"answered_by,omitempty"`
	EscalatedTo string    `json:"escalated_to,omitempty"`
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
}

// Challenges lists the challenges this node received, the pending ones
// first by deadline; all=false lists only the pending ones.
func (s *Service) Challenges(ctx context.Context, all bool) ([]Challenge, error) {
	q := `SELECT id, sender, message_id, received_at, deadline, raised_to, state, answered_at, answered_by, escalated_to, escalated_at FROM pings_in`
	if !all {
		q += ` WHERE state = 'pending'`
	}
	q += ` ORDER BY state DESC, deadline, id`
	rows, err := s.DB.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Challenge
	for rows.Next() {
		var c Challenge
		var rec, dl, ans, esc string
		if err := rows.Scan(&c.ID, &c.From, &c.MessageID, &rec, &dl, &c.RaisedTo, &c.State, &ans, &c.AnsweredBy, &c.EscalatedTo, &esc); err != nil {
			return nil, err
		}
		if err := parseTimes([]string{rec, dl, ans, esc}, &c.ReceivedAt, &c.Deadline, &c.AnsweredAt, &c.EscalatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Answer is a person's answer to a challenge this node received: it is
// marked answered and the answer is sent back, signed, in reply to the
// challenge, in one transaction.
func (s *Service) Answer(ctx context.Context, id, by string) (*Challenge, error) {
	by = strings.TrimSpace(by)
	if by == "" || len(by) > MaxName || hasControl(by) {
		return nil, apperr.Errorf(apperr.EInvalid, "--by: name the person answering (1 to %d printable characters); a ping passes only when a person answers", MaxName)
	}
	var c Challenge
	var code, state string
	err := s.DB.QueryRowContext(ctx, `SELECT id, sender, message_id, code, state FROM pings_in WHERE id = $1`, id).
		Scan(&c.ID, &c.From, &c.MessageID, &code, &state)
	found, err := store.Found(err)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, apperr.Errorf(apperr.ENotFound, "no ping challenge %q on this node (fix: see the ids with \"art35 ping pending\")", id)
	}
	if state != "pending" {
		return nil, apperr.Errorf(apperr.EConflict, "ping challenge %s is already answered", id)
	}
	now := s.Clock.Now().UTC()
	raw, err := Body{Type: TypeAnswer, ID: id, Code: code, AnsweredBy: by, AnsweredAt: now}.Marshal()
	if err != nil {
		return nil, err
	}
	h := envelope.Header{IdempotencyKey: "ping-answer:" + id, Kind: envelope.KindPing, Subkind: TypeAnswer,
		Recipient: c.From, InReplyTo: c.MessageID, Handling: envelope.H0}
	_, err = s.Send(ctx, h, raw, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE pings_in SET state = 'answered', answered_at = $2, answered_by = $3 WHERE id = $1 AND state = 'pending'`,
			id, store.FormatTime(now), by)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Errorf(apperr.EConflict, "ping challenge %s was answered meanwhile", id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.State, c.AnsweredAt, c.AnsweredBy = "answered", now, by
	return &c, nil
}

// Swept counts what a sweep changed.
type Swept struct {
	Failed    int // pings sent by this node failed and escalated
	Escalated int // challenges received by this node escalated to the backup
}

// Sweep closes the windows that have passed: a ping this node sent that
// nobody answered fails and is escalated to the target's backup contact;
// a challenge this node received that nobody answered is escalated to this
// node's own backup contact (it can still be answered, late).
func (s *Service) Sweep(ctx context.Context) (Swept, error) {
	var sw Swept
	now := store.FormatTime(s.Clock.Now())
	type due struct{ id, authority string }
	var out []due
	rows, err := s.DB.QueryContext(ctx, `SELECT id, authority FROM pings_out WHERE state = 'waiting' AND deadline < $1`, now)
	if err != nil {
		return sw, err
	}
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.authority); err != nil {
			rows.Close()
			return sw, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sw, err
	}
	var inDue []string
	rows, err = s.DB.QueryContext(ctx, `SELECT id FROM pings_in WHERE state = 'pending' AND escalated_at = '' AND deadline < $1`, now)
	if err != nil {
		return sw, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return sw, err
		}
		inDue = append(inDue, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sw, err
	}
	if len(out) == 0 && len(inDue) == 0 {
		return sw, nil
	}
	snap, err := s.Directory(ctx)
	if err != nil {
		return sw, err
	}
	backup := s.ownContact(ctx, directory.Backup)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, d := range out {
			_, a, _ := snap.AuthorityByID(d.authority)
			to := contact(a, directory.Backup)
			res, err := tx.ExecContext(ctx, `UPDATE pings_out SET state = 'failed', escalated_at = $2, escalated_to = $3 WHERE id = $1 AND state = 'waiting'`,
				d.id, now, to)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			sw.Failed += int(n)
		}
		for _, id := range inDue {
			res, err := tx.ExecContext(ctx, `UPDATE pings_in SET escalated_at = $2, escalated_to = $3 WHERE id = $1 AND state = 'pending' AND escalated_at = ''`,
				id, now, backup)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			sw.Escalated += int(n)
		}
		return nil
	})
	if err != nil {
		return Swept{}, err
	}
	if sw.Failed+sw.Escalated > 0 {
		s.log().Warn("ping windows closed without an answer", "failed", sw.Failed, "escalated_here", sw.Escalated)
	}
	return sw, nil
}

func parseTimes(src []string, dst ...*time.Time) error {
	for i, v := range src {
		if v == "" {
			continue
		}
		t, err := store.ParseTime(v)
		if err != nil {
			return err
		}
		*dst[i] = t
	}
	return nil
}

// sortedParties returns the keys of m in order.
func sortedParties[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
