package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// auditNodeForTest makes a node with node init whose database is dsn and
// appends records to its log: messages msg-0 to msg-3, two records each
// (sent, then a read). It returns the data folder and the node's public
// signing key.
func auditNodeForTest(t *testing.T, dsn string) (data, pub string) {
	t.Helper()
	data = filepath.Join(t.TempDir(), "it")
	r := runCLI(t, "", []string{"ART35_DATABASE=" + dsn}, "node", "init", "--party", "IT", "--data", data)
	if r.code != 0 {
		t.Fatalf("node init: %d %s", r.code, r.stderr)
	}
	var entry struct {
		Keys []struct{ Use, Public string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &entry); err != nil {
		t.Fatal(err)
	}
	for _, k := range entry.Keys {
		if k.Use == "signing" {
			pub = k.Public
		}
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 8 {
		rec := auditlog.Record{
			Kind: auditlog.EnvelopeSent, Time: testClockTime.Add(time.Duration(i) * time.Minute), Actor: "system",
			Case: "IT-2026-0042", MessageID: fmt.Sprintf("msg-%d", i/2), Digest: fmt.Sprintf("sha256:%064x", i),
		}
		if i%2 == 1 {
			rec.Kind, rec.Actor, rec.Digest, rec.Purpose = auditlog.DataRead, "officer-17", "", "identify the account holder"
		}
		if _, err := auditlog.AppendOne(context.Background(), db, rec); err != nil {
			t.Fatal(err)
		}
	}
	return data, pub
}

// TestAuditCLI drives every audit subcommand on a node made by node init,
// with its database on each backend.
func TestAuditCLI(t *testing.T) {
	t.Parallel()
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) { testAuditCLI(t, storetest.DSN(t, backend)) })
	}
}

func testAuditCLI(t *testing.T, dsn string) {
	data, pub := auditNodeForTest(t, dsn)

	r := runCLI(t, "", nil, "audit", "verify", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "intact: 8 records") || !strings.Contains(r.stdout, "no signed checkpoint yet") {
		t.Fatalf("verify: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", []string{"ART35_DATA=" + data}, "audit", "checkpoint")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "art35/IT-247\n8\n") || !strings.Contains(r.stdout, "\n\n\u2014 art35/IT-247 ") {
		t.Fatalf("checkpoint: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// Two more records, then prove one of them: prove signs a checkpoint
	// first because the latest does not cover them.
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []auditlog.Kind{auditlog.DataExport, auditlog.DataForward} {
		if _, err := auditlog.AppendOne(context.Background(), db, auditlog.Record{Kind: kind, Time: testClockTime.Add(time.Hour),
			Actor: "officer-17", Case: "IT-2026-0042", MessageID: "msg-9", Purpose: "court file"}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	// A message the checkpoint covers: no new checkpoint.
	r = runCLI(t, "", nil, "audit", "prove", "msg-1", "--data", data)
	if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, `"index": 3`) {
		t.Fatalf("prove covered message: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, "", nil, "audit", "prove", "msg-9", "--data", data)
	if r.code != 0 || !strings.Contains(r.stderr, "signed a new checkpoint of 10 records") {
		t.Fatalf("prove: %d %q", r.code, r.stderr)
	}
	bundle := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(bundle, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", nil, "audit", "check", "--pubkey", pub, bundle)
	if r.code != 0 || !strings.Contains(r.stdout, "bundle OK: 2 records about message msg-9 are in log art35/IT-247") ||
		!strings.Contains(r.stdout, "data-forward") || !strings.Contains(r.stdout, pub) {
		t.Fatalf("check: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// From standard input, too.
	raw, _ := os.ReadFile(bundle)
	if r = runCLI(t, string(raw), nil, "audit", "check", "-", "--pubkey", pub); r.code != 0 {
		t.Fatalf("check from stdin: %d %q", r.code, r.stderr)
	}

	// One changed byte: exit 1 with the reason.
	bad := bytes.Replace(raw, []byte("court file"), []byte("court filf"), 1)
	if r = runCLI(t, string(bad), nil, "audit", "check", "--pubkey", pub, "-"); r.code != 1 || !strings.Contains(r.stderr, "audit bundle") {
		t.Fatalf("changed bundle: %d %q", r.code, r.stderr)
	}
	// Another node's key: exit 1.
	otherPub, _, _ := keys.GenerateSigning()
	if r = runCLI(t, "", nil, "audit", "check", "--pubkey", keys.FormatSigningPublic(otherPub), bundle); r.code != 1 || !strings.Contains(r.stderr, "no signature by any of the given keys") {
		t.Fatalf("other key: %d %q", r.code, r.stderr)
	}
	checkAuditList(t, dsn, data)
}

// checkAuditList filters the audit view by kind and message, then tampers with the log.
func checkAuditList(t *testing.T, dsn, data string) {
	t.Helper()
	r := runCLI(t, "", nil, "audit", "list", "--data", data, "--kind", "data-read")
	if r.code != 0 || strings.Count(r.stdout, "officer-17") != 4 || !strings.Contains(r.stdout, "identify the account holder") {
		t.Fatalf("list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "audit", "list", "--data", data, "--message", "msg-9", "--limit", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "data-forward") || strings.Contains(r.stdout, "data-export") {
		t.Fatalf("list one: %d %q %q", r.code, r.stdout, r.stderr)
	}
	checkAuditTamper(t, dsn, data)
}

// checkAuditTamper changes a record in the database behind the log: verify exits 1 naming it.
func checkAuditTamper(t *testing.T, dsn, data string) {
	t.Helper()
	// Tamper with the database directly: verify exits 1 naming the record.
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `UPDATE audit_records SET actor = 'officer-18' WHERE idx = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := runCLI(t, "", nil, "audit", "verify", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "broken at record 3") {
		t.Fatalf("verify after tampering: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestAuditCLIUsage(t *testing.T) {
	t.Parallel()
	data, _ := auditNodeForTest(t, storetest.DSN(t, store.SQLite))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"audit"}, exitUsage, "missing subcommand"},
		{[]string{"audit", "frobnicate"}, exitUsage, "unknown subcommand"},
		{[]string{"audit", "verify"}, exitUsage, "--data DIR is required"},
		{[]string{"audit", "verify", "--data", data, "extra"}, exitUsage, "no arguments"},
		{[]string{"audit", "prove", "--data", data}, exitUsage, "one MESSAGE-ID"},
		{[]string{"audit", "prove", "msg-none", "--data", data}, 3, "no record for message"},
		{[]string{"audit", "check", "bundle.json"}, exitUsage, "--pubkey"},
		{[]string{"audit", "check", "--pubkey", "ed25519:xx", "b.json"}, exitUsage, "ed25519"},
		{[]string{"audit", "check", "--pubkey", keys.Ed25519Prefix + strings.Repeat("A", 43), filepath.Join(data, "none.json")}, 3, "none.json"},
		{[]string{"audit", "list", "--data", data, "--limit", "-3"}, 1, "limit"},
		{[]string{"audit", "checkpoint", "--data", filepath.Join(data, "nowhere")}, 3, "run 'art35 node init'"},
		{[]string{"audit", "verify", "-h"}, 0, ""},
	} {
		r := runCLI(t, "", nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr+r.stdout, tc.want) {
			t.Errorf("art35 %s: code %d, stderr %q; want %d and %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.code, tc.want)
		}
	}
}
