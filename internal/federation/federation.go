// Package federation moves envelopes between art35 nodes: the inbox checks
// that decide whether a received envelope is stored or refused (each
// refusal with its own code), the HTTP transport (POST /v1/inbox answered
// with a signed receipt), and the client that delivers to a peer over TLS
// pinned by the certificate fingerprint published in the directory.
//
// Storage and the directory are reached through small interfaces defined
// here (Keys, InboxStore, RejectionLog), so the same checks run for an
// envelope that came over HTTPS and for one imported from a file.
package federation

import (
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
)

// SenderKey is one Ed25519 signing key of an authority as the directory
// lists it. Zero times mean "no bound". Revoked is the instant the key was
// revoked, zero if it never was.
type SenderKey struct {
	Public     ed25519.PublicKey
	ValidFrom  time.Time
	ValidUntil time.Time
	Revoked    time.Time
}

// Identity is one authority this node speaks for: the key that signs its
// receipts and the X25519 keys envelopes may be encrypted to, by key id
// (the current key and, during a rotation, the previous one).
type Identity struct {
	Authority string
	Signer    ed25519.PrivateKey
	Decrypt   map[string]*ecdh.PrivateKey
}

// Keys is what the inbox and the client need to know about keys.
type Keys interface {
	// SigningKey returns signing key keyID of authority from the current
	// directory, or an error with code apperr.ENotFound if the directory
	// has no such authority or key.
	SigningKey(ctx context.Context, authority, keyID string) (SenderKey, error)
	// Local returns the identity of an authority this node serves, and
	// false if the authority is not served here.
	Local(authority string) (*Identity, bool)
}

// Stored is what the inbox keeps about an envelope it has accepted, enough
// to tell a duplicate from a replay and to answer with the original receipt.
type Stored struct {
	Digest  [32]byte
	Receipt *envelope.Receipt
}

// Inbound is an accepted envelope, ready to be stored.
type Inbound struct {
	Envelope *envelope.Envelope
	Raw      []byte // the wire bytes as received (for export and audit)
	Body     []byte // the decrypted body
	Receipt  *envelope.Receipt
	Via      string // "https", "http" or "file": how it arrived
}

// InboxStore is the inbox's storage. An implementation keeps message ids
// and (sender, idempotency key) pairs unique and remembers them at least
// until the envelope's expiry plus the allowed clock skew (after that the
// expiry check refuses a replay on its own).
type InboxStore interface {
	// InboundByID returns what is stored under a message id, or nil, nil.
	InboundByID(ctx context.Context, messageID string) (*Stored, error)
	// InboundByIdempotencyKey returns what is stored for a sender's
	// business key, or nil, nil.
	InboundByIdempotencyKey(ctx context.Context, sender, key string) (*Stored, error)
	// SaveInbound stores the envelope, its body and its receipt in one
	// transaction, together with whatever the node does on arrival (the
	// request row, the audit log entry). If the message id or the
	// (sender, idempotency key) pair is already stored, it stores nothing
	// and returns an error with code apperr.EConflict: a concurrent
	// duplicate won, and the inbox then answers with its receipt.
	SaveInbound(ctx context.Context, in *Inbound) error
}

// OutboxStore is the sending side, for the delivery workers of the next
// step (issue 4 item 3). Enqueuing is not here on purpose: the envelope is
// written by the store in the same transaction as the business change that
// caused it (a request sent, an evidence issued), so that a crash never
// leaves one without the other; the workers only read and mark.
type OutboxStore interface {
	// DueOutbound returns up to limit envelopes whose next attempt is due at now.
	DueOutbound(ctx context.Context, now time.Time, limit int) ([]Outbound, error)
	// MarkDelivered stores the peer's receipt and takes the envelope out of the queue.
	MarkDelivered(ctx context.Context, messageID string, r *envelope.Receipt) error
	// MarkAttempt records a failed attempt, why it failed and when to try
	// again; a zero next means "give up" (a permanent rejection).
	MarkAttempt(ctx context.Context, messageID string, at time.Time, reason string, next time.Time) error
}

// Outbound is one queued envelope.
type Outbound struct {
	Envelope *envelope.Envelope
	Attempts int
	Created  time.Time
}

// RejectionLog records refusals, so that a forged or replayed envelope
// leaves a trace in the audit log even though it is not stored.
type RejectionLog interface {
	RecordRejection(ctx context.Context, r RejectionRecord) error
}

// RejectionRecord is one refused envelope. The header fields are filled
// as far as the envelope could be parsed; they are claims, not facts,
// unless Code says the signature was checked.
type RejectionRecord struct {
	At        time.Time
	Code      Code
	Message   string
	Via       string
	MessageID string
	Sender    string
	Recipient string
	Size      int
}

// Code is an inbox rejection code. Codes are stable strings: they travel
// in HTTP answers (docs/protocol.md, "Rejection codes") and in audit records.
type Code string

// The rejection codes. Each class of refusal has its own, so a sender can
// act on it and an auditor can count them.
const (
	CodeMalformed           Code = "malformed"             // not a valid envelope (JSON, fields, rules)
	CodeUnsupportedVersion  Code = "unsupported_version"   // a protocol version this node does not read
	CodeOversized           Code = "oversized"             // larger than this inbox accepts
	CodeWrongRecipient      Code = "wrong_recipient"       // addressed to an authority this node does not serve
	CodeUnknownRecipientKey Code = "unknown_recipient_key" // encrypted to a key of ours we do not (or no longer) hold
	CodeUnknownSender       Code = "unknown_sender"        // sender or its key id not in our directory
	CodeBadSignature        Code = "bad_signature"         // signature does not verify with the sender's key
	CodeKeyNotValid         Code = "key_not_valid"         // sender key not valid at the envelope's created time
	CodeKeyRevoked          Code = "key_revoked"           // sender key revoked
	CodeExpired             Code = "expired"               // now is at or after expires
	CodeFutureTimestamp     Code = "future_timestamp"      // created is further ahead of our clock than the allowed skew
	CodeReplayed            Code = "replayed"              // a different envelope with a message id we already hold
	CodeUndecryptable       Code = "undecryptable"         // signed correctly, but the body does not decrypt
	CodeNotAdmitted         Code = "not_admitted"          // a genuine sender this node does not take orders from (a provider takes them from its own country's authorities only)

	// The rule book (docs/protocol.md, "Rule book"): what an authentic
	// sender may say. These refusals come after the signature and the
	// decryption, from the judge the node installs (Inbox.Judge).
	CodeNotSenderParty   Code = "not_sender_party"   // a request whose requesting.party is not the signer's party
	CodeNotAddressedHere Code = "not_addressed_here" // a request whose requested.party is not this node's party
	CodeRequestInvalid   Code = "request_invalid"    // a request that fails its checklist (the problems are in the message)
	CodeDuplicateRequest Code = "duplicate_request"  // another envelope already brought a request with this id from this party
	CodeEvidenceInvalid  Code = "evidence_invalid"   // an evidence that cannot be read, or a step without what it needs (code, reference)
	CodeUnknownCase      Code = "unknown_case"       // an evidence for a request that is not held here between the signer and this node
	CodeWrongSide        Code = "wrong_side"         // a step the signer's side does not own (a requested side closing, a requesting side preserving)
	CodeStepNotAllowed   Code = "step_not_allowed"   // a step the lifecycle table does not allow from the case's current state
)

// Codes lists every rejection code, for documentation and tests.
var Codes = []Code{
	CodeMalformed, CodeUnsupportedVersion, CodeOversized, CodeWrongRecipient, CodeUnknownRecipientKey,
	CodeUnknownSender, CodeBadSignature, CodeKeyNotValid, CodeKeyRevoked, CodeExpired,
	CodeFutureTimestamp, CodeReplayed, CodeUndecryptable, CodeNotAdmitted,
}

// RuleCodes lists the rule book's codes: refusals of what an authentic
// sender says, decided by the node's judge (Inbox.Judge) rather than by
// the envelope checks above; the test network proves each of them.
var RuleCodes = []Code{
	CodeNotSenderParty, CodeNotAddressedHere, CodeRequestInvalid, CodeDuplicateRequest,
	CodeEvidenceInvalid, CodeUnknownCase, CodeWrongSide, CodeStepNotAllowed,
}

// Rejection is the error the inbox returns when it refuses an envelope.
type Rejection struct {
	Code    Code
	Message string
	Err     error // the cause, for logs; not sent to the peer
}

func (r *Rejection) Error() string {
	return fmt.Sprintf("envelope refused (%s): %s", r.Code, r.Message)
}

// Unwrap exposes an apperr.Error with the matching application code, so
// that the CLI maps a rejection to its exit status like any other error,
// and the original cause below it.
func (r *Rejection) Unwrap() []error {
	errs := []error{&apperr.Error{Code: r.AppCode(), Message: r.Message}}
	if r.Err != nil {
		errs = append(errs, r.Err)
	}
	return errs
}

// AppCode maps a rejection to an application error code.
func (r *Rejection) AppCode() string {
	switch r.Code {
	case CodeUnknownSender, CodeBadSignature, CodeKeyNotValid, CodeKeyRevoked, CodeNotAdmitted,
		CodeNotSenderParty, CodeWrongSide:
		return apperr.EUnauthorized
	case CodeReplayed, CodeDuplicateRequest, CodeStepNotAllowed:
		return apperr.EConflict
	}
	return apperr.EInvalid
}

// HTTPStatus is the status the inbox answers a rejection with. This is
// the one place where that mapping lives (docs/protocol.md repeats it).
func (c Code) HTTPStatus() int {
	switch c {
	case CodeOversized:
		return http.StatusRequestEntityTooLarge
	case CodeWrongRecipient, CodeUnknownRecipientKey:
		return http.StatusMisdirectedRequest
	case CodeUnknownSender, CodeBadSignature, CodeKeyNotValid, CodeKeyRevoked, CodeNotAdmitted,
		CodeNotSenderParty, CodeWrongSide:
		return http.StatusForbidden
	case CodeReplayed, CodeDuplicateRequest, CodeStepNotAllowed:
		return http.StatusConflict
	case CodeNotAddressedHere:
		return http.StatusMisdirectedRequest
	case CodeRequestInvalid, CodeEvidenceInvalid, CodeUnknownCase:
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}

// RetryLater reports whether a sender should try the same envelope again
// later after this rejection: the receiver's directory may not know a new
// sender or key yet, the two clocks may disagree, or an evidence overtook
// the request it answers (envelopes to one peer travel in parallel). All
// other rejections are final for that envelope.
func (c Code) RetryLater() bool {
	switch c {
	case CodeUnknownSender, CodeUnknownRecipientKey, CodeFutureTimestamp, CodeUnknownCase:
		return true
	}
	return false
}

// Reject builds a Rejection with a message for the sender (the judge of
// the rule book, outside this package, refuses with it).
func Reject(code Code, format string, args ...any) *Rejection {
	return reject(code, nil, format, args...)
}

// reject builds a Rejection.
func reject(code Code, cause error, format string, args ...any) *Rejection {
	return &Rejection{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// AsRejection returns the Rejection in err's chain, if any.
func AsRejection(err error) (*Rejection, bool) {
	var r *Rejection
	ok := errors.As(err, &r)
	return r, ok
}
