// Package retention enforces how long a node keeps personal data it
// received (SPEC section 7; Protocol Art. 14): every received item has a
// retention period by request type; when it has passed and the case is
// finished, the purge removes the personal data from the database for real
// (envelope bodies and ciphertexts, request documents), keeps what proves
// what happened (ids, digests, dates, the audit log), and records the purge
// in the audit log. A case still open when its period ends is not purged
// but listed for a person's review.
package retention

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// Policy is how long received personal data is kept, counted from receipt.
type Policy struct {
	Default time.Duration
	ByType  map[request.Type]time.Duration
}

// DefaultPolicy keeps received requests two years (long enough for the
// MLA request that follows a preservation to be decided), pings 90 days.
func DefaultPolicy() Policy {
	return Policy{
		Default: 2 * 365 * 24 * time.Hour,
		ByType:  map[request.Type]time.Duration{request.TypePing: 90 * 24 * time.Hour},
	}
}

func (p Policy) period(t request.Type) time.Duration {
	if d, ok := p.ByType[t]; ok {
		return d
	}
	return p.Default
}

// finished are the states after which nothing more is done with a case.
var finished = map[request.State]bool{
	request.StateClosed: true, request.StateDeclined: true, request.StateDisclosed: true, request.StatePartiallyExecuted: true,
}

// Result says what a purge did.
type Result struct {
	Purged   []string `json:"purged"`            // request ids whose personal data was removed
	Envelope int      `json:"envelopes"`         // envelopes whose body was removed
	Review   []string `json:"review,omitempty"`  // past their period but still open: a person decides
	DryRun   bool     `json:"dry_run,omitempty"` // nothing was changed
}

// tombstone replaces a purged request document: enough to show that the
// request existed and what it was, none of its content.
type tombstone struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Purged   string `json:"purged"`
	Requests struct {
		Party string `json:"party"`
	} `json:"requesting"`
}

// Purge removes the personal data of received items whose retention
// period has passed at now, in one transaction with its audit record.
func Purge(ctx context.Context, db *store.DB, p Policy, now time.Time, actor string, dryRun bool) (Result, error) {
	res := Result{DryRun: dryRun}
	type item struct {
		id, typ, state, party string
		received              time.Time
	}
	rows, err := db.QueryContext(ctx, `SELECT r.id, r.type, r.state, r.requesting_party, e.received_at
		FROM requests r JOIN inbound_envelopes e ON e.message_id = r.message_id
		WHERE r.direction = 'in' AND r.purged_at = ''`)
	if err != nil {
		return res, store.MapError(err)
	}
	var due []item
	for rows.Next() {
		var (
			it  item
			rcv string
		)
		if err := rows.Scan(&it.id, &it.typ, &it.state, &it.party, &rcv); err != nil {
			rows.Close()
			return res, err
		}
		if it.received, err = store.ParseTime(rcv); err != nil {
			rows.Close()
			return res, err
		}
		if now.Before(it.received.Add(p.period(request.Type(it.typ)))) {
			continue
		}
		if !finished[request.State(it.state)] {
			res.Review = append(res.Review, it.id)
			continue
		}
		due = append(due, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	if dryRun || len(due) == 0 {
		for _, it := range due {
			res.Purged = append(res.Purged, it.id)
		}
		return res, nil
	}
	stamp := store.FormatTime(now)
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		res.Purged, res.Envelope = nil, 0
		for _, it := range due {
			var ts tombstone
			ts.ID, ts.Type, ts.Purged, ts.Requests.Party = it.id, it.typ, stamp, it.party
			doc, _ := json.Marshal(ts)
			if _, err := tx.ExecContext(ctx, `UPDATE requests SET document = $1, purged_at = $2 WHERE id = $3`, doc, stamp, it.id); err != nil {
				return err
			}
			// Every envelope that concerns the request: the request itself
			// and the evidences about it.
			r, err := tx.ExecContext(ctx, `UPDATE inbound_envelopes SET body = $1, raw = $1, purged_at = $2
				WHERE purged_at = '' AND message_id IN (
					SELECT message_id FROM evidences WHERE request_id = $3 AND message_id <> ''
					UNION SELECT message_id FROM requests WHERE id = $3)`, []byte{}, stamp, it.id)
			if err != nil {
				return err
			}
			n, _ := r.RowsAffected()
			res.Envelope += int(n)
			// Evidence details can name people and references: keep only
			// the step itself.
			if _, err := tx.ExecContext(ctx, `UPDATE evidences SET document = $1 WHERE request_id = $2`, []byte(`{"purged":true}`), it.id); err != nil {
				return err
			}
			res.Purged = append(res.Purged, it.id)
		}
		_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.Purge, Time: now, Actor: actor,
			Details: map[string]string{"requests": strconv.Itoa(len(res.Purged)), "envelopes": strconv.Itoa(res.Envelope),
				"rule": fmt.Sprintf("received more than the retention period ago and finished (default %s)", p.Default)}})
		return err
	})
	return res, err
}
