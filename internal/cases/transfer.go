package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// Onward transfer (Protocol Art. 14(10), SPEC section 7): data received
// from a party may be passed to a third party only with the originating
// party's prior authorisation. In art35 data is passed on as a new request
// (spontaneous information, a linked preservation) that links to the
// received one; Submit refuses such a request to anyone but the
// originator unless the authorisation is on record. The ask and the grant
// travel between the nodes as evidences on the received request.

// Evidence kinds of the transfer exchange (also the envelope subkinds).
const (
	KindTransferRequest = "transfer-request"
	KindTransferGranted = "transfer-granted"
)

// checkOnwardTransfer refuses a new request that passes on data received
// here from another party without that party's authorisation, or with a
// weaker handling code than the data came with.
func (s *Service) checkOnwardTransfer(ctx context.Context, r *request.Request) error {
	for _, l := range r.Links {
		var dir, requesting string
		var doc []byte
		err := s.DB.QueryRowContext(ctx, `SELECT direction, requesting_party, document FROM requests WHERE id = $1`, l.ID).Scan(&dir, &requesting, &doc)
		found, err := store.Found(err)
		if err != nil {
			return err
		}
		if !found {
			continue // a link to a request this node does not hold carries none of its data
		}
		if Direction(dir) != Incoming || requesting == r.Requested.Party {
			continue // our own data, or going back to where it came from
		}
		src, _ := request.Decode(doc)
		if src != nil && r.Handling.Code.Weaker(src.Handling.Code) {
			return apperr.Errorf(apperr.EInvalid, "handling.code %s is weaker than %s on request %s, whose data this request passes on: a handling code never weakens when data is forwarded (SPEC section 7); use %s or stricter",
				r.Handling.Code, src.Handling.Code, l.ID, src.Handling.Code)
		}
		need, basis := s.transferNeedsAuthorisation(ctx, src, requesting, r)
		if !need {
			continue // Convention alone, no Art. 28(2) condition against it: Protocol Art. 14(10) does not apply
		}
		var n int
		if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM transfer_authorisations WHERE request_id = $1 AND to_party = $2`, l.ID, r.Requested.Party).Scan(&n); err != nil {
			return store.MapError(err)
		}
		if n == 0 {
			return apperr.Errorf(apperr.EUnauthorized,
				"request %s passes on data received from %s in request %s to %s, and %s has not authorised that (%s); ask first: art35 transfer request --data DIR %s --to %s --purpose \"...\"",
				r.ID, requesting, l.ID, r.Requested.Party, requesting, basis, l.ID, r.Requested.Party)
		}
	}
	return nil
}

// RequestTransfer asks the originating party of a received request to
// authorise passing its data on to party to, for the stated purpose.
func (s *Service) RequestTransfer(ctx context.Context, id, to, purpose, by string) error {
	c, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Direction != Incoming {
		return apperr.Errorf(apperr.EInvalid, "request %s was sent by this node: its data is ours, no authorisation is needed", id)
	}
	if strings.TrimSpace(purpose) == "" || strings.TrimSpace(by) == "" || len(to) != 2 {
		return apperr.Errorf(apperr.EInvalid, "a transfer request needs the third party (--to CC), the purpose (--purpose) and who asks (--by)")
	}
	return s.sendNote(ctx, c, request.Evidence{Kind: KindTransferRequest, RequestID: id, By: by, As: request.ByReceiver,
		Details: transferDetailsText(to, purpose)}, nil)
}

// GrantTransfer authorises the other side of a request this node sent to
// pass its data on to party to. The grant travels as an evidence and is
// recorded on both sides.
func (s *Service) GrantTransfer(ctx context.Context, id, to, purpose, by string) error {
	c, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Direction != Outgoing {
		return apperr.Errorf(apperr.EInvalid, "request %s was received here: only the party that sent the data can authorise passing it on", id)
	}
	if len(to) != 2 || strings.TrimSpace(by) == "" {
		return apperr.Errorf(apperr.EInvalid, "a grant needs the third party (--to CC) and who grants it (--by)")
	}
	ev := request.Evidence{Kind: KindTransferGranted, RequestID: id, By: by, As: request.BySender, Details: transferDetailsText(to, purpose)}
	return s.sendNote(ctx, c, ev, func(tx *sql.Tx) error {
		return recordGrant(ctx, tx, id, to, purpose, by, s.Clock.Now(), "")
	})
}

func recordGrant(ctx context.Context, tx *sql.Tx, id, to, purpose, by string, at time.Time, messageID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO transfer_authorisations (request_id, to_party, purpose, granted_at, granted_by, message_id)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id, to_party) DO NOTHING`, id, to, purpose, store.FormatTime(at), by, messageID)
	return err
}

// sendNote records a note evidence on a case and sends it to the other
// side, in one transaction with also.
func (s *Service) sendNote(ctx context.Context, c *Case, ev request.Evidence, also func(tx *sql.Tx) error) error {
	ev.At = s.Clock.Now()
	body, err := json.Marshal(wireEvidence(ev, c))
	if err != nil {
		return err
	}
	// One note, one business event: its key is its own, not its position
	// in the case, which an arrival may take meanwhile.
	nonce, err := envelope.NewID(nil)
	if err != nil {
		return err
	}
	h := envelope.Header{IdempotencyKey: c.Request.ID + "/" + ev.Kind + "/" + nonce, Kind: envelope.KindEvidence, Subkind: ev.Kind,
		Recipient: c.Peer, InReplyTo: c.MessageID, CaseRef: c.Request.SenderRef, Handling: envelope.Handling(c.Request.Handling.Code)}
	_, err = s.Send(ctx, h, body, func(tx *sql.Tx) error {
		seq, err := nextSeq(ctx, tx, c.Request.ID)
		if err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, c.Request.ID, seq, ev, ""); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	return err
}

// arrivedTransferGrant records an authorisation received from the
// originating party.
func arrivedTransferGrant(ctx context.Context, tx *sql.Tx, ev request.Evidence, messageID string) error {
	to, purpose := TransferDetails(ev.Details)
	if len(to) != 2 {
		return nil
	}
	if err := recordGrant(ctx, tx, ev.RequestID, to, purpose, ev.By, ev.At, messageID); err != nil {
		return err
	}
	_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.AdminChange, Time: ev.At, Actor: ev.By, MessageID: messageID,
		Details: map[string]string{"change": "onward transfer authorised", "request": ev.RequestID, "to": to}})
	return err
}

// transferDetailsText is the Details of a transfer request or grant:
// "to=CC; purpose=...". TransferDetails reads it back.
func transferDetailsText(to, purpose string) string {
	return "to=" + to + "; purpose=" + purpose
}

// TransferDetails reads the party and purpose from the Details of a
// transfer request or grant ("to=CC; purpose=..."); a part it does not
// know is passed over.
func TransferDetails(d string) (to, purpose string) {
	for part := range strings.SplitSeq(d, "; ") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "to":
			to = v
		case "purpose":
			purpose = v
		}
	}
	return to, purpose
}

// Authorisation is a recorded onward-transfer authorisation.
type Authorisation struct {
	RequestID string    `json:"request_id"`
	To        string    `json:"to"`
	Purpose   string    `json:"purpose"`
	GrantedAt time.Time `json:"granted_at"`
	GrantedBy string    `json:"granted_by"`
}

// Authorisations lists the recorded onward-transfer authorisations.
func (s *Service) Authorisations(ctx context.Context) ([]Authorisation, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT request_id, to_party, purpose, granted_at, granted_by FROM transfer_authorisations ORDER BY granted_at`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []Authorisation
	for rows.Next() {
		var (
			a  Authorisation
			at string
		)
		if err := rows.Scan(&a.RequestID, &a.To, &a.Purpose, &at, &a.GrantedBy); err != nil {
			return nil, err
		}
		if a.GrantedAt, err = store.ParseTime(at); err != nil {
			return nil, fmt.Errorf("authorisation of %s: %w", a.RequestID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
