package exercise

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/store"
)

// Roles of a node in an exercise.
const (
	RoleControl     = "control"     // the secretariat's node, which opened it and plays its script
	RoleParticipant = "participant" // a participant's node
)

// States of an exercise.
const (
	StateOpen   = "open"
	StateClosed = "closed"
)

// Sender seals an envelope and queues it in one transaction with change
// (the node's Send).
type Sender func(ctx context.Context, h envelope.Header, body []byte, change func(tx *sql.Tx) error) (*envelope.Envelope, error)

// Service is the exercise service of one node.
type Service struct {
	DB        *store.DB
	Clock     clock.Clock
	Log       *slog.Logger
	Send      Sender
	Directory func(ctx context.Context) (*directory.Snapshot, error)
	Cases     *cases.Service
	Party     string // this node's party
	Authority string // this node's authority id
	// SecretariatKey is the secretariat's public key the node pins
	// ("ed25519:..."): announcements are checked against it.
	SecretariatKey string
	// Signer is the secretariat's private key; only the secretariat's
	// node has it, and only it can Open and Close exercises.
	Signer ed25519.PrivateKey
}

// Host is what the service needs of the node that runs it; *node.Node is
// one (internal/app wires them).
type Host interface {
	OnArrival(kind envelope.Kind, h func(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error)
	SetExerciseHooks(tag func(ctx context.Context, h envelope.Header) (envelope.Header, error),
		record func(ctx context.Context, tx *sql.Tx, h envelope.Header, outgoing bool) error)
}

// Register makes the node take part in exercises: it reads announcements
// that arrive and follows the envelopes of exercises. Call it before the
// host runs.
func (s *Service) Register(h Host) *Service {
	h.OnArrival(envelope.KindDirectoryNotice, s.Arrived)
	h.SetExerciseHooks(s.tag, s.record)
	return s
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Exercise is an exercise as this node knows it.
type Exercise struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Role         string        `json:"role"`
	State        string        `json:"state"`
	Starts       time.Time     `json:"starts"`
	Ends         time.Time     `json:"ends"`
	Opened       time.Time     `json:"opened"`
	Closed       time.Time     `json:"closed,omitzero"`
	Participants []Participant `json:"participants"`
}

// Open opens an exercise: it signs the announcement with the
// secretariat's key, stores the exercise and sends the announcement to
// every participant (a directory-notice envelope, subkind exercise).
// Only the node that holds the secretariat's key may open one.
func (s *Service) Open(ctx context.Context, a Announcement, by string) (*Exercise, error) {
	if by == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise open: by: name the person opening the exercise")
	}
	if err := s.isSecretariat(); err != nil {
		return nil, err
	}
	a.V, a.Action, a.Issued = 1, ActionOpen, s.Clock.Now().UTC().Truncate(time.Second)
	signed, err := Sign(a, s.Signer)
	if err != nil {
		return nil, err
	}
	if err := s.reachable(ctx, &a); err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM exercises WHERE id = $1`, a.ID).Scan(&n); err != nil {
			return store.MapError(err)
		}
		if n > 0 {
			return apperr.Errorf(apperr.EConflict, "exercise open: id: exercise %s exists already on this node (fix: choose a new id)", a.ID)
		}
		if err := insert(ctx, tx, &a, RoleControl, signed, a.Issued); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, a.ID, "", "exercise opened", map[string]string{"participants": strconv.Itoa(len(a.Participants))})
	})
	if err != nil {
		return nil, err
	}
	if err := s.announce(ctx, &a, signed); err != nil {
		return nil, err
	}
	return s.Get(ctx, a.ID)
}

// Close closes an open exercise: the signed closing goes to every
// participant, and the exercise's cases are archived here (and on each
// participant's node when the closing arrives).
func (s *Service) Close(ctx context.Context, id, by string) (*Exercise, error) {
	if by == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise close: by: name the person closing the exercise")
	}
	if err := s.isSecretariat(); err != nil {
		return nil, err
	}
	a, err := s.announcement(ctx, id)
	if err != nil {
		return nil, err
	}
	ex, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if ex.Role != RoleControl {
		return nil, apperr.Errorf(apperr.EUnauthorized, "exercise close: exercise %s was opened by another node; only the node that opened it closes it", id)
	}
	if ex.State == StateClosed {
		return ex, nil
	}
	a.Action, a.Issued = ActionClose, s.Clock.Now().UTC().Truncate(time.Second)
	signed, err := Sign(*a, s.Signer)
	if err != nil {
		return nil, err
	}
	if err := s.closeTx(ctx, a, signed, by); err != nil {
		return nil, err
	}
	if err := s.announce(ctx, a, signed); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// isSecretariat refuses to open or close without the secretariat's key.
func (s *Service) isSecretariat() error {
	if len(s.Signer) != ed25519.PrivateKeySize {
		return apperr.Errorf(apperr.EUnauthorized, "exercise: only the secretariat opens and closes exercises, and this node holds no secretariat key (fix: run it on the secretariat's node with --key secretariat.key)")
	}
	if keys.FormatSigningPublic(s.Signer.Public().(ed25519.PublicKey)) != s.SecretariatKey {
		return apperr.Errorf(apperr.EUnauthorized, "exercise: the key given is not the secretariat key this node pins (%s); participants would refuse the announcement (fix: use the secretariat's directory key)", keys.ID(s.SecretariatKey))
	}
	return nil
}

// reachable checks that every participant is in the directory with a
// node, before anything is stored or sent.
func (s *Service) reachable(ctx context.Context, a *Announcement) error {
	d, err := s.Directory(ctx)
	if err != nil {
		return err
	}
	for i, p := range a.Participants {
		_, auth, ok := d.AuthorityByID(p.Authority)
		if !ok {
			return apperr.Errorf(apperr.EInvalid, "exercise: participants[%d].authority: %s is not in the directory (snapshot %d) (fix: use an authority id the directory lists)", i, p.Authority, d.Serial)
		}
		if auth.Endpoint == "" && p.Authority != s.Authority {
			return apperr.Errorf(apperr.EInvalid, "exercise: participants[%d].authority: %s lists no node in the directory; it cannot receive the announcement (fix: take part by phone, or leave it out)", i, p.Authority)
		}
	}
	return nil
}

// announce sends the signed announcement to every participant but this
// node. Each envelope is queued durably; the outbox delivers and retries.
func (s *Service) announce(ctx context.Context, a *Announcement, signed []byte) error {
	for _, p := range a.Participants {
		if p.Authority == s.Authority {
			continue
		}
		h := envelope.Header{
			IdempotencyKey: "exercise:" + a.ID + ":" + a.Action + ":" + p.Authority,
			Kind:           envelope.KindDirectoryNotice, Subkind: Subkind, Recipient: p.Authority,
			CaseRef: a.ID, Handling: envelope.H0, Exercise: true,
		}
		if _, err := s.Send(ctx, h, signed, nil); err != nil {
			return fmt.Errorf("exercise %s: announce %s to %s: %w", a.ID, a.Action, p.Authority, err)
		}
	}
	return nil
}

func insert(ctx context.Context, tx *sql.Tx, a *Announcement, role string, signed []byte, at time.Time) error {
	parts, err := json.Marshal(a.Participants)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO exercises (id, name, role, starts_at, ends_at, participants, state, opened_at, opening)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		a.ID, a.Name, role, store.FormatTime(a.Starts), store.FormatTime(a.Ends), string(parts), StateOpen, store.FormatTime(at), signed)
	return store.MapError(err)
}

// closeTx marks the exercise closed and archives its cases, audited, in
// one transaction.
func (s *Service) closeTx(ctx context.Context, a *Announcement, signed []byte, by string) error {
	now := s.Clock.Now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE exercises SET state = $1, closed_at = $2, closing = $3 WHERE id = $4 AND state = $5`,
			StateClosed, store.FormatTime(now), signed, a.ID, StateOpen)
		if err != nil {
			return store.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // closed meanwhile
		}
		archived, err := s.archiveCases(ctx, tx, by, a.ID, now)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, a.ID, "", "exercise closed", map[string]string{"archived_cases": strconv.Itoa(archived)})
	})
}

// archiveCases archives the cases of the requests exchanged in exercise id,
// auditing each as actor, and returns how many it archived. Closing an
// exercise, here or on a closing that arrived, does this.
func (s *Service) archiveCases(ctx context.Context, tx *sql.Tx, actor, id string, now time.Time) (int, error) {
	msgs, err := requestMessages(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	ids, err := cases.ArchiveTx(ctx, tx, msgs, now)
	if err != nil {
		return 0, err
	}
	for _, c := range ids {
		if err := s.audit(ctx, tx, actor, id, c, "exercise case archived", nil); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// requestMessages returns the message ids of the request envelopes of an
// exercise (in either direction).
func requestMessages(ctx context.Context, q interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT message_id FROM exercise_messages WHERE exercise_id = $1 AND kind = $2 ORDER BY message_id`, id, string(envelope.KindRequest))
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, actor, exerciseID, caseID, change string, details map[string]string) error {
	d := map[string]string{"change": change, "exercise": exerciseID}
	for k, v := range details {
		d[k] = v
	}
	_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.AdminChange, Time: s.Clock.Now(), Actor: actor, Case: caseID, Details: d})
	return err
}

// Arrived handles a directory-notice envelope inside the transaction that
// stores it. An exercise announcement is checked against the pinned
// secretariat key and must list this node; anything else is refused with
// a rejection, which rolls the transaction back: nothing of it is stored.
// Other directory notices pass untouched.
func (s *Service) Arrived(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error {
	h := in.Envelope.Header
	if h.Subkind != Subkind {
		return nil
	}
	a, err := Verify(in.Body, s.SecretariatKey)
	if err != nil {
		return federation.Reject(federation.CodeNotAdmitted, "exercise announcement from %s refused: %s", h.Sender, apperrMessage(err))
	}
	if !a.Includes(s.Authority) {
		return federation.Reject(federation.CodeNotAdmitted, "exercise %s does not list this node (%s) among its participants (fix: send the announcement to the participants only)", a.ID, s.Authority)
	}
	if h.CaseRef != a.ID {
		return federation.Reject(federation.CodeNotAdmitted, "exercise announcement: the envelope's case_ref %q is not the exercise id %s (fix: seal it with case_ref = the exercise id)", h.CaseRef, a.ID)
	}
	var (
		state string
		role  string
	)
	err = tx.QueryRowContext(ctx, `SELECT state, role FROM exercises WHERE id = $1`, a.ID).Scan(&state, &role)
	found, err := store.Found(err)
	if err != nil {
		return err
	}
	actor := "secretariat via " + h.Sender
	switch a.Action {
	case ActionOpen:
		if found {
			if state == StateClosed {
				return federation.Reject(federation.CodeNotAdmitted, "exercise %s was closed here; a closed exercise is not opened again (fix: open a new exercise with a new id)", a.ID)
			}
			return nil // the same opening again (another route): nothing new
		}
		if err := insert(ctx, tx, a, RoleParticipant, in.Body, s.Clock.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, a.ID, "", "exercise opened", map[string]string{"participants": strconv.Itoa(len(a.Participants)), "message": h.ID})
	case ActionClose:
		if !found {
			return federation.Reject(federation.CodeUnknownCase, "exercise %s is not known here (its opening may still be on its way): retry later", a.ID)
		}
		if state == StateClosed {
			return nil
		}
		now := s.Clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE exercises SET state = $1, closed_at = $2, closing = $3 WHERE id = $4`, StateClosed, store.FormatTime(now), in.Body, a.ID); err != nil {
			return store.MapError(err)
		}
		archived, err := s.archiveCases(ctx, tx, actor, a.ID, now)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, a.ID, "", "exercise closed", map[string]string{"archived_cases": strconv.Itoa(archived), "message": h.ID})
	}
	return nil
}

func apperrMessage(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// tag flags an outgoing envelope that answers an exercise envelope (an
// evidence about an exercise case, the answer to an exercise ping) as an
// exercise envelope: the people answering need not remember it.
func (s *Service) tag(ctx context.Context, h envelope.Header) (envelope.Header, error) {
	if h.Exercise || h.InReplyTo == "" {
		return h, nil
	}
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM exercise_messages WHERE message_id = $1`, h.InReplyTo).Scan(&n); err != nil {
		return h, store.MapError(err)
	}
	h.Exercise = n > 0
	return h, nil
}

// record names, inside the transaction that queues or stores an
// envelope with the exercise flag, the exercise it belongs to: the
// exercise of the envelope it answers, or else the open exercise that
// lists the peer (on a participant's node: the open exercise it takes
// part in, since injects come from the secretariat's node). An exercise
// envelope that belongs to no known exercise stays flagged only.
func (s *Service) record(ctx context.Context, tx *sql.Tx, h envelope.Header, outgoing bool) error {
	if !h.Exercise || h.Kind == envelope.KindDirectoryNotice {
		return nil
	}
	peer, dir := h.Sender, "in"
	if outgoing {
		peer, dir = h.Recipient, "out"
	}
	id := ""
	if h.InReplyTo != "" {
		err := tx.QueryRowContext(ctx, `SELECT exercise_id FROM exercise_messages WHERE message_id = $1`, h.InReplyTo).Scan(&id)
		if _, err := store.Found(err); err != nil {
			return err
		}
	}
	if id == "" {
		open, err := s.open(ctx, tx)
		if err != nil {
			return err
		}
		for _, e := range open {
			if slices.ContainsFunc(e.Participants, func(p Participant) bool { return p.Authority == peer }) {
				id = e.ID
				break
			}
		}
		if id == "" {
			for _, e := range open {
				if e.Role == RoleParticipant {
					id = e.ID
					break
				}
			}
		}
	}
	if id == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exercise_messages (message_id, exercise_id, direction, kind, subkind, peer, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id) DO NOTHING`,
		h.ID, id, dir, string(h.Kind), h.Subkind, peer, store.FormatTime(s.Clock.Now()))
	return store.MapError(err)
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

const selectExercise = `SELECT id, name, role, state, starts_at, ends_at, opened_at, closed_at, participants FROM exercises`

func scanExercises(rows *sql.Rows) ([]Exercise, error) {
	defer rows.Close()
	var out []Exercise
	for rows.Next() {
		var (
			e                                   Exercise
			starts, ends, opened, closed, parts string
		)
		if err := rows.Scan(&e.ID, &e.Name, &e.Role, &e.State, &starts, &ends, &opened, &closed, &parts); err != nil {
			return nil, err
		}
		for _, t := range []struct {
			src string
			dst *time.Time
		}{{starts, &e.Starts}, {ends, &e.Ends}, {opened, &e.Opened}, {closed, &e.Closed}} {
			if t.src == "" {
				continue
			}
			v, err := store.ParseTime(t.src)
			if err != nil {
				return nil, err
			}
			*t.dst = v
		}
		if err := json.Unmarshal([]byte(parts), &e.Participants); err != nil {
			return nil, fmt.Errorf("exercise %s: stored participants: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// open returns the open exercises, the most recently opened first.
func (s *Service) open(ctx context.Context, q querier) ([]Exercise, error) {
	rows, err := q.QueryContext(ctx, selectExercise+` WHERE state = $1 ORDER BY opened_at DESC, id`, StateOpen)
	if err != nil {
		return nil, store.MapError(err)
	}
	return scanExercises(rows)
}

// List returns every exercise this node knows, the newest first.
func (s *Service) List(ctx context.Context) ([]Exercise, error) {
	rows, err := s.DB.QueryContext(ctx, selectExercise+` ORDER BY opened_at DESC, id`)
	if err != nil {
		return nil, store.MapError(err)
	}
	out, err := scanExercises(rows)
	if out == nil {
		out = []Exercise{}
	}
	return out, err
}

// Get returns one exercise.
func (s *Service) Get(ctx context.Context, id string) (*Exercise, error) {
	rows, err := s.DB.QueryContext(ctx, selectExercise+` WHERE id = $1`, id)
	if err != nil {
		return nil, store.MapError(err)
	}
	out, err := scanExercises(rows)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.Errorf(apperr.ENotFound, "no exercise %s on this node ('art35 exercise list' shows what is here)", id)
	}
	return &out[0], nil
}

// announcement returns the signed opening of an exercise, read back.
func (s *Service) announcement(ctx context.Context, id string) (*Announcement, error) {
	var signed []byte
	err := s.DB.QueryRowContext(ctx, `SELECT opening FROM exercises WHERE id = $1`, id).Scan(&signed)
	found, err := store.Found(err)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, apperr.Errorf(apperr.ENotFound, "no exercise %s on this node ('art35 exercise list' shows what is here)", id)
	}
	return Verify(signed, s.SecretariatKey)
}

// Current returns the open exercise this node takes part in or controls
// (the most recently opened), or nil when there is none: while there is
// one, every page shows the exercise banner.
func (s *Service) Current(ctx context.Context) (*Exercise, error) {
	open, err := s.open(ctx, s.DB)
	if err != nil || len(open) == 0 {
		return nil, err
	}
	return &open[0], nil
}

// OfCase returns the exercise a case belongs to. flagged says whether the
// case is an exercise at all (its envelope carried the flag); the
// exercise is nil for a flagged case that belongs to no known exercise.
func (s *Service) OfCase(ctx context.Context, caseID string) (ex *Exercise, flagged bool, archived time.Time, err error) {
	f, err := s.Cases.ExerciseFactsOf(ctx, caseID)
	if err != nil || !f.Exercise {
		return nil, false, time.Time{}, err
	}
	var id string
	err = s.DB.QueryRowContext(ctx, `SELECT exercise_id FROM exercise_messages WHERE message_id = $1`, f.MessageID).Scan(&id)
	found, err := store.Found(err)
	if err != nil || !found {
		return nil, true, f.Archived, err
	}
	ex, err = s.Get(ctx, id)
	return ex, true, f.Archived, err
}

// CasesOf returns the cases of an exercise on this node, live and archived.
func (s *Service) CasesOf(ctx context.Context, id string) ([]Case, error) {
	msgs, err := requestMessages(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	return s.Cases.ByMessages(ctx, msgs)
}

// ExerciseContacts answers notify.ExerciseContacts: whether a case is an
// exercise and the exercise contacts the secretariat named for this node
// (none for a flagged case of no known exercise, or when it named none).
func (s *Service) ExerciseContacts(ctx context.Context, requestID string) ([]directory.Person, bool, error) {
	ex, flagged, _, err := s.OfCase(ctx, requestID)
	if err != nil || !flagged {
		return nil, flagged, err
	}
	var out []directory.Person
	if ex != nil {
		for _, p := range ex.Participants {
			if p.Authority != s.Authority {
				continue
			}
			for _, c := range p.Contacts {
				out = append(out, directory.Person{Name: c.Name, Email: c.Email, Phone: c.Phone})
			}
		}
	}
	return out, true, nil
}

// Case is one case of an exercise on this node, live or archived.
type Case = cases.ArchivedCase

// Banner is what the portal's EXERCISE banner shows on a page.
type Banner struct {
	ID, Name string
	// Case says the page's case is an exercise case; otherwise the node
	// takes part in (or controls) an open exercise.
	Case bool
	// Closed: the case's exercise is closed; Archived: the case was
	// archived when it closed.
	Closed, Archived bool
}

// Banner answers, for a portal page (caseID is the case of a case page,
// "" elsewhere), whether to show the EXERCISE banner and what it says:
// the case's own exercise on an exercise case's page, else the open
// exercise the node takes part in.
func (s *Service) Banner(ctx context.Context, caseID string) (Banner, bool, error) {
	if caseID != "" {
		ex, flagged, archived, err := s.OfCase(ctx, caseID)
		if err != nil && !apperr.Is(err, apperr.ENotFound) {
			return Banner{}, false, err
		}
		if flagged {
			b := Banner{Case: true, Archived: !archived.IsZero()}
			if ex != nil {
				b.ID, b.Name, b.Closed = ex.ID, ex.Name, ex.State == StateClosed
			}
			return b, true, nil
		}
	}
	cur, err := s.Current(ctx)
	if err != nil || cur == nil {
		return Banner{}, false, err
	}
	return Banner{ID: cur.ID, Name: cur.Name}, true, nil
}

// PingMessages returns the message ids of the pings this node sent in
// exercises (ping.Service.Drills): the responsiveness table of real pings
// leaves them out.
func (s *Service) PingMessages(ctx context.Context) (map[string]bool, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT message_id FROM exercise_messages WHERE kind = $1 AND direction = 'out'`, string(envelope.KindPing))
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out[m] = true
	}
	return out, rows.Err()
}
