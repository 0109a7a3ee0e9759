package auditlog

import (
	"context"
	"database/sql"
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
	// OfCase, when set, keeps the records of one case: those of its
	// request message or naming one of its references (its id here and
	// the sender's own reference), whichever side recorded them.
	OfCase *CaseKeys
	// Limit is the most records returned, newest first; 0 means 100.
	Limit int
}

// CaseKeys name a case in the log: the message id of its request and the
// references records may carry as their case.
type CaseKeys struct {
	MessageID string
	Refs      []string
}

// matches says whether r belongs to the case; the SQL of List says the
// same in its WHERE clause (caseWhere), for the records in the log.
func (k *CaseKeys) matches(r Record) bool {
	if k.MessageID != "" && r.MessageID == k.MessageID {
		return true
	}
	for _, ref := range k.Refs {
		if ref != "" && r.Case == ref {
			return true
		}
	}
	return false
}

// caseWhere is matches as SQL, its arguments numbered from len(args)+1.
func (k *CaseKeys) caseWhere(args []any) (string, []any) {
	var or []string
	if k.MessageID != "" {
		args = append(args, k.MessageID)
		or = append(or, fmt.Sprintf("message_id = $%d", len(args)))
	}
	for _, ref := range k.Refs {
		if ref != "" {
			args = append(args, ref)
			or = append(or, fmt.Sprintf("case_ref = $%d", len(args)))
		}
	}
	if len(or) == 0 {
		return "1 = 0", args // a case with no keys has no records
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// Listed is one record of the audit view with its index in the log.
type Listed struct {
	// Index is the record's index in the log, or -1 for a record staged
	// but not sequenced yet (it gets its index within moments).
	Index int64
	Record
}

// maxStagedScan bounds the staged records List reads. With the node
// running they are a few batches at most; a larger backlog means no
// sequencer runs, and List says so instead of reading it all.
const maxStagedScan = 100000

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
	if q.OfCase != nil {
		var w string
		w, args = q.OfCase.caseWhere(args)
		where = append(where, w)
	}
	// Records staged but not yet sequenced are the newest: the audit view
	// shows them too, so that what was just done is visible at once. Both
	// tables are read in one snapshot: the sequencer moves records from
	// one to the other, and two separate reads could miss a record or,
	// since two records may be identical (the same read twice in the same
	// microsecond), not tell a moved one from its twin.
	var out []Listed
	err := db.Snapshot(ctx, func(tx *sql.Tx) error {
		staged, err := listStaged(ctx, tx, q)
		if err != nil {
			return err
		}
		if len(staged) >= q.Limit {
			out = staged[:q.Limit]
			return nil
		}
		sqlText := `SELECT idx, leaf FROM audit_records`
		if len(where) > 0 {
			sqlText += ` WHERE ` + strings.Join(where, " AND ")
		}
		args = append(args, q.Limit-len(staged))
		sqlText += fmt.Sprintf(` ORDER BY idx DESC LIMIT $%d`, len(args))
		rows, err := tx.QueryContext(ctx, sqlText, args...)
		if err != nil {
			return apperr.Wrap(apperr.EInternal, store.MapError(err), "audit list")
		}
		defer rows.Close()
		out = staged
		for rows.Next() {
			var (
				l    Listed
				leaf []byte
			)
			if err := rows.Scan(&l.Index, &leaf); err != nil {
				return err
			}
			if l.Record, err = Decode(leaf); err != nil {
				return apperr.Wrap(apperr.EInvalid, err, "audit list: record %d is damaged (run 'art35 audit verify')", l.Index)
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listStaged returns the staged records matching q, newest first, decoded
// from their leaves (the staging table has no query columns).
func listStaged(ctx context.Context, db querier, q Query) ([]Listed, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, leaf FROM audit_staged ORDER BY id DESC LIMIT $1`, maxStagedScan+1)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit list: read staged records")
	}
	defer rows.Close()
	var (
		out  []Listed
		seen int
	)
	for rows.Next() {
		var (
			id   int64
			leaf []byte
		)
		if err := rows.Scan(&id, &leaf); err != nil {
			return nil, err
		}
		if seen++; seen > maxStagedScan {
			return nil, apperr.Errorf(apperr.EInternal, "audit list: more than %d records wait to be sequenced; is the node (its audit sequencer) running? 'art35 audit verify' sequences them", maxStagedScan)
		}
		r, err := Decode(leaf)
		if err != nil {
			return nil, apperr.Wrap(apperr.EInvalid, err, "audit list: staged record %d is damaged", id)
		}
		if (q.MessageID != "" && r.MessageID != q.MessageID) || (q.Case != "" && r.Case != q.Case) ||
			(q.Actor != "" && r.Actor != q.Actor) || (q.Kind != "" && r.Kind != q.Kind) ||
			(q.OfCase != nil && !q.OfCase.matches(r)) {
			continue
		}
		out = append(out, Listed{Index: -1, Record: r})
	}
	return out, rows.Err()
}
