package cases

import (
	"context"
	"database/sql"

	"github.com/art35/art35/internal/store"
)

// Received is a request this node received and has not purged, as the
// retention purge sees it.
type Received struct {
	ID, Type, State, RequestingParty string
	MessageID                        string // of the envelope that carried it
}

// ReceivedUnpurged lists the received requests whose personal data is
// still held.
func ReceivedUnpurged(ctx context.Context, db *store.DB) ([]Received, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, type, state, requesting_party, message_id
		FROM requests WHERE direction = 'in' AND purged_at = '' ORDER BY id`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []Received
	for rows.Next() {
		var r Received
		if err := rows.Scan(&r.ID, &r.Type, &r.State, &r.RequestingParty, &r.MessageID); err != nil {
			return nil, store.MapError(err)
		}
		out = append(out, r)
	}
	return out, store.MapError(rows.Err())
}

// PurgeTx replaces, inside tx, a request's document with tombstone and the
// details of its evidences with a marker, stamping it purged at stamp. It
// returns the message ids of the envelopes that carried the request and
// its evidences, whose bodies the caller purges in the same transaction.
func PurgeTx(ctx context.Context, tx *sql.Tx, id string, tombstone []byte, stamp string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT message_id FROM evidences WHERE request_id = $1 AND message_id <> ''
		UNION SELECT message_id FROM requests WHERE id = $1`, id)
	if err != nil {
		return nil, store.MapError(err)
	}
	var ids []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return nil, store.MapError(err)
		}
		ids = append(ids, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, store.MapError(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET document = $1, purged_at = $2 WHERE id = $3`, tombstone, stamp, id); err != nil {
		return nil, store.MapError(err)
	}
	// Evidence details can name people and references: keep only the step
	// itself.
	if _, err := tx.ExecContext(ctx, `UPDATE evidences SET document = $1 WHERE request_id = $2`, []byte(`{"purged":true}`), id); err != nil {
		return nil, store.MapError(err)
	}
	return ids, nil
}
