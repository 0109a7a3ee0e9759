package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAccessCLI records an Art. 32(a) and an Art. 32(b) access on a node
// made by node init, refuses an incomplete one with the field named, and
// lists them.
func TestAccessCLI(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "us")
	if r := runCLI(t, "", nil, "node", "init", "--party", "US", "--data", data); r.code != 0 {
		t.Fatalf("node init: %d %s", r.code, r.stderr)
	}
	ok := []string{"access", "record", "--data", data, "--ground", "publicly-available", "--what", "public posts of the account ex-ample",
		"--source", "https://forum.example.org/u/ex-ample", "--at", "2026-11-24T09:00:00Z", "--by", "Alex Example"}
	if r := runCLI(t, "", nil, ok...); r.code != 0 || !strings.Contains(r.stdout, "Art. 32(a)") {
		t.Fatalf("record 32(a): %d %s %s", r.code, r.stdout, r.stderr)
	}
	consent := []string{"access", "record", "--data", data, "--ground", "consent", "--what", "the victim's mailbox", "--source", "mail.example.org",
		"--at", "2026-11-24T10:00:00Z", "--by", "Alex Example", "--located-in", "DE", "--consent-by", "the account holder (fictional)",
		"--lawful-authority", "owner of the mailbox", "--notice", "DE told"}
	if r := runCLI(t, "", nil, consent...); r.code != 0 || !strings.Contains(r.stdout, "Art. 32(b)") {
		t.Fatalf("record 32(b): %d %s %s", r.code, r.stdout, r.stderr)
	}
	bad := []string{"access", "record", "--data", data, "--ground", "consent", "--what", "x", "--source", "y", "--at", "2026-11-24T10:00:00Z", "--by", "A"}
	if r := runCLI(t, "", nil, bad...); r.code != 1 || !strings.Contains(r.stderr, "consent_by") {
		t.Fatalf("incomplete consent: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, "", nil, "access", "list", "--data", data, "--json")
	var list []struct {
		Ground string `json:"ground"`
		Party  string `json:"party"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &list) != nil || len(list) != 2 || list[0].Ground != "consent" || list[0].Party != "DE" {
		t.Fatalf("list: %d %s %s", r.code, r.stdout, r.stderr)
	}
}
