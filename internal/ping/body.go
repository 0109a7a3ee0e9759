package ping

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/strict"
)

// Body types: the subkind of the ping envelope and the "type" of its body.
const (
	TypeChallenge = "challenge" // the challenge a campaign sends to a point of contact
	TypeAnswer    = "answer"    // a person's answer, sent back in reply to the challenge
)

// Limits of a ping body. A body is small; anything larger is not a ping.
const (
	MaxBody     = 4 << 10
	IDLen       = 32 // hex characters of a challenge id
	CodeLen     = 8  // characters of a challenge code
	MaxName     = 128
	MaxCampaign = 64
)

// Body is the decrypted body of a ping envelope. The challenge carries a
// random code that only the receiving node learns; the answer must carry it
// back, so an answer cannot be made up without having received the
// challenge, and it names the person who answered.
type Body struct {
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	Campaign   string    `json:"campaign,omitempty"`
	Code       string    `json:"code"`
	SentAt     time.Time `json:"sent_at,omitzero"`
	Deadline   time.Time `json:"deadline,omitzero"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

// Marshal encodes the body as compact JSON.
func (b Body) Marshal() ([]byte, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

// ParseBody reads a ping body received from a peer. It refuses unknown
// fields, trailing data and anything that breaks Validate, with an error
// that names the field, the rule and the fix.
func ParseBody(data []byte) (Body, error) {
	var b Body
	if err := strict.Object("ping body", data, MaxBody, `{"type":"challenge"|"answer","id":...,"code":...}`, &b); err != nil {
		return Body{}, err
	}
	if err := b.Validate(); err != nil {
		return Body{}, err
	}
	return b, nil
}

func bodyErr(field, rule string, args ...any) error {
	return apperr.Errorf(apperr.EInvalid, "ping body %s: %s", field, fmt.Sprintf(rule, args...))
}

// Validate checks a body's fields for its type.
func (b Body) Validate() error {
	if b.Type != TypeChallenge && b.Type != TypeAnswer {
		return bodyErr("type", "%q is not a ping type; want %q or %q", b.Type, TypeChallenge, TypeAnswer)
	}
	if !strict.LowerHex(b.ID, IDLen) {
		return bodyErr("id", "%q must be %d lowercase hex characters (fix: use the challenge id as sent)", b.ID, IDLen)
	}
	if !isCode(b.Code) {
		return bodyErr("code", "must be %d characters of A-Z and 2-9 (fix: copy the challenge's code)", CodeLen)
	}
	if len(b.Campaign) > MaxCampaign || !isToken(b.Campaign) {
		return bodyErr("campaign", "must be at most %d characters of a-z, 0-9 and '-'", MaxCampaign)
	}
	switch b.Type {
	case TypeChallenge:
		if b.SentAt.IsZero() || b.Deadline.IsZero() {
			return bodyErr("sent_at/deadline", "a challenge needs both times (RFC 3339, UTC)")
		}
		if !b.Deadline.After(b.SentAt) {
			return bodyErr("deadline", "%s is not after sent_at %s (fix: the window must be positive)", b.Deadline.Format(time.RFC3339), b.SentAt.Format(time.RFC3339))
		}
		if b.AnsweredBy != "" || !b.AnsweredAt.IsZero() {
			return bodyErr("answered_by", "a challenge carries no answer fields")
		}
	case TypeAnswer:
		name := strings.TrimSpace(b.AnsweredBy)
		if name == "" || len(b.AnsweredBy) > MaxName || !utf8.ValidString(b.AnsweredBy) || hasControl(b.AnsweredBy) {
			return bodyErr("answered_by", "must name the person who answered (1 to %d characters of printable UTF-8)", MaxName)
		}
		if b.AnsweredAt.IsZero() {
			return bodyErr("answered_at", "an answer needs the time it was given (RFC 3339, UTC)")
		}
	}
	return nil
}

// codeAlphabet leaves out 0, 1, I and O, which people read wrongly over a
// phone line.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func isCode(s string) bool {
	if len(s) != CodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(codeAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
