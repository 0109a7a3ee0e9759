package cases

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/request"
)

// Use conditions and access records (SPEC section 7; Budapest Art. 26 and
// 28; Protocol Art. 14(8)): the receiver records that it accepted the
// sender's conditions, every read of received data names who read it and
// why, and the sender may ask "how was it used?", which the receiver
// answers from its audit log.

// Evidence kinds of the use exchange (also envelope subkinds).
const (
	KindConditionsAccepted = "conditions-accepted"
	KindUsageQuery         = "usage-query"
	KindUsageReport        = "usage-report"
)

// auditCase is the case reference of a request's audit records: the
// sender's own reference, or the request id when the sender gave none
// (sender_ref is optional, and the audit log refuses a data access record
// without a case).
func auditCase(c *Case) string { return cmp.Or(c.Request.SenderRef, c.Request.ID) }

// Read returns a case for a person to look at and records the access in
// the audit log (who, which case, for what purpose). Every screen and
// command that shows a received request's content goes through it.
func (s *Service) Read(ctx context.Context, id, actor, purpose string) (*Case, error) {
	if strings.TrimSpace(actor) == "" || strings.TrimSpace(purpose) == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "reading a case's content is recorded: name who reads it and for what purpose")
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Direction == Incoming {
		err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
			_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.DataRead, Time: s.Clock.Now(), Actor: actor,
				Case: auditCase(c), MessageID: c.MessageID, Purpose: purpose, Details: map[string]string{"request": id}})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// AcceptConditions records that this node accepts the use conditions of a
// received request and tells the sender, as a signed evidence.
func (s *Service) AcceptConditions(ctx context.Context, id, by string) error {
	c, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Direction != Incoming {
		return apperr.Errorf(apperr.EInvalid, "request %s was sent by this node: the other side accepts its conditions", id)
	}
	conds := c.Request.Handling.Conditions
	text := fmt.Sprintf("handling %s; conditions: %s", c.Request.Handling.Code, strings.Join(conds, "; "))
	return s.sendNote(ctx, c, request.Evidence{Kind: KindConditionsAccepted, RequestID: id, By: by, As: request.ByReceiver, Details: text},
		func(tx *sql.Tx) error {
			_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.ConditionAccepted, Time: s.Clock.Now(), Actor: by,
				Case: auditCase(c), MessageID: c.MessageID, Details: map[string]string{"request": id, "handling": string(c.Request.Handling.Code)}})
			return err
		})
}

// AskUse asks the receiver of a request this node sent how the data was
// used.
func (s *Service) AskUse(ctx context.Context, id, by string) error {
	c, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Direction != Outgoing {
		return apperr.Errorf(apperr.EInvalid, "request %s was received here: ask yourself with 'art35 audit list --case'", id)
	}
	return s.sendNote(ctx, c, request.Evidence{Kind: KindUsageQuery, RequestID: id, By: by, As: request.BySender,
		Details: "explain how the data of this request was used (Art. 26, 28)"}, nil)
}

// UsageReport summarises, from the audit log, what was done here with the
// data of a received request: conditions accepted, reads, exports,
// forwards, by whom and for what purpose.
func (s *Service) UsageReport(ctx context.Context, id string) (string, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	recs, err := auditlog.List(ctx, s.DB, auditlog.Query{Case: auditCase(c), Limit: 1000})
	if err != nil {
		return "", err
	}
	type key struct{ kind, actor, purpose string }
	counts := map[key]int{}
	for _, r := range recs {
		switch r.Kind {
		case auditlog.DataRead, auditlog.DataExport, auditlog.DataForward, auditlog.ConditionAccepted:
			counts[key{string(r.Kind), r.Actor, r.Purpose}]++
		}
	}
	if len(counts) == 0 {
		return "no access to this request's data is recorded here", nil
	}
	lines := make([]string, 0, len(counts))
	for k, n := range counts {
		line := fmt.Sprintf("%s by %s: %d", k.kind, k.actor, n)
		if k.purpose != "" {
			line += " (purpose: " + k.purpose + ")"
		}
		lines = append(lines, line)
	}
	sort.Strings(lines)
	return strings.Join(lines, "; "), nil
}

// AnswerUse answers a usage query on a received request from the audit
// log, as a signed evidence to the sender.
func (s *Service) AnswerUse(ctx context.Context, id, by string) (string, error) {
	report, err := s.UsageReport(ctx, id)
	if err != nil {
		return "", err
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return report, s.sendNote(ctx, c, request.Evidence{Kind: KindUsageReport, RequestID: id, By: by, As: request.ByReceiver, Details: report}, nil)
}
