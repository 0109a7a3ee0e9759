package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/store"
)

// Notification of direct orders (Protocol Art. 7(5); Regulation (EU)
// 2023/1543 Art. 8, 12). A direct order sent to a provider whose party
// must be notified is copied, as the same request document, to that
// party's notification (or EU enforcing) authority; that authority's node
// stores the copy as a received request. The notified authority may then
// stop disclosure: a signed "disclosure-stopped" evidence sent to the
// provider's node, which records it on the order ("disclosure stopped by
// ...") and from then on refuses the order's disclose steps. The rule
// book (rule R9, docs/protocol.md) takes a stop only from the authority
// the order is notified to.

// zeroTime is the "no end date" of a note.
var zeroTime time.Time

// SubkindDisclosureStopped is the evidence subkind (and note kind) of a
// notified authority's stop.
const SubkindDisclosureStopped = request.NoteDisclosureStopped

// SubmitOrder is "art35 case send": Submit to the point of contact, or with a
// provider's authority id (to) SubmitDirect straight to the provider's
// node, which also sends the notification copy where one is required.
func (s *Service) SubmitOrder(ctx context.Context, doc []byte, by, to string) (*Case, []request.Problem, *route.Notification, error) {
	if to == "" {
		c, ps, err := s.Submit(ctx, doc, by)
		return c, ps, nil, err
	}
	return s.SubmitDirect(ctx, doc, by, to)
}

// SubmitDirect sends a direct order to a provider's node (SubmitTo) and,
// where the provider's party must be notified, the notification copy to
// its authority (Notify). The copy is its own transaction: when it fails
// the order is already sent, the error says so, and Notify can be called
// again (its envelope is idempotent).
func (s *Service) SubmitDirect(ctx context.Context, doc []byte, by, provider string) (*Case, []request.Problem, *route.Notification, error) {
	c, problems, err := s.SubmitTo(ctx, doc, by, provider)
	if err != nil {
		return nil, problems, nil, err
	}
	d, err := s.Directory(ctx)
	if err != nil {
		return c, problems, nil, err
	}
	n := route.NotificationFor(d, c.Request)
	if !n.Required {
		return c, problems, &n, nil
	}
	if _, err := s.Notify(ctx, c.Request.ID, by); err != nil {
		return c, problems, &n, fmt.Errorf("order %s was sent, but its notification copy was not (run it again with 'Notify'): %w", c.Request.ID, err)
	}
	return c, problems, &n, nil
}

// Notify sends the notification copy of an outgoing direct order to the
// authority the directory lists for it, and records a "notified" note on
// the order, in one transaction. It refuses an order that needs no
// notification, naming why, and one whose party lists no such authority.
func (s *Service) Notify(ctx context.Context, id, by string) (*route.Notification, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Direction != Outgoing {
		return nil, apperr.Errorf(apperr.EInvalid, "request %s was received here: only the issuer sends the notification copy", id)
	}
	if strings.TrimSpace(by) == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "name the person sending the notification (by)")
	}
	d, err := s.Directory(ctx)
	if err != nil {
		return nil, err
	}
	n := route.NotificationFor(d, c.Request)
	switch {
	case !n.Required:
		return &n, apperr.Errorf(apperr.EInvalid, "request %s needs no notification: %s", id, n.Reason)
	case n.Authority == "":
		return &n, apperr.Errorf(apperr.ENotFound, "request %s: %s", id, n.Reason)
	}
	now := s.Clock.Now()
	ev, err := c.Lifecycle.Note(request.NoteNotified, notBefore(now, c.Lifecycle), by, request.BySender,
		fmt.Sprintf("notification copy sent to %s (%s)", n.Authority, n.Basis), zeroTime)
	if err != nil {
		return &n, err
	}
	h := envelope.Header{
		IdempotencyKey: c.Ref + "/notification/" + n.Authority, Kind: envelope.KindRequest, Subkind: string(c.Request.Type),
		Recipient: n.Authority, CaseRef: c.Request.SenderRef, Handling: envelope.Handling(c.Request.Handling.Code),
	}
	_, err = s.Send(ctx, h, c.Document, func(tx *sql.Tx) error {
		seq, err := nextSeq(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, id, seq, ev, ""); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE requests SET updated_at = $1 WHERE id = $2`, store.FormatTime(ev.At), id)
		return err
	})
	if err != nil {
		return &n, err
	}
	return &n, nil
}

// StopDisclosure is the notified authority's instruction to a provider
// not to execute a direct order (Protocol Art. 7(5)(c); Reg. (EU)
// 2023/1543 Art. 12). id is the notification copy held on this node;
// provider is the provider's authority id in the directory (of this
// node's party). The stop is recorded on the copy and sent, signed, to
// the provider's node in one transaction.
func (s *Service) StopDisclosure(ctx context.Context, id, provider, by, reason string) (*request.Evidence, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Direction != Incoming:
		return nil, apperr.Errorf(apperr.EInvalid, "request %s was sent from here: only the authority notified of an order stops it", id)
	case strings.TrimSpace(by) == "":
		return nil, apperr.Errorf(apperr.EInvalid, "name the person who stops disclosure (by)")
	case strings.TrimSpace(reason) == "":
		return nil, apperr.Errorf(apperr.EInvalid, "give the ground for stopping disclosure (reason), e.g. it would prejudice a domestic investigation (Protocol Art. 7(5)(c)(i)) or a ground of Reg. 2023/1543 Art. 12")
	}
	d, err := s.Directory(ctx)
	if err != nil {
		return nil, err
	}
	if ok, why := route.MayStop(d, c.Request, s.Authority); !ok {
		return nil, apperr.Errorf(apperr.EInvalid, "this node (%s) may not stop request %s: %s", s.Authority, id, why)
	}
	pp, pa, ok := d.AuthorityByID(provider)
	if !ok || pp.Code != s.Party || pa.Role != directory.RoleProvider {
		return nil, apperr.Errorf(apperr.EInvalid, "provider %q is not a service provider's node of %s in the directory; give the id of the provider the order went to", provider, s.Party)
	}
	now := s.Clock.Now()
	local, err := c.Lifecycle.Note(request.NoteDisclosureStopped, notBefore(now, c.Lifecycle), by, request.ByReceiver,
		fmt.Sprintf("instructed %s not to disclose: %s", provider, reason), zeroTime)
	if err != nil {
		return nil, err
	}
	wire := request.Evidence{Kind: request.NoteDisclosureStopped, RequestID: c.Ref, At: local.At, By: by,
		Details: reason, LinkedID: c.Peer}
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, err
	}
	h := envelope.Header{
		IdempotencyKey: c.Ref + "/stop/" + provider, Kind: envelope.KindEvidence, Subkind: SubkindDisclosureStopped,
		Recipient: provider, CaseRef: c.Request.SenderRef, Handling: envelope.Handling(c.Request.Handling.Code),
	}
	_, err = s.Send(ctx, h, body, func(tx *sql.Tx) error {
		seq, err := nextSeq(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, id, seq, local, ""); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE requests SET updated_at = $1 WHERE id = $2`, store.FormatTime(local.At), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &local, nil
}

// judgeStop is rule R9 of the rule book: a "disclosure-stopped" evidence
// is taken only by a provider's node, only for a direct order it received
// from the issuer the evidence names, only from the authority that order
// is notified to (route.MayStop), and only before the order was executed.
func (s *Service) judgeStop(ctx context.Context, q querier, h envelope.Header, body []byte) (*judged, error) {
	var ev request.Evidence
	if err := json.Unmarshal(body, &ev); err != nil || ev.Kind != request.NoteDisclosureStopped || ev.RequestID == "" || ev.LinkedID == "" || strings.TrimSpace(ev.By) == "" || ev.At.IsZero() {
		return nil, federation.Reject(federation.CodeEvidenceInvalid, "a disclosure-stopped evidence needs kind disclosure-stopped, request_id (the order's id), linked_id (the issuing authority), by and at")
	}
	var key string
	err := q.QueryRowContext(ctx, `SELECT id FROM requests WHERE ref = $1 AND peer = $2 AND direction = 'in'`, ev.RequestID, ev.LinkedID).Scan(&key)
	found, err := store.Found(err)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, federation.Reject(federation.CodeUnknownCase, "no order %s from %s is held here", ev.RequestID, ev.LinkedID)
	}
	d, err := s.Directory(ctx)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	if !s.isProviderNode(d) {
		return nil, federation.Reject(federation.CodeWrongSide, "%s is not a service provider's node: a stop of disclosure goes to the provider the order was sent to", s.Authority)
	}
	var doc []byte
	if err := q.QueryRowContext(ctx, `SELECT document FROM requests WHERE id = $1`, key).Scan(&doc); err != nil {
		return nil, store.MapError(err)
	}
	r, _ := request.Decode(doc)
	if r == nil {
		return nil, fmt.Errorf("stored request %s is not readable", key)
	}
	if ok, why := route.MayStop(d, r, h.Sender); !ok {
		return nil, federation.Reject(federation.CodeWrongSide, "%s may not stop disclosure of order %s: %s", h.Sender, ev.RequestID, why)
	}
	lc, err := loadLifecycle(ctx, q, key)
	if err != nil {
		return nil, err
	}
	ev.RequestID, ev.As = key, request.ByNotified
	ev.By = fmt.Sprintf("%s (%s)", h.Sender, ev.By)
	probe := *lc
	probe.Evidences = append([]request.Evidence(nil), lc.Evidences...)
	if _, err := probe.Note(ev.Kind, notBefore(ev.At, &probe), ev.By, ev.As, ev.Details, zeroTime); err != nil {
		return nil, federation.Reject(federation.CodeStepNotAllowed, "order %s can no longer be stopped: %s", ev.RequestID, apperrText(err))
	}
	return &judged{key: key, ev: ev, lc: lc, dir: d}, nil
}

// arrivedStop records an accepted stop on the order it names, inside the
// transaction that stores its envelope, after judging it again under the
// case's lock.
func (s *Service) arrivedStop(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error {
	j, err := judgeLocked(ctx, tx, in, s.judgeStop)
	if err != nil {
		return err
	}
	ev, err := j.lc.Note(j.ev.Kind, notBefore(j.ev.At, j.lc), j.ev.By, j.ev.As, j.ev.Details, zeroTime)
	if err != nil {
		return err
	}
	if err := insertEvidence(ctx, tx, j.key, len(j.lc.Evidences)-1, ev, in.Envelope.Header.ID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE requests SET updated_at = $1 WHERE id = $2`, store.FormatTime(ev.At), j.key)
	return err
}
