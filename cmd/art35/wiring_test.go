package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
)

func TestProviderTokens(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ProviderTokensFile)
	if toks, err := providerTokens(path); err != nil || toks != nil {
		t.Fatalf("absent file: %v %v", toks, err)
	}
	os.WriteFile(path, []byte("[tokens]\n\"EX-ISP\" = \"0123456789abcdef0123456789abcdef\"\n"), 0o600)
	toks, err := providerTokens(path)
	if err != nil || toks["EX-ISP"] != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("good file: %v %v", toks, err)
	}
	os.Chmod(path, 0o644)
	if _, err := providerTokens(path); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("readable file: %v", err)
	}
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte("[tokenz]\na = \"b\"\n"), 0o600)
	if _, err := providerTokens(path); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "tokenz") {
		t.Fatalf("unknown table: %v", err)
	}
}

// TestMountServices wires the clocks, ping, watch and the provider API on
// a real node, as "node run" does; a weak provider token is refused.
func TestMountServices(t *testing.T) {
	data := filepath.Join(t.TempDir(), "es")
	if r := runCLI(t, "", nil, "node", "init", "--party", "ES", "--data", data); r.code != 0 {
		t.Fatal(r.stderr)
	}
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, clock: clock.NewManual(testClockTime)}
	os.WriteFile(filepath.Join(data, ProviderTokensFile), []byte("[tokens]\n\"EX-ISP\" = \"short\"\n"), 0o600)
	n, _, err := openNode(t.Context(), e, nodeCmd, "status", []string{"--data", data}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if _, err := mountServices(n, e.getenv, false); err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("weak token accepted: %v", err)
	}
}
