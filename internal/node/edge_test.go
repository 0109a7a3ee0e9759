package node_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/node"
)

func get(t *testing.T, c *http.Client, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// By default the peers' API, the portal and the admin paths are served on
// three listeners: each answers only its own paths; the TLS ones send
// HSTS; the admin one is plain HTTP on loopback.
func TestThreeListeners(t *testing.T) {
	c := newConfig(t, "DE")
	if _, err := node.Init(c, now); err != nil {
		t.Fatal(err)
	}
	c.Listen, c.PortalListen, c.AdminListen = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	n, err := node.New(context.Background(), c, node.Options{Clock: clock.NewManual(now)})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	n.Handle("GET /signin", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "portal sign-in") }))
	if err := n.Listen(); err != nil {
		t.Fatal(err)
	}
	peers, portal, admin := n.Addr(), n.PortalAddr(), n.AdminAddr()
	if peers == portal || peers == admin || portal == admin || peers == "" {
		t.Fatalf("listeners not separate: %q %q %q", peers, portal, admin)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	// The node's own self-signed certificate; the test checks routing, not pinning.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for _, tc := range []struct {
		url    string
		status int
		body   string // what the answer contains
		hsts   bool
	}{
		// The node has no directory yet: the route answers so.
		{"https://" + peers + "/v1/directory", 404, "no signed directory snapshot yet", true},
		{"https://" + peers + "/signin", 404, "404 page not found", true},
		{"https://" + peers + "/metrics", 404, "404 page not found", true},
		{"https://" + portal + "/signin", 200, "portal sign-in", true},
		{"https://" + portal + "/v1/directory", 404, "404 page not found", true},
		{"https://" + portal + "/healthz", 404, "404 page not found", true},
		{"http://" + admin + "/healthz", 200, `"status":"ok"`, false},
		{"http://" + admin + "/metrics", 200, "go_goroutines", false},
		{"http://" + admin + "/readyz", 503, "no directory accepted yet", false},
		{"http://" + admin + "/v1/directory", 404, "404 page not found", false},
		{"http://" + admin + "/signin", 404, "404 page not found", false},
	} {
		st, h, body := get(t, hc, tc.url)
		if st != tc.status || !strings.Contains(body, tc.body) {
			t.Errorf("GET %s: %d %.100q, want %d with %q", tc.url, st, body, tc.status, tc.body)
		}
		if got := h.Get("Strict-Transport-Security") != ""; got != tc.hsts {
			t.Errorf("GET %s: HSTS %v, want %v", tc.url, got, tc.hsts)
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no request id", tc.url)
		}
	}
}

func TestInitPublishesHTTPSAndPrivateFiles(t *testing.T) {
	c := newConfig(t, "IT")
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	entry, err := node.Init(c, now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(entry.Endpoint, "https://") {
		t.Errorf("init publishes %s while the node serves TLS", entry.Endpoint)
	}
	for _, d := range []string{c.DataDir, c.Path("keys")} {
		if st, _ := os.Stat(d); st.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %o, want 0700", d, st.Mode().Perm())
		}
	}
	n, err := node.New(context.Background(), c, node.Options{Clock: clock.NewManual(now)})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	for _, f := range []string{"art35.db", config.SecretKeyFile} {
		if st, err := os.Stat(c.Path(f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, st)
		}
	}
}

// A TLS key, a data folder or a keys folder that others can read is
// refused, with the chmod that fixes it.
func TestNewRefusesOpenFiles(t *testing.T) {
	for _, tc := range []struct {
		path string
		mode os.FileMode
		fix  string
	}{
		{config.TLSKeyFile, 0o644, "chmod 600"},
		{config.TLSKeyFile, 0o640, "chmod 600"},
		{"", 0o755, "chmod 700"},
		{"keys", 0o750, "chmod 700"},
	} {
		c := newConfig(t, "FR")
		if _, err := node.Init(c, now); err != nil {
			t.Fatal(err)
		}
		p := c.Path(tc.path)
		if err := os.Chmod(p, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, err := node.New(context.Background(), c, node.Options{})
		if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.fix+" "+p) {
			t.Errorf("%s %o: got %v, want a refusal naming %s", p, tc.mode, err, tc.fix)
		}
	}
}
