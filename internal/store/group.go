package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// Group commit for SQLite.
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
// A function given to Tx must not call Tx itself (it would wait for the
// group it is part of).

// maxGroup bounds a group, so one commit never holds the write lock long.
const maxGroup = 128

type txRequest struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan error
}

var errClosed = errors.New("database is closed")

func (db *DB) startGroupCommitter() {
	db.txq = make(chan txRequest)
	db.stop = make(chan struct{})
	db.stopped = make(chan struct{})
	go func() {
		defer close(db.stopped)
		for {
			var first txRequest
			select {
			case first = <-db.txq:
			case <-db.stop:
				return
			}
			group := []txRequest{first}
		gather:
			for len(group) < maxGroup {
				select {
				case r := <-db.txq:
					group = append(group, r)
				default:
					break gather
				}
			}
			db.runGroup(group)
		}
	}()
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
	}
	for i, r := range group {
		if err != nil && results[i] == nil {
			results[i] = err
		}
		r.done <- MapError(results[i])
	}
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
		if e := r.fn(tx); e != nil {
			results[i] = e
			if _, err := tx.Exec("ROLLBACK TO SAVEPOINT member"); err != nil {
				return err
			}
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
