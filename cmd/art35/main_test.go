package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
)

// testClockTime is the fixed "now" of CLI tests unless a test sets another.
var testClockTime = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// cliResult is what one art35 invocation printed and returned.
type cliResult struct {
	stdout, stderr string
	code           int
}

// runCLI runs the art35 command line in-process with a fixed clock and an
// environment taken from envVars ("KEY=VALUE"), and returns what it printed.
func runCLI(t *testing.T, stdin string, envVars []string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{}
	for _, kv := range envVars {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	e := &env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return vars[k] },
		Clock:  clock.NewManual(testClockTime),
	}
	code := run(context.Background(), e, args)
	return cliResult{stdout: out.String(), stderr: errb.String(), code: code}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "help")
	if r.code != 0 || !strings.Contains(r.stdout, "version") {
		t.Fatalf("help: code %d, stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, "", nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "art35 ") {
		t.Fatalf("version: code %d, stdout %q", r.code, r.stdout)
	}
	r = runCLI(t, "", nil, "no-such-command")
	if r.code != exitUsage || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("unknown command: code %d, stderr %q", r.code, r.stderr)
	}
}

// TestEveryCommandHasHelp checks that "-h" works on every command of the
// table and exits 0 with a usage line.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, name := range commandNames() {
		r := runCLI(t, "", nil, name, "-h")
		if r.code != 0 || !strings.Contains(r.stdout, "usage: art35 "+name) {
			t.Errorf("art35 %s -h: code %d, stdout %q, stderr %q", name, r.code, r.stdout, r.stderr)
		}
	}
}

// TestCommandTable checks the table: every name once, every command with
// its help and a function to run.
func TestCommandTable(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range commands() {
		if seen[c.Name] {
			t.Errorf("command %q is in the table twice", c.Name)
		}
		seen[c.Name] = true
		if c.run == nil || c.Short == "" || !strings.HasPrefix(c.Usage, c.Name) {
			t.Errorf("command %q: run set %v, short %q, usage %q", c.Name, c.run != nil, c.Short, c.Usage)
		}
	}
	if len(seen) < 20 {
		t.Fatalf("only %d commands in the table", len(seen))
	}
}

// signedSnapshotFile signs snap with the secretariat key priv as serial,
// valid for 30 days from testClockTime, and writes it to a file.
func signedSnapshotFile(t *testing.T, snap *directory.Snapshot, priv ed25519.PrivateKey, serial uint64) string {
	t.Helper()
	signed, err := directory.Sign(snap, priv, serial, testClockTime, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "dir.json")
	if err := os.WriteFile(file, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
