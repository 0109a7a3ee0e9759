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
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/federation"
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
	// The tables belong to cases and federation; the purge asks them, and
	// gives them its transaction, so that all of it commits together.
	received, err := cases.ReceivedUnpurged(ctx, db)
	if err != nil {
		return res, err
	}
	var due []cases.Received
	for _, it := range received {
		at, ok, err := federation.InboundReceivedAt(ctx, db, it.MessageID)
		if err != nil {
			return res, err
		}
		if !ok || now.Before(at.Add(p.period(request.Type(it.Type)))) {
			continue
		}
		if !finished[request.State(it.State)] {
			res.Review = append(res.Review, it.ID)
			continue
		}
		due = append(due, it)
	}
	if dryRun || len(due) == 0 {
		for _, it := range due {
			res.Purged = append(res.Purged, it.ID)
		}
		return res, nil
	}
	stamp := store.FormatTime(now)
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		res.Purged, res.Envelope = nil, 0
		for _, it := range due {
			var ts tombstone
			ts.ID, ts.Type, ts.Purged, ts.Requests.Party = it.ID, it.Type, stamp, it.RequestingParty
			doc, _ := json.Marshal(ts)
			// Every envelope that concerns the request: the request itself
			// and the evidences about it.
			ids, err := cases.PurgeTx(ctx, tx, it.ID, doc, stamp)
			if err != nil {
				return err
			}
			n, err := federation.PurgeInbound(ctx, tx, ids, stamp)
			if err != nil {
				return err
			}
			res.Envelope += n
			res.Purged = append(res.Purged, it.ID)
		}
		_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.Purge, Time: now, Actor: actor,
			Details: map[string]string{"requests": strconv.Itoa(len(res.Purged)), "envelopes": strconv.Itoa(res.Envelope),
				"rule": fmt.Sprintf("received more than the retention period ago and finished (default %s)", p.Default)}})
		return err
	})
	return res, err
}
