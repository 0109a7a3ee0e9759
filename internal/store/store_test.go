package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

var ctx = context.Background()

func TestMigrationsRecorded(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		got, err := db.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, err := store.LoadMigrations(store.Migrations, db.Backend())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("applied %v, want %d migrations", got, len(want))
		}
		// Migrating again applies nothing and fails nothing.
		if err := db.Migrate(ctx, store.Migrations); err != nil {
			t.Fatal(err)
		}
		again, _ := db.AppliedMigrations(ctx)
		if len(again) != len(got) {
			t.Fatalf("second migrate changed the record: %v -> %v", got, again)
		}
	})
}

// TestFailingMigrationRollsBack plants a migration whose second statement
// fails: its first statement must not survive, nor its record.
func TestFailingMigrationRollsBack(t *testing.T) {
	t.Parallel()
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			db, err := store.OpenNoMigrate(ctx, storetest.DSN(t, backend))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			good := fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a (x BIGINT PRIMARY KEY);")}}
			if err := db.Migrate(ctx, good); err != nil {
				t.Fatal(err)
			}
			bad := fstest.MapFS{
				"0001_a.sql": good["0001_a.sql"],
				"0002_b.sql": {Data: []byte("CREATE TABLE b (y BIGINT); INSERT INTO no_such_table VALUES (1);")},
			}
			err = db.Migrate(ctx, bad)
			if err == nil {
				t.Fatal("failing migration succeeded")
			}
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM b`).Scan(&n); err == nil {
				t.Fatal("table b survives a rolled-back migration")
			}
			applied, _ := db.AppliedMigrations(ctx)
			if len(applied) != 1 || applied[0] != 1 {
				t.Fatalf("applied = %v, want [1]", applied)
			}
		})
	}
}

func TestLoadMigrationsErrors(t *testing.T) {
	t.Parallel()
	for name, fsys := range map[string]fstest.MapFS{
		"bad name":  {"init.sql": {Data: []byte("SELECT 1")}},
		"duplicate": {"0001_a.sql": {Data: []byte("SELECT 1")}, "0001_b.sql": {Data: []byte("SELECT 1")}},
	} {
		if _, err := store.LoadMigrations(fsys, store.SQLite); !apperr.Is(err, apperr.EInvalid) {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
	// Backend-specific files go to their backend only.
	fsys := fstest.MapFS{
		"0001_a.sqlite.sql":   {Data: []byte("S")},
		"0001_a.postgres.sql": {Data: []byte("P")},
	}
	for backend, want := range map[string]string{store.SQLite: "S", store.Postgres: "P"} {
		m, err := store.LoadMigrations(fsys, backend)
		if err != nil || len(m) != 1 || m[0].SQL != want {
			t.Errorf("%s: got %+v, %v", backend, m, err)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		if _, err := meta(db, "absent"); !apperr.Is(err, apperr.ENotFound) {
			t.Errorf("missing row: got %v, want not_found", err)
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ('k', 'v'), ('k', 'w')`)
			return err
		})
		if !apperr.Is(err, apperr.EConflict) {
			t.Errorf("duplicate key: got %v, want conflict", err)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ('k', NULL)`)
			return err
		})
		if !apperr.Is(err, apperr.EInvalid) {
			t.Errorf("null value: got %v, want invalid", err)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO directory_snapshots (serial, issued_at, valid_until, digest, signed, accepted_at)
				VALUES (0, 'a', 'b', 'c', $1, 'd')`, []byte{1})
			return err
		})
		if !apperr.Is(err, apperr.EInvalid) {
			t.Errorf("check violation: got %v, want invalid", err)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ('half', 'written')`); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		if _, err := meta(db, "half"); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("row of a failed transaction is visible: %v", err)
		}
	})
}

// concurrentTx runs n transactions at once, as many callers of one node
// would; transaction i stores the row k<i>, then does part(tx, i). It
// returns each transaction's result.
func concurrentTx(db *store.DB, n int, part func(tx *sql.Tx, i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range errs {
		wg.Go(func() {
			errs[i] = db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, 'v')`, fmt.Sprint("k", i)); err != nil {
					return err
				}
				return part(tx, i)
			})
		})
	}
	wg.Wait()
	return errs
}

// TestConcurrentTransactionsFailAlone runs many transactions at once (on
// SQLite they share group commits): each failing one leaves nothing
// behind, and each succeeding one is stored, whatever its neighbours did.
func TestConcurrentTransactionsFailAlone(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		errs := concurrentTx(db, 60, func(tx *sql.Tx, i int) error {
			if i%3 == 0 {
				return errors.New("refused by the business rule")
			}
			if i%3 == 1 {
				// A constraint violation inside the member's savepoint.
				_, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, NULL)`, fmt.Sprint("null", i))
				return err
			}
			return nil
		})
		for i, err := range errs {
			_, got := meta(db, fmt.Sprint("k", i))
			switch i % 3 {
			case 0, 1:
				if err == nil || got == nil {
					t.Errorf("tx %d: err %v, row present %v; want an error and no row", i, err, got == nil)
				}
			case 2:
				if err != nil || got != nil {
					t.Errorf("tx %d: err %v, lookup %v; want stored", i, err, got)
				}
			}
		}
	})
}

// TestMemberIgnoringItsFailure: a transaction that ignores the error of
// one of its statements (on PostgreSQL the transaction is then failed)
// must not take its group down: the others commit, and its own result
// says whether its row was stored.
func TestMemberIgnoringItsFailure(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		errs := concurrentTx(db, 40, func(tx *sql.Tx, i int) error {
			if i%4 == 0 {
				_, _ = tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, NULL)`, fmt.Sprint("null", i))
			}
			return nil
		})
		for i, err := range errs {
			_, got := meta(db, fmt.Sprint("k", i))
			stored := got == nil
			if i%4 != 0 && (err != nil || !stored) {
				t.Errorf("tx %d: err %v, stored %v; want stored", i, err, stored)
			}
			if i%4 == 0 && (err == nil) != stored {
				t.Errorf("tx %d: err %v but stored %v", i, err, stored)
			}
		}
	})
}

// TestDeadlockedTransactionsBothCommit: two transactions that lock two
// rows in opposite orders deadlock on PostgreSQL when they run at once
// (in two lanes of the committer); the one PostgreSQL cancels is run again
// alone, so both commit. (When they share a group, or on SQLite, they run
// one after the other and simply commit.)
func TestDeadlockedTransactionsBothCommit(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		for _, k := range []string{"a", "b"} {
			if _, err := db.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, '0')`, k); err != nil {
				t.Fatal(err)
			}
		}
		var (
			wg      sync.WaitGroup
			holding sync.WaitGroup
			errs    [2]error
		)
		holding.Add(2)
		for i, order := range [2][2]string{{"a", "b"}, {"b", "a"}} {
			first := sync.OnceFunc(holding.Done)
			wg.Go(func() {
				errs[i] = db.Tx(ctx, func(tx *sql.Tx) error {
					bump := func(k string) error {
						_, err := tx.ExecContext(ctx, `UPDATE node_meta SET value = value || '+' WHERE key = $1`, k)
						return err
					}
					if err := bump(order[0]); err != nil {
						return err
					}
					// Both hold their first row before taking the second
					// (bounded: in one group they run one after the other).
					first()
					done := make(chan struct{})
					go func() { holding.Wait(); close(done) }()
					select {
					case <-done:
					case <-time.After(300 * time.Millisecond):
					}
					return bump(order[1])
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("transaction %d: %v", i, err)
			}
		}
		for _, k := range []string{"a", "b"} {
			if v, err := meta(db, k); err != nil || v != "0++" {
				t.Errorf("%s = %q, %v; want 0++ (each transaction once)", k, v, err)
			}
		}
	})
}

// meta reads a node_meta value the way a repository would: a missing row
// comes back as ENotFound through store.MapError.
func meta(db *store.DB, key string) (string, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM node_meta WHERE key = $1`, key).Scan(&v)
	return v, store.MapError(err)
}

func TestFound(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		var v string
		ok, err := store.Found(db.QueryRowContext(ctx, `SELECT value FROM node_meta WHERE key = 'absent'`).Scan(&v))
		if ok || err != nil {
			t.Fatalf("missing row: got %v, %v; want false, nil", ok, err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ('present', 'v')`); err != nil {
			t.Fatal(err)
		}
		ok, err = store.Found(db.QueryRowContext(ctx, `SELECT value FROM node_meta WHERE key = 'present'`).Scan(&v))
		if !ok || err != nil || v != "v" {
			t.Fatalf("present row: got %v, %v, %q", ok, err, v)
		}
		_, err = store.Found(db.QueryRowContext(ctx, `SELECT value FROM no_such_table`).Scan(&v))
		if err == nil {
			t.Fatal("a failing query gave no error")
		}
	})
}
