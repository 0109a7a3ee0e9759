package auditlog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
)

// Sequencing: records are staged by Append in the business transaction
// (audit_staged) and integrated into the Merkle tree here, in batches, by
// one sequencer at a time: the batch transaction takes the audit_head row
// lock first, so two sequencers (two processes on one PostgreSQL database)
// run one after the other, never on the same records. A staged row is
// deleted in the transaction that writes its record and hashes, so a crash
// at any point leaves it either staged or sequenced, never lost or doubled;
// the next sequencer run (at start-up) picks it up.
//
// Each batch also signs a tree head: a checkpoint of the log's new size,
// kept in audit_head (overwritten per batch; Head reads it). The periodic
// checkpoints of Log.Run, which peers witness and cosign, stay in
// audit_checkpoints.

// MaxBatch bounds the records one sequencing transaction integrates, so
// one batch never holds the head lock (and, on SQLite, the write lock) long.
const MaxBatch = 1024

// SequenceInterval is the least time between two batches of the running
// sequencer: records committed meanwhile wait for the next batch, so that
// under load one batch (one transaction, one signature, on SQLite one
// fsync) carries many records instead of one per business commit. It is
// also about the longest a record waits to be sequenced on a busy node.
var SequenceInterval = 50 * time.Millisecond

// SequencePoll is how often Run looks for staged records when no commit
// woke it: records staged by another process (a CLI command beside the
// node, another replica) are sequenced within this time.
const SequencePoll = 2 * time.Second

// errTestCrash, when set by a test, makes a batch fail after writing its
// records and hashes but before committing: a crash mid-sequencing.
var errTestCrash error

type staged struct {
	id   int64
	leaf []byte
}

// Sequence integrates every staged record into the log, in batches of at
// most MaxBatch, signing a tree head per batch. It returns the number of
// records sequenced.
func (l *Log) Sequence(ctx context.Context) (int, error) {
	// A read first: when nothing is staged (most wake-ups of an idle
	// node), no write transaction is opened, so no commit and no fsync.
	var first int64
	ok, err := store.Found(l.DB.QueryRowContext(ctx, `SELECT id FROM audit_staged LIMIT 1`).Scan(&first))
	if err != nil {
		return 0, apperr.Wrap(apperr.EInternal, err, "audit sequencer: look for staged records")
	}
	if !ok {
		return 0, nil
	}
	total := 0
	for {
		n, err := l.sequenceBatch(ctx)
		total += n
		if err != nil || n < MaxBatch {
			return total, err
		}
	}
}

// sequenceBatch integrates up to MaxBatch staged records in one transaction.
func (l *Log) sequenceBatch(ctx context.Context) (int, error) {
	var done int
	// Alone, not in a group: it holds the head lock (store.DB.TxAlone).
	err := l.DB.TxAlone(ctx, func(tx *sql.Tx) error {
		done = 0
		var (
			size             int64
			headRoot         []byte
			headNote, headAt sql.NullString
		)
		// A no-op update takes the head lock (PostgreSQL) before anything
		// is read, so that size and hashes belong to one state of the log.
		if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET size = size WHERE id = 1 RETURNING size, root, note, made_at`).
			Scan(&size, &headRoot, &headNote, &headAt); err != nil {
			return apperr.Wrap(apperr.EInternal, store.MapError(err), "audit sequencer: lock the log's head")
		}
		batch, err := readStaged(ctx, tx)
		if err != nil || len(batch) == 0 {
			return err
		}
		r := &overlayReader{ctx: ctx, q: tx, m: make(map[int64]tlog.Hash, 3*len(batch))}
		recArgs := make([]any, 0, 8*len(batch))
		hashArgs := make([]any, 0, 4*len(batch))
		ids := make([]any, 0, len(batch))
		for i, s := range batch {
			n := size + int64(i)
			rec, err := Decode(s.leaf)
			if err != nil {
				return apperr.Wrap(apperr.EInvalid, err, "audit sequencer: staged record %d is not a valid record (audit_staged was changed)", s.id)
			}
			hashes, err := tlog.StoredHashes(n, s.leaf, r)
			if err != nil {
				return apperr.Wrap(apperr.EInternal, err, "audit sequencer: compute hashes of record %d", n)
			}
			first := tlog.StoredHashIndex(0, n)
			for j, h := range hashes {
				r.m[first+int64(j)] = h
				hashArgs = append(hashArgs, first+int64(j), h[:])
			}
			recArgs = append(recArgs, n, string(rec.Kind), store.FormatTime(rec.Time), rec.Actor, rec.Case, rec.MessageID, rec.Digest, s.leaf)
			ids = append(ids, s.id)
		}
		if err := insertRows(ctx, tx, `INSERT INTO audit_hashes (id, hash) VALUES `, 2, hashArgs); err != nil {
			return apperr.Wrap(apperr.EInternal, store.MapError(err), "audit sequencer: store hashes")
		}
		if err := insertRows(ctx, tx, `INSERT INTO audit_records (idx, kind, at, actor, case_ref, message_id, digest, leaf) VALUES `, 8, recArgs); err != nil {
			return apperr.Wrap(apperr.EInternal, store.MapError(err), "audit sequencer: store records")
		}
		if err := deleteStaged(ctx, tx, ids); err != nil {
			return err
		}
		newSize := size + int64(len(batch))
		if errTestCrash != nil {
			return errTestCrash
		}
		if l.Signer == nil {
			// Flush: integrate without signing; the next signed batch
			// signs a head over these records too.
			if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET size = $1 WHERE id = 1`, newSize); err != nil {
				return apperr.Wrap(apperr.EInternal, store.MapError(err), "audit sequencer: move the head")
			}
			done = len(batch)
			return nil
		}
		c, err := l.signHead(r, newSize, headRoot, headNote)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET size = $1, root = $2, made_at = $3, note = $4 WHERE id = 1`,
			newSize, c.Root[:], store.FormatTime(c.Time), string(c.Note)); err != nil {
			return apperr.Wrap(apperr.EInternal, store.MapError(err), "audit sequencer: store the tree head")
		}
		done = len(batch)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return done, nil
}

// signHead signs the tree head of newSize records after checking that the
// tree still extends the previous head: a past rewritten in the tables
// must not be blessed by a new signature. The previous head may be of
// fewer records than the log had before this batch (AppendOne moves the
// size without signing); its size is read from its note.
func (l *Log) signHead(r tlog.HashReader, newSize int64, oldRoot []byte, oldNote sql.NullString) (Checkpoint, error) {
	root, err := tlog.TreeHash(newSize, r)
	if err != nil {
		return Checkpoint{}, apperr.Wrap(apperr.EInvalid, err, "audit sequencer: compute the root of %d records", newSize)
	}
	if oldNote.Valid {
		old, err := parseSignedText(oldNote.String)
		if err != nil {
			return Checkpoint{}, apperr.Wrap(apperr.EConflict, err, "audit sequencer: the stored tree head")
		}
		if old.Origin != l.Origin {
			return Checkpoint{}, apperr.Errorf(apperr.EConflict, "audit log: this log was started as %s but the node now signs as %s; restore the authority in the node's config (a log keeps its name for life)", old.Origin, l.Origin)
		}
		if len(oldRoot) != tlog.HashSize || tlog.Hash(oldRoot) != old.Root || old.Size > newSize {
			return Checkpoint{}, apperr.Errorf(apperr.EConflict, "audit sequencer: the stored tree head's row disagrees with its note (audit_head was changed; run 'art35 audit verify')")
		}
		proof, err := tlog.ProveTree(newSize, old.Size, r)
		if err == nil {
			err = tlog.CheckTree(proof, newSize, root, old.Size, old.Root)
		}
		if err != nil {
			return Checkpoint{}, apperr.Errorf(apperr.EConflict, "audit sequencer: the log is not consistent with its signed tree head (size %d): its past was rewritten; refusing to sign (run 'art35 audit verify')", old.Size)
		}
	}
	c := Checkpoint{Origin: l.Origin, Size: newSize, Root: root, Time: l.Clock.Now().UTC().Truncate(time.Second)}
	msg, err := note.Sign(&note.Note{Text: c.Text()}, l.Signer)
	if err != nil {
		return Checkpoint{}, apperr.Wrap(apperr.EInternal, err, "audit sequencer: sign the tree head")
	}
	c.Note = msg
	return c, nil
}

func readStaged(ctx context.Context, tx *sql.Tx) ([]staged, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, leaf FROM audit_staged ORDER BY id LIMIT $1`, MaxBatch)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit sequencer: read staged records")
	}
	defer rows.Close()
	var out []staged
	for rows.Next() {
		var s staged
		if err := rows.Scan(&s.id, &s.leaf); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// rowsPerInsert bounds the rows of one multi-row statement (SQLite allows
// 32,766 parameters, PostgreSQL 65,535).
const rowsPerInsert = 256

// insertRows inserts args, cols values per row, with multi-row INSERTs.
func insertRows(ctx context.Context, tx *sql.Tx, prefix string, cols int, args []any) error {
	for len(args) > 0 {
		n := min(len(args)/cols, rowsPerInsert)
		var b strings.Builder
		b.WriteString(prefix)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range cols {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", i*cols+j+1)
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args[:n*cols]...); err != nil {
			return err
		}
		args = args[n*cols:]
	}
	return nil
}

// deleteStaged deletes the staged rows just sequenced, by id: never by
// range, because on PostgreSQL a row with an id inside the range may have
// committed after the batch was read, and it must stay staged.
func deleteStaged(ctx context.Context, tx *sql.Tx, ids []any) error {
	for len(ids) > 0 {
		n := min(len(ids), rowsPerInsert)
		ph := make([]string, n)
		for i := range n {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_staged WHERE id IN (`+strings.Join(ph, ", ")+`)`, ids[:n]...)
		if err != nil {
			return apperr.Wrap(apperr.EInternal, store.MapError(err), "audit sequencer: remove sequenced records from the staging table")
		}
		if got, err := res.RowsAffected(); err == nil && got != int64(n) {
			// Another sequencer took them: impossible under the head lock
			// unless the lock is broken; refuse rather than double them.
			return apperr.Errorf(apperr.EConflict, "audit sequencer: %d of %d staged records were already gone; another sequencer ran without the head lock", int64(n)-got, n)
		}
		ids = ids[n:]
	}
	return nil
}

// overlayReader reads stored hashes from the batch being built first and
// from audit_hashes otherwise, remembering what it read.
type overlayReader struct {
	ctx context.Context
	q   querier
	m   map[int64]tlog.Hash
}

// ReadHashes implements tlog.HashReader.
func (r *overlayReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	var missing []int64
	for _, x := range indexes {
		if _, ok := r.m[x]; !ok {
			missing = append(missing, x)
		}
	}
	if len(missing) > 0 {
		got, err := hashReader{ctx: r.ctx, q: r.q}.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		for i, x := range missing {
			r.m[x] = got[i]
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = r.m[x]
	}
	return out, nil
}

// Flush integrates every staged record into the log now, without signing
// a tree head (it needs no key): for readers that query audit_records
// directly and must see what was just done. The node's sequencer signs the
// next head over these records too.
func Flush(ctx context.Context, db *store.DB) (int, error) {
	return (&Log{DB: db}).Sequence(ctx)
}

// Pending returns the number of staged records not yet sequenced.
func Pending(ctx context.Context, db *store.DB) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_staged`).Scan(&n); err != nil {
		return 0, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: count staged records")
	}
	return n, nil
}

// WaitSequenced waits until the record staged under ticket (Append's
// result, after the caller's transaction committed) is in the log, for
// readers that need it there (a proof bundle right after a delivery). A
// ticket whose transaction rolled back counts as done.
func WaitSequenced(ctx context.Context, db *store.DB, ticket int64) error {
	delay := time.Millisecond
	for {
		var one int
		staged, err := store.Found(db.QueryRowContext(ctx, `SELECT 1 FROM audit_staged WHERE id = $1`, ticket).Scan(&one))
		if err != nil {
			return apperr.Wrap(apperr.EInternal, err, "audit log: look for staged record %d", ticket)
		}
		if !staged {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// Head returns the tree head signed by the last sequencing batch: a
// checkpoint of the whole log as sequenced so far (not re-verified), or
// ENotFound before the first signed batch.
func Head(ctx context.Context, db *store.DB) (Checkpoint, error) {
	var (
		c    Checkpoint
		root []byte
		at   sql.NullString
		msg  sql.NullString
	)
	if err := db.QueryRowContext(ctx, `SELECT size, root, made_at, note FROM audit_head WHERE id = 1`).Scan(&c.Size, &root, &at, &msg); err != nil {
		return c, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit log: read its tree head")
	}
	if !msg.Valid {
		return c, apperr.Errorf(apperr.ENotFound, "the audit log has no signed tree head yet: no batch was sequenced by the node")
	}
	parsed, err := parseSignedText(msg.String)
	if err != nil {
		return c, err
	}
	parsed.Note = []byte(msg.String)
	return parsed, nil
}

// parseSignedText parses the checkpoint text of a stored signed note
// without checking its signature (the stored note is this node's own).
func parseSignedText(msg string) (Checkpoint, error) {
	i := strings.LastIndex(msg, "\n\n")
	if i < 0 {
		return Checkpoint{}, apperr.Errorf(apperr.EInvalid, "audit log: the stored tree head is not a signed note (audit_head was changed; run 'art35 audit verify')")
	}
	return ParseCheckpoint(msg[:i+1])
}

// RunSequencer sequences staged records until ctx ends: at start (records
// staged before a crash or a restart), after commits of the node's
// database (store.DB.OnCommit wakes it), at most once per SequenceInterval
// (records committed meanwhile join the next batch), and every
// SequencePoll. Failures are logged and
// retried at the next wake-up.
func (l *Log) RunSequencer(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	l.DB.OnCommit(func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	t := time.NewTicker(SequencePoll)
	defer t.Stop()
	for {
		last := time.Now()
		if _, err := l.Sequence(ctx); err != nil && ctx.Err() == nil && l.Logger != nil {
			l.Logger.Error("audit sequencing failed; staged records wait for the next attempt", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case <-t.C:
		}
		// Let a burst gather into one batch (process time, not the node's
		// clock: this paces work, it dates nothing).
		if wait := SequenceInterval - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
	}
}
