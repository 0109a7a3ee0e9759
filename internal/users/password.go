package users

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/art35/art35/internal/apperr"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams follow the OWASP password storage recommendation for
// argon2id (19 MiB, 2 passes, 1 thread): about 37 ms a sign-in on this
// 2-core machine (BenchmarkVerifyPassword), which
// is nothing for a person and a lot for someone guessing offline.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// MinPasswordLength is the shortest password accepted (NIST SP 800-63B
// asks for at least 8; a 24/7 desk deserves more).
const MinPasswordLength = 12

// CheckPassword applies the password rules.
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return apperr.Errorf(apperr.EInvalid, "password: %d characters, at least %d required; use a longer passphrase", utf8.RuneCountInString(pw), MinPasswordLength)
	}
	if len(pw) > 1024 {
		return apperr.Errorf(apperr.EInvalid, "password: longer than 1024 bytes; use a shorter passphrase")
	}
	return nil
}

const saltLen, keyLen = 16, 32

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of pw in PHC string form
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), which records its own
// parameters so they can be raised later without breaking old hashes.
func HashPassword(pw string, p Params) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Hash is a parsed PHC argon2id string.
type Hash struct {
	Params
	Salt, Key []byte
}

// ParseHash reads a PHC argon2id string. It refuses anything else, and
// parameters outside sane bounds, so a tampered row cannot make a sign-in
// allocate gigabytes.
func ParseHash(s string) (Hash, error) {
	bad := func(why string) (Hash, error) {
		return Hash{}, apperr.Errorf(apperr.EInvalid, "password hash: %s; expected $argon2id$v=19$m=M,t=T,p=P$salt$hash (reset it with 'art35 user passwd')", why)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("not a PHC string of 5 fields")
	}
	if parts[1] != "argon2id" {
		return bad(fmt.Sprintf("algorithm %q is not argon2id", parts[1]))
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return bad(fmt.Sprintf("version %q is not v=%d", parts[2], argon2.Version))
	}
	var h Hash
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return bad(fmt.Sprintf("parameter %q is not key=value", kv))
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad(fmt.Sprintf("parameter %s=%q is not a number", k, v))
		}
		switch k {
		case "m":
			h.Memory = uint32(n)
		case "t":
			h.Time = uint32(n)
		case "p":
			if n > 255 {
				return bad("p above 255")
			}
			h.Threads = uint8(n)
		default:
			return bad(fmt.Sprintf("unknown parameter %q", k))
		}
	}
	if h.Memory < 8 || h.Memory > 1<<20 || h.Time < 1 || h.Time > 20 || h.Threads < 1 || h.Threads > 16 {
		return bad("parameters out of bounds (m 8..1048576 KiB, t 1..20, p 1..16)")
	}
	var err error
	if h.Salt, err = b64.DecodeString(parts[4]); err != nil || len(h.Salt) < 8 {
		return bad("salt is not base64 of at least 8 bytes")
	}
	if h.Key, err = b64.DecodeString(parts[5]); err != nil || len(h.Key) < 16 || len(h.Key) > 64 {
		return bad("hash is not base64 of 16 to 64 bytes")
	}
	return h, nil
}

// VerifyPassword reports whether pw matches the PHC hash, in constant time
// over the derived key.
func VerifyPassword(pw, phc string) (bool, error) {
	h, err := ParseHash(phc)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(pw), h.Salt, h.Time, h.Memory, h.Threads, uint32(len(h.Key)))
	return subtle.ConstantTimeCompare(key, h.Key) == 1, nil
}

// RandomPassword returns 4 groups of 5 lower-case letters and digits
// (about 100 bits), easy to read out over a phone: the password given to
// an account made without one, and to the demo's officers.
func RandomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%5 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}
