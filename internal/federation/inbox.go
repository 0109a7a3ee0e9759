package federation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
)

// DefaultMaxSkew is how far ahead of our clock an envelope's created time
// may be. Node clocks are NTP-synchronised; five minutes absorbs a bad one
// without opening a long window for pre-dated messages.
const DefaultMaxSkew = 5 * time.Minute

// Inbox decides whether a received envelope is stored or refused. Its
// checks are the same whatever the channel (HTTPS, a file): see Receive.
type Inbox struct {
	Keys  Keys
	Store InboxStore
	Clock clock.Clock
	// Audit, if set, records every rejection.
	Audit RejectionLog
	// MaxBody is the largest body (plaintext bytes) accepted; 0 means
	// envelope.MaxBody. A node may accept less than the protocol allows.
	MaxBody int
	// MaxSkew is how far in the future created may be; 0 means DefaultMaxSkew.
	MaxSkew time.Duration
	// Admit, if set, decides whether this node takes an envelope from its
	// (authenticated) sender; an error refuses it with CodeNotAdmitted. A
	// provider's node admits orders from its own country's authorities only.
	Admit func(ctx context.Context, h envelope.Header) error
	// Judge, if set, applies the rule book to an authentic, decrypted
	// envelope before anything is stored: whether its signer may say what
	// it says (docs/protocol.md, "Rule book"). A *Rejection refuses the
	// envelope with its code; any other error is a failure of this node
	// and the sender retries.
	Judge func(ctx context.Context, h envelope.Header, body []byte) error
}

// Result is the outcome of an accepted (or already accepted) envelope.
type Result struct {
	Receipt   *envelope.Receipt
	Duplicate bool // already stored: Receipt is the original one and nothing was stored now
	Envelope  *envelope.Envelope
	Body      []byte // nil for a duplicate
}

// MaxWire returns the largest wire envelope this inbox reads, derived from
// MaxBody (base64 of the ciphertext plus room for the header).
func (in *Inbox) MaxWire() int {
	n := (in.maxBody()+48)*4/3 + 4 + 8192
	return min(n, envelope.MaxWire)
}

func (in *Inbox) maxBody() int {
	if in.MaxBody <= 0 || in.MaxBody > envelope.MaxBody {
		return envelope.MaxBody
	}
	return in.MaxBody
}

// Receive checks raw (one wire envelope that arrived via "https", "http"
// or "file"), stores it and returns its signed receipt. A refusal is a
// *Rejection with its code; any other error is a failure of this node
// (database, audit log) and the sender should retry.
//
// The checks run in this order, cheapest and least trusting first:
// size, syntax, recipient, sender key, signature; then duplicates and
// replays (only once the signature is known good, so that an attacker
// cannot probe which ids we hold); then key validity and revocation,
// expiry and future timestamps; then decryption; then the rule book
// (Judge). A duplicate is answered
// before the time checks, so a retry that arrives after its envelope
// expired still gets the original receipt instead of a refusal.
func (in *Inbox) Receive(ctx context.Context, raw []byte, via string) (*Result, error) {
	now := in.Clock.Now().UTC()
	res, err := in.receive(ctx, raw, via, now)
	if rej, ok := AsRejection(err); ok && in.Audit != nil {
		rec := RejectionRecord{At: now, Code: rej.Code, Message: rej.Message, Via: via, Size: len(raw)}
		if e, perr := envelope.Parse(raw); perr == nil {
			rec.MessageID, rec.Sender, rec.Recipient = e.Header.ID, e.Header.Sender, e.Header.Recipient
		}
		if aerr := in.Audit.RecordRejection(ctx, rec); aerr != nil {
			// Without the audit record the refusal must not be final:
			// answer as a failure of ours, so the sender retries.
			return nil, fmt.Errorf("record rejection %s: %w", rej.Code, aerr)
		}
	}
	return res, err
}

func (in *Inbox) receive(ctx context.Context, raw []byte, via string, now time.Time) (*Result, error) {
	if len(raw) > in.MaxWire() {
		return nil, reject(CodeOversized, nil, "envelope has %d bytes; this inbox accepts at most %d", len(raw), in.MaxWire())
	}
	env, err := envelope.Parse(raw)
	switch {
	case errors.Is(err, envelope.ErrTooLarge):
		return nil, reject(CodeOversized, err, "%s", apperrMessage(err))
	case errors.Is(err, envelope.ErrUnsupportedVersion):
		return nil, reject(CodeUnsupportedVersion, err, "%s", apperrMessage(err))
	case err != nil:
		return nil, reject(CodeMalformed, err, "%s", apperrMessage(err))
	}
	if n := len(env.Ciphertext) - 48; n > in.maxBody() {
		return nil, reject(CodeOversized, nil, "body has %d bytes; this inbox accepts at most %d", n, in.maxBody())
	}
	h := &env.Header

	id, ok := in.Keys.Local(h.Recipient)
	if !ok {
		return nil, reject(CodeWrongRecipient, nil, "this node does not serve authority %q", h.Recipient)
	}
	dk, ok := id.Decrypt[h.RecipientKeyID]
	if !ok {
		return nil, reject(CodeUnknownRecipientKey, nil, "authority %s holds no encryption key %s (fix: seal to its current key from the directory)", h.Recipient, h.RecipientKeyID)
	}

	key, err := in.Keys.SigningKey(ctx, h.Sender, h.SenderKeyID)
	if apperr.Is(err, apperr.ENotFound) {
		return nil, reject(CodeUnknownSender, err, "no signing key %s for authority %q in this node's directory", h.SenderKeyID, h.Sender)
	} else if err != nil {
		return nil, fmt.Errorf("look up sender key %s/%s: %w", h.Sender, h.SenderKeyID, err)
	}
	if err := envelope.Verify(env, key.Public); err != nil {
		if errors.Is(err, envelope.ErrBadSignature) || errors.Is(err, envelope.ErrWrongKey) {
			return nil, reject(CodeBadSignature, err, "signature of %s does not verify with %s key %s", h.ID, h.Sender, h.SenderKeyID)
		}
		return nil, reject(CodeMalformed, err, "%s", apperrMessage(err))
	}

	if res, err := in.duplicate(ctx, env); res != nil || err != nil {
		return res, err
	}
	if in.Admit != nil {
		if err := in.Admit(ctx, *h); err != nil {
			return nil, reject(CodeNotAdmitted, err, "%s", err.Error())
		}
	}

	if !key.Revoked.IsZero() && (!now.Before(key.Revoked) || !h.Created.Before(key.Revoked)) {
		return nil, reject(CodeKeyRevoked, nil, "%s key %s was revoked at %s", h.Sender, h.SenderKeyID, key.Revoked.UTC().Format(time.RFC3339))
	}
	if !key.ValidFrom.IsZero() && h.Created.Before(key.ValidFrom) {
		return nil, reject(CodeKeyNotValid, nil, "%s key %s is valid from %s, the envelope was created at %s", h.Sender, h.SenderKeyID, key.ValidFrom.UTC().Format(time.RFC3339), h.Created.Format(time.RFC3339))
	}
	if !key.ValidUntil.IsZero() && !h.Created.Before(key.ValidUntil) {
		return nil, reject(CodeKeyNotValid, nil, "%s key %s was valid until %s, the envelope was created at %s", h.Sender, h.SenderKeyID, key.ValidUntil.UTC().Format(time.RFC3339), h.Created.Format(time.RFC3339))
	}
	skew := in.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if h.Created.After(now.Add(skew)) {
		return nil, reject(CodeFutureTimestamp, nil, "created %s is more than %s ahead of this node's clock (%s)", h.Created.Format(time.RFC3339), skew, now.Format(time.RFC3339))
	}
	if !now.Before(h.Expires) {
		return nil, reject(CodeExpired, nil, "envelope %s expired at %s (now %s)", h.ID, h.Expires.Format(time.RFC3339), now.Format(time.RFC3339))
	}

	body, err := envelope.Decrypt(env, dk)
	if err != nil {
		return nil, reject(CodeUndecryptable, err, "envelope %s is signed by %s but its body does not decrypt with key %s", h.ID, h.Sender, h.RecipientKeyID)
	}
	if in.Judge != nil {
		if err := in.Judge(ctx, *h, body); err != nil {
			if rej, ok := AsRejection(err); ok {
				// The same envelope, delivered twice at once (a retry
				// crossing the first attempt, two replicas of the
				// sender), is stored by the first: the rule book then
				// sees its request as already known. The second gets
				// the original receipt, not a refusal.
				if res, derr := in.duplicate(ctx, env); res != nil || derr != nil {
					return res, derr
				}
				return nil, rej
			}
			return nil, fmt.Errorf("judge envelope %s: %w", h.ID, err)
		}
	}
	rcpt, err := envelope.NewReceipt(env, now, id.Signer)
	if err != nil {
		return nil, fmt.Errorf("sign receipt: %w", err)
	}
	ib := &Inbound{Envelope: env, Raw: raw, Body: body, Receipt: rcpt, Via: via}
	if err := in.Store.SaveInbound(ctx, ib); err != nil {
		if rej, ok := AsRejection(err); ok {
			// The rule book, checked again inside the storing transaction,
			// refused it (a concurrent envelope changed the case meanwhile,
			// or was this very envelope, delivered twice at once).
			if res, derr := in.duplicate(ctx, env); res != nil || derr != nil {
				return res, derr
			}
			return nil, rej
		}
		if apperr.Is(err, apperr.EConflict) {
			// A concurrent delivery of the same message won the race.
			if res, derr := in.duplicate(ctx, env); res != nil || derr != nil {
				return res, derr
			}
		}
		return nil, fmt.Errorf("store envelope %s: %w", h.ID, err)
	}
	return &Result{Receipt: rcpt, Envelope: env, Body: body}, nil
}

// duplicate answers an envelope that is already stored: the same bytes
// under the same id, or the same business key from the same sender, get
// the original receipt; different bytes under a known id are a replay.
// It returns nil, nil for an envelope never seen.
func (in *Inbox) duplicate(ctx context.Context, env *envelope.Envelope) (*Result, error) {
	h := &env.Header
	s, err := in.Store.InboundByID(ctx, h.ID)
	if err != nil {
		return nil, fmt.Errorf("look up message id %s: %w", h.ID, err)
	}
	if s != nil {
		if s.Digest != env.Digest() {
			return nil, reject(CodeReplayed, nil, "message id %s is already stored with other content (fix: every new envelope needs a new random id)", h.ID)
		}
		return &Result{Receipt: s.Receipt, Duplicate: true, Envelope: env}, nil
	}
	s, err = in.Store.InboundByIdempotencyKey(ctx, h.Sender, h.IdempotencyKey)
	if err != nil {
		return nil, fmt.Errorf("look up idempotency key %s/%s: %w", h.Sender, h.IdempotencyKey, err)
	}
	if s != nil {
		return &Result{Receipt: s.Receipt, Duplicate: true, Envelope: env}, nil
	}
	return nil, nil
}

// apperrMessage returns the user-facing message of an apperr.Error
// without its internal cause.
func apperrMessage(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}
