// Package cases is a node's casework: the requests it sent and received,
// their lifecycle and evidences, stored in the node's database and carried
// between nodes in envelopes. It joins the pure domain (internal/request)
// to storage (internal/store) and delivery (the node's outbox):
//
//   - Submit checks a request document against its type's checklist,
//     finds the requested party's point of contact in the directory, and
//     stores the request and queues its envelope in one transaction.
//   - When the outbox stores the peer's receipt, the request becomes
//     "delivered" (a system evidence).
//   - On arrival, a request is stored as received ("delivered"); an
//     evidence updates the request it answers.
//   - Act takes a person's step (acknowledge, preserve, decline, close...),
//     records its evidence and sends it to the other side, again in one
//     transaction.
package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/store"
)

// Sender seals an envelope and queues it in one transaction with change
// (the node's Send).
type Sender func(ctx context.Context, h envelope.Header, body []byte, change func(tx *sql.Tx) error) (*envelope.Envelope, error)

// Directory returns the directory the node works with.
type Directory func(ctx context.Context) (*directory.Snapshot, error)

// Service is the casework of one node.
type Service struct {
	DB        *store.DB
	Send      Sender
	Directory Directory
	Clock     clock.Clock
	Log       *slog.Logger
	// Party and Authority are the node's own.
	Party, Authority string
	// InboxJudges says that the node's inbox runs Judge on every envelope
	// before storing it: Arrived then repeats only the rules another
	// envelope may have changed meanwhile, not the whole checklist.
	InboxJudges bool
}

// Direction says whether a request was sent or received here.
type Direction string

// Directions.
const (
	Outgoing Direction = "out"
	Incoming Direction = "in"
)

// Case is a stored request with its lifecycle.
type Case struct {
	Request *request.Request `json:"request"`
	// Ref is the request's id as its requesting party wrote it (what the
	// peer calls it); Request.ID is the case's key on this node, which is
	// Ref unless another party's request already held that key here
	// (then "PARTY~ref", see insertRequest).
	Ref       string             `json:"ref"`
	Direction Direction          `json:"direction"`
	Peer      string             `json:"peer"` // the other side's authority id
	MessageID string             `json:"message_id"`
	Lifecycle *request.Lifecycle `json:"lifecycle"`
	Updated   time.Time          `json:"updated"`
	Document  json.RawMessage    `json:"-"`
}

// Idempotency keys: one business event, one key, however often it is sealed.
func requestKey(id string) string           { return id + "/request" }
func evidenceKey(id string, seq int) string { return fmt.Sprintf("%s/evidence/%d", id, seq) }

// Submit validates a request document and sends it to the requested
// party's point of contact: the request row, its "sent" evidence and the
// envelope are written in one transaction. Validation problems of error
// severity refuse the request (all of them are returned); warnings are
// returned with the sent request.
func (s *Service) Submit(ctx context.Context, doc []byte, by string) (*Case, []request.Problem, error) {
	return s.SubmitTo(ctx, doc, by, "")
}

// SubmitTo is Submit to a chosen authority of the requested party (a
// provider's node, a central authority) instead of its point of contact;
// "" means the point of contact.
func (s *Service) SubmitTo(ctx context.Context, doc []byte, by, recipient string) (*Case, []request.Problem, error) {
	now := s.Clock.Now()
	r, problems := request.Check(doc, now)
	if r != nil && recipient != "" && s.isOwnProvider(ctx, recipient) {
		// An order passed by this country's point of contact to one of its
		// own providers is domestic: the rule that the two parties of a
		// request differ does not apply to it.
		problems = slices.DeleteFunc(problems, func(p request.Problem) bool { return p.Rule == "same-party" })
	}
	for _, p := range problems {
		if p.Severity == request.SeverityError {
			return nil, problems, apperr.Errorf(apperr.EInvalid, "request refused: %d problem(s) to fix before it can be sent (run 'art35 request validate FILE' to see them)", countErrors(problems))
		}
	}
	if err := s.checkOnwardTransfer(ctx, r); err != nil {
		return nil, problems, err
	}
	if r.Requesting.Party != s.Party {
		return nil, problems, apperr.Errorf(apperr.EInvalid, "requesting.party is %q but this node speaks for %s: a node sends only its own party's requests", r.Requesting.Party, s.Party)
	}
	d, err := s.Directory(ctx)
	if err != nil {
		return nil, problems, err
	}
	poc, err := d.PointOfContact(r.Requested.Party)
	if recipient != "" {
		p, a, ok := d.AuthorityByID(recipient)
		if !ok || p.Code != r.Requested.Party {
			return nil, problems, apperr.Errorf(apperr.EInvalid, "recipient %s is not an authority of the requested party %s in the directory", recipient, r.Requested.Party)
		}
		poc, err = a, nil
	}
	if err != nil {
		return nil, problems, fmt.Errorf("requested party %s: %w", r.Requested.Party, err)
	}
	problems = append(problems, request.CheckLanguage(r, poc.Languages)...)
	if by == "" {
		return nil, problems, apperr.Errorf(apperr.EInvalid, "name the person sending the request (by)")
	}
	lc := request.NewLifecycle(r)
	ev, err := lc.Apply(request.Step{To: request.StateSent, At: now, By: by, As: request.BySender}, nil)
	if err != nil {
		return nil, problems, err
	}
	c := &Case{Request: r, Direction: Outgoing, Peer: poc.ID, Lifecycle: lc, Updated: now, Document: doc}
	// The envelope's id is chosen here so that the request row names it in
	// the same transaction: a receipt arriving at once finds its request.
	msgID, err := envelope.NewID(nil)
	if err != nil {
		return nil, problems, err
	}
	h := envelope.Header{
		ID: msgID, IdempotencyKey: requestKey(r.ID), Kind: envelope.KindRequest, Subkind: string(r.Type),
		Recipient: poc.ID, CaseRef: r.SenderRef, Handling: envelope.Handling(r.Handling.Code),
	}
	key := r.ID
	if _, err := s.Send(ctx, h, doc, func(tx *sql.Tx) error {
		var err error
		if key, err = insertRequest(ctx, tx, c, msgID); err != nil {
			return err
		}
		ev.RequestID = key
		return insertEvidence(ctx, tx, key, 0, ev, "")
	}); err != nil {
		return nil, problems, err
	}
	c.MessageID, c.Ref, c.Request.ID, c.Lifecycle.RequestID = msgID, r.ID, key, key
	return c, problems, nil
}

// isOwnProvider reports whether authority is a service provider's node of
// this node's own party.
func (s *Service) isOwnProvider(ctx context.Context, authority string) bool {
	d, err := s.Directory(ctx)
	if err != nil {
		return false
	}
	p, a, ok := d.AuthorityByID(authority)
	return ok && p.Code == s.Party && a.Role == directory.RoleProvider
}

func countErrors(ps []request.Problem) int {
	n := 0
	for _, p := range ps {
		if p.Severity == request.SeverityError {
			n++
		}
	}
	return n
}

// insertRequest stores a request row and returns its key on this node.
// A request is identified by (requesting party, id): the same id from two
// parties never collides. The key is the id itself unless another party's
// request already holds it here; then it is "PARTY~id" ("~" never occurs
// in an id, so such a key cannot collide with one). The same (party, id)
// twice is refused with EConflict.
func insertRequest(ctx context.Context, tx *sql.Tx, c *Case, messageID string) (string, error) {
	r := c.Request
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE requesting_party = $1 AND ref = $2`, r.Requesting.Party, r.ID).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return "", apperr.Errorf(apperr.EConflict, "request %s of %s is already held here: a new request needs a new id", r.ID, r.Requesting.Party)
	}
	key := r.ID
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE id = $1`, key).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		key = r.Requesting.Party + "~" + r.ID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO requests
		(id, ref, direction, type, requesting_party, requested_party, peer, priority, state, sender_ref, created_at, updated_at, message_id, document)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		key, r.ID, string(c.Direction), string(r.Type), r.Requesting.Party, r.Requested.Party, c.Peer, string(r.Priority),
		string(c.Lifecycle.State), r.SenderRef, store.FormatTime(r.CreatedAt.T), store.FormatTime(c.Updated), messageID, []byte(c.Document))
	if err != nil {
		return "", store.MapError(err)
	}
	return key, nil
}

func insertEvidence(ctx context.Context, tx *sql.Tx, id string, seq int, ev request.Evidence, messageID string) error {
	doc, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO evidences (request_id, seq, kind, from_state, to_state, at, by_name, actor, message_id, document)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, seq, ev.Kind, string(ev.From), string(ev.To), store.FormatTime(ev.At), ev.By, string(ev.As), messageID, doc)
	return err
}

func setState(ctx context.Context, tx *sql.Tx, id string, state request.State, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE requests SET state = $1, updated_at = $2 WHERE id = $3`, string(state), store.FormatTime(at), id)
	return err
}

// Delivered records the "delivered" evidence of the outgoing request an
// envelope carried, inside the transaction that stores the peer's receipt.
// Envelopes that carry no request (evidences, pings) are ignored.
func (s *Service) Delivered(ctx context.Context, tx *sql.Tx, messageID string, r *envelope.Receipt) error {
	var id, state string
	err := tx.QueryRowContext(ctx, `SELECT id, state FROM requests WHERE message_id = $1 AND direction = 'out'`, messageID).Scan(&id, &state)
	if found, err := store.Found(err); !found {
		return err // no request carried by this envelope (an evidence, a ping): nil
	}
	if request.State(state) != request.StateSent {
		return nil // already further along (an evidence overtook the receipt)
	}
	lc, err := loadLifecycle(ctx, tx, id)
	if err != nil {
		return err
	}
	ev, err := lc.Apply(request.Step{To: request.StateDelivered, At: notBefore(r.ReceivedAt, lc), By: r.Receiver, As: request.BySystem,
		Details: fmt.Sprintf("signed transport receipt from %s, key %s, received at %s", r.Receiver, r.ReceiverKeyID, r.ReceivedAt.Format(time.RFC3339))}, nil)
	if err != nil {
		return err
	}
	if err := insertEvidence(ctx, tx, id, len(lc.Evidences)-1, ev, messageID); err != nil {
		return err
	}
	return setState(ctx, tx, id, lc.State, ev.At)
}

// Arrived stores what an accepted envelope brings, inside the transaction
// that stores the envelope: a request becomes an incoming case; an
// evidence moves the outgoing case it answers.
func (s *Service) Arrived(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error {
	h := in.Envelope.Header
	switch h.Kind {
	case envelope.KindRequest:
		return s.arrivedRequest(ctx, tx, in)
	case envelope.KindEvidence:
		if h.Subkind == SubkindDisclosureStopped {
			return s.arrivedStop(ctx, tx, in) // rule R9, notification.go
		}
		return s.arrivedEvidence(ctx, tx, in)
	}
	return nil
}

func (s *Service) arrivedRequest(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error {
	h := in.Envelope.Header
	// The rule book again, inside the transaction: the inbox's Judge ran
	// before it, but another envelope may have been stored since.
	r, err := s.judgeRequest(ctx, tx, h, in.Body, !s.InboxJudges)
	if err != nil {
		return err
	}
	lc := request.NewLifecycle(r)
	sent := request.Evidence{Kind: "transition", RequestID: r.ID, From: request.StateDraft, To: request.StateSent, At: h.Created, By: h.Sender, As: request.BySender}
	lc.State, lc.Evidences = request.StateSent, []request.Evidence{sent}
	ev, err := lc.Apply(request.Step{To: request.StateDelivered, At: in.Receipt.ReceivedAt, By: s.Authority, As: request.BySystem,
		Details: "stored and receipted by " + s.Authority}, nil)
	if err != nil {
		return err
	}
	c := &Case{Request: r, Direction: Incoming, Peer: h.Sender, Lifecycle: lc, Updated: ev.At, Document: in.Body}
	key, err := insertRequest(ctx, tx, c, h.ID)
	if err != nil {
		if apperr.Is(err, apperr.EConflict) {
			return federation.Reject(federation.CodeDuplicateRequest, "%s already sent a request with id %s, in another envelope: a new request needs a new id", r.Requesting.Party, r.ID)
		}
		return err
	}
	sent.RequestID, ev.RequestID = key, key
	if err := insertEvidence(ctx, tx, key, 0, sent, h.ID); err != nil {
		return err
	}
	return insertEvidence(ctx, tx, key, 1, ev, h.ID)
}

func (s *Service) arrivedEvidence(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error {
	h := in.Envelope.Header
	j, err := judgeLocked(ctx, tx, in, s.judgeEvidence)
	if err != nil {
		return err
	}
	ev, lc := j.ev, j.lc
	if ev.Kind == "transition" && ev.As == request.ByReceiver && lc.State == request.StateSent {
		// The receiver acted on the request before its transport receipt
		// reached us: its step proves delivery, so record that first.
		d, err := lc.Apply(deliveryShown(ev, h.Sender, lc), nil)
		if err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, j.key, len(lc.Evidences)-1, d, h.ID); err != nil {
			return err
		}
	}
	seq := len(lc.Evidences)
	switch ev.Kind {
	case KindTransferGranted:
		if err := arrivedTransferGrant(ctx, tx, ev, h.ID); err != nil {
			return err
		}
	case KindIncident:
		if err := s.arrivedIncident(ctx, tx, ev, h.Sender, h.ID); err != nil {
			return err
		}
	}
	if ev.Kind == "transition" {
		// The peer's clock is not ours: a step stamped a little before our
		// last evidence is applied at that evidence's time, with its own
		// time kept in the details.
		at := notBefore(ev.At, lc)
		step := stepOf(ev, at)
		if !at.Equal(ev.At) {
			step.Details = strings.TrimSpace(step.Details + " (peer time " + ev.At.Format(time.RFC3339Nano) + ")")
		}
		applied, err := lc.Apply(step, reservations(j.dir))
		if err != nil {
			return refusedStep(err, ev, h.Sender, ev.As)
		}
		ev = applied
	}
	if err := insertEvidence(ctx, tx, j.key, seq, ev, h.ID); err != nil {
		return err
	}
	return setState(ctx, tx, j.key, lc.State, ev.At)
}

// Act takes a person's step on a request and sends its evidence to the
// other side, in one transaction. The side (sender or receiver) follows
// from the request's direction.
func (s *Service) Act(ctx context.Context, id string, step request.Step, res request.Reservations) (*request.Evidence, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	step.As = request.BySender
	if c.Direction == Incoming {
		step.As = request.ByReceiver
	}
	if step.At.IsZero() {
		step.At = s.Clock.Now()
	}
	if res == nil {
		// The Art. 29(4) reservation that allows a dual-criminality refusal
		// is read from the directory the node works with.
		if d, err := s.Directory(ctx); err == nil {
			res = route.Reservations{Snapshot: d}
		}
	}
	if err := s.checkExecution(ctx, c, step.To); err != nil {
		return nil, err
	}
	ev, err := c.Lifecycle.Apply(step, res)
	if err != nil {
		return nil, err
	}
	seq := len(c.Lifecycle.Evidences) - 1
	body, err := json.Marshal(wireEvidence(ev, c))
	if err != nil {
		return nil, err
	}
	h := envelope.Header{
		IdempotencyKey: evidenceKey(c.Request.ID, seq), Kind: envelope.KindEvidence, Subkind: string(ev.To),
		Recipient: c.Peer, InReplyTo: c.MessageID, CaseRef: c.Request.SenderRef, Handling: envelope.Handling(c.Request.Handling.Code),
	}
	_, err = s.Send(ctx, h, body, func(tx *sql.Tx) error {
		// Re-check the state inside the transaction: two people acting on
		// the same request at once must not both win.
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM requests WHERE id = $1`, id).Scan(&state); err != nil {
			return err
		}
		if request.State(state) != ev.From {
			return apperr.Errorf(apperr.EConflict, "request %s moved to %s meanwhile; look again before acting", id, state)
		}
		if err := insertEvidence(ctx, tx, id, seq, ev, ""); err != nil {
			return err
		}
		return setState(ctx, tx, id, c.Lifecycle.State, ev.At)
	})
	if err != nil {
		return nil, err
	}
	return &ev, nil
}

// wireEvidence is ev as the peer must read it: about the request's own id
// (Ref), not this node's key for it.
func wireEvidence(ev request.Evidence, c *Case) request.Evidence {
	if c.Ref != "" {
		ev.RequestID = c.Ref
	}
	return ev
}

// notBefore returns t, or the time of the lifecycle's last evidence if
// that is later: times from another clock (a receipt stamped to the whole
// second, a peer's step) must not put a step before the one it follows.
func notBefore(t time.Time, lc *request.Lifecycle) time.Time {
	if n := len(lc.Evidences); n > 0 && t.Before(lc.Evidences[n-1].At) {
		return lc.Evidences[n-1].At
	}
	return t
}

// Get returns a stored case with its lifecycle.
func (s *Service) Get(ctx context.Context, id string) (*Case, error) {
	var (
		c                   Case
		dir, state, updated string
		doc                 []byte
	)
	err := s.DB.QueryRowContext(ctx, `SELECT ref, direction, peer, message_id, state, updated_at, document FROM requests WHERE id = $1`, id).
		Scan(&c.Ref, &dir, &c.Peer, &c.MessageID, &state, &updated, &doc)
	found, err := store.Found(err)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, apperr.Errorf(apperr.ENotFound, "no request %s on this node ('art35 case list' shows what is here)", id)
	}
	c.Direction, c.Document = Direction(dir), doc
	if c.Updated, err = store.ParseTime(updated); err != nil {
		return nil, err
	}
	r, _ := request.Decode(doc)
	if r == nil {
		return nil, fmt.Errorf("stored request %s is not readable", id)
	}
	// Here the request is known by its key; the peer knows it by Ref.
	r.ID = id
	c.Request = r
	if c.Lifecycle, err = loadLifecycle(ctx, s.DB, id); err != nil {
		return nil, err
	}
	return &c, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// loadLifecycle rebuilds a request's lifecycle from its stored evidences.
func loadLifecycle(ctx context.Context, q querier, id string) (*request.Lifecycle, error) {
	var typ, party, state string
	if err := q.QueryRowContext(ctx, `SELECT type, requested_party, state FROM requests WHERE id = $1`, id).Scan(&typ, &party, &state); err != nil {
		return nil, store.MapError(err)
	}
	lc := &request.Lifecycle{RequestID: id, Type: request.Type(typ), RequestedParty: party, State: request.State(state)}
	rows, err := q.QueryContext(ctx, `SELECT document FROM evidences WHERE request_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var ev request.Evidence
		if err := json.Unmarshal(doc, &ev); err != nil {
			return nil, fmt.Errorf("stored evidence of %s: %w", id, err)
		}
		lc.Evidences = append(lc.Evidences, ev)
	}
	return lc, rows.Err()
}

// Summary is one line of the case list.
type Summary struct {
	ID        string            `json:"id"`
	Direction Direction         `json:"direction"`
	Type      string            `json:"type"`
	Peer      string            `json:"peer"`
	Priority  string            `json:"priority"`
	State     string            `json:"state"`
	SenderRef string            `json:"sender_ref"`
	Updated   time.Time         `json:"updated"`
	NextDue   *request.Deadline `json:"next_due,omitempty"`
	// Held says a clock is held, e.g. request.HeldForMLA (Art. 29(7)).
	Held string `json:"held,omitempty"`
	// Exercise says the case is a drill (its envelope carried the
	// exercise flag): the inbox marks it.
	Exercise bool `json:"exercise,omitempty"`
}

// List returns the cases, the one due soonest first (cases with no open
// clock last, newest first). Cases archived when their exercise closed
// are left out (exercise.go).
func (s *Service) List(ctx context.Context) ([]Summary, error) {
	// Two queries for the whole list (requests, then all their evidences),
	// not one per case: the portal asks for this list every few seconds.
	rows, err := s.DB.QueryContext(ctx, `SELECT id, direction, type, requested_party, peer, state, updated_at, document, exercise FROM requests WHERE archived_at = ''`)
	if err != nil {
		return nil, store.MapError(err)
	}
	type row struct {
		sum Summary
		lc  *request.Lifecycle
		r   *request.Request
	}
	byID := map[string]*row{}
	var order []string
	for rows.Next() {
		var (
			x                              row
			dir, typ, party, state, update string
			doc                            []byte
			exercise                       int64
		)
		if err := rows.Scan(&x.sum.ID, &dir, &typ, &party, &x.sum.Peer, &state, &update, &doc, &exercise); err != nil {
			rows.Close()
			return nil, err
		}
		if x.sum.Updated, err = store.ParseTime(update); err != nil {
			rows.Close()
			return nil, err
		}
		x.r, _ = request.Decode(doc)
		if x.r == nil {
			x.r = &request.Request{ID: x.sum.ID, Type: request.Type(typ)}
		}
		x.sum.Direction, x.sum.Type, x.sum.State, x.sum.Exercise = Direction(dir), typ, state, exercise != 0
		x.sum.Priority, x.sum.SenderRef = string(x.r.Priority), x.r.SenderRef
		x.lc = &request.Lifecycle{RequestID: x.sum.ID, Type: request.Type(typ), RequestedParty: party, State: request.State(state)}
		byID[x.sum.ID] = &x
		order = append(order, x.sum.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	evs, err := s.DB.QueryContext(ctx, `SELECT request_id, document FROM evidences ORDER BY request_id, seq`)
	if err != nil {
		return nil, store.MapError(err)
	}
	for evs.Next() {
		var (
			id  string
			doc []byte
			ev  request.Evidence
		)
		if err := evs.Scan(&id, &doc); err != nil {
			evs.Close()
			return nil, err
		}
		if x := byID[id]; x != nil && json.Unmarshal(doc, &ev) == nil {
			x.lc.Evidences = append(x.lc.Evidences, ev)
		}
	}
	evs.Close()
	if err := evs.Err(); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	dir, _ := s.Directory(ctx) // without a directory, clocks count in the request's own zone or UTC
	out := make([]Summary, 0, len(order))
	links := &clockLinks{mla: map[string]*request.Lifecycle{}, ext: map[string][]request.Evidence{}} // clocks.go
	for _, id := range order {
		links.linkOne(byID[id].r, byID[id].lc)
	}
	for _, id := range order {
		x := byID[id]
		agenda := request.Due(links.facts(x.r, x.lc, Zone(x.r, dir)), request.DefaultPolicy(), now)
		for i, d := range agenda.Deadlines {
			// Only what still asks for something: a met or suspended
			// deadline is not "next".
			if d.Status == request.DeadlineSuspended && d.Clock == request.ClockPreservation {
				x.sum.Held = request.HeldForMLA
			}
			open := d.Status == request.DeadlinePending || d.Status == request.DeadlineMissed
			if open && !d.Due.IsZero() && (x.sum.NextDue == nil || d.Due.Before(x.sum.NextDue.Due)) {
				x.sum.NextDue = &agenda.Deadlines[i]
			}
		}
		out = append(out, x.sum)
	}
	sortByDue(out)
	return out, nil
}

func sortByDue(list []Summary) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		switch {
		case a.NextDue != nil && b.NextDue != nil:
			return a.NextDue.Due.Before(b.NextDue.Due)
		case a.NextDue != nil:
			return true
		case b.NextDue != nil:
			return false
		}
		return a.Updated.After(b.Updated)
	})
}
