package users

import (
	"strings"
	"testing"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1}

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	h := HashPassword("correct horse battery", fast)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	if h == HashPassword("correct horse battery", fast) {
		t.Error("two hashes of the same password are equal: the salt is not random")
	}
	tests := []struct {
		pw string
		ok bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"", false},
	}
	for _, tc := range tests {
		ok, err := VerifyPassword(tc.pw, h)
		if err != nil || ok != tc.ok {
			t.Errorf("verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.ok)
		}
	}
}

func TestParseHashRefuses(t *testing.T) {
	t.Parallel()
	good := HashPassword("x", fast)
	parts := strings.Split(good, "$")
	tests := map[string]string{
		"empty":         "",
		"bcrypt":        "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":       strings.Replace(good, "argon2id", "argon2i", 1),
		"version":       strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":   strings.Replace(good, "m=64", "m=4000000", 1),
		"zero time":     strings.Replace(good, "t=1", "t=0", 1),
		"unknown param": strings.Replace(good, "p=1", "q=1", 1),
		"bad salt":      "$" + strings.Join([]string{parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
		"short key":     "$" + strings.Join([]string{parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
	}
	for name, h := range tests {
		if _, err := ParseHash(h); err == nil {
			t.Errorf("%s: %q accepted", name, h)
		} else if !strings.Contains(err.Error(), "art35 user passwd") {
			t.Errorf("%s: error does not say how to fix it: %v", name, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	for pw, ok := range map[string]bool{"short": false, "elevenchars": false, "twelve chars": true, strings.Repeat("x", 2000): false} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%d chars) = %v, want ok=%v", len(pw), err, ok)
		}
	}
}

func FuzzParseHash(f *testing.F) {
	f.Add(HashPassword("seed password", fast))
	f.Add("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err != nil {
			return
		}
		if h.Memory > 1<<20 || h.Time > 20 || h.Threads > 16 || len(h.Key) > 64 {
			t.Fatalf("accepted out-of-bounds parameters: %+v", h.Params)
		}
	})
}

func TestRandomPassword(t *testing.T) {
	a, b := RandomPassword(), RandomPassword()
	if a == b {
		t.Fatalf("two random passwords are the same: %s", a)
	}
	if len(a) != 23 || strings.Count(a, "-") != 3 {
		t.Fatalf("password %q is not 4 groups of 5", a)
	}
	if err := CheckPassword(a); err != nil {
		t.Fatalf("a random password fails the password rules: %v", err)
	}
}
