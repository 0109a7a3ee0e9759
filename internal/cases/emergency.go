package cases

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// The forged-request defence for emergencies (SPEC story 7; Protocol
// Art. 9; docs/protocol.md, "Emergency confirmation"). A forged
// "emergency" from a hacked police mailbox gets data disclosed; art35's
// envelope signature already proves which authority's node sent it, but a
// stolen node key (or a person acting alone) must not be enough to make
// data leave. So a received emergency request is executed (disclosed,
// partially executed) only when, besides the envelope's signature by a key
// the directory lists for the requesting authority and not revoked since,
// it is confirmed in one of two ways:
//
//   - countersigned: a second person of the same authority signed the
//     request document with their own Ed25519 key, which the directory
//     lists as a signing key of that authority, other than the key that
//     signed the envelope. The countersignature travels as a
//     "countersigned" evidence from the requesting side;
//   - called back: an officer of the receiving side called the phone
//     number the directory holds for the requesting authority and recorded
//     who called, when and the number dialled (Callback).

// KindCountersigned is the evidence (and envelope subkind) that carries a
// second person's signature of an emergency request.
const KindCountersigned = "countersigned"

// KindCallback is the local note of a call-back made to confirm an
// emergency request (never sent: it is the receiver's own check).
const KindCallback = "callback"

// isEmergency reports whether a request type is executed only once confirmed.
func isEmergency(t request.Type) bool {
	return t == request.TypeEmergencyDisclosure || t == request.TypeEmergencyMLA
}

// executes reports whether a step makes data leave.
func executes(to request.State) bool {
	return to == request.StateDisclosed || to == request.StatePartiallyExecuted
}

// DocumentDigest is what a countersignature signs: SHA-256 of the request
// document exactly as sent, prefixed with a context string so that the
// signature cannot be taken for any other art35 signature.
func DocumentDigest(doc []byte) []byte {
	sum := sha256.Sum256(doc)
	return append([]byte("art35 countersignature v1\n"), sum[:]...)
}

// Countersign records a second person's signature of an emergency request
// this node sent and sends it to the requested side. key is that
// person's own signing key, which the directory must list for this
// node's authority (a key other than the node's).
func (s *Service) Countersign(ctx context.Context, id, by string, key ed25519.PrivateKey) error {
	c, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if c.Direction != Outgoing || !isEmergency(c.Request.Type) {
		return apperr.Errorf(apperr.EInvalid, "request %s is a %s %s request: only an emergency request this node sent is countersigned", id, c.Direction, c.Request.Type)
	}
	if strings.TrimSpace(by) == "" || len(key) != ed25519.PrivateKeySize {
		return apperr.Errorf(apperr.EInvalid, "a countersignature needs who signs (--by) and their own signing key")
	}
	keyID := keys.ID(keys.FormatSigningPublic(key.Public().(ed25519.PublicKey)))
	sig := ed25519.Sign(key, DocumentDigest(c.Document))
	ev := request.Evidence{Kind: KindCountersigned, RequestID: id, By: by, As: request.BySender,
		Details: "key=" + keyID + "; sig=" + base64.StdEncoding.EncodeToString(sig)}
	return s.sendNote(ctx, c, ev, nil)
}

// checkCountersignature verifies an arriving countersignature against the
// directory: a signing key of the signing authority, not the envelope's.
func (s *Service) checkCountersignature(ctx context.Context, q querier, key string, h envelope.Header, ev request.Evidence, d *directory.Snapshot) error {
	keyID, sig := parseCountersignature(ev.Details)
	if keyID == "" || len(sig) != ed25519.SignatureSize {
		return federation.Reject(federation.CodeEvidenceInvalid, "a countersignature needs details \"key=KEYID; sig=BASE64\"")
	}
	if keyID == h.SenderKeyID {
		return federation.Reject(federation.CodeEvidenceInvalid, "the countersignature is by key %s, the one that signed the envelope: a second person signs with their own key", keyID)
	}
	var pub ed25519.PublicKey
	if d != nil {
		if _, a, ok := d.AuthorityByID(h.Sender); ok {
			for _, k := range a.Keys {
				if k.Use == directory.UseSigning && k.ID == keyID && k.ValidAt(s.Clock.Now()) {
					pub, _ = keys.ParseSigningPublic(k.Public)
				}
			}
		}
	}
	if pub == nil {
		return federation.Reject(federation.CodeEvidenceInvalid, "countersignature key %s is not a valid signing key of %s in this node's directory", keyID, h.Sender)
	}
	var doc []byte
	if err := q.QueryRowContext(ctx, `SELECT document FROM requests WHERE id = $1`, key).Scan(&doc); err != nil {
		return store.MapError(err)
	}
	if !ed25519.Verify(pub, DocumentDigest(doc), sig) {
		return federation.Reject(federation.CodeEvidenceInvalid, "the countersignature by key %s does not verify over request %s as received", keyID, ev.RequestID)
	}
	return nil
}

func parseCountersignature(details string) (string, []byte) {
	var keyID string
	var sig []byte
	for _, part := range strings.Split(details, "; ") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "key":
			keyID = v
		case "sig":
			sig, _ = base64.StdEncoding.DecodeString(v)
		}
	}
	return keyID, sig
}

// CallbackRecord is a call-back made to confirm a received emergency request.
type CallbackRecord struct {
	RequestID string    `json:"request_id"`
	CalledBy  string    `json:"called_by"`
	CalledAt  time.Time `json:"called_at"`
	Number    string    `json:"number"`    // the number dialled
	Authority string    `json:"authority"` // the requesting authority called
	Outcome   string    `json:"outcome"`   // what the person called confirmed
}

// Callback records that an officer called the requesting authority back,
// on the number the directory holds for it, to confirm a received
// emergency request: who called, when, the number dialled and what was
// confirmed. A number other than the directory's is refused: a call to
// the number given in the request itself confirms nothing.
func (s *Service) Callback(ctx context.Context, id string, cb CallbackRecord) (*CallbackRecord, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Direction != Incoming || !isEmergency(c.Request.Type) {
		return nil, apperr.Errorf(apperr.EInvalid, "request %s is a %s %s request: a call-back confirms an emergency request this node received", id, c.Direction, c.Request.Type)
	}
	if strings.TrimSpace(cb.CalledBy) == "" || strings.TrimSpace(cb.Outcome) == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "a call-back needs who called (--by) and what the person called confirmed (--outcome)")
	}
	d, err := s.Directory(ctx)
	if err != nil {
		return nil, err
	}
	_, a, ok := d.AuthorityByID(c.Peer)
	if !ok || strings.TrimSpace(a.Phone) == "" {
		return nil, apperr.Errorf(apperr.ENotFound, "the directory holds no phone number for %s: a call-back cannot confirm this request; ask for a countersignature", c.Peer)
	}
	if digits(cb.Number) != digits(a.Phone) {
		return nil, apperr.Errorf(apperr.EInvalid, "number %q is not the one the directory holds for %s (%s): call that number back", cb.Number, c.Peer, a.Phone)
	}
	now := s.Clock.Now().UTC()
	if cb.CalledAt.IsZero() {
		cb.CalledAt = now
	}
	if cb.CalledAt.After(now) {
		return nil, apperr.Errorf(apperr.EInvalid, "the call at %s is in the future", cb.CalledAt.Format(time.RFC3339))
	}
	cb.RequestID, cb.Number, cb.Authority = id, a.Phone, c.Peer
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		seq, err := nextSeq(ctx, tx, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM request_callbacks WHERE request_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO request_callbacks (request_id, seq, called_by, called_at, number, authority, outcome, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, n, cb.CalledBy, store.FormatTime(cb.CalledAt), cb.Number, cb.Authority, cb.Outcome, store.FormatTime(now)); err != nil {
			return store.MapError(err)
		}
		ev := request.Evidence{Kind: KindCallback, RequestID: id, At: now, By: cb.CalledBy, As: request.ByReceiver,
			Details: fmt.Sprintf("called %s back on %s (the directory's number) at %s: %s", cb.Authority, cb.Number, cb.CalledAt.Format(time.RFC3339), cb.Outcome)}
		if err := insertEvidence(ctx, tx, id, seq, ev, ""); err != nil {
			return err
		}
		_, err = auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.Evidence, Time: now, Actor: cb.CalledBy, Case: auditCase(c),
			Details: map[string]string{"note": KindCallback, "request": id, "number": cb.Number, "authority": cb.Authority}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &cb, nil
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Confirmation says whether a received emergency request may be executed
// and why (or why not).
type Confirmation struct {
	Needed         bool             `json:"needed"` // an emergency request received here
	Countersigned  string           `json:"countersigned,omitempty"`
	Callbacks      []CallbackRecord `json:"callbacks,omitempty"`
	SignerRevoked  string           `json:"signer_revoked,omitempty"` // the envelope's key was revoked since
	Confirmed      bool             `json:"confirmed"`
	Recommendation string           `json:"recommendation,omitempty"`
}

// Confirm returns the confirmation state of a case: for a received
// emergency request, whether it is countersigned or called back, and
// whether the key that signed its envelope has been revoked since it
// arrived (then nothing confirms it: a revoked key's requests in flight
// are flagged as soon as the node holds the directory that revokes it).
func (s *Service) Confirm(ctx context.Context, id string) (*Confirmation, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.confirmation(ctx, c)
}

func (s *Service) confirmation(ctx context.Context, c *Case) (*Confirmation, error) {
	out := &Confirmation{}
	if c.Direction != Incoming || !isEmergency(c.Request.Type) {
		out.Confirmed = true
		return out, nil
	}
	out.Needed = true
	for _, ev := range c.Lifecycle.Evidences {
		if ev.Kind == KindCountersigned {
			keyID, _ := parseCountersignature(ev.Details)
			out.Countersigned = fmt.Sprintf("countersigned by %s (key %s) at %s", ev.By, keyID, ev.At.Format(time.RFC3339))
		}
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT called_by, called_at, number, authority, outcome FROM request_callbacks WHERE request_id = $1 ORDER BY seq`, c.Request.ID)
	if err != nil {
		return nil, store.MapError(err)
	}
	for rows.Next() {
		cb := CallbackRecord{RequestID: c.Request.ID}
		var at string
		if err := rows.Scan(&cb.CalledBy, &at, &cb.Number, &cb.Authority, &cb.Outcome); err != nil {
			rows.Close()
			return nil, err
		}
		cb.CalledAt, _ = store.ParseTime(at)
		out.Callbacks = append(out.Callbacks, cb)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if revoked, err := s.signerRevoked(ctx, c); err != nil {
		return nil, err
	} else if revoked != "" {
		out.SignerRevoked = revoked
	}
	out.Confirmed = out.SignerRevoked == "" && (out.Countersigned != "" || len(out.Callbacks) > 0)
	switch {
	case out.SignerRevoked != "":
		out.Recommendation = "do not execute: " + out.SignerRevoked + "; call the requesting authority on the directory's number and ask for a new, countersigned request"
	case !out.Confirmed:
		out.Recommendation = "before executing, call the requesting authority back on the directory's number ('art35 case callback') or wait for a second person's countersignature"
	}
	return out, nil
}

// signerRevoked says whether the key that signed a received request's
// envelope is revoked in the node's current directory.
func (s *Service) signerRevoked(ctx context.Context, c *Case) (string, error) {
	raw, err := federation.NewEnvelopes(s.DB, federation.Hooks{}).InboundEnvelope(ctx, c.MessageID)
	if apperr.Is(err, apperr.ENotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	env, err := envelope.Parse(raw)
	if err != nil {
		return "", nil // purged or unreadable: nothing to check against
	}
	d, err := s.Directory(ctx)
	if err != nil {
		return "", err
	}
	_, a, ok := d.AuthorityByID(env.Header.Sender)
	if !ok {
		return fmt.Sprintf("%s is no longer in the directory", env.Header.Sender), nil
	}
	for _, k := range a.Keys {
		if k.Use == directory.UseSigning && k.ID == env.Header.SenderKeyID && !k.Revoked.IsZero() {
			return fmt.Sprintf("the key %s that signed it was revoked at %s", k.ID, k.Revoked.UTC().Format(time.RFC3339)), nil
		}
	}
	return "", nil
}

// FlagRevoked adds a note to every open emergency request received here
// whose envelope was signed by a key the directory now revokes, so that
// the officers see it at once. The node calls it when it accepts a new
// directory. It returns the flagged cases.
func (s *Service) FlagRevoked(ctx context.Context) ([]string, error) {
	ids, err := s.Open(ctx)
	if err != nil {
		return nil, err
	}
	var flagged []string
	for _, id := range ids {
		c, err := s.Get(ctx, id)
		if err != nil || c.Direction != Incoming || !isEmergency(c.Request.Type) {
			continue
		}
		if _, done := c.Lifecycle.First(KindSignerRevoked, ""); done {
			continue
		}
		why, err := s.signerRevoked(ctx, c)
		if err != nil || why == "" {
			continue
		}
		err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
			seq, err := nextSeq(ctx, tx, id)
			if err != nil {
				return err
			}
			ev := request.Evidence{Kind: KindSignerRevoked, RequestID: id, At: s.Clock.Now().UTC(), By: s.Authority, As: request.BySystem,
				Details: "do not execute: " + why}
			return insertEvidence(ctx, tx, id, seq, ev, "")
		})
		if err != nil {
			return flagged, err
		}
		s.Log.Error("EMERGENCY request signed with a key revoked since: do not execute", "request", id, "why", why)
		flagged = append(flagged, id)
	}
	return flagged, nil
}

// KindSignerRevoked is the local note on a received emergency request whose
// signing key the directory revoked after it arrived.
const KindSignerRevoked = "signer-revoked"

// checkExecution refuses a step that makes data leave for a received
// emergency request that is not confirmed.
func (s *Service) checkExecution(ctx context.Context, c *Case, to request.State) error {
	if !executes(to) {
		return nil
	}
	conf, err := s.confirmation(ctx, c)
	if err != nil {
		return err
	}
	if !conf.Confirmed {
		return apperr.Errorf(apperr.EConflict, "emergency request %s is not confirmed: %s (Protocol Art. 9; SPEC story 7)", c.Request.ID, conf.Recommendation)
	}
	return nil
}
