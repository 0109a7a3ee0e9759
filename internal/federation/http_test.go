package federation

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
)

// selfSigned makes a self-signed certificate for 127.0.0.1, as a node does
// at "node init", and returns it with its published fingerprint.
func selfSigned(t testing.TB) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "art35 test node"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, Fingerprint(der)
}

// startTLS serves h over real TLS on 127.0.0.1 with a fresh self-signed
// certificate and returns its URL and pin.
func startTLS(t testing.TB, h http.Handler) (string, string) {
	t.Helper()
	cert, pin := selfSigned(t)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + InboxPath, pin
}

func (f *fixture) sealEnv(t *testing.T, h envelope.Header, body []byte) *envelope.Envelope {
	t.Helper()
	env, err := envelope.Seal(h, body, f.us, f.itEnc.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestHTTPSPinnedDelivery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	url, pin := startTLS(t, &Handler{Inbox: f.inbox})
	c := &Client{Keys: f.keys}
	env := f.sealEnv(t, header(1), []byte("preserve please"))
	peer := Peer{Authority: "IT-POC", URL: url, Pin: pin}
	r, err := c.Send(context.Background(), peer, env)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r.MessageID != env.Header.ID || r.Digest != env.Digest() {
		t.Fatalf("receipt %+v", r)
	}
	if got := f.store.byID[env.Header.ID]; got == nil || got.Via != "https" || string(got.Body) != "preserve please" {
		t.Fatalf("stored %+v", got)
	}
	// A retry (the first answer was lost) gets the same receipt, stored once.
	again, err := c.Send(context.Background(), peer, env)
	if err != nil || string(again.Signature) != string(r.Signature) || f.store.count() != 1 {
		t.Fatalf("retry: %v, stored %d", err, f.store.count())
	}
}

func TestHTTPSOtherCertificateRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	url, _ := startTLS(t, &Handler{Inbox: f.inbox})
	_, otherPin := selfSigned(t)
	c := &Client{Keys: f.keys}
	_, err := c.Send(context.Background(), Peer{Authority: "IT-POC", URL: url, Pin: otherPin}, f.sealEnv(t, header(1), nil))
	if err == nil || !strings.Contains(err.Error(), "does not match the pinned fingerprint") {
		t.Fatalf("got %v, want a pin mismatch", err)
	}
	if f.store.count() != 0 {
		t.Fatal("envelope delivered over an unpinned connection")
	}
	// Without a pin at all, HTTPS is refused before any connection.
	_, err = c.Send(context.Background(), Peer{Authority: "IT-POC", URL: url}, f.sealEnv(t, header(1), nil))
	if !apperr.Is(err, apperr.EInvalid) || Retryable(err) {
		t.Fatalf("no pin: got %v, want a final invalid error", err)
	}
}

func TestPlainHTTPLoopbackOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := httptest.NewServer(&Handler{Inbox: f.inbox})
	defer srv.Close()
	c := &Client{Keys: f.keys}
	if _, err := c.Send(context.Background(), Peer{Authority: "IT-POC", URL: srv.URL + InboxPath}, f.sealEnv(t, header(1), nil)); err != nil {
		t.Fatalf("plain HTTP on 127.0.0.1: %v", err)
	}
	if f.store.byID[header(1).ID].Via != "http" {
		t.Fatal("not recorded as plain http")
	}
	_, err := c.Send(context.Background(), Peer{Authority: "IT-POC", URL: "http://192.0.2.10/v1/inbox"}, f.sealEnv(t, header(2), nil))
	if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("plain HTTP to a public address: got %v", err)
	}

	tests := []struct {
		url      string
		pin      string
		insecure bool
		ok       bool
	}{
		{"http://127.0.0.1:8435/v1/inbox", "", false, true},
		{"http://[::1]:8435/v1/inbox", "", false, true},
		{"http://localhost:8435/v1/inbox", "", false, true},
		{"http://192.0.2.10/v1/inbox", "", false, false},
		{"http://node.example.org/v1/inbox", "", false, false},
		{"http://127.0.0.1.example.org/v1/inbox", "", false, false},
		{"http://node.example.org/v1/inbox", "", true, true},
		{"https://node.example.org/v1/inbox", "", false, false},
		{"https://node.example.org/v1/inbox", "sha256:" + strings.Repeat("ab", 32), false, true},
		{"https://node.example.org/v1/inbox", "", true, true},
		{"ftp://node.example.org/v1/inbox", "", true, false},
		{"/v1/inbox", "", true, false},
	}
	for _, tt := range tests {
		c := &Client{AllowInsecure: tt.insecure}
		_, err := c.checkURL(Peer{Authority: "IT-POC", URL: tt.url, Pin: tt.pin})
		if (err == nil) != tt.ok {
			t.Errorf("checkURL(%s, pin %q, insecure %v) = %v, want ok %v", tt.url, tt.pin, tt.insecure, err, tt.ok)
		}
	}
}

func TestHTTPRejectionsReachTheSender(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.inbox.MaxBody = 1000
	url, pin := startTLS(t, &Handler{Inbox: f.inbox})
	c := &Client{Keys: f.keys}
	peer := Peer{Authority: "IT-POC", URL: url, Pin: pin}

	forged := f.sealEnv(t, header(1), nil)
	forged.Signature = ed25519.Sign(f.rogue, forged.SignatureInput())
	_, err := c.Send(context.Background(), peer, forged)
	if rej, ok := AsRejection(err); !ok || rej.Code != CodeBadSignature || Retryable(err) {
		t.Fatalf("forged: got %v", err)
	}
	_, err = c.Send(context.Background(), peer, f.sealEnv(t, header(2), make([]byte, 5000)))
	if rej, ok := AsRejection(err); !ok || rej.Code != CodeOversized {
		t.Fatalf("oversized: got %v", err)
	}

	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: mustPinned(t, pin)}}
	resp, err := hc.Post(url, ContentType, strings.NewReader(strings.Repeat("x", f.inbox.MaxWire()+10)))
	if err != nil {
		t.Fatal(err)
	}
	var eb errorBody
	json.NewDecoder(resp.Body).Decode(&eb)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || eb.Code != string(CodeOversized) {
		t.Fatalf("raw oversized POST: %s %+v", resp.Status, eb)
	}
	resp, err = hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %s", resp.Status)
	}
	if f.store.count() != 0 || len(f.store.rejections) != 3 {
		t.Fatalf("stored %d, rejections %d", f.store.count(), len(f.store.rejections))
	}
}

func mustPinned(t *testing.T, pin string) *tls.Config {
	t.Helper()
	cfg, err := PinnedTLSConfig(pin)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestHTTPReceiverFailureIsRetryable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.store.failSave = errDisk
	url, pin := startTLS(t, &Handler{Inbox: f.inbox})
	c := &Client{Keys: f.keys}
	_, err := c.Send(context.Background(), Peer{Authority: "IT-POC", URL: url, Pin: pin}, f.sealEnv(t, header(1), nil))
	if _, isRej := AsRejection(err); isRej || err == nil || !Retryable(err) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("got %v, want a retryable 503", err)
	}
}

// TestClientChecksReceipts: the client accepts only a receipt signed by a
// key the directory lists for the peer and covering what it sent.
func TestClientChecksReceipts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sent := f.sealEnv(t, header(1), nil)
	other := f.sealEnv(t, header(2), nil)
	otherReceipt, err := envelope.NewReceipt(other, t0, f.itSign)
	if err != nil {
		t.Fatal(err)
	}
	wrongPeer := ed25519.NewKeyFromSeed(seed(0x0c))
	tests := []struct {
		name    string
		answer  func() []byte
		keys    func() Keys
		wantErr string
	}{
		{"receipt for another envelope", func() []byte { b, _ := otherReceipt.Marshal(); return b }, func() Keys { return f.keys }, "another envelope"},
		{"receipt key not in directory", func() []byte {
			r, _ := envelope.NewReceipt(sent, t0, wrongPeer)
			b, _ := r.Marshal()
			return b
		}, func() Keys { return f.keys }, "does not list"},
		{"receipt signature broken", func() []byte {
			r, _ := envelope.NewReceipt(sent, t0, f.itSign)
			r.Signature[3] ^= 1
			b, _ := r.Marshal()
			return b
		}, func() Keys { return f.keys }, "signature does not verify"},
		{"not a receipt", func() []byte { return []byte(`{"ok":true}`) }, func() Keys { return f.keys }, "unreadable receipt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, pin := startTLS(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write(tt.answer())
			}))
			c := &Client{Keys: tt.keys()}
			_, err := c.Send(context.Background(), Peer{Authority: "IT-POC", URL: url, Pin: pin}, sent)
			if !apperr.Is(err, apperr.EUnauthorized) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want unauthorized %q", err, tt.wantErr)
			}
		})
	}
	c := &Client{Keys: f.keys}
	if _, err := c.Send(context.Background(), Peer{Authority: "FR-POC", URL: "http://127.0.0.1:1/v1/inbox"}, sent); !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("envelope for another peer: %v", err)
	}
}

func TestParsePin(t *testing.T) {
	t.Parallel()
	good := "sha256:" + strings.Repeat("0a", 32)
	if _, err := ParsePin(good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", strings.Repeat("0a", 32), "sha256:" + strings.Repeat("0A", 32), "sha256:" + strings.Repeat("0a", 31), "sha1:" + strings.Repeat("0a", 20)} {
		if _, err := ParsePin(bad); !apperr.Is(err, apperr.EInvalid) {
			t.Errorf("ParsePin(%q) = %v, want invalid", bad, err)
		}
	}
}
