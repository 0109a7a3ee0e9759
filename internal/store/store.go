// Package store is art35's storage: one database/sql handle over either
// embedded SQLite (modernc.org/sqlite, the default) or PostgreSQL (pgx),
// embedded migrations applied one transaction each, and the translation of
// driver errors into art35's own (apperr codes).
//
// The SQL is hand-written in a subset both engines accept ($1 placeholders,
// RETURNING, ON CONFLICT, TEXT/BIGINT/BYTEA columns, timestamps as fixed-width
// UTC text), and one conformance suite (storetest) runs on both, so that
// nothing quietly depends on one engine.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/art35/art35/internal/apperr"
)

// Backend names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Connection pool sizes. Idle connections are kept up to the same bound
// (see open).
const (
	pgMaxConns     = 16
	sqliteMaxConns = 8
)

// DB is an open art35 database.
type DB struct {
	*sql.DB
	backend string
	// Write transactions go through the group committer (group.go): on
	// SQLite one lane, since SQLite has one writer at a time and letting
	// connections collide in its busy handler makes them sleep for
	// milliseconds (other processes on the same file still wait through
	// busy_timeout); on PostgreSQL a few lanes.
	txq     chan txRequest
	stop    chan struct{}
	stopped chan struct{}
	// groups and members count committed groups and their transactions.
	groups, members atomic.Int64
	// commitHooks run after every transaction Tx commits (see OnCommit).
	commitHooks atomic.Pointer[[]func()]
}

// OnCommit registers fn to run after every transaction committed through
// Tx (once per group on SQLite). It is a wake-up, not a notification of
// what changed: fn must be quick and must not block (a non-blocking send
// on a channel), and transactions opened with BeginTx directly do not call
// it. The audit log's sequencer uses it to integrate staged records soon
// after they commit instead of polling the database.
func (db *DB) OnCommit(fn func()) {
	for {
		old := db.commitHooks.Load()
		var hooks []func()
		if old != nil {
			hooks = append(hooks, *old...)
		}
		hooks = append(hooks, fn)
		if db.commitHooks.CompareAndSwap(old, &hooks) {
			return
		}
	}
}

func (db *DB) committed() {
	if hooks := db.commitHooks.Load(); hooks != nil {
		for _, fn := range *hooks {
			fn()
		}
	}
}

// Backend returns SQLite or Postgres.
func (db *DB) Backend() string { return db.backend }

// Open opens the database named by dsn and applies pending migrations.
// A dsn starting with "postgres://" or "postgresql://" selects PostgreSQL;
// anything else is a SQLite file path (optionally prefixed "sqlite:").
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, Migrations); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens the database without applying migrations (tests of
// the migration runner, and "art35 db status").
func OpenNoMigrate(ctx context.Context, dsn string) (*DB, error) { return open(ctx, dsn) }

func open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "database: no DSN given; set database in the config, ART35_DATABASE, or --database (a SQLite file path or a postgres:// URL)")
	}
	var (
		sdb     *sql.DB
		backend string
		err     error
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		backend = Postgres
		sdb, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, apperr.Wrap(apperr.EInvalid, err, "database: bad PostgreSQL DSN")
		}
		// Idle connections are kept (database/sql keeps 2 by default):
		// a connection closed after a burst is a PostgreSQL backend forked
		// again for the next one, and pgx's statement cache lost with it.
		sdb.SetMaxOpenConns(pgMaxConns)
		sdb.SetMaxIdleConns(pgMaxConns)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		backend = SQLite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("database: create folder %s: %w", dir, err)
			}
		}
		if err := createPrivate(path); err != nil {
			return nil, err
		}
		// WAL lets readers go on while one writer writes; foreign keys are
		// off by default in SQLite; busy_timeout makes a writer wait for the
		// lock instead of failing at once; _txlock=immediate takes the write
		// lock at BEGIN so two writers never deadlock on a lock upgrade;
		// synchronous=FULL fsyncs every commit, because a receipt says
		// "stored" and must stay true through a power cut, not only through
		// a crash of the process.
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
		// Statements are prepared once per connection (stmtcache.go).
		conn, err := newSQLiteConnector("file:" + path + "?" + q.Encode())
		if err != nil {
			return nil, apperr.Wrap(apperr.EInvalid, err, "database: bad SQLite path %q", path)
		}
		sdb = sql.OpenDB(conn)
		// One writer at a time is SQLite's model; a small pool of readers is
		// enough for a node. All are kept open when idle: a new connection
		// costs its pragmas, its schema parse and its prepared statements
		// (stmtcache.go), which under load was a tenth of a node's CPU with
		// database/sql's default of 2 idle connections.
		sdb.SetMaxOpenConns(sqliteMaxConns)
		sdb.SetMaxIdleConns(sqliteMaxConns)
	}
	db := &DB{DB: sdb, backend: backend}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := sdb.PingContext(pingCtx); err != nil {
		sdb.Close()
		return nil, apperr.Wrap(apperr.EInternal, err, "database: cannot connect (%s)", backend)
	}
	if backend == SQLite {
		db.startGroupCommitter(1)
	} else {
		db.startGroupCommitter(pgLanes)
	}
	return db, nil
}

// Tx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise, so nothing is ever half-written. A "database is busy" failure
// is retried with back-off, because another process (a CLI command beside
// the running node) may hold the write lock for a moment. fn may share the
// transaction with others, each in its own savepoint (group.go); fn must
// not call Tx itself, nor write through db outside tx.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.txq != nil {
		return db.groupTx(ctx, fn)
	}
	return MapError(db.retry(ctx, fn, isBusy, 8))
}

// TxAlone runs fn in a transaction of its own, outside group commit, and
// runs it again (at most 8 times, with back-off) while it fails because of
// another transaction: busy on SQLite, a deadlock or serialization failure
// on PostgreSQL. It is for the few transactions that take a lock every
// writer may want (the audit log's head): inside a group that lock would
// be held while other members wait on row locks held by other groups,
// which wait for it, a deadlock that PostgreSQL breaks only after its
// deadlock_timeout (1 s). Measured: 150 parallel sign-ins on PostgreSQL
// under load took 130 s instead of 0.6 s (CI, 2026-12-03).
func (db *DB) TxAlone(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return MapError(db.retry(ctx, fn, func(err error) bool { return isBusy(err) || isConflict(err) }, 8))
}

// retry runs fn in a transaction of its own until it commits, again after
// a back-off (10 ms, doubling) while retryable says its failure may pass,
// at most attempts times more. It returns the last failure, or the
// context's error if the context ends while it waits.
func (db *DB) retry(ctx context.Context, fn func(tx *sql.Tx) error, retryable func(error) bool, attempts int) error {
	delay := 10 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := db.tx(ctx, fn)
		if err == nil {
			db.committed()
			return nil
		}
		if !retryable(err) || attempt >= attempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// Snapshot runs fn in a read-only transaction that sees one state of the
// database throughout: REPEATABLE READ on PostgreSQL (its default, READ
// COMMITTED, gives each statement its own), a deferred transaction on
// SQLite (in WAL mode its first read fixes the snapshot). Readers that
// combine two queries whose rows move between tables (the audit log's
// staged and sequenced records) need it.
func (db *DB) Snapshot(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.backend == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return MapError(fmt.Errorf("begin read snapshot: %w", err))
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to keep
	return fn(tx)
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// MapError turns driver errors into apperr errors: no rows is ENotFound, a
// unique or primary-key violation is EConflict, a foreign-key, not-null or
// check violation or a bad value is EInvalid. Errors that are already
// apperr errors, and nil, pass through unchanged.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(apperr.ENotFound, err, "not found")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return apperr.Wrap(apperr.EConflict, err, "already exists")
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return apperr.Wrap(apperr.EInvalid, err, "refers to something that does not exist")
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return apperr.Wrap(apperr.EInvalid, err, "a required value is missing")
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return apperr.Wrap(apperr.EInvalid, err, "a value breaks a rule of the database")
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505":
			return apperr.Wrap(apperr.EConflict, err, "already exists")
		case pe.Code == "23503":
			return apperr.Wrap(apperr.EInvalid, err, "refers to something that does not exist")
		case pe.Code == "23502":
			return apperr.Wrap(apperr.EInvalid, err, "a required value is missing")
		case pe.Code == "23514":
			return apperr.Wrap(apperr.EInvalid, err, "a value breaks a rule of the database")
		case strings.HasPrefix(pe.Code, "22"):
			return apperr.Wrap(apperr.EInvalid, err, "a value has the wrong form")
		}
	}
	return err
}

// Found reads the error of a single-row query: (true, nil) when a row was
// read, (false, nil) when there was none (sql.ErrNoRows), and (false, the
// mapped error) otherwise. It is the one place that looks for
// sql.ErrNoRows, so that each caller decides in one line what a missing row
// means to it (not found, ignored, an invalid reference):
//
//	ok, err := store.Found(row.Scan(&v))
//	if err != nil { return err }
//	if !ok { return apperr.Errorf(apperr.ENotFound, "no request %s ...", id) }
func Found(err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, MapError(err)
}

// TimeFormat is how times are stored: fixed-width UTC text, so that string
// order is time order on both engines and a person reading the table with
// sqlite3 or psql sees a real date.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// FormatTime formats t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime parses a stored time.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// ParseTimes parses stored times src[i] into dst[i].
func ParseTimes(src []string, dst ...*time.Time) error {
	for i, s := range src {
		t, err := ParseTime(s)
		if err != nil {
			return err
		}
		*dst[i] = t
	}
	return nil
}
