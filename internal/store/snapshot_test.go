package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// TestSnapshotSeesOneState: inside Snapshot, a row committed by another
// transaction between two reads is not seen by the second read, on both
// engines (PostgreSQL's default isolation would show it).
func TestSnapshotSeesOneState(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, `CREATE TABLE snapshot_probe (n INTEGER)`); err != nil {
			t.Fatal(err)
		}
		count := func(q interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}) int {
			var n int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM snapshot_probe`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := db.Snapshot(ctx, func(tx *sql.Tx) error {
			before := count(tx)
			if err := db.Tx(ctx, func(w *sql.Tx) error {
				_, err := w.ExecContext(ctx, `INSERT INTO snapshot_probe (n) VALUES (1)`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if after := count(tx); after != before {
				t.Fatalf("the snapshot saw %d rows, then %d after another transaction committed", before, after)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(db); n != 1 {
			t.Fatalf("after the snapshot: %d rows, want 1", n)
		}
	})
}
