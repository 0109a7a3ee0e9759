package auditlog

import (
	"context"
	"fmt"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
)

// Query selects records for the audit view ("who read what, when, for
// which case"). Empty fields match everything.
type Query struct {
	MessageID string
	Case      string
	Actor     string
	Kind      Kind
	// Limit is the most records returned, newest first; 0 means 100.
	Limit int
}

// Listed is one record of the audit view with its index in the log.
type Listed struct {
	Index int64
	Record
}

// MaxListLimit bounds one page of the audit view.
const MaxListLimit = 10000

// List returns the records matching q, newest first. Each record is decoded
// from its leaf, the signed truth, not from the query columns; run Verify
// to know that the leaves are intact.
func List(ctx context.Context, db *store.DB, q Query) ([]Listed, error) {
	if q.Limit < 0 || q.Limit > MaxListLimit {
		return nil, apperr.Errorf(apperr.EInvalid, "audit list: limit %d must be between 1 and %d", q.Limit, MaxListLimit)
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	var (
		where []string
		args  []any
	)
	for _, c := range []struct{ col, v string }{
		{"message_id", q.MessageID}, {"case_ref", q.Case}, {"actor", q.Actor}, {"kind", string(q.Kind)},
	} {
		if c.v != "" {
			args = append(args, c.v)
			where = append(where, fmt.Sprintf("%s = $%d", c.col, len(args)))
		}
	}
	sqlText := `SELECT idx, leaf FROM audit_records`
	if len(where) > 0 {
		sqlText += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, q.Limit)
	sqlText += fmt.Sprintf(` ORDER BY idx DESC LIMIT $%d`, len(args))
	rows, err := db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit list")
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		var (
			l    Listed
			leaf []byte
		)
		if err := rows.Scan(&l.Index, &leaf); err != nil {
			return nil, err
		}
		if l.Record, err = Decode(leaf); err != nil {
			return nil, apperr.Wrap(apperr.EInvalid, err, "audit list: record %d is damaged (run 'art35 audit verify')", l.Index)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
