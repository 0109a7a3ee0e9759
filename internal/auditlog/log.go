// Package auditlog is a node's tamper-evident audit log: an append-only
// Merkle tree (RFC 6962 hashing, golang.org/x/mod/sumdb/tlog) kept in the
// node's own database, with checkpoints (size and root hash) signed by the
// node's Ed25519 key as sumdb notes.
//
// Every envelope sent or received (by digest, never its content), every
// access to personal data, every sign-in, administrative change and inbox
// rejection is appended with Append in the same transaction as the change
// it records, so the record and the change commit or roll back together.
//
// Verify recomputes every hash from the records and checks every stored
// checkpoint; Prove exports a self-contained bundle for one message that
// CheckBundle verifies offline with only public keys. Once a checkpoint is
// signed (and, later, countersigned by peers), changing, removing or
// reordering any record it covers is detected.
package auditlog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
)

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Append adds rec to the log inside the caller's transaction tx and returns
// its index. The caller's business change and the record commit together or
// not at all. Appends are serialised by the audit_head row, which Append
// updates first: concurrent appenders on PostgreSQL wait on its row lock
// (tx must be READ COMMITTED, the default), and on SQLite the write lock
// taken at BEGIN does the same.
func Append(ctx context.Context, tx *sql.Tx, rec Record) (index int64, err error) {
	if err := rec.Validate(); err != nil {
		return -1, err
	}
	leaf, err := rec.Encode()
	if err != nil {
		return -1, err
	}
	var size int64
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET size = size + 1 WHERE id = 1 RETURNING size`).Scan(&size); err != nil {
		return -1, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: take the next index")
	}
	n := size - 1
	hashes, err := tlog.StoredHashes(n, leaf, hashReader{ctx: ctx, q: tx})
	if err != nil {
		return -1, apperr.Wrap(apperr.EInternal, err, "audit log: compute hashes of record %d", n)
	}
	first := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_hashes (id, hash) VALUES ($1, $2)`, first+int64(i), h[:]); err != nil {
			return -1, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: store hash %d of record %d", i, n)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_records (idx, kind, at, actor, case_ref, message_id, digest, leaf)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		n, string(rec.Kind), store.FormatTime(rec.Time), rec.Actor, rec.Case, rec.MessageID, rec.Digest, leaf)
	if err != nil {
		return -1, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: store record %d", n)
	}
	return n, nil
}

// AppendOne appends rec in a transaction of its own, for events that change
// nothing else in the database (a sign-in, a read).
func AppendOne(ctx context.Context, db *store.DB, rec Record) (index int64, err error) {
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		index, err = Append(ctx, tx, rec)
		return err
	})
	return index, err
}

// Size returns the number of records in the log.
func Size(ctx context.Context, db *store.DB) (int64, error) {
	return size(ctx, db)
}

func size(ctx context.Context, q querier) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&n); err != nil {
		return 0, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: read its size (is the database migrated?)")
	}
	return n, nil
}

// hashReader reads tlog's stored hashes from the audit_hashes table.
type hashReader struct {
	ctx context.Context
	q   querier
}

// ReadHashes implements tlog.HashReader.
func (r hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	ph := make([]string, len(indexes))
	args := make([]any, len(indexes))
	for i, x := range indexes {
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = x
	}
	rows, err := r.q.QueryContext(r.ctx, `SELECT id, hash FROM audit_hashes WHERE id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	got := make(map[int64]tlog.Hash, len(indexes))
	for rows.Next() {
		var (
			id int64
			b  []byte
		)
		if err := rows.Scan(&id, &b); err != nil {
			return nil, err
		}
		if len(b) != tlog.HashSize {
			return nil, apperr.Errorf(apperr.EInvalid, "audit log: stored hash %d has %d bytes, want %d (the table was changed)", id, len(b), tlog.HashSize)
		}
		got[id] = tlog.Hash(b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := got[x]
		if !ok {
			return nil, apperr.Errorf(apperr.EInvalid, "audit log: stored hash %d is missing (the table was changed; run 'art35 audit verify')", x)
		}
		out[i] = h
	}
	return out, nil
}
