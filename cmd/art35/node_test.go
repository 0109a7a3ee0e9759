package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
)

func TestNodeInitStatusAndAcceptDirectory(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "it")
	r := runCLI(t, "", nil, "node", "init", "--party", "IT", "--data", data)
	if r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	var entry struct {
		Party string `json:"party"`
		Keys  []struct{ Use, Public string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &entry); err != nil || entry.Party != "IT" || len(entry.Keys) != 2 {
		t.Fatalf("public entry %q: %v", r.stdout, err)
	}

	// Pin a secretariat key through the environment and accept a snapshot it signed.
	secPub, secPriv, _ := keys.GenerateSigning()
	envVars := []string{"ART35_SECRETARIAT_KEY=" + keys.FormatSigningPublic(secPub)}
	s, err := directory.Starter()
	if err != nil {
		t.Fatal(err)
	}
	file := signedSnapshotFile(t, s, secPriv, 7)
	r = runCLI(t, "", envVars, "node", "accept-directory", "--data", data, file)
	if r.code != 0 || !strings.Contains(r.stdout, "serial 7") {
		t.Fatalf("accept: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// The same file again is a rollback: exit 4 (conflict) with the reason.
	r = runCLI(t, "", envVars, "node", "accept-directory", "--data", data, file)
	if r.code != 4 || !strings.Contains(r.stderr, "not higher than") {
		t.Fatalf("re-accept: %d %q", r.code, r.stderr)
	}
	r = runCLI(t, "", envVars, "node", "status", "--data", data, "--json")
	if r.code != 0 {
		t.Fatalf("status: %d %s", r.code, r.stderr)
	}
	var st app.NodeStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Party != "IT" || st.DirectorySerial != 7 || !st.SecretariatPinned || st.Database != "sqlite" {
		t.Fatalf("status = %+v", st)
	}
}

func TestNodeRunRefusesReadableKey(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "fr")
	if r := runCLI(t, "", nil, "node", "init", "--party", "FR", "--data", data); r.code != 0 {
		t.Fatal(r.stderr)
	}
	os.Chmod(filepath.Join(data, "keys", "encryption.key"), 0o644)
	r := runCLI(t, "", nil, "node", "status", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "chmod 600") {
		t.Fatalf("got %d %q", r.code, r.stderr)
	}
}

func TestNodeInitUsage(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "node", "init", "--party", "IT")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--data") {
		t.Fatalf("got %d %q", r.code, r.stderr)
	}
	r = runCLI(t, "", nil, "node", "init", "--party", "Italy", "--data", filepath.Join(t.TempDir(), "x"))
	if r.code != 1 || !strings.Contains(r.stderr, `party "Italy"`) {
		t.Fatalf("got %d %q", r.code, r.stderr)
	}
}
