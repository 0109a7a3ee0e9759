package auditlog

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// BenchmarkAppend measures one append in its own transaction (the common
// case: one audited change per transaction), on each backend.
func BenchmarkAppend(b *testing.B) {
	for _, backend := range storetest.Backends {
		b.Run(backend, func(b *testing.B) {
			db := openBench(b, backend)
			i := 0
			for b.Loop() {
				if _, err := AppendOne(ctx, db, recordN(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkVerify measures verifying a log of 10,000 records with one
// checkpoint; the time per op is for the whole log.
func BenchmarkVerify(b *testing.B) {
	for _, backend := range storetest.Backends {
		b.Run(backend, func(b *testing.B) {
			db := openBench(b, backend)
			const n = 10000
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				for i := range n {
					if _, err := Append(ctx, tx, recordN(i)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			l := newTestLog(b, db, "IT-247")
			if _, err := l.Checkpoint(ctx); err != nil {
				b.Fatal(err)
			}
			v, _ := NewVerifier(l.Origin, l.pub)
			for b.Loop() {
				rep, err := Verify(ctx, db, v)
				if err != nil || rep.Size != n {
					b.Fatal(rep.Size, err)
				}
			}
		})
	}
}

// openBench opens a fresh database for a benchmark (storetest works with
// *testing.T only): a SQLite file, or a new schema in ART35_TEST_POSTGRES.
func openBench(b *testing.B, backend string) *store.DB {
	b.Helper()
	dsn := filepath.Join(b.TempDir(), "bench.db")
	if backend == store.Postgres {
		base := os.Getenv(storetest.EnvPostgres)
		if base == "" {
			b.Skip("PostgreSQL benchmark skipped: set " + storetest.EnvPostgres)
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		schema := fmt.Sprintf("bench_%d", os.Getpid())
		admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		})
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}
