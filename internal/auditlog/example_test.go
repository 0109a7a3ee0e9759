package auditlog_test

import (
	"context"
	"database/sql"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/store"
)

// A business change and its audit record commit together: here, marking a
// received item as read by an officer. If the UPDATE fails, the record is
// not appended; if the append fails, the UPDATE is rolled back.
func ExampleAppend() {
	ctx := context.Background()
	db, err := store.Open(ctx, "/var/lib/art35/art35.db")
	if err != nil {
		return
	}
	defer db.Close()
	now := time.Now() // in node code: n.Clock.Now()
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE node_meta SET value = $1 WHERE key = 'example'`, "read"); err != nil {
			return err
		}
		_, err := auditlog.Append(ctx, tx, auditlog.Record{
			Kind:      auditlog.DataRead,
			Time:      now,
			Actor:     "officer-17",
			Case:      "IT-2026-0042",
			MessageID: "msg-0001",
			Purpose:   "identify the account holder",
			Details:   map[string]string{"item": "subscriber-data"},
		})
		return err
	})
	_ = err
}
