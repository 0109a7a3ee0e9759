package node

import (
	"context"
	"database/sql"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
)

// Snapshots is the node's storage of the signed directory snapshots it
// accepted (table directory_snapshots). The node owns the directory's life
// (cache, acceptance, polling, serving it to peers), so it owns this table;
// the directory package itself stays free of storage.
type Snapshots struct{ db *store.DB }

// NewSnapshots returns the snapshot store over db.
func NewSnapshots(db *store.DB) *Snapshots { return &Snapshots{db: db} }

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

// Save records an accepted snapshot. The caller has verified the
// signature; the store enforces the no-rollback rule inside the transaction,
// so two processes accepting snapshots at once cannot both win: a serial not
// higher than the highest held is refused with EConflict.
func (s *Snapshots) Save(ctx context.Context, r SnapshotRecord) error {
	return s.SaveWith(ctx, r, nil)
}

// SaveWith is Save with also running in the same
// transaction (the node's audit record of the change).
func (s *Snapshots) SaveWith(ctx context.Context, r SnapshotRecord, also func(tx *sql.Tx) error) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
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
			int64(r.Serial), store.FormatTime(r.IssuedAt), store.FormatTime(r.ValidUntil), r.Digest, r.Signed, store.FormatTime(r.AcceptedAt))
		if err != nil || also == nil {
			return err
		}
		return also(tx)
	})
}

// Latest returns the snapshot with the highest serial, or an
// ENotFound error when the node holds none yet.
func (s *Snapshots) Latest(ctx context.Context) (SnapshotRecord, error) {
	row := s.db.QueryRowContext(ctx, `SELECT serial, issued_at, valid_until, digest, signed, accepted_at
		FROM directory_snapshots ORDER BY serial DESC LIMIT 1`)
	r, err := scanSnapshot(row)
	if apperr.Is(err, apperr.ENotFound) {
		return r, apperr.Errorf(apperr.ENotFound, "this node holds no signed directory snapshot yet")
	}
	return r, err
}

// LatestSerial returns the highest serial held, 0 when none: a
// cheap check of whether a cached directory is still the newest.
func (s *Snapshots) LatestSerial(ctx context.Context) (uint64, error) {
	var held sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(serial) FROM directory_snapshots`).Scan(&held); err != nil {
		return 0, store.MapError(err)
	}
	return uint64(held.Int64), nil
}

// History lists the accepted snapshots, newest first, without their bodies.
func (s *Snapshots) History(ctx context.Context) ([]SnapshotRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT serial, issued_at, valid_until, digest, accepted_at
		FROM directory_snapshots ORDER BY serial DESC`)
	if err != nil {
		return nil, store.MapError(err)
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
		if err := store.ParseTimes([]string{issued, valid, accd}, &r.IssuedAt, &r.ValidUntil, &r.AcceptedAt); err != nil {
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
		return r, store.MapError(err)
	}
	r.Serial = uint64(serial)
	err := store.ParseTimes([]string{issued, valid, accd}, &r.IssuedAt, &r.ValidUntil, &r.AcceptedAt)
	return r, err
}
