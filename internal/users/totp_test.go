package users

import (
	"encoding/base32"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1 column (8 digits, key "12345678901234567890").
func TestTOTPRFC6238Vectors(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	tests := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tc := range tests {
		got := hotp(key, TOTPStep(time.Unix(tc.unix, 0)), 8)
		if got != tc.want {
			t.Errorf("T=%d: got %s, want %s", tc.unix, got, tc.want)
		}
	}
}

// RFC 4226 appendix D: HOTP values for counters 0..9, 6 digits.
func TestHOTPRFC4226Vectors(t *testing.T) {
	t.Parallel()
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for i, w := range want {
		if got := hotp([]byte("12345678901234567890"), uint64(i), 6); got != w {
			t.Errorf("counter %d: got %s, want %s", i, got, w)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	secret := base32.StdEncoding.EncodeToString(key)
	now := time.Unix(1111111111, 0)
	step := TOTPStep(now)
	code := func(t time.Time) string { c, _ := TOTPCode(secret, t); return c }
	tests := []struct {
		name     string
		code     string
		lastUsed uint64
		ok       bool
	}{
		{"current step", code(now), 0, true},
		{"previous step (phone slow)", code(now.Add(-TOTPPeriod)), 0, true},
		{"next step (phone fast)", code(now.Add(TOTPPeriod)), 0, true},
		{"two steps old", code(now.Add(-2 * TOTPPeriod)), 0, false},
		{"replayed", code(now), step, false},
		{"with spaces", " " + code(now)[:3] + " " + code(now)[3:], 0, true},
		{"too short", "12345", 0, false},
		{"letters", "abcdef", 0, false},
		{"empty", "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := verifyTOTP(key, tc.code, now, tc.lastUsed); ok != tc.ok {
				t.Errorf("verify(%q) = %v, want %v", tc.code, ok, tc.ok)
			}
		})
	}
}

func TestDecodeTOTPSecret(t *testing.T) {
	t.Parallel()
	s := NewTOTPSecret()
	if _, err := DecodeTOTPSecret(s); err != nil {
		t.Fatalf("fresh secret refused: %v", err)
	}
	for _, in := range []string{"", "short", "1111111111111111", "ABC!DEFGHIJKLMNOP"} {
		if _, err := DecodeTOTPSecret(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if _, err := DecodeTOTPSecret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"); err != nil {
		t.Errorf("lower case with spaces refused: %v", err)
	}
}

func FuzzDecodeTOTPSecret(f *testing.F) {
	for _, s := range []string{"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "", "====", "a b c", "ÿÿ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := DecodeTOTPSecret(s)
		if err == nil && len(key) < 10 {
			t.Fatalf("accepted a %d-byte key", len(key))
		}
		if err == nil {
			_, _ = verifyTOTP(key, "123456", time.Unix(0, 0), 0)
		}
	})
}
