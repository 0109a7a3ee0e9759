// Package storetest opens real databases for tests: a SQLite file in a
// temporary folder, and a fresh schema in the PostgreSQL server named by
// ART35_TEST_POSTGRES. ForEachBackend runs a test on both, so every storage
// test is one conformance suite.
//
// Without ART35_TEST_POSTGRES the PostgreSQL half skips with a message; with
// ART35_REQUIRE_ALL=1 that skip becomes a failure, so CI cannot pass by
// quietly running on SQLite alone.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/art35/art35/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL DSN for tests.
const EnvPostgres = "ART35_TEST_POSTGRES"

// EnvRequireAll, set to 1, turns skipped backends into failures.
const EnvRequireAll = "ART35_REQUIRE_ALL"

// Backends lists the backends ForEachBackend runs.
var Backends = []string{store.SQLite, store.Postgres}

// ForEachBackend runs fn as a subtest on each backend with a fresh,
// migrated database.
func ForEachBackend(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) {
			db := Open(t, b)
			fn(t, db)
		})
	}
}

// ForEachEngine runs fn as a subtest named for each backend, for tests
// that open their own databases (a test network, a node): the PostgreSQL
// subtest is skipped (failed under ART35_REQUIRE_ALL=1) without a DSN.
func ForEachEngine(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) {
			if b == store.Postgres {
				RequirePostgres(t)
			}
			fn(t, b)
		})
	}
}

// Open returns a fresh, migrated database of the given backend, closed and
// removed at the end of the test.
func Open(t *testing.T, backend string) *store.DB {
	t.Helper()
	dsn := DSN(t, backend)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DSN returns the DSN of a fresh, empty database of the given backend (not
// migrated), removed at the end of the test. On PostgreSQL it is a new
// schema of its own, selected through search_path.
func DSN(t *testing.T, backend string) string {
	t.Helper()
	switch backend {
	case store.SQLite:
		return filepath.Join(t.TempDir(), "art35.db")
	case store.Postgres:
		return postgresSchema(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

// RequirePostgres returns the base PostgreSQL DSN, or skips the test (fails
// it under ART35_REQUIRE_ALL=1) when none is configured.
func RequirePostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv(EnvRequireAll) == "1" {
			t.Fatalf("%s is not set but %s=1: the PostgreSQL suite must run", EnvPostgres, EnvRequireAll)
		}
		t.Skipf("PostgreSQL suite skipped: set %s to a DSN (e.g. postgres://user@127.0.0.1:5433/art35?sslmode=disable) to run it", EnvPostgres)
	}
	return base
}

func postgresSchema(t *testing.T) string {
	t.Helper()
	base := RequirePostgres(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open PostgreSQL %s: %v", base, err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s must be a postgres:// URL: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
