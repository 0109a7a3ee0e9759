package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// SnapshotRecord is a signed directory snapshot as the node stored it. The
// store keeps the signed bytes exactly as received, so that the signature
// can be checked again at any later time.
type SnapshotRecord struct {
	Serial     uint64
	IssuedAt   time.Time
	ValidUntil time.Time
	Digest     string // hex SHA-256 of Signed
	Signed     []byte
	AcceptedAt time.Time
}

// SaveSnapshot records an accepted snapshot. The caller has verified the
// signature; the store enforces the no-rollback rule inside the transaction,
// so two processes accepting snapshots at once cannot both win: a serial not
// higher than the highest held is refused with EConflict.
func (db *DB) SaveSnapshot(ctx context.Context, r SnapshotRecord) error {
	return db.SaveSnapshotWith(ctx, r, nil)
}

// SaveSnapshotWith is SaveSnapshot with also running in the same
// transaction (the node's audit record of the change).
func (db *DB) SaveSnapshotWith(ctx context.Context, r SnapshotRecord, also func(tx *sql.Tx) error) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var held sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(serial) FROM directory_snapshots`).Scan(&held); err != nil {
			return err
		}
		if held.Valid && r.Serial <= uint64(held.Int64) {
			return apperr.Errorf(apperr.EConflict,
				"directory snapshot serial %d is not higher than the serial %d this node holds: refusing a rollback (ask the secretariat for the current snapshot)",
				r.Serial, held.Int64)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO directory_snapshots (serial, issued_at, valid_until, digest, signed, accepted_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			int64(r.Serial), FormatTime(r.IssuedAt), FormatTime(r.ValidUntil), r.Digest, r.Signed, FormatTime(r.AcceptedAt))
		if err != nil || also == nil {
			return err
		}
		return also(tx)
	})
}

// LatestSnapshot returns the snapshot with the highest serial, or an
// ENotFound error when the node holds none yet.
func (db *DB) LatestSnapshot(ctx context.Context) (SnapshotRecord, error) {
	row := db.QueryRowContext(ctx, `SELECT serial, issued_at, valid_until, digest, signed, accepted_at
		FROM directory_snapshots ORDER BY serial DESC LIMIT 1`)
	r, err := scanSnapshot(row)
	if apperr.Is(err, apperr.ENotFound) {
		return r, apperr.Errorf(apperr.ENotFound, "this node holds no signed directory snapshot yet")
	}
	return r, err
}

// LatestSnapshotSerial returns the highest serial held, 0 when none: a
// cheap check of whether a cached directory is still the newest.
func (db *DB) LatestSnapshotSerial(ctx context.Context) (uint64, error) {
	var held sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(serial) FROM directory_snapshots`).Scan(&held); err != nil {
		return 0, MapError(err)
	}
	return uint64(held.Int64), nil
}

// SnapshotHistory lists the accepted snapshots, newest first, without their bodies.
func (db *DB) SnapshotHistory(ctx context.Context) ([]SnapshotRecord, error) {
	rows, err := db.QueryContext(ctx, `SELECT serial, issued_at, valid_until, digest, accepted_at
		FROM directory_snapshots ORDER BY serial DESC`)
	if err != nil {
		return nil, MapError(err)
	}
	defer rows.Close()
	var out []SnapshotRecord
	for rows.Next() {
		var (
			r                   SnapshotRecord
			serial              int64
			issued, valid, accd string
		)
		if err := rows.Scan(&serial, &issued, &valid, &r.Digest, &accd); err != nil {
			return nil, err
		}
		r.Serial = uint64(serial)
		if err := parseTimes([]string{issued, valid, accd}, &r.IssuedAt, &r.ValidUntil, &r.AcceptedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanSnapshot(row *sql.Row) (SnapshotRecord, error) {
	var (
		r                   SnapshotRecord
		serial              int64
		issued, valid, accd string
	)
	if err := row.Scan(&serial, &issued, &valid, &r.Digest, &r.Signed, &accd); err != nil {
		return r, MapError(err)
	}
	r.Serial = uint64(serial)
	err := parseTimes([]string{issued, valid, accd}, &r.IssuedAt, &r.ValidUntil, &r.AcceptedAt)
	return r, err
}

func parseTimes(src []string, dst ...*time.Time) error {
	for i, s := range src {
		t, err := ParseTime(s)
		if err != nil {
			return err
		}
		*dst[i] = t
	}
	return nil
}

// SetMeta sets a node_meta value.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// Meta returns a node_meta value, or ENotFound.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM node_meta WHERE key = $1`, key).Scan(&v)
	if err != nil {
		return "", MapError(err)
	}
	return v, nil
}
