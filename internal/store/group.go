package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/art35/art35/internal/apperr"
)

// Group commit.
//
// SQLite has one writer at a time and, with synchronous=FULL, one fsync
// per commit: a few hundred commits a second on ordinary disks. When many
// transactions arrive together (a burst of envelopes, receipts coming
// back), the group committer runs them in one database transaction, each
// inside its own SAVEPOINT, and commits once: one fsync for the group.
// A transaction whose function fails is rolled back to its savepoint
// alone; the others commit. Every caller gets its own result only after
// the commit, so "Tx returned nil" still means "on disk".
//
// PostgreSQL groups the WAL flushes of concurrent commits by itself, but
// each transaction still pays its BEGIN and COMMIT round trips, and rows
// every transaction updates (the outbox's sequence counter) make
// concurrent transactions wait for each other's commit, one fsync each:
// under load they queued there. So PostgreSQL goes through the same
// committer, with pgLanes groups in flight at once (one writer is
// SQLite's rule, not PostgreSQL's). A member that fails because of
// another transaction (a deadlock with another lane or replica, a
// serialization failure) is run again alone, in a transaction of its own.
//
// A function given to Tx must not call Tx itself (it would wait for the
// group it is part of), nor write through the *DB outside its tx (it
// would wait for locks its own group holds).

// maxGroup bounds a group, so one commit never holds the write lock long.
const maxGroup = 128

// pgLanes is how many groups are in flight at once on PostgreSQL.
const pgLanes = 4

type txRequest struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan error
}

var errClosed = errors.New("database is closed")

func (db *DB) startGroupCommitter(lanes int) {
	db.txq = make(chan txRequest)
	db.stop = make(chan struct{})
	db.stopped = make(chan struct{})
	var running sync.WaitGroup
	for range lanes {
		running.Go(func() {
			for {
				var first txRequest
				select {
				case first = <-db.txq:
				case <-db.stop:
					return
				}
				group := db.gather(first)
				db.runGroup(group)
			}
		})
	}
	go func() {
		running.Wait()
		close(db.stopped)
	}()
}

// gather makes a group of first and the transactions already waiting.
// (Yielding the processor a few times before closing a group made groups
// larger, 1.9 to 3.0 transactions on the benchmark's sender, but saved no
// CPU per envelope and delayed the committer, the one writer, when the
// machine was short of CPU: measured and removed.)
func (db *DB) gather(first txRequest) []txRequest {
	group := []txRequest{first}
	for len(group) < maxGroup {
		select {
		case r := <-db.txq:
			group = append(group, r)
		default:
			return group
		}
	}
	return group
}

// runGroup commits a group, retrying while another process holds the
// write lock (SQLITE_BUSY), and answers every member.
func (db *DB) runGroup(group []txRequest) {
	results := make([]error, len(group))
	delay := 10 * time.Millisecond
	var err error
	for attempt := 0; ; attempt++ {
		err = db.commitGroup(group, results)
		if err == nil || !isBusy(err) || attempt >= 8 {
			break
		}
		time.Sleep(delay)
		delay *= 2
	}
	if err == nil {
		db.committed()
		db.groups.Add(1)
		db.members.Add(int64(len(group)))
	}
	for i, r := range group {
		if err != nil && results[i] == nil {
			results[i] = err
		}
		if isConflict(results[i]) {
			// Rolled back to its savepoint because of another
			// transaction: alone, it may well pass.
			results[i] = db.retry(r.ctx, r.fn, func(err error) bool { return isBusy(err) || isConflict(err) }, 4)
		}
		r.done <- MapError(results[i])
	}
}

// isConflict reports a PostgreSQL failure caused by a concurrent
// transaction that the same work may pass when run again: a deadlock or
// a serialization failure.
func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

func (db *DB) commitGroup(group []txRequest, results []error) (err error) {
	// The transaction belongs to the group, not to one caller: a caller
	// whose context ends fails its own statements only.
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	single := len(group) == 1
	for i, r := range group {
		results[i] = nil
		if e := r.ctx.Err(); e != nil {
			results[i] = e
			continue
		}
		if single {
			if e := r.fn(tx); e != nil {
				return e
			}
			continue
		}
		if _, err := tx.Exec("SAVEPOINT member"); err != nil {
			return err
		}
		e := r.fn(tx)
		if e == nil {
			_, e = tx.Exec("RELEASE SAVEPOINT member")
			if e == nil {
				continue
			}
			// The member returned nil but left the transaction failed
			// (on PostgreSQL, a statement whose error it ignored).
		}
		results[i] = e
		if _, err := tx.Exec("ROLLBACK TO SAVEPOINT member"); err != nil {
			return err
		}
		if _, err := tx.Exec("RELEASE SAVEPOINT member"); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// groupTx hands fn to the group committer and waits for its result.
func (db *DB) groupTx(ctx context.Context, fn func(*sql.Tx) error) error {
	r := txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.txq <- r:
	case <-db.stop:
		return apperr.Wrap(apperr.EInternal, errClosed, "transaction refused")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the result is awaited even if ctx ends: the group may
	// already have committed this caller's change, and the caller must
	// not be told otherwise.
	return <-r.done
}

// Close stops the group committer and closes the database.
func (db *DB) Close() error {
	if db.stop != nil {
		select {
		case <-db.stop:
		default:
			close(db.stop)
		}
		<-db.stopped
	}
	return db.DB.Close()
}

// GroupStats returns how many groups the committer has committed and how
// many transactions they carried (members / groups is the mean group size:
// the fsyncs saved).
func (db *DB) GroupStats() (groups, members int64) {
	return db.groups.Load(), db.members.Load()
}
