package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
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
// a real node, as "node run" does, on both engines; a weak provider token
// is refused and the node is closed again.
func TestMountServices(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		c := config.Defaults()
		c.DataDir = filepath.Join(t.TempDir(), "es")
		c.Party = "ES"
		if _, err := node.Init(c, time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		c.Database = storetest.DSN(t, db.Backend())
		m := &Main{Config: c, Node: node.Options{Clock: clock.NewManual(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC))},
			Services: Options{Getenv: func(string) string { return "" }}}
		if err := m.Open(t.Context()); err != nil {
			t.Fatal(err)
		}
		if s := m.Mounted(); s.Portal == nil || s.Clocks == nil || s.Ping == nil || s.Watch == nil {
			t.Fatalf("services not all mounted: %+v", s)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(c.DataDir, ProviderTokensFile), []byte("[tokens]\n\"EX-ISP\" = \"short\"\n"), 0o600)
		m = &Main{Config: c, Services: Options{Getenv: func(string) string { return "" }}}
		if err := m.Open(t.Context()); err == nil || !strings.Contains(err.Error(), "token") {
			m.Close()
			t.Fatalf("weak token accepted: %v", err)
		}
		if m.Host() != nil {
			t.Fatal("a failed Open left a node open")
		}
	})
}
