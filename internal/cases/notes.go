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

// Notes are evidences that record a fact without moving the request:
// the clock runner's escalations, negative acknowledgements, reminders
// and lapses (request.Note* kinds). Due reads them to know what it already
// did, so each is recorded once, in the transaction of whatever else the
// caller changes (a notification, the action's once-key).

// NoteSpec is what Note records.
type NoteSpec struct {
	Kind    string // request.NoteEscalated, NoteNegativeAck, NoteReminder, NoteLapsed...
	By      string // who records it: a person, or the node's authority for the clock runner
	As      request.Actor
	Details string    // the role escalated to, "14 days", ...: what Due matches on
	Until   time.Time // extensions: the new end
	// Send also sends the evidence to the other side (SPEC section 6: the
	// requester is sent a negative evidence when the acknowledgement
	// deadline passes).
	Send bool
}

// noteSubkinds maps the notes that go to the other side to the evidence
// step their envelope carries (envelope.EvidenceSubkinds).
var noteSubkinds = map[string]string{
	request.NoteNegativeAck: "not-acknowledged",
}

// noteKey is the idempotency key of a note sent to the peer: one business
// event (this kind, with these details, on this request), one envelope.
func noteKey(id, kind, details string) string {
	return fmt.Sprintf("%s/note/%s/%s", id, kind, strings.ReplaceAll(details, " ", "-"))
}

// Note records a note evidence on a stored request and, with spec.Send,
// sends it to the other side, in one transaction with change (which may
// be nil). The lifecycle decides whether the note fits the state (an
// escalation only before acknowledgement, a reminder only while
// preserved); a request that moved meanwhile is refused with EConflict.
func (s *Service) Note(ctx context.Context, id string, spec NoteSpec, change func(tx *sql.Tx) error) (*request.Evidence, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if spec.As == "" {
		spec.As = request.BySystem
	}
	ev, err := c.Lifecycle.Note(spec.Kind, s.Clock.Now(), spec.By, spec.As, spec.Details, spec.Until)
	if err != nil {
		return nil, err
	}
	seq := len(c.Lifecycle.Evidences) - 1
	record := func(tx *sql.Tx, messageID string) error {
		// Re-check inside the transaction: another step or note since Get
		// would make this one stale (and take its sequence number).
		var state string
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT state FROM requests WHERE id = $1`, id).Scan(&state); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidences WHERE request_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if request.State(state) != c.Lifecycle.State || n != seq {
			return apperr.Errorf(apperr.EConflict, "request %s changed meanwhile (now %s, %d evidences); look again before recording %s", id, state, n, spec.Kind)
		}
		if err := insertEvidence(ctx, tx, id, seq, ev, messageID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET updated_at = $1 WHERE id = $2`, store.FormatTime(ev.At), id); err != nil {
			return err
		}
		if !spec.Send {
			// A note kept here is still a step of the case: the audit log
			// holds it (a sent one is recorded with its envelope).
			if _, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.Evidence, Time: ev.At, Actor: nonEmpty(spec.By), Case: id,
				Details: map[string]string{"note": spec.Kind, "details": oneLine(spec.Details)}}); err != nil {
				return err
			}
		}
		if change != nil {
			return change(tx)
		}
		return nil
	}
	if !spec.Send {
		if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return record(tx, "") }); err != nil {
			return nil, err
		}
		return &ev, nil
	}
	subkind, ok := noteSubkinds[spec.Kind]
	if !ok {
		return nil, apperr.Errorf(apperr.EInvalid, "request %s: a %q note is kept on this node only; the envelope protocol carries no such evidence step", id, spec.Kind)
	}
	body, err := json.Marshal(wireEvidence(ev, c))
	if err != nil {
		return nil, err
	}
	h := envelope.Header{
		IdempotencyKey: noteKey(id, spec.Kind, spec.Details), Kind: envelope.KindEvidence, Subkind: subkind,
		Recipient: c.Peer, InReplyTo: c.MessageID, CaseRef: c.Request.SenderRef, Handling: envelope.Handling(c.Request.Handling.Code),
	}
	if _, err := s.Send(ctx, h, body, func(tx *sql.Tx) error { return record(tx, "") }); err != nil {
		return nil, err
	}
	return &ev, nil
}

func nonEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "system"
	}
	return strings.TrimSpace(s)
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Open returns the ids of the requests whose clocks may still run: every
// request not closed and not archived with its exercise, oldest first.
func (s *Service) Open(ctx context.Context) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id FROM requests WHERE state NOT IN ('closed', 'draft') AND archived_at = '' ORDER BY created_at, id`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
