package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// TestStatementReuse runs the same statements many times, and the same
// query again while its rows are still open in one transaction (the cached
// statement is busy then): every result must be the right one.
func TestStatementReuse(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 50 {
			if _, err := db.ExecContext(ctx, `INSERT INTO node_meta (key, value) VALUES ($1, $2)`, fmt.Sprintf("reuse-%02d", i), fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		const q = `SELECT key, value FROM node_meta WHERE key LIKE $1 ORDER BY key`
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			outer, err := tx.QueryContext(ctx, q, "reuse-0%")
			if err != nil {
				return err
			}
			defer outer.Close()
			n := 0
			for outer.Next() {
				var k, v string
				if err := outer.Scan(&k, &v); err != nil {
					return err
				}
				if k != fmt.Sprintf("reuse-%02d", n) || v != fmt.Sprint(n) {
					return fmt.Errorf("outer row %d = %s %s", n, k, v)
				}
				// The same query, inside: it must not disturb the outer rows.
				// (PostgreSQL connections cannot run a query while rows
				// are open at all; the cache is SQLite's.)
				if db.Backend() == store.Postgres {
					n++
					continue
				}
				var ik, iv string
				if err := tx.QueryRowContext(ctx, q, fmt.Sprintf("reuse-4%d", n)).Scan(&ik, &iv); err != nil {
					return fmt.Errorf("inner query %d: %w", n, err)
				}
				if ik != fmt.Sprintf("reuse-4%d", n) || iv != fmt.Sprint(40+n) {
					return fmt.Errorf("inner row %d = %s %s", n, ik, iv)
				}
				n++
			}
			if n != 10 {
				return fmt.Errorf("outer query gave %d rows, want 10", n)
			}
			return outer.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			var v string
			if err := db.QueryRowContext(ctx, `SELECT value FROM node_meta WHERE key = $1`, fmt.Sprintf("reuse-%02d", i)).Scan(&v); err != nil || v != fmt.Sprint(i) {
				t.Fatalf("reuse-%02d = %q, %v", i, v, err)
			}
		}
	})
}
