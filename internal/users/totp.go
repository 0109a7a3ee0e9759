package users

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// TOTP parameters: RFC 6238 with the values every authenticator app
// understands (HMAC-SHA1, 30-second steps, 6 digits).
const (
	TOTPPeriod = 30 * time.Second
	TOTPDigits = 6
	// TOTPSkew is how many steps either side of now a code is accepted:
	// one step absorbs a phone clock that is a few seconds off.
	TOTPSkew = 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh 160-bit secret in base32 (RFC 4226
// recommends 160 bits for HMAC-SHA1).
func NewTOTPSecret() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b32.EncodeToString(b)
}

// DecodeTOTPSecret reads a base32 secret as people type it: case, spaces
// and padding do not matter.
func DecodeTOTPSecret(s string) ([]byte, error) {
	clean := strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '=' {
			return -1
		}
		return r
	}, s))
	key, err := b32.DecodeString(clean)
	if err != nil || len(key) < 10 {
		return nil, apperr.Errorf(apperr.EInvalid, "TOTP secret: not a base32 secret of at least 80 bits (letters A-Z and digits 2-7); create a new one with 'art35 user totp'")
	}
	return key, nil
}

// hotp is RFC 4226 section 5.3: dynamic truncation of HMAC(key, counter).
func hotp(key []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPStep is the RFC 6238 time step of t.
func TOTPStep(t time.Time) uint64 { return uint64(t.Unix()) / uint64(TOTPPeriod/time.Second) }

// TOTPCode returns the code of secret at time t (what the phone shows).
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := DecodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, TOTPStep(t), TOTPDigits), nil
}

// verifyTOTP checks code against the steps around now and returns the step
// it matched. Steps at or before lastUsed are refused, so a code seen over
// someone's shoulder cannot be used again.
func verifyTOTP(key []byte, code string, now time.Time, lastUsed uint64) (uint64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != TOTPDigits {
		return 0, false
	}
	step := TOTPStep(now)
	for d := -TOTPSkew; d <= TOTPSkew; d++ {
		s := uint64(int64(step) + int64(d))
		if s <= lastUsed {
			continue
		}
		if hmac.Equal([]byte(hotp(key, s, TOTPDigits)), []byte(code)) {
			return s, true
		}
	}
	return 0, false
}

// TOTPURI is the otpauth:// URI an authenticator app reads (as a QR code
// or pasted), with issuer "art35 <party>".
func TOTPURI(issuer, username, secret string) string {
	label := url.PathEscape(issuer + ":" + username)
	v := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + v.Encode()
}
