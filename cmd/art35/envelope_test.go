package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/testnet"
)

// envelopeNodes makes two node data folders (US sender, IT recipient) with
// key files only, and returns their folders and public key texts.
func envelopeNodes(t *testing.T) (usDir, itDir, usSign, itEnc, itSign string) {
	t.Helper()
	mk := func(name string) (dir, sign, enc string) {
		dir = filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
			t.Fatal(err)
		}
		pub, priv, err := keys.GenerateSigning()
		if err != nil {
			t.Fatal(err)
		}
		x, err := keys.GenerateEncryption()
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.WritePrivate(filepath.Join(dir, config.SigningKeyFile), priv); err != nil {
			t.Fatal(err)
		}
		if err := keys.WritePrivate(filepath.Join(dir, config.EncryptionKeyFile), x); err != nil {
			t.Fatal(err)
		}
		return dir, keys.FormatSigningPublic(pub), keys.FormatEncryptionPublic(x.PublicKey())
	}
	usDir, usSign, _ = mk("us")
	itDir, itSign, itEnc = mk("it")
	return
}

func TestEnvelopeSealInspectOpen(t *testing.T) {
	t.Parallel()
	usDir, itDir, usSign, itEnc, itSign := envelopeNodes(t)
	dir := t.TempDir()
	msg := filepath.Join(dir, "msg.json")
	body := `{"type":"preserve","summary":"intrusion at example.org"}`
	r := runCLI(t, body, nil, "envelope", "seal", "--data", usDir, "--from", "US-247", "--to", "IT-247",
		"--recipient-key", itEnc, "--kind", "request", "--subkind", "preserve", "--idempotency-key", "US-2026-0042:send",
		"--case-ref", "US-2026-0042", "--handling", "H1", "--ttl", "24h", "--body", "-", "--out", msg)
	if r.code != 0 {
		t.Fatalf("seal: code %d, stderr %s", r.code, r.stderr)
	}

	r = runCLI(t, "", nil, "envelope", "inspect", msg, "--sender-key", usSign)
	if r.code != 0 {
		t.Fatalf("inspect: code %d, stderr %s", r.code, r.stderr)
	}
	for _, want := range []string{"request / preserve", "US-247", "IT-247", "US-2026-0042", "H1: not for judicial", "2026-11-25T03:00:00Z", "(in 24h0m0s)", "valid, signed by US-247"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "intrusion") {
		t.Error("inspect shows the encrypted body")
	}

	r = runCLI(t, "", nil, "envelope", "inspect", msg, "--json")
	var v cli.EnvelopeView
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != 0 {
		t.Fatalf("inspect --json: %v, code %d, %s", err, r.code, r.stdout)
	}
	if v.Signature.Checked || v.Kind != "request" || v.BodyBytes != len(body) || !strings.HasPrefix(v.Digest, "sha256:") {
		t.Fatalf("inspect --json: %+v", v)
	}

	r = runCLI(t, "", []string{"ART35_DATA=" + itDir}, "envelope", "open", msg, "--sender-key", usSign)
	if r.code != 0 || r.stdout != body {
		t.Fatalf("open: code %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}

	// The wrong sender key: refused, exit 5, nothing decrypted.
	r = runCLI(t, "", nil, "envelope", "inspect", msg, "--sender-key", itSign)
	if r.code != apperr.ExitCode(apperr.EUnauthorized) || !strings.Contains(r.stdout, "signature") {
		t.Fatalf("inspect with another key: code %d, stdout %s", r.code, r.stdout)
	}
	r = runCLI(t, "", []string{"ART35_DATA=" + itDir}, "envelope", "open", msg, "--sender-key", itSign)
	if r.code != apperr.ExitCode(apperr.EUnauthorized) || r.stdout != "" {
		t.Fatalf("open with another key: code %d, stdout %q", r.code, r.stdout)
	}

	// A tampered header: the signature no longer verifies.
	raw, _ := os.ReadFile(msg)
	tampered := filepath.Join(dir, "tampered.json")
	os.WriteFile(tampered, bytes.Replace(raw, []byte(`"handling":"H1"`), []byte(`"handling":"H0"`), 1), 0o600)
	r = runCLI(t, "", nil, "envelope", "inspect", tampered, "--sender-key", usSign)
	if r.code != apperr.ExitCode(apperr.EUnauthorized) || !strings.Contains(r.stdout, "does not verify") {
		t.Fatalf("tampered: code %d, stdout %s", r.code, r.stdout)
	}
	checkReceiptCLI(t, dir, itDir, msg, itSign, usSign, raw)
}

// checkReceiptCLI makes IT's receipt for the envelope msg and checks it with "envelope receipt": against the envelope, and with the wrong key.
func checkReceiptCLI(t *testing.T, dir, itDir, msg, itSign, usSign string, raw []byte) {
	t.Helper()
	// A receipt for it, checked against the envelope.
	env, err := envelope.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	itKey, err := keys.LoadSigning(filepath.Join(itDir, config.SigningKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := envelope.NewReceipt(env, testClockTime, itKey)
	if err != nil {
		t.Fatal(err)
	}
	rw, _ := rc.Marshal()
	rfile := filepath.Join(dir, "receipt.json")
	os.WriteFile(rfile, rw, 0o600)
	r := runCLI(t, "", nil, "envelope", "receipt", rfile, "--receiver-key", itSign, "--envelope", msg)
	if r.code != 0 || !strings.Contains(r.stdout, "valid, signed by IT-247") || !strings.Contains(r.stdout, "was delivered") {
		t.Fatalf("receipt: code %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "envelope", "receipt", rfile, "--receiver-key", usSign)
	if r.code != apperr.ExitCode(apperr.EUnauthorized) {
		t.Fatalf("receipt with another key: code %d, stdout %s", r.code, r.stdout)
	}
}

func TestEnvelopeCommandErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.json")
	os.WriteFile(junk, []byte(`{"v":1}`), 0o600)
	usDir, _, _, itEnc, _ := envelopeNodes(t)
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"no subcommand", "", []string{"envelope"}, exitUsage, "missing subcommand"},
		{"inspect without file", "", []string{"envelope", "inspect"}, exitUsage, "exactly one FILE"},
		{"inspect missing file", "", []string{"envelope", "inspect", filepath.Join(dir, "nope.json")}, 3, "does not exist"},
		{"inspect malformed", "", []string{"envelope", "inspect", junk}, 1, `field "ciphertext" is missing`},
		{"inspect from stdin, not JSON", "hello", []string{"envelope", "inspect", "-"}, 1, "not JSON"},
		{"inspect bad key text", "", []string{"envelope", "inspect", junk, "--sender-key", "rsa:xyz"}, 1, `must start with "ed25519:"`},
		{"open without sender key", "", []string{"envelope", "open", junk, "--key", "k"}, exitUsage, "--sender-key is required"},
		{"seal missing flags", "", []string{"envelope", "seal", "--from", "US-247"}, exitUsage, "missing --to, --kind"},
		{"seal bad kind", "x", []string{"envelope", "seal", "--data", usDir, "--from", "US-247", "--to", "IT-247", "--kind", "letter",
			"--idempotency-key", "k", "--recipient-key", itEnc, "--body", "-"}, 1, "header kind"},
		{"seal ttl too long", "x", []string{"envelope", "seal", "--data", usDir, "--from", "US-247", "--to", "IT-247", "--kind", "ping",
			"--idempotency-key", "k", "--recipient-key", itEnc, "--body", "-", "--ttl", "1000h"}, 1, "header expires"},
		{"seal without key", "x", []string{"envelope", "seal", "--from", "US-247", "--to", "IT-247", "--kind", "ping",
			"--idempotency-key", "k", "--recipient-key", itEnc, "--body", "-"}, exitUsage, "--sign-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.stdin, nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("code %d (want %d), stderr %q (want %q)", r.code, tt.code, r.stderr, tt.stderr)
			}
		})
	}
}

// TestEnvelopeImportExport carries an envelope from a US node to an IT node
// as a file: seal, import with the inbox's checks, receipt back, export.
func TestEnvelopeImportExport(t *testing.T) {
	t.Parallel()
	dirs, envVars := twoNodes(t)
	entries := map[string]node.PublicEntry{}
	for party, dir := range dirs {
		entries[party] = publicEntry(t, dir)
	}
	pub := func(party, use string) string {
		for _, k := range entries[party].Keys {
			if k.Use == use {
				return k.Public
			}
		}
		t.Fatalf("%s has no %s key", party, use)
		return ""
	}

	work := t.TempDir()
	msg := filepath.Join(work, "msg.json")
	r := runCLI(t, string(testnet.RequestDoc("preserve", "US-2026-7", "US", "IT", testClockTime)), nil, "envelope", "seal", "--data", dirs["US"], "--from", entries["US"].Authority,
		"--to", entries["IT"].Authority, "--recipient-key", pub("IT", "encryption"), "--kind", "request", "--subkind", "preserve",
		"--idempotency-key", "US-2026-7:send", "--body", "-", "--out", msg)
	if r.code != 0 {
		t.Fatalf("seal: %s", r.stderr)
	}
	raw, _ := os.ReadFile(msg)
	env, err := envelope.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}

	r = runCLI(t, "", envVars, "envelope", "import", msg, "--data", dirs["IT"])
	if r.code != 0 || !strings.Contains(r.stderr, "stored envelope "+env.Header.ID) {
		t.Fatalf("import: code %d, stderr %s", r.code, r.stderr)
	}
	rc, err := envelope.ParseReceipt([]byte(strings.TrimSpace(r.stdout)))
	if err != nil || !rc.Covers(env) {
		t.Fatalf("receipt %q: %v", r.stdout, err)
	}
	first := r.stdout
	rfile := filepath.Join(work, "receipt.json")
	os.WriteFile(rfile, []byte(first), 0o644)
	if r := runCLI(t, "", nil, "envelope", "receipt", rfile, "--receiver-key", pub("IT", "signing"), "--envelope", msg); r.code != 0 {
		t.Fatalf("receipt check: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// The same file again: the original receipt, stored once.
	r = runCLI(t, "", envVars, "envelope", "import", msg, "--data", dirs["IT"])
	if r.code != 0 || r.stdout != first || !strings.Contains(r.stderr, "already stored") {
		t.Fatalf("re-import: code %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	checkImportRefused(t, envVars, dirs, work, msg, raw, env.Header.ID)
}

// checkImportRefused imports at the wrong node and a tampered copy (both refused with their code), then exports.
func checkImportRefused(t *testing.T, envVars []string, dirs map[string]string, work, msg string, raw []byte, id string) {
	t.Helper()
	// Imported at the wrong node (US is not the recipient): refused with its code.
	r := runCLI(t, "", envVars, "envelope", "import", msg, "--data", dirs["US"])
	if r.code != 1 || !strings.Contains(r.stderr, "wrong_recipient") {
		t.Fatalf("import at the sender: code %d, stderr %s", r.code, r.stderr)
	}
	// Tampered: refused as a bad signature (exit 5), nothing stored.
	tampered := filepath.Join(work, "tampered.json")
	os.WriteFile(tampered, bytes.Replace(raw, []byte(`"subkind":"preserve"`), []byte(`"subkind":"assistance"`), 1), 0o600)
	r = runCLI(t, "", envVars, "envelope", "import", tampered, "--data", dirs["IT"])
	if r.code != apperr.ExitCode(apperr.EUnauthorized) || !strings.Contains(r.stderr, "bad_signature") {
		t.Fatalf("tampered import: code %d, stderr %s", r.code, r.stderr)
	}
	checkExportCLI(t, envVars, dirs["IT"], id, raw)
}

// checkExportCLI exports the stored envelope id from the node in itData: the same bytes; an unknown or malformed id is refused.
func checkExportCLI(t *testing.T, envVars []string, itData, id string, raw []byte) {
	t.Helper()
	// Export gives back the stored bytes exactly.
	r := runCLI(t, "", envVars, "envelope", "export", id, "--data", itData)
	if r.code != 0 || r.stdout != string(raw) {
		t.Fatalf("export: code %d, stderr %s", r.code, r.stderr)
	}
	r = runCLI(t, "", envVars, "envelope", "export", strings.Repeat("0", 32), "--data", itData)
	if r.code != apperr.ExitCode(apperr.ENotFound) {
		t.Fatalf("export unknown id: code %d, stderr %s", r.code, r.stderr)
	}
	r = runCLI(t, "", envVars, "envelope", "export", "nope", "--data", itData)
	if r.code != 1 || !strings.Contains(r.stderr, "hex characters") {
		t.Fatalf("export bad id: code %d, stderr %s", r.code, r.stderr)
	}
}

// TestEnvelopeImportReceipt: an envelope queued in the US node's outbox is
// carried to IT as a file; the receipt carried back marks it delivered.
func TestEnvelopeImportReceipt(t *testing.T) {
	t.Parallel()
	dirs, envVars := twoNodes(t)
	ctx := context.Background()
	us, err := node.New(ctx, mustConfig(t, dirs["US"], envVars), node.Options{Clock: clock.NewManual(testClockTime)})
	if err != nil {
		t.Fatal(err)
	}
	env, err := us.Seal(ctx, envelope.Header{IdempotencyKey: "US-2026-8:send", Kind: envelope.KindRequest, Subkind: "preserve",
		Recipient: "IT-247", Handling: envelope.H1}, testnet.RequestDoc("preserve", "US-2026-8", "US", "IT", testClockTime))
	if err != nil {
		t.Fatal(err)
	}
	if err := us.DB.Tx(ctx, func(tx *sql.Tx) error { return federation.Enqueue(ctx, tx, env, false, testClockTime) }); err != nil {
		t.Fatal(err)
	}
	us.Close()
	work := t.TempDir()
	msg := filepath.Join(work, "msg.json")
	raw, _ := env.Marshal()
	os.WriteFile(msg, raw, 0o600)
	r := runCLI(t, "", envVars, "envelope", "import", msg, "--data", dirs["IT"])
	if r.code != 0 {
		t.Fatalf("import at IT: %d %s", r.code, r.stderr)
	}
	rfile := filepath.Join(work, "receipt.json")
	os.WriteFile(rfile, []byte(r.stdout), 0o644)

	// A receipt that does not cover the envelope is refused; the outbox keeps it.
	other := filepath.Join(work, "other.json")
	os.WriteFile(other, bytes.Replace(raw, []byte(`"subkind":"preserve"`), []byte(`"subkind":"assistance"`), 1), 0o600)
	r = runCLI(t, "", envVars, "envelope", "import-receipt", rfile, "--envelope", other, "--data", dirs["US"])
	if r.code != apperr.ExitCode(apperr.EUnauthorized) || !strings.Contains(r.stderr, "another envelope") {
		t.Fatalf("receipt for another envelope: %d %s", r.code, r.stderr)
	}
	if waiting := outboxLen(t, dirs["US"], envVars); waiting != 1 {
		t.Fatalf("outbox has %d waiting, want 1", waiting)
	}
	r = runCLI(t, "", envVars, "envelope", "import-receipt", rfile, "--data", dirs["US"])
	if r.code != exitUsage {
		t.Fatalf("without --envelope: %d %s", r.code, r.stderr)
	}
	r = runCLI(t, "", envVars, "envelope", "import-receipt", rfile, "--envelope", msg, "--data", dirs["IT"])
	if r.code != 1 || !strings.Contains(r.stderr, "not by this node") {
		t.Fatalf("at the wrong node: %d %s", r.code, r.stderr)
	}
	r = runCLI(t, "", envVars, "envelope", "import-receipt", rfile, "--envelope", msg, "--data", dirs["US"])
	if r.code != 0 || !strings.Contains(r.stdout, "delivered to IT-247") {
		t.Fatalf("import-receipt: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if waiting := outboxLen(t, dirs["US"], envVars); waiting != 0 {
		t.Fatalf("outbox has %d waiting after the receipt, want 0", waiting)
	}
}

func outboxLen(t *testing.T, dir string, envVars []string) int {
	t.Helper()
	n, err := node.New(context.Background(), mustConfig(t, dir, envVars), node.Options{Clock: clock.NewManual(testClockTime)})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	out, err := n.Envelopes.Outbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(out)
}

func mustConfig(t *testing.T, dir string, envVars []string) config.Config {
	t.Helper()
	vars := map[string]string{}
	for _, kv := range envVars {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	c, err := config.Load(dir, func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// twoNodes creates a US and an IT node that list each other in a directory
// signed by a test secretariat, and returns their folders and the
// environment that pins the secretariat key.
func twoNodes(t *testing.T) (map[string]string, []string) {
	t.Helper()
	secPub, secPriv, _ := keys.GenerateSigning()
	envVars := []string{"ART35_SECRETARIAT_KEY=" + keys.FormatSigningPublic(secPub)}
	snap, err := directory.Starter()
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{}
	for _, party := range []string{"US", "IT"} {
		dirs[party] = filepath.Join(t.TempDir(), party)
		r := runCLI(t, "", nil, "node", "init", "--party", party, "--data", dirs[party])
		if r.code != 0 {
			t.Fatalf("init %s: %s", party, r.stderr)
		}
		var pe node.PublicEntry
		if err := json.Unmarshal([]byte(r.stdout), &pe); err != nil {
			t.Fatal(err)
		}
		if err := pe.Apply(snap); err != nil {
			t.Fatal(err)
		}
	}
	dirFile := signedSnapshotFile(t, snap, secPriv, 9)
	for _, party := range []string{"US", "IT"} {
		if r := runCLI(t, "", envVars, "node", "accept-directory", "--data", dirs[party], dirFile); r.code != 0 {
			t.Fatalf("accept %s: %s", party, r.stderr)
		}
	}
	return dirs, envVars
}

// publicEntry rebuilds a node's public entry from its key files.
func publicEntry(t *testing.T, dir string) node.PublicEntry {
	t.Helper()
	sig, err := keys.LoadSigning(filepath.Join(dir, config.SigningKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := keys.LoadEncryption(filepath.Join(dir, config.EncryptionKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(dir, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return node.PublicEntry{Party: c.Party, Authority: c.Authority, Keys: []node.EntryKey{
		{Use: "signing", Public: keys.FormatSigningPublic(sig.Public().(ed25519.PublicKey))},
		{Use: "encryption", Public: keys.FormatEncryptionPublic(enc.PublicKey())},
	}}
}
