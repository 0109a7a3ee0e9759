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
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		if _, err := db.Meta(ctx, "absent"); !apperr.Is(err, apperr.ENotFound) {
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
		if _, err := db.Meta(ctx, "half"); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("row of a failed transaction is visible: %v", err)
		}
	})
}

func TestMetaUpsert(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		for _, v := range []string{"IT", "FR"} {
			if err := db.SetMeta(ctx, "party", v); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := db.Meta(ctx, "party"); err != nil || v != "FR" {
			t.Fatalf("got %q, %v", v, err)
		}
	})
}

func TestSnapshotHistoryAndNoRollback(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		if _, err := db.LatestSnapshot(ctx); !apperr.Is(err, apperr.ENotFound) {
			t.Fatalf("empty store: got %v", err)
		}
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		rec := func(serial uint64) store.SnapshotRecord {
			return store.SnapshotRecord{
				Serial: serial, IssuedAt: base.Add(time.Duration(serial) * time.Hour),
				ValidUntil: base.AddDate(0, 1, 0), Digest: "d" + string(rune('0'+serial)),
				Signed: []byte{byte(serial), 0, 255}, AcceptedAt: base.Add(time.Duration(serial)*time.Hour + time.Minute),
			}
		}
		for _, s := range []uint64{1, 2, 5} {
			if err := db.SaveSnapshot(ctx, rec(s)); err != nil {
				t.Fatalf("save %d: %v", s, err)
			}
		}
		for _, s := range []uint64{5, 3} {
			if err := db.SaveSnapshot(ctx, rec(s)); !apperr.Is(err, apperr.EConflict) {
				t.Errorf("serial %d after 5: got %v, want conflict", s, err)
			}
		}
		latest, err := db.LatestSnapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := rec(5)
		if latest.Serial != 5 || string(latest.Signed) != string(want.Signed) || !latest.IssuedAt.Equal(want.IssuedAt) || !latest.AcceptedAt.Equal(want.AcceptedAt) {
			t.Fatalf("latest = %+v, want %+v", latest, want)
		}
		hist, err := db.SnapshotHistory(ctx)
		if err != nil || len(hist) != 3 || hist[0].Serial != 5 || hist[2].Serial != 1 {
			t.Fatalf("history = %+v, %v", hist, err)
		}
	})
}

// TestConcurrentSnapshotSaves checks that the no-rollback rule holds when
// several writers race: exactly one of them can store each serial.
func TestConcurrentSnapshotSaves(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.SaveSnapshot(ctx, store.SnapshotRecord{
					Serial: 7, Digest: "same-serial-" + string(rune('a'+i)), Signed: []byte{1},
					IssuedAt: time.Unix(0, 0), ValidUntil: time.Unix(0, 0), AcceptedAt: time.Unix(0, 0),
				})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apperr.Is(err, apperr.EConflict):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d writers stored serial 7, want exactly 1", ok)
		}
	})
}

// TestConcurrentTransactionsFailAlone runs many transactions at once (on
// SQLite they share group commits): each failing one leaves nothing
// behind, and each succeeding one is stored, whatever its neighbours did.
func TestConcurrentTransactionsFailAlone(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		errs := make([]error, 60)
		for i := range errs {
			wg.Go(func() {
				errs[i] = db.Tx(ctx, func(tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, 'v')`, fmt.Sprint("k", i)); err != nil {
						return err
					}
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
			})
		}
		wg.Wait()
		for i, err := range errs {
			_, got := db.Meta(ctx, fmt.Sprint("k", i))
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
