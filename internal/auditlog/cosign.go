package auditlog

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
)

// The witnesses' cosignatures of this node's checkpoints are part of the
// audit log: internal/witness checks them, this package stores them
// (table audit_cosignatures) and puts them in proof bundles.

// CheckpointNote returns the signed note of this node's checkpoint of the
// given size (the newest, if the log made several of that size).
func CheckpointNote(ctx context.Context, db *store.DB, size int64) ([]byte, error) {
	var msg []byte
	found, err := store.Found(db.QueryRowContext(ctx, `SELECT note FROM audit_checkpoints WHERE size = $1 ORDER BY seq DESC LIMIT 1`, size).Scan(&msg))
	if err != nil {
		return nil, fmt.Errorf("audit log: read the checkpoint of size %d: %w", size, err)
	}
	if !found {
		return nil, apperr.Errorf(apperr.ENotFound, "this node made no audit checkpoint of size %d", size)
	}
	return msg, nil
}

// AddCosignature stores a witness's signature line over the checkpoint of
// the given size; a second one from the same witness is ignored.
func AddCosignature(ctx context.Context, db *store.DB, size int64, witness, line string, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_cosignatures (size, witness, signature, received_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (size, witness) DO NOTHING`, size, witness, line, store.FormatTime(at))
		return err
	})
}

// Cosignatures returns the witnesses' signature lines over the checkpoint
// of the given size, by witness.
func Cosignatures(ctx context.Context, db *store.DB, size int64) ([]Cosignature, error) {
	rows, err := db.QueryContext(ctx, `SELECT witness, signature FROM audit_cosignatures WHERE size = $1 ORDER BY witness`, size)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []Cosignature
	for rows.Next() {
		var c Cosignature
		if err := rows.Scan(&c.Witness, &c.Signature); err != nil {
			return nil, store.MapError(err)
		}
		out = append(out, c)
	}
	return out, store.MapError(rows.Err())
}
