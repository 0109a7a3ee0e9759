package node_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// startNode makes and starts a node for party on backend, serving plain
// HTTP on a loopback port, and stops it at the end of the test.
func startNode(t *testing.T, party, backend string, secretariat ed25519.PublicKey, clk clock.Clock) *node.Node {
	t.Helper()
	c := newConfig(t, party)
	if _, err := node.Init(c, now); err != nil {
		t.Fatal(err)
	}
	if backend == store.Postgres {
		c.Database = storetest.DSN(t, backend)
	}
	c.SecretariatKey = keys.FormatSigningPublic(secretariat)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.New(context.Background(), c, node.Options{Clock: clk, Listener: l, PlainHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		n.Close()
	})
	return n
}

func signStarter(t *testing.T, priv ed25519.PrivateKey, serial uint64, issued time.Time) []byte {
	t.Helper()
	s, err := directory.Starter()
	if err != nil {
		t.Fatal(err)
	}
	data, err := directory.Sign(s, priv, serial, issued, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestDirectoryDistribution runs a secretariat node that publishes signed
// snapshots and a member node that polls it over real HTTP: the member
// accepts a newer snapshot, asks conditionally and gets "not modified",
// and refuses a tampered or older one while keeping what it holds.
func TestDirectoryDistribution(t *testing.T) {
	t.Parallel()
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) { testDirectoryDistribution(t, backend) })
	}
}

func testDirectoryDistribution(t *testing.T, backend string) {
	secPub, secPriv, _ := keys.GenerateSigning()
	clk := clock.NewManual(now)
	sec := startNode(t, "FR", backend, secPub, clk)
	member := startNode(t, "IT", backend, secPub, clk)
	ctx := context.Background()

	// Before any snapshot, the member works with the shipped starter.
	d, err := member.Directory(ctx)
	if err != nil || d.Serial != 0 {
		t.Fatalf("starter directory: serial %v, %v", d, err)
	}
	if _, err := sec.AcceptSnapshot(ctx, signStarter(t, secPriv, 1, now)); err != nil {
		t.Fatal(err)
	}
	url := "http://" + sec.Addr() + "/v1/directory"
	res, err := member.PollDirectory(ctx, http.DefaultClient, url)
	if err != nil || !res.Changed || res.Serial != 1 {
		t.Fatalf("first poll: %+v, %v", res, err)
	}
	res, err = member.PollDirectory(ctx, http.DefaultClient, url)
	if err != nil || res.Changed || res.Serial != 1 {
		t.Fatalf("second poll should be not-modified: %+v, %v", res, err)
	}
	d, err = member.Directory(ctx)
	if err != nil || d.Serial != 1 {
		t.Fatalf("directory after poll: %v", err)
	}

	clk.Advance(time.Hour)
	if _, err := sec.AcceptSnapshot(ctx, signStarter(t, secPriv, 2, clk.Now())); err != nil {
		t.Fatal(err)
	}
	if res, err := member.PollDirectory(ctx, http.DefaultClient, url); err != nil || res.Serial != 2 {
		t.Fatalf("poll of serial 2: %+v, %v", res, err)
	}

	// A server that answers with a rolled-back, a tampered, or a
	// foreign-signed snapshot is refused; the member keeps serial 2.
	old := signStarter(t, secPriv, 1, now)
	tampered := signStarter(t, secPriv, 3, clk.Now())
	i := bytes.Index(tampered, []byte(`"IT"`))
	tampered[i+1] = 'X'
	_, otherPriv, _ := keys.GenerateSigning()
	foreign := signStarter(t, otherPriv, 4, clk.Now())
	for name, tc := range map[string]struct {
		body []byte
		code string
	}{
		"rollback": {old, apperr.EConflict},
		"tampered": {tampered, apperr.EUnauthorized},
		"foreign":  {foreign, apperr.EUnauthorized},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(tc.body) }))
		_, err := member.PollDirectory(ctx, srv.Client(), srv.URL)
		srv.Close()
		if !apperr.Is(err, tc.code) {
			t.Errorf("%s: got %v, want %s", name, err, tc.code)
		}
	}
	if d, _ := member.Directory(ctx); d.Serial != 2 {
		t.Fatalf("member holds serial %d after refusals, want 2", d.Serial)
	}
}

func TestAcceptRequiresPinnedKey(t *testing.T) {
	t.Parallel()
	c := newConfig(t, "BE")
	if _, err := node.Init(c, now); err != nil {
		t.Fatal(err)
	}
	n, err := node.New(context.Background(), c, node.Options{Clock: clock.NewManual(now)})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	_, priv, _ := keys.GenerateSigning()
	if _, err := n.AcceptSnapshot(context.Background(), signStarter(t, priv, 1, now)); !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("got %v, want invalid (no pinned key)", err)
	}
}
