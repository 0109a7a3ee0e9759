// Package leader elects, among the replicas of one node that share a
// PostgreSQL database, the one that runs the work that must run once at a
// time: the clocks, the ping sweeps, retention and the audit log's
// sequencing and checkpoints.
//
// The leader holds a PostgreSQL session advisory lock on a connection of
// its own. PostgreSQL releases the lock when that connection ends, so when
// the leader's process dies (even by SIGKILL) another replica, which
// retries every Retry, takes over within seconds. The leader checks its
// connection every Check and stops its work as soon as the check fails,
// since the lock may already be someone else's.
//
// On SQLite there is one process per database, and it is always the
// leader.
//
// Leadership is a matter of efficiency, not of correctness: every piece of
// leader work records what it did in the database under a unique key
// (clock_actions, the audit head's row lock), so the moment two replicas
// overlap during a takeover cannot repeat an action.
package leader

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/art35/art35/internal/store"
)

// lockClass is the first half of the advisory lock's key ("art3"); the
// second is a hash of the current schema, so that nodes sharing one
// PostgreSQL database in separate schemas (as the tests do) each have
// their own leader.
const lockClass = 0x61727433

// Defaults of an Elector.
const (
	DefaultRetry = time.Second
	DefaultCheck = time.Second
)

// Elector runs work while this replica is the leader.
type Elector struct {
	DB  *store.DB
	Log *slog.Logger
	// Replica names this replica in the logs.
	Replica string
	// Retry is how often a follower tries to take the lock; Check how
	// often the leader checks its connection. Zero: one second each.
	Retry, Check time.Duration

	leading atomic.Bool
	mu      sync.Mutex
	terms   int
}

// Leading reports whether this replica leads now.
func (e *Elector) Leading() bool { return e.leading.Load() }

// Terms returns how many times this replica became the leader.
func (e *Elector) Terms() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.terms
}

// Run runs work each time this replica becomes the leader, with a context
// that ends when it stops being the leader or when ctx ends, and returns
// when ctx ends and work has returned. work must return soon after its
// context ends.
func (e *Elector) Run(ctx context.Context, work func(ctx context.Context)) {
	if e.Log == nil {
		e.Log = slog.New(slog.DiscardHandler)
	}
	if e.DB.Backend() != store.Postgres {
		e.lead()
		defer e.leading.Store(false)
		work(ctx)
		return
	}
	retry := e.Retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	for {
		conn, err := e.acquire(ctx)
		if err != nil && ctx.Err() == nil {
			e.Log.Warn("leader election: cannot try the lock; retrying", "replica", e.Replica, "err", err)
		}
		if conn != nil {
			e.hold(ctx, conn, work)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
	}
}

func (e *Elector) lead() {
	e.mu.Lock()
	e.terms++
	e.mu.Unlock()
	e.leading.Store(true)
}

// acquire returns a connection holding the lock, or nil when another
// replica holds it.
func (e *Elector) acquire(ctx context.Context) (*sql.Conn, error) {
	conn, err := e.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, lockClass).Scan(&got)
	if err != nil || !got {
		conn.Close() // holds no lock: back to the pool
		return nil, err
	}
	return conn, nil
}

// hold runs work while the lock's connection answers, then gives the
// connection up for good: a connection that failed a check may still hold
// the lock on the server until it is closed.
func (e *Elector) hold(ctx context.Context, conn *sql.Conn, work func(ctx context.Context)) {
	e.lead()
	e.Log.Info("leader: this replica leads", "replica", e.Replica)
	workCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		work(workCtx)
	}()
	check := e.Check
	if check <= 0 {
		check = DefaultCheck
	}
	t := time.NewTicker(check)
	defer t.Stop()
	lost := false
	for !lost {
		select {
		case <-ctx.Done():
			lost = true
		case <-done:
			lost = true // work ended on its own: stop leading, let another take over
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, check*5)
			err := conn.PingContext(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				e.Log.Error("leader: lost the database connection that holds the lock; stopping the leader's work", "replica", e.Replica, "err", err)
				lost = true
			}
		}
	}
	stop()
	<-done
	e.leading.Store(false)
	if ctx.Err() == nil {
		e.Log.Warn("leader: this replica no longer leads", "replica", e.Replica)
	}
	// Unlock politely (a fresh context: ctx may be over), then close the
	// connection rather than return it to the pool holding anything.
	uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, lockClass)
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	if err := conn.Close(); err != nil && !errors.Is(err, sql.ErrConnDone) && !errors.Is(err, driver.ErrBadConn) {
		e.Log.Debug("leader: closing the lock's connection", "err", err)
	}
}
