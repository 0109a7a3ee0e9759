package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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

// The rule book (docs/protocol.md, "Rule book"): what an authentic peer
// may say. The inbox has already checked who signed; these rules check
// whether that signer may say it. They run twice: in Judge, before the
// inbox stores anything (so a refusal leaves no row behind), and again in
// Arrived, inside the storing transaction, because a concurrent envelope
// may have moved the case in between.

// Judge applies the rule book to an authentic, decrypted envelope. It
// returns a *federation.Rejection for an envelope its sender may not send,
// another error when this node cannot decide now (the sender retries),
// and nil otherwise. Envelopes other than requests and evidences pass.
func (s *Service) Judge(ctx context.Context, h envelope.Header, body []byte) error {
	switch h.Kind {
	case envelope.KindRequest:
		_, err := s.judgeRequest(ctx, s.DB, h, body, true)
		return err
	case envelope.KindEvidence:
		if h.Subkind == SubkindDisclosureStopped { // rule R9, notification.go
			_, err := s.judgeStop(ctx, s.DB, h, body)
			return err
		}
		_, err := s.judgeEvidence(ctx, s.DB, h, body)
		return err
	}
	return nil
}

// senderParty maps the envelope's (verified) sender authority to its
// party through the directory.
func (s *Service) senderParty(ctx context.Context, authority string) (*directory.Snapshot, string, error) {
	d, err := s.Directory(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("directory: %w", err)
	}
	p, _, ok := d.AuthorityByID(authority)
	if !ok {
		return nil, "", federation.Reject(federation.CodeUnknownSender, "authority %s is not in this node's directory (snapshot %d)", authority, d.Serial)
	}
	return d, p.Code, nil
}

// judgeRequest checks a received request: its checklist, that it speaks
// for its signer's party, that it is addressed to this node's party, and
// that its id is new for that party. It returns the decoded request.
//
// checklist says whether to run the whole checklist: Judge does, before
// the envelope is stored; the storing transaction (Arrived) repeats only
// what another envelope may have changed meanwhile, and decodes.
func (s *Service) judgeRequest(ctx context.Context, q querier, h envelope.Header, body []byte, checklist bool) (*request.Request, error) {
	if !checklist {
		// Judge passed these very bytes: what it decided from them and the
		// directory stands; only a duplicate can have appeared since, and
		// insertRequest finds it. (No directory look-up here: it takes the
		// node's directory lock and a query, for every arrival.)
		r, _ := request.Decode(body)
		if r == nil || r.ID == "" {
			return nil, federation.Reject(federation.CodeRequestInvalid, "the request cannot be read")
		}
		return r, nil
	}
	d, party, err := s.senderParty(ctx, h.Sender)
	if err != nil {
		return nil, err
	}
	r, problems := request.Check(body, s.Clock.Now())
	if r != nil && party == s.Party && s.isProviderNode(d) {
		// An order from this country's own point of contact to its
		// provider is domestic: both parties are the same on purpose.
		problems = dropRule(problems, "same-party")
	}
	if r == nil || r.ID == "" || request.HasErrors(problems) {
		return nil, federation.Reject(federation.CodeRequestInvalid, "the request fails its checklist: %s (fix: run 'art35 request validate FILE' before sending)", describeProblems(problems, r))
	}
	if h.Subkind != "" && h.Subkind != string(r.Type) {
		return nil, federation.Reject(federation.CodeRequestInvalid, "the envelope says subkind %q but the request inside is of type %q", h.Subkind, r.Type)
	}
	if r.Requesting.Party != party {
		return nil, federation.Reject(federation.CodeNotSenderParty, "requesting.party is %q but the envelope is signed by %s, an authority of %s: a node sends only its own party's requests", r.Requesting.Party, h.Sender, party)
	}
	if r.Requested.Party != s.Party {
		return nil, federation.Reject(federation.CodeNotAddressedHere, "requested.party is %q but this node (%s) speaks for %s: send it to %s's point of contact from the directory", r.Requested.Party, s.Authority, s.Party, r.Requested.Party)
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE requesting_party = $1 AND ref = $2`, party, r.ID).Scan(&n); err != nil {
		return nil, store.MapError(err)
	}
	if n > 0 {
		return nil, federation.Reject(federation.CodeDuplicateRequest, "%s already sent a request with id %s, in another envelope: a new request needs a new id", party, r.ID)
	}
	return r, nil
}

func (s *Service) isProviderNode(d *directory.Snapshot) bool {
	_, me, ok := d.AuthorityByID(s.Authority)
	return ok && me.Role == directory.RoleProvider
}

func dropRule(ps []request.Problem, rule string) []request.Problem {
	out := ps[:0:0]
	for _, p := range ps {
		if p.Rule != rule {
			out = append(out, p)
		}
	}
	return out
}

// describeProblems lists the errors of a checklist in one line, bounded
// (the whole list is what 'art35 request validate' prints).
func describeProblems(ps []request.Problem, r *request.Request) string {
	var parts []string
	for _, p := range ps {
		if p.Severity != request.SeverityError {
			continue
		}
		parts = append(parts, p.Field+" ["+p.Rule+"] "+p.Message)
	}
	if len(parts) == 0 && (r == nil || r.ID == "") {
		parts = append(parts, "id [common-id] the request has no id")
	}
	const maxShown = 8
	more := ""
	if len(parts) > maxShown {
		more = fmt.Sprintf("; and %d more", len(parts)-maxShown)
		parts = parts[:maxShown]
	}
	return fmt.Sprintf("%d problem(s): %s%s", len(parts), strings.Join(parts, "; "), more)
}

// judged is an evidence the rule book accepts, ready to be applied to
// the case it belongs to.
type judged struct {
	key string           // the case's key on this node
	ev  request.Evidence // with RequestID = key and As derived from the signer
	lc  *request.Lifecycle
	dir *directory.Snapshot
}

// sideNotes says which side of a request may send each note kind: the
// requested side ("receiver") reports, the requesting side ("sender")
// authorises and asks.
var sideNotes = map[string]request.Actor{
	request.NoteNegativeAck: request.ByReceiver,
	KindIncident:            request.ByReceiver,
	KindTransferRequest:     request.ByReceiver,
	KindConditionsAccepted:  request.ByReceiver,
	KindUsageReport:         request.ByReceiver,
	KindTransferGranted:     request.BySender,
	KindUsageQuery:          request.BySender,
	request.NoteExtended:    request.BySender,
	KindCountersigned:       request.BySender,
}

// judgeEvidence checks a received evidence: it must name a case held
// here between its signer and this node, its side (derived from who
// signed, never from the message) must own the step, and the step must
// be in the lifecycle table from the case's current state.
func (s *Service) judgeEvidence(ctx context.Context, q querier, h envelope.Header, body []byte) (*judged, error) {
	var ev request.Evidence
	if err := json.Unmarshal(body, &ev); err != nil || ev.RequestID == "" || ev.Kind == "" {
		return nil, federation.Reject(federation.CodeEvidenceInvalid, "the evidence is not readable: it needs a JSON object with kind and request_id")
	}
	key, dir, err := s.caseFor(ctx, q, h, ev.RequestID)
	if err != nil {
		return nil, err
	}
	// The signer is the other side of this case: the requested side of a
	// request this node sent, the requesting side of one it received.
	as := request.BySender
	if dir == Outgoing {
		as = request.ByReceiver
	}
	lc, err := loadLifecycle(ctx, q, key)
	if err != nil {
		return nil, err
	}
	d, _ := s.Directory(ctx)
	ev.RequestID, ev.As = key, as
	if ev.Kind != "transition" {
		owner, known := sideNotes[ev.Kind]
		if !known {
			return nil, federation.Reject(federation.CodeEvidenceInvalid, "evidence kind %q is not one a peer sends", ev.Kind)
		}
		if owner != as {
			return nil, federation.Reject(federation.CodeWrongSide, "a %q evidence comes from the %s side of a request; %s is the %s side of %s", ev.Kind, sideName(owner), h.Sender, sideName(as), ev.RequestID)
		}
		if ev.Kind == KindCountersigned {
			if err := s.checkCountersignature(ctx, q, key, h, ev, d); err != nil {
				return nil, err
			}
		}
		return &judged{key: key, ev: ev, lc: lc, dir: d}, nil
	}
	// Try the step on a copy of the case as it stands.
	probe := *lc
	probe.Evidences = append([]request.Evidence(nil), lc.Evidences...)
	if as == request.ByReceiver && probe.State == request.StateSent {
		// The receiver acted before its transport receipt reached us: its
		// step proves delivery, which Arrived records first.
		if _, err := probe.Apply(deliveryShown(ev, h.Sender, &probe), nil); err != nil {
			return nil, err
		}
	}
	if _, err := probe.Apply(stepOf(ev, notBefore(ev.At, &probe)), reservations(d)); err != nil {
		return nil, refusedStep(err, ev, h.Sender, as)
	}
	return &judged{key: key, ev: ev, lc: lc, dir: d}, nil
}

// caseFor finds the case an evidence is about: by the request envelope
// it answers (in_reply_to, the same message id on both sides), else by the
// request's id among the cases with the signer. A case that exists but is
// not between the signer and this node gets the same answer as one that
// does not exist, so that ids cannot be probed.
func (s *Service) caseFor(ctx context.Context, q querier, h envelope.Header, ref string) (string, Direction, error) {
	type row struct{ key, ref, peer, dir string }
	var rows []row
	scan := func(query string, args ...any) error {
		rs, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return store.MapError(err)
		}
		defer rs.Close()
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.key, &r.ref, &r.peer, &r.dir); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return rs.Err()
	}
	var err error
	if h.InReplyTo != "" {
		err = scan(`SELECT id, ref, peer, direction FROM requests WHERE message_id = $1`, h.InReplyTo)
	} else {
		err = scan(`SELECT id, ref, peer, direction FROM requests WHERE ref = $1 AND peer = $2`, ref, h.Sender)
	}
	if err != nil {
		return "", "", err
	}
	var match []row
	for _, r := range rows {
		if r.peer == h.Sender && r.ref == ref {
			match = append(match, r)
		}
	}
	if len(match) != 1 {
		return "", "", federation.Reject(federation.CodeUnknownCase, "no request %s between %s and %s is held here (fix: set in_reply_to to the request envelope's id)", ref, h.Sender, s.Authority)
	}
	return match[0].key, Direction(match[0].dir), nil
}

// deliveryShown is the system step recorded when the receiver's own step
// arrives before its transport receipt.
func deliveryShown(ev request.Evidence, sender string, lc *request.Lifecycle) request.Step {
	return request.Step{To: request.StateDelivered, At: notBefore(ev.At, lc), By: sender, As: request.BySystem,
		Details: "delivery shown by the receiver's step " + string(ev.To)}
}

func reservations(d *directory.Snapshot) request.Reservations {
	if d == nil {
		return nil
	}
	return route.Reservations{Snapshot: d}
}

func stepOf(ev request.Evidence, at time.Time) request.Step {
	return request.Step{To: ev.To, At: at, By: ev.By, As: ev.As, Code: ev.Code, Details: ev.Details,
		ProviderRef: ev.ProviderRef, Until: ev.Until, LinkedID: ev.LinkedID}
}

// refusedStep turns the lifecycle's refusal into the rule book's code.
func refusedStep(err error, ev request.Evidence, sender string, as request.Actor) error {
	switch apperr.Code(err) {
	case apperr.EUnauthorized:
		return federation.Reject(federation.CodeWrongSide, "%s is the %s side of request %s and may not take this step: %s", sender, sideName(as), ev.RequestID, apperrText(err))
	case apperr.EConflict:
		return federation.Reject(federation.CodeStepNotAllowed, "%s", apperrText(err))
	}
	return federation.Reject(federation.CodeEvidenceInvalid, "%s", apperrText(err))
}

func apperrText(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

func sideName(a request.Actor) string {
	switch a {
	case request.BySender:
		return "requesting"
	case request.ByReceiver:
		return "requested"
	}
	return string(a)
}

// KindRefusedByPeer is the note recorded on a case when the peer refused
// one of its envelopes for good (a rule-book or envelope refusal): the
// officer sees the code and the peer's reason.
const KindRefusedByPeer = "refused-by-peer"

// RefusedByPeer records, on the case an outgoing envelope belongs to, that
// the peer refused it for good, with its code and reason. The outbox calls
// it once, when it stops retrying. Envelopes of no case are only logged.
func (s *Service) RefusedByPeer(ctx context.Context, env *envelope.Envelope, rej *federation.Rejection) error {
	h := env.Header
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var key string
		ok, err := store.Found(tx.QueryRowContext(ctx, `SELECT id FROM requests WHERE message_id = $1 AND direction = 'out'`, h.ID).Scan(&key))
		if err == nil && !ok && h.InReplyTo != "" {
			ok, err = store.Found(tx.QueryRowContext(ctx, `SELECT id FROM requests WHERE message_id = $1 AND peer = $2`, h.InReplyTo, h.Recipient).Scan(&key))
		}
		if err != nil {
			return err
		}
		if !ok {
			s.Log.Warn("peer refused an envelope of no case", "id", h.ID, "recipient", h.Recipient, "code", rej.Code)
			return nil
		}
		n, err := nextSeq(ctx, tx, key)
		if err != nil {
			return err
		}
		now := s.Clock.Now().UTC()
		ev := request.Evidence{Kind: KindRefusedByPeer, RequestID: key, At: now, By: h.Recipient, As: request.BySystem,
			Details: fmt.Sprintf("refused by peer %s: %s: %s (the %s envelope %s will not be retried)", h.Recipient, rej.Code, rej.Message, what(h), h.ID)}
		if err := insertEvidence(ctx, tx, key, n, ev, ""); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE requests SET updated_at = $1 WHERE id = $2`, store.FormatTime(now), key)
		return err
	})
}

// judgeLocked judges an arrived evidence, locks its case and judges it
// again under the lock: a local step or note may have been written since
// the first judgement, which takes no lock so that an evidence for an
// unknown case costs no write.
func judgeLocked(ctx context.Context, tx *sql.Tx, in *federation.Inbound,
	judge func(context.Context, querier, envelope.Header, []byte) (*judged, error)) (*judged, error) {
	j, err := judge(ctx, tx, in.Envelope.Header, in.Body)
	if err != nil {
		return nil, err
	}
	if _, err := nextSeq(ctx, tx, j.key); err != nil {
		return nil, err
	}
	return judge(ctx, tx, in.Envelope.Header, in.Body)
}

// nextSeq locks a case's row for the rest of the transaction (an UPDATE
// takes the row lock on PostgreSQL; SQLite serialises writers anyway) and
// returns the position of its next evidence, so that a local note and an
// arrival writing at once cannot take the same position.
func nextSeq(ctx context.Context, tx *sql.Tx, key string) (int, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE requests SET updated_at = updated_at WHERE id = $1`, key); err != nil {
		return 0, store.MapError(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidences WHERE request_id = $1`, key).Scan(&n); err != nil {
		return 0, store.MapError(err)
	}
	return n, nil
}

func what(h envelope.Header) string {
	if h.Subkind != "" {
		return string(h.Kind) + " (" + h.Subkind + ")"
	}
	return string(h.Kind)
}
