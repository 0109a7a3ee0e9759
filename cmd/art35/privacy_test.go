package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestPurgeAndTransferCommands(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "it")
	if r := runCLI(t, "", nil, "node", "init", "--party", "IT", "--data", data); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := runCLI(t, "", nil, "purge", "--data", data, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "would purge 0 request(s)") {
		t.Fatalf("purge --dry-run: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "transfer", "list", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "no onward-transfer authorisation") {
		t.Fatalf("transfer list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// Asking about a request the node does not hold: not found (exit 3).
	r = runCLI(t, "", nil, "transfer", "request", "--data", data, "US-1", "--to", "DE", "--purpose", "p", "--by", "x")
	if r.code != 3 {
		t.Fatalf("transfer request of an unknown request: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, "", nil, "witness", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "no peer checkpoint seen yet") {
		t.Fatalf("witness: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "incident", "list", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "no incident notices") {
		t.Fatalf("incident list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "usage", "report", "--data", data, "US-1")
	if r.code != 3 || !strings.Contains(r.stderr, "no request US-1") {
		t.Fatalf("usage report of an unknown request: %d %q", r.code, r.stderr)
	}
	// retention_days is checked.
	r = runCLI(t, "", nil, "purge", "--data", data)
	if r.code != 0 {
		t.Fatalf("purge: %d %q", r.code, r.stderr)
	}
}
