package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestUserCommands(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "it")
	if r := runCLI(t, "", nil, "node", "init", "--party", "IT", "--data", data); r.code != 0 {
		t.Fatalf("init: %s", r.stderr)
	}
	r := runCLI(t, "a long enough passphrase\n", nil, "user", "add", "a.rossi", "--name", "Anna Rossi (fictional)", "--role", "officer", "--data", data)
	if r.code != 0 || !regexp.MustCompile(`TOTP secret: [A-Z2-7]{32}\n`).MatchString(r.stdout) || !strings.Contains(r.stdout, "otpauth://totp/") {
		t.Fatalf("add: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "password:") {
		t.Error("printed a password that was given on stdin")
	}
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		output string // in stdout on success, stderr otherwise
	}{
		{"generated password", "", []string{"add", "b.bianchi", "--name", "Bruno Bianchi (fictional)", "--role", "supervisor"}, 0, "password:"},
		{"duplicate", "a long enough passphrase\n", []string{"add", "a.rossi", "--name", "X"}, 4, "already exists"},
		{"bad role", "", []string{"add", "c.c", "--name", "C", "--role", "boss"}, 1, "role \"boss\""},
		{"short password", "short\n", []string{"add", "d.d", "--name", "D"}, 1, "at least 12"},
		{"no name", "", []string{"add", "e.e"}, 1, "full name"},
		{"no username", "", []string{"passwd"}, 2, "USERNAME"},
		{"passwd", "another long passphrase\n", []string{"passwd", "a.rossi"}, 0, "unlocked"},
		{"passwd unknown", "another long passphrase\n", []string{"passwd", "nobody"}, 3, "no user nobody"},
		{"totp", "", []string{"totp", "a.rossi"}, 0, "TOTP secret:"},
		{"disable", "", []string{"disable", "a.rossi"}, 0, "disabled"},
		{"list", "", []string{"list"}, 0, "Anna Rossi (fictional) (disabled)"},
		{"enable", "", []string{"disable", "a.rossi", "--enable"}, 0, "enabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, nil, append(append([]string{"user"}, tc.args...), "--data", data)...)
			out := r.stdout
			if tc.code != 0 {
				out = r.stderr
			}
			if r.code != tc.code || !strings.Contains(out, tc.output) {
				t.Errorf("code %d (want %d), stdout %q, stderr %q; want %q", r.code, tc.code, r.stdout, r.stderr, tc.output)
			}
		})
	}
}
