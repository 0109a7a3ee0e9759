package federation

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/store"
)

// ClaimDue returns up to limit due envelopes (as DueOutbound: emergencies
// first, then oldest, the head of each stream only) and claims them for
// replica until leaseUntil, so that the other replicas of the node, on
// the same PostgreSQL database, do not send them too.
//
// On PostgreSQL the due rows are locked with FOR UPDATE SKIP LOCKED (two
// replicas claiming at once take disjoint sets instead of waiting for
// each other) and the claim sets claimed_by, lease_until and
// next_attempt_at = leaseUntil in the same statement: an envelope whose
// replica dies before it records an outcome becomes due again when the
// lease expires, and a recorded outcome (MarkDelivered, MarkAttempt)
// replaces the claim. On SQLite, where one process runs the node, it is
// DueOutbound: nothing to claim, no write per pass.
func (e *Envelopes) ClaimDue(ctx context.Context, replica string, now, leaseUntil time.Time, limit int) ([]Outbound, error) {
	if e.db.Backend() != store.Postgres {
		return e.DueOutbound(ctx, now, limit)
	}
	// The sub-select is DueOutbound's; FOR UPDATE OF o locks the claimed
	// rows only, not the stream rows the NOT EXISTS looks at. A row another
	// replica claimed and committed meanwhile is re-checked by PostgreSQL
	// against the new next_attempt_at and dropped.
	rows, err := e.db.QueryContext(ctx, `UPDATE outbound_envelopes SET claimed_by = $3, lease_until = $4, next_attempt_at = $4
		WHERE message_id IN (SELECT o.message_id FROM outbound_envelopes o
			WHERE o.state = 'queued' AND o.next_attempt_at <= $1
			AND (o.stream = '' OR NOT EXISTS (SELECT 1 FROM outbound_envelopes p
				WHERE p.recipient = o.recipient AND p.stream = o.stream AND p.state = 'queued'
				AND p.seq < o.seq))
			ORDER BY o.emergency DESC, o.seq LIMIT $2
			FOR UPDATE OF o SKIP LOCKED)
		AND state = 'queued' AND next_attempt_at <= $1
		RETURNING raw, attempts, created_at, emergency, seq`,
		store.FormatTime(now), limit, replica, store.FormatTime(leaseUntil))
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	type claimed struct {
		Outbound
		emergency, seq int64
	}
	var got []claimed
	for rows.Next() {
		var (
			raw     []byte
			c       claimed
			created string
		)
		if err := rows.Scan(&raw, &c.Attempts, &created, &c.emergency, &c.seq); err != nil {
			return nil, store.MapError(err)
		}
		if c.Envelope, err = envelope.Parse(raw); err != nil {
			return nil, fmt.Errorf("stored outbound envelope: %w", err)
		}
		if c.Created, err = store.ParseTime(created); err != nil {
			return nil, err
		}
		got = append(got, c)
	}
	if err := rows.Err(); err != nil {
		return nil, store.MapError(err)
	}
	// RETURNING has no order: put it back to DueOutbound's.
	sort.Slice(got, func(i, j int) bool {
		if got[i].emergency != got[j].emergency {
			return got[i].emergency > got[j].emergency
		}
		return got[i].seq < got[j].seq
	})
	out := make([]Outbound, len(got))
	for i, c := range got {
		out[i] = c.Outbound
	}
	return out, nil
}

// ClaimedBy returns which replica holds the claim on an outgoing envelope
// and until when ("" and the zero time when none ever claimed it), for
// tests and "art35 outbox".
func (e *Envelopes) ClaimedBy(ctx context.Context, messageID string) (string, time.Time, error) {
	var by, until string
	if err := e.db.QueryRowContext(ctx, `SELECT claimed_by, lease_until FROM outbound_envelopes WHERE message_id = $1`, messageID).Scan(&by, &until); err != nil {
		return "", time.Time{}, store.MapError(err)
	}
	if until == "" {
		return by, time.Time{}, nil
	}
	t, err := store.ParseTime(until)
	return by, t, err
}
