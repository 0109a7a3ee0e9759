package node_test

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

var now = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func newConfig(t *testing.T, party string) config.Config {
	c := config.Defaults()
	c.DataDir = filepath.Join(t.TempDir(), "node")
	c.Party = party
	return c
}

func TestInitCreatesKeysAndEntry(t *testing.T) {
	t.Parallel()
	c := newConfig(t, "IT")
	entry, err := node.Init(c, now)
	if err != nil {
		t.Fatal(err)
	}
	if entry.Party != "IT" || entry.Authority != "IT-247" || len(entry.Keys) != 2 || !strings.HasPrefix(entry.TLSFingerprint, "sha256:") {
		t.Fatalf("entry = %+v", entry)
	}
	for _, f := range []string{config.SigningKeyFile, config.EncryptionKeyFile, config.TLSKeyFile, config.FileName} {
		st, err := os.Stat(c.Path(f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o, want 0600", f, st.Mode().Perm())
		}
	}
	priv, err := keys.LoadSigning(c.Path(config.SigningKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if pub := keys.FormatSigningPublic(priv.Public().(ed25519.PublicKey)); pub != entry.Keys[0].Public {
		t.Fatalf("entry key %s != key on disk %s", entry.Keys[0].Public, pub)
	}
	pair, err := tls.LoadX509KeyPair(c.Path(config.TLSCertFile), c.Path(config.TLSKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if node.Fingerprint(pair.Certificate[0]) != entry.TLSFingerprint {
		t.Fatal("published fingerprint does not pin the certificate on disk")
	}
	if _, err := node.Init(c, now); !apperr.Is(err, apperr.EConflict) {
		t.Fatalf("second init: %v, want conflict", err)
	}
}

func TestInitRefusesBadConfigAndLeavesNothing(t *testing.T) {
	t.Parallel()
	c := newConfig(t, "Italy")
	if _, err := node.Init(c, now); !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("got %v, want invalid", err)
	}
	if _, err := os.Stat(c.DataDir); !os.IsNotExist(err) {
		t.Fatalf("a refused init left %s behind", c.DataDir)
	}
}

func TestNewRefusesReadableKey(t *testing.T) {
	t.Parallel()
	c := newConfig(t, "FR")
	if _, err := node.Init(c, now); err != nil {
		t.Fatal(err)
	}
	os.Chmod(c.Path(config.SigningKeyFile), 0o644)
	_, err := node.New(context.Background(), c, node.Options{})
	if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("got %v, want a refusal naming chmod 600", err)
	}
}

// TestNodeServes starts a real node on each backend on a loopback port and
// reads its health and metrics over real HTTP.
func TestNodeServes(t *testing.T) {
	t.Parallel()
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			c := newConfig(t, "DE")
			if _, err := node.Init(c, now); err != nil {
				t.Fatal(err)
			}
			c.Database = storetest.DSN(t, backend)
			if backend == store.SQLite {
				c.Database = "art35.db"
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			n, err := node.New(context.Background(), c, node.Options{Clock: clock.NewManual(now), Listener: l, PlainHTTP: true})
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			if n.DB.Backend() != backend {
				t.Fatalf("backend %s, want %s", n.DB.Backend(), backend)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- n.Run(ctx) }()
			resp, err := http.Get("http://" + n.Addr() + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			var h map[string]string
			json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			if resp.StatusCode != 200 || h["status"] != "ok" || h["party"] != "DE" || h["time"] != "2026-11-25T03:00:00Z" {
				t.Fatalf("healthz: %d %v", resp.StatusCode, h)
			}
			resp, err = http.Get("http://" + n.Addr() + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), "go_goroutines") {
				t.Fatalf("metrics lack go_goroutines: %.200s", body)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewRefusesDatabaseOfAnotherParty(t *testing.T) {
	t.Parallel()
	c := newConfig(t, "ES")
	if _, err := node.Init(c, now); err != nil {
		t.Fatal(err)
	}
	n, err := node.New(context.Background(), c, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	c.Party = "PT"
	_, err = node.New(context.Background(), c, node.Options{})
	if !apperr.Is(err, apperr.EConflict) || !strings.Contains(err.Error(), "belongs to party ES") {
		t.Fatalf("got %v", err)
	}
}

// TestApplyRotatesKeysWithOverlap lists a node, then lists it again with
// new keys: the old keys stay, valid for the overlap only.
func TestApplyRotatesKeysWithOverlap(t *testing.T) {
	t.Parallel()
	snap, err := directory.Starter()
	if err != nil {
		t.Fatal(err)
	}
	entry := node.PublicEntry{Party: "IT", Authority: "IT-247", Endpoint: "https://it.example.org/v1/inbox",
		Keys: []node.EntryKey{{Use: "signing", Public: "ed25519:old", ValidFrom: now}}}
	if err := entry.Apply(snap); err != nil {
		t.Fatal(err)
	}
	later := now.AddDate(1, 0, 0)
	entry.Keys = []node.EntryKey{{Use: "signing", Public: "ed25519:new", ValidFrom: later}}
	if err := entry.Apply(snap); err != nil {
		t.Fatal(err)
	}
	_, a, _ := snap.AuthorityByID("IT-247")
	if len(a.Keys) != 2 {
		t.Fatalf("keys = %+v", a.Keys)
	}
	old, cur := a.Keys[0], a.Keys[1]
	if old.Public != "ed25519:old" || !old.ValidUntil.Equal(later.Add(node.KeyRotationOverlap)) || cur.Public != "ed25519:new" {
		t.Fatalf("keys after rotation = %+v", a.Keys)
	}
	if !old.ValidAt(later.Add(time.Hour)) || old.ValidAt(later.Add(node.KeyRotationOverlap)) {
		t.Fatal("old key validity does not end with the overlap")
	}
	// During the overlap both verify, but the newest is the one to use.
	if k, ok := a.KeyFor(directory.UseSigning, later.Add(time.Hour)); !ok || k.Public != "ed25519:new" {
		t.Fatalf("KeyFor during the overlap = %+v", k)
	}
	if err := (node.PublicEntry{Party: "QQ"}).Apply(snap); !apperr.Is(err, apperr.ENotFound) {
		t.Fatalf("unknown party: %v", err)
	}
}
