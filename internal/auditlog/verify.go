package auditlog

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
)

// Report is what Verify found in a sound log.
type Report struct {
	// Size is the number of records checked (the log's size when Verify
	// started; records appended meanwhile are left for the next run).
	Size int64
	// Root is the recomputed root hash of those Size records.
	Root tlog.Hash
	// Checkpoints is the number of signed checkpoints checked.
	Checkpoints int
	// Latest is the most recent checkpoint, if any.
	Latest *Checkpoint
}

// BreakError says where a log stops being what it claims to be.
type BreakError struct {
	// Index is the first record that is wrong, missing, or (for a
	// checkpoint that no longer matches) the first record that may have
	// been changed. -1 when no record is involved (a bad signature).
	Index int64
	// Checkpoint is the sequence number of the checkpoint involved, or 0.
	Checkpoint int64
	// Reason says what is wrong, for a person.
	Reason string
}

func (e *BreakError) Error() string {
	switch {
	case e.Index >= 0 && e.Checkpoint > 0:
		return fmt.Sprintf("audit log broken at record %d (checkpoint %d): %s", e.Index, e.Checkpoint, e.Reason)
	case e.Index >= 0:
		return fmt.Sprintf("audit log broken at record %d: %s", e.Index, e.Reason)
	case e.Checkpoint > 0:
		return fmt.Sprintf("audit log broken at checkpoint %d: %s", e.Checkpoint, e.Reason)
	}
	return "audit log broken: " + e.Reason
}

func broken(index, checkpoint int64, format string, args ...any) error {
	b := &BreakError{Index: index, Checkpoint: checkpoint, Reason: fmt.Sprintf(format, args...)}
	return apperr.Wrap(apperr.EInvalid, b, "audit verification failed")
}

// storedCheckpoint is a checkpoint row with its sequence number.
type storedCheckpoint struct {
	seq int64
	Checkpoint
}

// verifyBatch is how many records Verify reads per query: it keeps memory
// flat however long the log grows.
const verifyBatch = 512

// Verify recomputes every hash of the log from its records and checks
// every stored checkpoint: its signature by one of verifiers (the node's
// current and earlier keys), that it agrees with its table row, and that
// its root is the root of the records it covers. It returns the first place
// where the log breaks as an EInvalid error wrapping a *BreakError.
//
// Memory is independent of the log's length: the recomputation keeps only
// the "frontier" (one hash per level) and reads records in batches.
func Verify(ctx context.Context, db *store.DB, verifiers ...note.Verifier) (Report, error) {
	var rep Report
	if len(verifiers) == 0 {
		return rep, apperr.Errorf(apperr.EInvalid, "audit verify: no public key to check checkpoints with; give the node's signing key")
	}
	// The size and the sequencer's tree head in one statement: they
	// change together.
	var (
		size     int64
		headRoot []byte
		headAt   sql.NullString
		headNote sql.NullString
	)
	if err := db.QueryRowContext(ctx, `SELECT size, root, made_at, note FROM audit_head WHERE id = 1`).Scan(&size, &headRoot, &headAt, &headNote); err != nil {
		return rep, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit verify: read the log's size (is the database migrated?)")
	}
	rep.Size = size
	cps, err := loadCheckpoints(ctx, db, size, verifiers)
	if err != nil {
		return rep, err
	}
	rep.Checkpoints = len(cps)
	if len(cps) > 0 {
		last := cps[len(cps)-1].Checkpoint
		rep.Latest = &last
	}
	if headNote.Valid {
		// The tree head is checked like a checkpoint, at its size.
		head, err := checkHead(headRoot, headAt, headNote.String, size, cps, verifiers)
		if err != nil {
			return rep, err
		}
		at := len(cps)
		for at > 0 && cps[at-1].Size > head.Size {
			at--
		}
		cps = slices.Insert(cps, at, storedCheckpoint{seq: 0, Checkpoint: head})
	}

	var (
		stack   []tlog.Hash // roots of the complete subtrees, largest first
		nextCP  = 0
		goodEnd = int64(0) // records up to here are covered by a good checkpoint
	)
	for lo := int64(0); lo < size; lo += verifyBatch {
		hi := min(lo+verifyBatch, size)
		recs, err := readRecords(ctx, db, lo, hi)
		if err != nil {
			return rep, err
		}
		stored, err := readHashRange(ctx, db, tlog.StoredHashIndex(0, lo), tlog.StoredHashIndex(0, hi))
		if err != nil {
			return rep, err
		}
		for n := lo; n < hi; n++ {
			rec, ok := recs[n]
			if !ok {
				return rep, broken(n, 0, "record %d is missing from the table (deleted); the log had %d records", n, size)
			}
			if err := rec.check(); err != nil {
				return rep, broken(n, 0, "%v", err)
			}
			// Push the leaf and fold complete subtrees, exactly as
			// tlog.StoredHashes does, collecting the hashes record n stores.
			h := tlog.RecordHash(rec.leaf)
			want := []tlog.Hash{h}
			for m := n; m&1 == 1; m >>= 1 {
				h = tlog.NodeHash(stack[len(stack)-1], h)
				stack = stack[:len(stack)-1]
				want = append(want, h)
			}
			stack = append(stack, h)
			first := tlog.StoredHashIndex(0, n)
			for i, w := range want {
				id := first + int64(i)
				got, ok := stored[id]
				switch {
				case !ok:
					return rep, broken(n, 0, "stored hash %d of record %d is missing (deleted from audit_hashes)", id, n)
				case i == 0 && got != w:
					return rep, broken(n, 0, "the record's leaf hash differs from the hash stored when it was appended: the record or its stored hash was changed, or records were moved")
				case got != w:
					return rep, broken(n, 0, "stored hash %d (level %d, records %d to %d) differs from the one recomputed from the records: audit_hashes was changed", id, i, n+1-(int64(1)<<i), n)
				}
			}
			for nextCP < len(cps) && cps[nextCP].Size == n+1 {
				cp := cps[nextCP]
				if root := foldRoot(stack); root != cp.Root {
					return rep, broken(goodEnd, cp.seq,
						"signed root of %d records does not match the records: a record from %d to %d was changed and the stored hashes rewritten to hide it",
						cp.Size, goodEnd, cp.Size-1)
				}
				goodEnd = cp.Size
				nextCP++
			}
		}
	}
	if size > 0 {
		rep.Root = foldRoot(stack)
	}
	// A record beyond the log's end was put there by hand (an append
	// commits its record and the head together). One statement reads both,
	// so appends running meanwhile are not mistaken for strays.
	var stray sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MIN(idx) FROM audit_records WHERE idx >= (SELECT size FROM audit_head WHERE id = 1)`).Scan(&stray); err != nil {
		return rep, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit verify: look for records beyond the end")
	}
	if stray.Valid {
		return rep, broken(stray.Int64, 0, "record %d lies beyond the end of the log: it was inserted into the table directly, not appended", stray.Int64)
	}
	return rep, nil
}

// checkHead checks the sequencer's signed tree head: its signature, that
// the row agrees with the note, that it is of the same log as the
// checkpoints and not beyond the log's end. Its root is checked by Verify's
// recomputation like a checkpoint's.
func checkHead(root []byte, at sql.NullString, msg string, size int64, cps []storedCheckpoint, verifiers []note.Verifier) (Checkpoint, error) {
	c, err := OpenCheckpoint([]byte(msg), verifiers...)
	if err != nil {
		return c, broken(-1, 0, "the tree head in audit_head: %v", err)
	}
	if !bytes.Equal(c.Root[:], root) || !at.Valid || store.FormatTime(c.Time) != at.String {
		return c, broken(-1, 0, "the tree head row (time %s) disagrees with its signed note (time %s): audit_head was changed", at.String, store.FormatTime(c.Time))
	}
	if len(cps) > 0 && cps[0].Origin != c.Origin {
		return c, broken(-1, 0, "the tree head is of log %s among checkpoints of %s", c.Origin, cps[0].Origin)
	}
	if c.Size > size {
		return c, broken(size, 0, "the tree head covers %d records but the log has only %d: records %d to %d were removed after it was signed", c.Size, size, size, c.Size-1)
	}
	return c, nil
}

// foldRoot returns the root hash of the tree whose complete subtrees are
// stack (largest first): RFC 6962's MTH, folded from the right.
func foldRoot(stack []tlog.Hash) tlog.Hash {
	h := stack[len(stack)-1]
	for i := len(stack) - 2; i >= 0; i-- {
		h = tlog.NodeHash(stack[i], h)
	}
	return h
}

// loadCheckpoints reads and checks every checkpoint row: signature, note
// against the row, one origin, sizes never shrinking and never beyond the
// log. It returns them ordered by size (equal to their sequence order).
func loadCheckpoints(ctx context.Context, db *store.DB, size int64, verifiers []note.Verifier) ([]storedCheckpoint, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, size, root, made_at, note FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit verify: read checkpoints")
	}
	defer rows.Close()
	var (
		out    []storedCheckpoint
		origin string
	)
	for rows.Next() {
		var (
			seq, csize int64
			root       []byte
			at, msg    string
		)
		if err := rows.Scan(&seq, &csize, &root, &at, &msg); err != nil {
			return nil, err
		}
		c, err := OpenCheckpoint([]byte(msg), verifiers...)
		if err != nil {
			return nil, broken(-1, seq, "%v", err)
		}
		if c.Size != csize || !bytes.Equal(c.Root[:], root) || store.FormatTime(c.Time) != at {
			return nil, broken(-1, seq, "the table row (size %d, time %s) disagrees with the signed note (size %d, time %s): the row was changed", csize, at, c.Size, store.FormatTime(c.Time))
		}
		if origin == "" {
			origin = c.Origin
		} else if c.Origin != origin {
			return nil, broken(-1, seq, "checkpoint of log %s among checkpoints of %s", c.Origin, origin)
		}
		if len(out) > 0 && c.Size < out[len(out)-1].Size {
			return nil, broken(c.Size, seq, "covers %d records, fewer than checkpoint %d before it (%d): the log shrank", c.Size, out[len(out)-1].seq, out[len(out)-1].Size)
		}
		if c.Size > size {
			return nil, broken(size, seq, "covers %d records but the log has only %d: records %d to %d were removed after it was signed", c.Size, size, size, c.Size-1)
		}
		out = append(out, storedCheckpoint{seq: seq, Checkpoint: c})
	}
	return out, rows.Err()
}

// storedRecord is a row of audit_records.
type storedRecord struct {
	idx                                       int64
	kind, at, actor, caseRef, message, digest string
	leaf                                      []byte
}

// check decodes the leaf and compares the query columns with it.
func (s storedRecord) check() error {
	r, err := Decode(s.leaf)
	if err != nil {
		return fmt.Errorf("the stored leaf is not a valid record (%v): it was changed", err)
	}
	for _, c := range []struct{ col, table, leaf string }{
		{"kind", s.kind, string(r.Kind)},
		{"at", s.at, store.FormatTime(r.Time)},
		{"actor", s.actor, r.Actor},
		{"case_ref", s.caseRef, r.Case},
		{"message_id", s.message, r.MessageID},
		{"digest", s.digest, r.Digest},
	} {
		if c.table != c.leaf {
			return fmt.Errorf("column %s says %q but the record's leaf says %q: the table was changed", c.col, trunc(c.table), trunc(c.leaf))
		}
	}
	return nil
}

func readRecords(ctx context.Context, q querier, lo, hi int64) (map[int64]storedRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT idx, kind, at, actor, case_ref, message_id, digest, leaf
		FROM audit_records WHERE idx >= $1 AND idx < $2 ORDER BY idx`, lo, hi)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: read records %d to %d", lo, hi-1)
	}
	defer rows.Close()
	out := make(map[int64]storedRecord, hi-lo)
	for rows.Next() {
		var s storedRecord
		if err := rows.Scan(&s.idx, &s.kind, &s.at, &s.actor, &s.caseRef, &s.message, &s.digest, &s.leaf); err != nil {
			return nil, err
		}
		out[s.idx] = s
	}
	return out, rows.Err()
}

func readHashRange(ctx context.Context, q querier, lo, hi int64) (map[int64]tlog.Hash, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, hash FROM audit_hashes WHERE id >= $1 AND id < $2`, lo, hi)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: read stored hashes")
	}
	defer rows.Close()
	out := make(map[int64]tlog.Hash, hi-lo)
	for rows.Next() {
		var (
			id int64
			b  []byte
		)
		if err := rows.Scan(&id, &b); err != nil {
			return nil, err
		}
		var h tlog.Hash
		copy(h[:], b)
		if len(b) != tlog.HashSize {
			// A wrong-length hash can never equal a recomputed one; zero
			// it so the comparison reports it.
			h = tlog.Hash{}
		}
		out[id] = h
	}
	return out, rows.Err()
}
