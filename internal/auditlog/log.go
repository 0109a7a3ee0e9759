// Package auditlog is a node's tamper-evident audit log: an append-only
// Merkle tree (RFC 6962 hashing, golang.org/x/mod/sumdb/tlog) kept in the
// node's own database, with checkpoints (size and root hash) signed by the
// node's Ed25519 key as sumdb notes.
//
// Every envelope sent or received (by digest, never its content), every
// access to personal data, every sign-in, administrative change and inbox
// rejection is staged with Append in the same transaction as the change
// it records, so the record and the change commit or roll back together.
// One sequencer (Log.Run) integrates staged records into the tree in
// batches and signs a tree head per batch, as transparency logs do
// (sequence.go): writers never queue on the log.
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

// Append stages rec inside the caller's transaction tx. The caller's
// business change and the record commit together or not at all, and a
// committed record is never lost: it waits in audit_staged until the
// sequencer (Log.Sequence, run by Log.Run) integrates it into the Merkle
// log in a batch, in the order records were staged, and signs a new tree
// head for the batch. Staging is one insert that touches no shared row, so
// concurrent transactions do not wait for each other on the log (on
// PostgreSQL they used to queue on the audit_head row lock, which kept
// commits from grouping).
//
// The returned ticket identifies the staged record; it is not the record's
// index in the log, which is only known once it is sequenced (see
// WaitSequenced; records are found by message id, case or actor).
func Append(ctx context.Context, tx *sql.Tx, rec Record) (ticket int64, err error) {
	if err := rec.Validate(); err != nil {
		return -1, err
	}
	leaf, err := rec.Encode()
	if err != nil {
		return -1, err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO audit_staged (leaf) VALUES ($1) RETURNING id`, leaf).Scan(&ticket); err != nil {
		return -1, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: stage a record")
	}
	return ticket, nil
}

// AppendOne appends rec in a transaction of its own and integrates it into
// the log at once, returning its index: for rare events that change
// nothing else in the database (a sign-in) and for tools and tests that
// need the index. It takes the log's head lock like the sequencer, so it
// is not for hot paths; records staged by others before it may be
// sequenced after it.
func AppendOne(ctx context.Context, db *store.DB, rec Record) (index int64, err error) {
	if err := rec.Validate(); err != nil {
		return -1, err
	}
	leaf, err := rec.Encode()
	if err != nil {
		return -1, err
	}
	// Alone, not in a group: it takes the head lock (store.DB.TxAlone).
	err = db.TxAlone(ctx, func(tx *sql.Tx) error {
		index, err = appendNow(ctx, tx, rec, leaf)
		return err
	})
	return index, err
}

// appendNow integrates one record into the log inside tx, taking the next
// index under the audit_head lock.
func appendNow(ctx context.Context, tx *sql.Tx, rec Record, leaf []byte) (int64, error) {
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
