// Package envelope is the message format of the art35 network: every
// message between nodes is an envelope whose header says who sends what to
// whom and when, whose body is encrypted to the recipient's X25519 key with
// HPKE (RFC 9180), and whose header and ciphertext digest are signed with
// the sender's Ed25519 key. Because the envelope carries its own proof, it
// can travel over HTTPS or on a USB stick and still prove who sent it.
//
// The byte-level format (canonical header, signature input, HPKE suite,
// wire JSON, receipts, limits) is specified in docs/protocol.md and pinned
// by the test vectors in testdata/vectors.json; a change here that alters
// any of those bytes is a protocol change and needs a new version.
package envelope

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/art35/art35/internal/apperr"
)

// Version is the protocol version this package writes and the only one it reads.
const Version = 1

// Kind says what an envelope carries. Kinds are stable strings: they are
// signed, stored and shown to people.
type Kind string

// The kinds of envelope.
const (
	KindRequest         Kind = "request"          // a request of SPEC section 5; Subkind is its type (preserve, ...)
	KindEvidence        Kind = "evidence"         // a signed lifecycle step; Subkind names it (acknowledged, preserved, ...)
	KindPing            Kind = "ping"             // a ping-test challenge or its human answer
	KindWatchEvent      Kind = "watch-event"      // one event of a realtime-traffic watch
	KindDirectoryNotice Kind = "directory-notice" // the secretariat announces a new directory snapshot
	KindReceipt         Kind = "receipt"          // a transport receipt sent back out of band (body: receipt JSON)
)

// Kinds lists every kind in a fixed order, for help texts and tests.
var Kinds = []Kind{KindRequest, KindEvidence, KindPing, KindWatchEvent, KindDirectoryNotice, KindReceipt}

// EvidenceSubkinds are the lifecycle steps of SPEC section 6 that an evidence
// envelope may carry. "not-acknowledged" is the negative evidence sent when
// the acknowledge clock runs out; "incident" notifies a data exposure (SPEC 7);
// "transfer-request" asks the originating party to authorise passing its
// data on to a third party, "transfer-granted" is that authorisation
// (Protocol Art. 14(10)); "usage-query" asks how received data was used and
// "usage-report" answers from the audit log (Art. 26, 28); "countersigned"
// carries a second person's signature of an emergency request (story 7);
// "disclosure-stopped" is a notified authority's instruction to a provider
// not to execute a direct order (Protocol Art. 7(5)(c); Reg. (EU)
// 2023/1543 Art. 8, 12).
var EvidenceSubkinds = []string{
	"delivered", "acknowledged", "not-acknowledged", "in-progress", "preserved", "disclosed",
	"partially-executed", "declined", "postponed", "needs-info", "closed", "conditions-accepted",
	"incident", "transfer-request", "transfer-granted", "usage-query", "usage-report", "countersigned",
	"disclosure-stopped",
}

// Handling is the handling code of SPEC section 7.
type Handling string

// Handling codes. They only ever get stricter when a message is forwarded.
const (
	H0 Handling = "H0" // use only for preventing and fighting crime
	H1 Handling = "H1" // not for judicial proceedings without the sender's permission
	H2 Handling = "H2" // not to be passed on without permission
	H3 Handling = "H3" // other conditions, stated in the body
)

// Field limits. They are part of the protocol (docs/protocol.md, "Limits").
const (
	IDLen              = 32 // hex characters of a message id (128 bits)
	KeyIDLen           = 16 // hex characters of a key id (keys.ID)
	MaxIdempotencyKey  = 128
	MaxAuthority       = 64
	MaxSubkind         = 32
	MaxCaseRef         = 128
	MaxLifetime        = 30 * 24 * time.Hour // expires - created
	MaxBody            = 8 << 20             // plaintext bytes
	hpkeOverhead       = 32 + 16             // X25519 encapsulated key + AEAD tag
	MaxCiphertext      = MaxBody + hpkeOverhead
	MaxWire            = 12 << 20 // bytes of one wire-encoded envelope
	minTimeUnixSeconds = 946684800
	maxTimeUnixSeconds = 32503680000 // 3000-01-01T00:00:00Z
)

// Header is the signed, unencrypted part of an envelope. Everything a node
// needs to route, de-duplicate and check a message without decrypting it is
// here; everything else belongs in the encrypted body.
type Header struct {
	// ID is the transport message id: 128 random bits as 32 lowercase hex
	// characters, new for every envelope (a retry of the same envelope keeps it).
	ID string
	// IdempotencyKey is the business key: the same business event always
	// gets the same key, even if it is sealed twice into different envelopes,
	// so the receiver stores it once.
	IdempotencyKey string
	Kind           Kind
	// Subkind refines Kind: the request type for requests, the lifecycle step
	// for evidences (one of EvidenceSubkinds). Optional for other kinds.
	Subkind        string
	Sender         string // sending authority id from the directory
	Recipient      string // receiving authority id from the directory
	SenderKeyID    string // keys.ID of the sender's Ed25519 key
	RecipientKeyID string // keys.ID of the recipient's X25519 key
	Created        time.Time
	Expires        time.Time
	InReplyTo      string // message id this answers, or ""
	CaseRef        string // the sender's case reference, or ""
	Handling       Handling
	Exercise       bool // true for drills: never treated as real casework
}

// NewID returns a new random message id from r (crypto/rand.Reader if nil).
func NewID(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [IDLen / 2]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("new message id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// invalid builds the error for a header field that breaks a rule.
func invalid(field, format string, args ...any) error {
	return apperr.Wrap(apperr.EInvalid, ErrMalformed, "envelope %s: %s", field, fmt.Sprintf(format, args...))
}

// Validate checks every field of h against the protocol's rules and returns
// the first violation, naming the field, the rule and the fix.
func (h *Header) Validate() error {
	if err := checkHexID("header id", h.ID, IDLen); err != nil {
		return err
	}
	if n := len(h.IdempotencyKey); n == 0 || n > MaxIdempotencyKey {
		return invalid("header idempotency_key", "has %d bytes, want 1 to %d (fix: use the business key of the event, e.g. the request id and step)", n, MaxIdempotencyKey)
	}
	for i := 0; i < len(h.IdempotencyKey); i++ {
		if c := h.IdempotencyKey[i]; c < 0x21 || c > 0x7e {
			return invalid("header idempotency_key", "byte %d is 0x%02x; only printable ASCII without spaces (0x21-0x7e) is allowed", i, c)
		}
	}
	if !slices.Contains(Kinds, h.Kind) {
		return invalid("header kind", "%q is not a kind; want one of %s", h.Kind, joinKinds())
	}
	if len(h.Subkind) > MaxSubkind || !isToken(h.Subkind, "-") {
		return invalid("header subkind", "%q must be at most %d characters of a-z, 0-9 and '-'", h.Subkind, MaxSubkind)
	}
	switch {
	case h.Kind == KindEvidence && !slices.Contains(EvidenceSubkinds, h.Subkind):
		return invalid("header subkind", "%q is not an evidence step; want one of %s", h.Subkind, strings.Join(EvidenceSubkinds, ", "))
	case h.Kind == KindRequest && h.Subkind == "":
		return invalid("header subkind", "is empty; a request names its type (e.g. preserve)")
	}
	if err := checkAuthority("header sender", h.Sender); err != nil {
		return err
	}
	if err := checkAuthority("header recipient", h.Recipient); err != nil {
		return err
	}
	if err := checkHexID("header sender_key_id", h.SenderKeyID, KeyIDLen); err != nil {
		return err
	}
	if err := checkHexID("header recipient_key_id", h.RecipientKeyID, KeyIDLen); err != nil {
		return err
	}
	if err := checkTime("header created", h.Created); err != nil {
		return err
	}
	if err := checkTime("header expires", h.Expires); err != nil {
		return err
	}
	if !h.Expires.After(h.Created) {
		return invalid("header expires", "%s is not after created %s", h.Expires.Format(time.RFC3339), h.Created.Format(time.RFC3339))
	}
	if d := h.Expires.Sub(h.Created); d > MaxLifetime {
		return invalid("header expires", "is %s after created; the most allowed is %s (fix: seal a new envelope later instead)", d, MaxLifetime)
	}
	if h.InReplyTo != "" {
		if err := checkHexID("header in_reply_to", h.InReplyTo, IDLen); err != nil {
			return err
		}
	}
	if len(h.CaseRef) > MaxCaseRef {
		return invalid("header case_ref", "has %d bytes, at most %d allowed", len(h.CaseRef), MaxCaseRef)
	}
	if !utf8.ValidString(h.CaseRef) || strings.IndexFunc(h.CaseRef, unicode.IsControl) >= 0 {
		return invalid("header case_ref", "must be UTF-8 text without control characters")
	}
	switch h.Handling {
	case H0, H1, H2, H3:
	default:
		return invalid("header handling", "%q is not a handling code; want H0, H1, H2 or H3", h.Handling)
	}
	return nil
}

func joinKinds() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func checkHexID(field, s string, n int) error {
	if len(s) != n {
		return invalid(field, "%q has %d characters, want %d lowercase hex characters", s, len(s), n)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return invalid(field, "%q: character %d is not lowercase hex (0-9, a-f)", s, i)
		}
	}
	return nil
}

func checkAuthority(field, s string) error {
	if len(s) == 0 || len(s) > MaxAuthority || !isToken(s, "-._:") || strings.ContainsAny(s[:1], "-._:") {
		return invalid(field, "%q is not an authority id: want 1 to %d characters of A-Z, a-z, 0-9, '-', '.', '_', ':' starting with a letter or digit, as in the directory", s, MaxAuthority)
	}
	return nil
}

// isToken reports whether s is made of ASCII letters and digits and the
// given punctuation only. Lowercase-only tokens (subkinds) also refuse A-Z.
func isToken(s, punct string) bool {
	upperOK := punct != "-"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z' && upperOK:
		case strings.IndexByte(punct, c) >= 0:
		default:
			return false
		}
	}
	return true
}

func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return invalid(field, "is not set")
	}
	if t.Nanosecond() != 0 {
		return invalid(field, "%s has a fraction of a second; times are whole seconds (fix: Truncate(time.Second))", t.Format(time.RFC3339Nano))
	}
	if u := t.Unix(); u < minTimeUnixSeconds || u >= maxTimeUnixSeconds {
		return invalid(field, "%s is outside 2000-01-01 to 2999-12-31", t.UTC().Format(time.RFC3339))
	}
	return nil
}
