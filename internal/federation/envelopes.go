package federation

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/store"
)

// Envelopes is the delivery's own storage: the inbound and outbound
// envelope tables and the log of refused envelopes. It implements the
// inbox's and the outbox's storage interfaces over a *store.DB; no other
// package writes SQL against these tables.
type Envelopes struct {
	db        *store.DB
	inbound   InboundHook
	delivered DeliveredHook
}

// Hooks are what the host runs inside the delivery's transactions; either
// may be nil.
type Hooks struct {
	// Inbound runs in the transaction that stores an accepted envelope.
	Inbound InboundHook
	// Delivered runs in the transaction that stores a peer's receipt.
	Delivered DeliveredHook
}

// NewEnvelopes returns the envelope store over db, running hooks inside
// its transactions.
func NewEnvelopes(db *store.DB, hooks Hooks) *Envelopes {
	return &Envelopes{db: db, inbound: hooks.Inbound, delivered: hooks.Delivered}
}

// Envelopes implements the inbox's and the outbox's storage interfaces.
var (
	_ InboxStore   = (*Envelopes)(nil)
	_ OutboxStore  = (*Envelopes)(nil)
	_ RejectionLog = (*Envelopes)(nil)
)

// InboundHook runs inside the transaction that stores an accepted
// envelope: whatever the node does on arrival (the request row, the audit
// record) commits or rolls back with the envelope itself.
type InboundHook func(ctx context.Context, tx *sql.Tx, in *Inbound) error

// DeliveredHook runs inside the transaction that stores a peer's receipt
// for an outgoing envelope (the request it carried becomes "delivered").
type DeliveredHook func(ctx context.Context, tx *sql.Tx, messageID string, r *envelope.Receipt) error

// InboundByID returns what is stored under a message id, or nil, nil.
func (e *Envelopes) InboundByID(ctx context.Context, messageID string) (*Stored, error) {
	return e.storedInbound(ctx, `SELECT digest, receipt FROM inbound_envelopes WHERE message_id = $1`, messageID)
}

// InboundByIdempotencyKey returns what is stored for a sender's business
// key, or nil, nil.
func (e *Envelopes) InboundByIdempotencyKey(ctx context.Context, sender, key string) (*Stored, error) {
	return e.storedInbound(ctx, `SELECT digest, receipt FROM inbound_envelopes WHERE sender = $1 AND idempotency_key = $2`, sender, key)
}

func (e *Envelopes) storedInbound(ctx context.Context, q string, args ...any) (*Stored, error) {
	var (
		digest  string
		receipt []byte
	)
	found, err := store.Found(e.db.QueryRowContext(ctx, q, args...).Scan(&digest, &receipt))
	if !found {
		return nil, err // nil, nil when nothing is stored under the key
	}
	var s Stored
	d, err := hex.DecodeString(digest)
	if err != nil || len(d) != 32 {
		return nil, fmt.Errorf("stored digest %q is not a SHA-256", digest)
	}
	copy(s.Digest[:], d)
	if s.Receipt, err = envelope.ParseReceipt(receipt); err != nil {
		return nil, fmt.Errorf("stored receipt: %w", err)
	}
	return &s, nil
}

// SaveInbound stores an accepted envelope, its body and its receipt in one
// transaction with the inbound hook. A message id or (sender, idempotency
// key) already stored gives EConflict and stores nothing.
func (e *Envelopes) SaveInbound(ctx context.Context, in *Inbound) error {
	receipt, err := in.Receipt.Marshal()
	if err != nil {
		return fmt.Errorf("encode receipt: %w", err)
	}
	h := in.Envelope.Header
	digest := in.Envelope.Digest()
	return e.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO inbound_envelopes
			(message_id, sender, recipient, idempotency_key, kind, subkind, case_ref, digest, raw, body, receipt, via, received_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			h.ID, h.Sender, h.Recipient, h.IdempotencyKey, string(h.Kind), h.Subkind, h.CaseRef,
			hex.EncodeToString(digest[:]), in.Raw, in.Body, receipt, in.Via,
			store.FormatTime(in.Receipt.ReceivedAt), store.FormatTime(h.Expires))
		if err != nil {
			return store.MapError(err)
		}
		if e.inbound != nil {
			return e.inbound(ctx, tx, in)
		}
		return nil
	})
}

// InboundEnvelope returns the raw wire bytes of a stored inbound envelope
// (for export and for proofs).
func (e *Envelopes) InboundEnvelope(ctx context.Context, messageID string) ([]byte, error) {
	var raw []byte
	found, err := store.Found(e.db.QueryRowContext(ctx, `SELECT raw FROM inbound_envelopes WHERE message_id = $1`, messageID).Scan(&raw))
	if found || err != nil {
		return raw, err
	}
	return nil, apperr.Errorf(apperr.ENotFound, "no received envelope with message id %s", messageID)
}

// CountInbound returns the number of stored inbound envelopes.
func (e *Envelopes) CountInbound(ctx context.Context) (int, error) {
	var n int
	err := e.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound_envelopes`).Scan(&n)
	return n, store.MapError(err)
}

// Enqueue writes an envelope to the outbox inside tx, the transaction of
// the business change that caused it. The same (recipient, idempotency
// key) enqueued twice gives EConflict: the business event is sent once.
func Enqueue(ctx context.Context, tx *sql.Tx, env *envelope.Envelope, emergency bool, now time.Time) error {
	raw, err := env.Marshal()
	if err != nil {
		return fmt.Errorf("encode envelope: %w", err)
	}
	h := env.Header
	em := 0
	if emergency {
		em = 1
	}
	// Envelopes answering the same message form a stream delivered in
	// order (an "acknowledged" must not arrive after the "preserved" that
	// follows it); independent envelopes have no stream.
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE outbox_counter SET value = value + 1 WHERE id = 1 RETURNING value`).Scan(&seq); err != nil {
		return store.MapError(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbound_envelopes
		(message_id, recipient, idempotency_key, kind, subkind, emergency, raw, created_at, state, next_attempt_at, stream, seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10, $11)`,
		h.ID, h.Recipient, h.IdempotencyKey, string(h.Kind), h.Subkind, em, raw, store.FormatTime(now), store.FormatTime(now), h.InReplyTo, seq)
	return store.MapError(err)
}

// DueOutbound returns up to limit queued envelopes whose next attempt is
// due at now, emergencies first, then oldest first. Of a stream, only the
// oldest envelope still queued is returned, so streams arrive in order.
func (e *Envelopes) DueOutbound(ctx context.Context, now time.Time, limit int) ([]Outbound, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT o.raw, o.attempts, o.created_at FROM outbound_envelopes o
		WHERE o.state = 'queued' AND o.next_attempt_at <= $1
		AND (o.stream = '' OR NOT EXISTS (SELECT 1 FROM outbound_envelopes p
			WHERE p.recipient = o.recipient AND p.stream = o.stream AND p.state = 'queued'
			AND p.seq < o.seq))
		ORDER BY o.emergency DESC, o.seq LIMIT $2`, store.FormatTime(now), limit)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []Outbound
	for rows.Next() {
		var (
			raw      []byte
			attempts int
			created  string
		)
		if err := rows.Scan(&raw, &attempts, &created); err != nil {
			return nil, err
		}
		env, err := envelope.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("stored outbound envelope: %w", err)
		}
		ct, err := store.ParseTime(created)
		if err != nil {
			return nil, err
		}
		out = append(out, Outbound{Envelope: env, Attempts: attempts, Created: ct})
	}
	return out, rows.Err()
}

// MarkDelivered stores the peer's receipt and takes the envelope out of the queue.
func (e *Envelopes) MarkDelivered(ctx context.Context, messageID string, r *envelope.Receipt) error {
	receipt, err := r.Marshal()
	if err != nil {
		return fmt.Errorf("encode receipt: %w", err)
	}
	return e.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbound_envelopes SET state = 'delivered', delivered_at = $2, receipt = $3
			WHERE message_id = $1`, messageID, store.FormatTime(r.ReceivedAt), receipt)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Errorf(apperr.ENotFound, "no outbound envelope %s", messageID)
		}
		if e.delivered != nil {
			return e.delivered(ctx, tx, messageID, r)
		}
		return nil
	})
}

// MarkAttempt records a failed attempt; a zero next gives up on the
// envelope (state failed).
func (e *Envelopes) MarkAttempt(ctx context.Context, messageID string, at time.Time, reason string, next time.Time) error {
	state, nextText := "queued", store.FormatTime(next)
	if next.IsZero() {
		state, nextText = "failed", store.FormatTime(at)
	}
	return e.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbound_envelopes
			SET attempts = attempts + 1, last_attempt_at = $2, last_error = $3, next_attempt_at = $4, state = $5
			WHERE message_id = $1 AND state = 'queued'`, messageID, store.FormatTime(at), reason, nextText, state)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Errorf(apperr.ENotFound, "no queued outbound envelope %s", messageID)
		}
		return nil
	})
}

// OutboundStatus is one outbox row as "art35 outbox" shows it.
type OutboundStatus struct {
	MessageID   string    `json:"message_id"`
	Recipient   string    `json:"recipient"`
	Kind        string    `json:"kind"`
	Subkind     string    `json:"subkind"`
	State       string    `json:"state"` // queued or failed (refused for good)
	LastError   string    `json:"last_error,omitempty"`
	Emergency   bool      `json:"emergency"`
	Attempts    int       `json:"attempts"`
	Created     time.Time `json:"created"`
	NextAttempt time.Time `json:"next_attempt"`
}

// Outbox lists the envelopes not yet delivered, oldest first.
func (e *Envelopes) Outbox(ctx context.Context) ([]OutboundStatus, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT message_id, recipient, kind, subkind, state, last_error, emergency, attempts, created_at, next_attempt_at
		FROM outbound_envelopes WHERE state <> 'delivered' ORDER BY created_at, message_id`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []OutboundStatus
	for rows.Next() {
		var (
			s             OutboundStatus
			em            int
			created, next string
		)
		if err := rows.Scan(&s.MessageID, &s.Recipient, &s.Kind, &s.Subkind, &s.State, &s.LastError, &em, &s.Attempts, &created, &next); err != nil {
			return nil, err
		}
		s.Emergency = em != 0
		if err := store.ParseTimes([]string{created, next}, &s.Created, &s.NextAttempt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RecordRejection stores one refused envelope.
func (e *Envelopes) RecordRejection(ctx context.Context, r RejectionRecord) error {
	return e.db.Tx(ctx, func(tx *sql.Tx) error { return InsertRejection(ctx, tx, r) })
}

// InsertRejection stores one refused envelope inside tx (the node records
// it in its audit log in the same transaction).
func InsertRejection(ctx context.Context, tx *sql.Tx, r RejectionRecord) error {
	var id [12]byte
	_, _ = rand.Read(id[:])
	_, err := tx.ExecContext(ctx, `INSERT INTO inbox_rejections (id, at, code, message, via, message_id, sender, recipient, size)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		hex.EncodeToString(id[:]), store.FormatTime(r.At), string(r.Code), r.Message, r.Via, r.MessageID, r.Sender, r.Recipient, r.Size)
	return err
}

// RejectionCounts returns how many envelopes were refused, by code.
func (e *Envelopes) RejectionCounts(ctx context.Context) (map[string]int, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT code, COUNT(*) FROM inbox_rejections GROUP BY code`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			code string
			n    int
		)
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		out[code] = n
	}
	return out, rows.Err()
}

// OutboundEnvelope returns the wire bytes of an envelope this node queued
// (for "art35 envelope export", carrying it by another channel).
func (e *Envelopes) OutboundEnvelope(ctx context.Context, messageID string) ([]byte, error) {
	var raw []byte
	found, err := store.Found(e.db.QueryRowContext(ctx, `SELECT raw FROM outbound_envelopes WHERE message_id = $1`, messageID).Scan(&raw))
	if found || err != nil {
		return raw, err
	}
	return nil, apperr.Errorf(apperr.ENotFound, "no outgoing envelope with message id %s", messageID)
}

// DeliveredSince returns, by message id, when each outgoing envelope of
// kind queued at or after since was delivered (the peer's receipt time);
// envelopes not delivered are absent. Services that show delivery (ping
// results) ask here rather than read the outbox table.
func (e *Envelopes) DeliveredSince(ctx context.Context, kind envelope.Kind, since time.Time) (map[string]time.Time, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT message_id, delivered_at FROM outbound_envelopes
		WHERE kind = $1 AND created_at >= $2 AND state = 'delivered'`, string(kind), store.FormatTime(since))
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id, at string
		if err := rows.Scan(&id, &at); err != nil {
			return nil, store.MapError(err)
		}
		t, err := store.ParseTime(at)
		if err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, store.MapError(rows.Err())
}

// InboundReceivedAt returns when the inbound envelope messageID was
// received, and false when this node holds none with that id.
func InboundReceivedAt(ctx context.Context, db *store.DB, messageID string) (time.Time, bool, error) {
	var at string
	found, err := store.Found(db.QueryRowContext(ctx, `SELECT received_at FROM inbound_envelopes WHERE message_id = $1`, messageID).Scan(&at))
	if !found {
		return time.Time{}, false, err
	}
	t, err := store.ParseTime(at)
	return t, err == nil, err
}

// PurgeInbound removes, inside tx, the wire bytes and body of the inbound
// envelopes with the given message ids not purged yet, stamping them
// purged at stamp; ids, digests and dates stay. It returns how many it
// purged.
func PurgeInbound(ctx context.Context, tx *sql.Tx, messageIDs []string, stamp string) (int, error) {
	n := 0
	for _, id := range messageIDs {
		r, err := tx.ExecContext(ctx, `UPDATE inbound_envelopes SET body = $1, raw = $1, purged_at = $2
			WHERE purged_at = '' AND message_id = $3`, []byte{}, stamp, id)
		if err != nil {
			return n, store.MapError(err)
		}
		k, _ := r.RowsAffected()
		n += int(k)
	}
	return n, nil
}
