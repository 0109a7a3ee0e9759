package cases

import (
	"context"
	"database/sql"

	"github.com/art35/art35/internal/store"
)

// MarkExerciseTx flags, inside tx, the request carried by the envelope
// messageID as an exercise (the node calls it in the transaction that
// queues the envelope).
func MarkExerciseTx(ctx context.Context, tx *sql.Tx, messageID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE requests SET exercise = 1 WHERE message_id = $1`, messageID)
	return store.MapError(err)
}
