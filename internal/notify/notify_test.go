package notify_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/notify/notifytest"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func newNotifier(t *testing.T, db *store.DB, clk clock.Clock, s notify.Settings) (*notify.Notifier, ed25519.PublicKey) {
	t.Helper()
	pub, priv, err := keys.GenerateSigning()
	if err != nil {
		t.Fatal(err)
	}
	return &notify.Notifier{DB: db, Clock: clk, Settings: s, Authority: "IT-247", Signing: priv,
		KeyID: keys.ID(keys.FormatSigningPublic(pub)), Timeout: 5 * time.Second}, pub
}

func settings(t *testing.T, toml string, env map[string]string) notify.Settings {
	t.Helper()
	s, err := notify.ParseSettings([]byte(toml), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func statuses(t *testing.T, db *store.DB, id string) []string {
	t.Helper()
	list, err := notify.List(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range list {
		out = append(out, n.Channel+":"+n.Status)
	}
	return out
}

func auditCount(t *testing.T, db *store.DB, caseID string) int {
	t.Helper()
	recs, err := auditlog.List(context.Background(), db, auditlog.Query{Kind: notify.AuditKind, Case: caseID})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

var backup = directory.Person{Name: "Bruno Esempio (fictional)", Role: directory.Backup, Email: "bruno@it.example.org"}

// TestEmailReachesServer: a notification is handed to a real SMTP server
// over the standard library client, with the subject and text intact, and
// its delivery is recorded in the table and the audit log.
func TestEmailReachesServer(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		srv := notifytest.StartSMTP(t)
		s := settings(t, `[smtp]
addr = "`+srv.Addr+`"
from = "art35 IT-247 <art35@it.example.org>"
`, nil)
		n, _ := newNotifier(t, db, clock.NewManual(t0), s)
		msg := notify.Message{RequestID: "US-2026-000101", Action: "escalate", Subject: "Escalated: US-2026-000101 — not acknowledged",
			Text: "Request US-2026-000101 (emergency) was not acknowledged within 15m0s.\nPlease acknowledge it now: art35 case ack US-2026-000101 --by NAME"}
		if err := n.Notify(context.Background(), backup, msg); err != nil {
			t.Fatal(err)
		}
		got := srv.Messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		m := got[0]
		if m.To != "bruno@it.example.org" || m.From != "art35@it.example.org" || m.Subject != msg.Subject || m.Body != msg.Text {
			t.Fatalf("received %+v", m)
		}
		if st := statuses(t, db, msg.RequestID); strings.Join(st, ",") != "email:sent" {
			t.Fatalf("statuses = %v", st)
		}
		if c := auditCount(t, db, msg.RequestID); c != 1 {
			t.Fatalf("%d audit records, want 1 (the delivery)", c)
		}
	})
}

// TestEmailAuthentication: with a username, the client authenticates with
// the password from the named environment variable; a wrong password is a
// failed delivery with the server's reason, not a lost one.
func TestEmailAuthentication(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	srv := notifytest.StartSMTP(t)
	srv.Password = "s3cret"
	for _, tc := range []struct {
		name, password, want string
	}{
		{"right password", "s3cret", "email:sent"},
		{"wrong password", "nope", "email:failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := settings(t, `[smtp]
addr = "`+srv.Addr+`"
from = "art35@it.example.org"
username = "art35"
password_env = "SMTP_PW"
`, map[string]string{"SMTP_PW": tc.password})
			n, _ := newNotifier(t, db, clock.NewManual(t0), s)
			id := "case-" + strings.ReplaceAll(tc.name, " ", "-")
			if err := n.Notify(context.Background(), backup, notify.Message{RequestID: id, Action: "notify", Subject: "s", Text: "t"}); err != nil {
				t.Fatal(err)
			}
			if st := statuses(t, db, id); strings.Join(st, ",") != tc.want {
				t.Fatalf("statuses = %v, want %s", st, tc.want)
			}
		})
	}
	if got := srv.Messages(); len(got) != 1 || got[0].AuthUser != "art35" {
		t.Fatalf("server received %+v, want one authenticated message", got)
	}
}

// TestWebhookSignedAndRouted: a webhook routed to the supervisor role is
// called with a body the paging system can verify with the node's key;
// the e-mail-less supervisor is still reached.
func TestWebhookSignedAndRouted(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	clk := clock.NewManual(t0)
	hook := notifytest.StartHook(t, nil, clk.Now)
	other := notifytest.StartHook(t, nil, clk.Now)
	s := settings(t, `[[webhook]]
url = "`+hook.URL+`"
role = "supervisor"

[[webhook]]
url = "`+other.URL+`"
person = "Someone Else (fictional)"
`, nil)
	n, pub := newNotifier(t, db, clk, s)
	hook.Pub, other.Pub = pub, pub
	sup := directory.Person{Name: "Sara Capo (fictional)", Role: directory.Supervisor}
	if err := n.Notify(context.Background(), sup, notify.Message{RequestID: "R1", Action: "escalate", Subject: "Escalated: R1", Text: "call now"}); err != nil {
		t.Fatal(err)
	}
	calls := hook.Calls()
	if len(calls) != 1 || calls[0].Err != nil {
		t.Fatalf("paging endpoint calls = %+v", calls)
	}
	if len(other.Calls()) != 0 {
		t.Fatal("a webhook routed to another person was called")
	}
	var body map[string]any
	if err := json.Unmarshal(calls[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["request"] != "R1" || body["role"] != "supervisor" || body["authority"] != "IT-247" || body["person"] != sup.Name {
		t.Fatalf("webhook body = %v", body)
	}
	if calls[0].Header.Get(notify.HeaderKeyID) != n.KeyID {
		t.Fatalf("key id header = %q, want %q", calls[0].Header.Get(notify.HeaderKeyID), n.KeyID)
	}
	if st := statuses(t, db, "R1"); strings.Join(st, ",") != "webhook:sent" {
		t.Fatalf("statuses = %v", st)
	}
}

// TestVerifyWebhook: the signature covers method, path, timestamp and
// body; changing any of them, or replaying it late, fails.
func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	pub, priv, _ := keys.GenerateSigning()
	otherPub, _, _ := keys.GenerateSigning()
	body := []byte(`{"request":"R1"}`)
	signed := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "https://pager.example.org/page?team=a", nil)
		notify.SignWebhook(r, body, priv, "kid", "IT-247", t0)
		return r
	}
	for _, tc := range []struct {
		name   string
		change func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time)
		ok     bool
	}{
		{"as signed", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) { return body, pub, t0 }, true},
		{"within skew", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) {
			return body, pub, t0.Add(4 * time.Minute)
		}, true},
		{"replayed late", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) {
			return body, pub, t0.Add(6 * time.Minute)
		}, false},
		{"other body", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) {
			return []byte(`{"request":"R2"}`), pub, t0
		}, false},
		{"other path", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) {
			r.URL.Path = "/other"
			return body, pub, t0
		}, false},
		{"other method", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) {
			r.Method = http.MethodPut
			return body, pub, t0
		}, false},
		{"other key", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) { return body, otherPub, t0 }, false},
		{"timestamp moved", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) {
			r.Header.Set(notify.HeaderTimestamp, "1795000000")
			return body, pub, time.Unix(1795000000, 0)
		}, false},
		{"no signature", func(r *http.Request) ([]byte, ed25519.PublicKey, time.Time) {
			r.Header.Del(notify.HeaderSignature)
			return body, pub, t0
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signed()
			b, k, now := tc.change(r)
			err := notify.VerifyWebhook(r, b, k, now, 5*time.Minute)
			if tc.ok != (err == nil) {
				t.Fatalf("verify: %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !apperr.Is(err, apperr.EUnauthorized) {
				t.Fatalf("error %v is not unauthorized", err)
			}
		})
	}
}

// TestRetryWithBackoffThenGiveUp: a refused delivery is retried when its
// back-off has passed (not before), succeeds once the server accepts, and
// a delivery that keeps failing is given up after MaxAttempts, each
// attempt in the audit log.
func TestRetryWithBackoffThenGiveUp(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	srv := notifytest.StartSMTP(t)
	srv.SetRefuse(true)
	clk := clock.NewManual(t0)
	n, _ := newNotifier(t, db, clk, settings(t, "[smtp]\naddr = \""+srv.Addr+"\"\nfrom = \"art35@it.example.org\"\n", nil))
	n.MaxAttempts = 3
	ctx := context.Background()
	if err := n.Notify(ctx, backup, notify.Message{RequestID: "R1", Action: "escalate", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	list, _ := notify.List(ctx, db, "R1")
	if len(list) != 1 || list[0].Status != notify.StatusFailed || !strings.Contains(list[0].LastError, "550") {
		t.Fatalf("after a refusal: %+v", list)
	}
	flush := func(want notify.FlushResult) {
		t.Helper()
		got, err := n.Flush(ctx)
		if err != nil || got != want {
			t.Fatalf("flush = %+v, %v; want %+v", got, err, want)
		}
	}
	flush(notify.FlushResult{}) // the back-off (1 min) has not passed
	clk.Advance(time.Minute)
	flush(notify.FlushResult{Failed: 1})
	srv.SetRefuse(false)
	clk.Advance(time.Minute)
	flush(notify.FlushResult{}) // second back-off is 2 min
	clk.Advance(time.Minute)
	flush(notify.FlushResult{Sent: 1})
	if len(srv.Messages()) != 1 {
		t.Fatal("the retried mail did not arrive")
	}

	srv.SetRefuse(true)
	if err := n.Notify(ctx, backup, notify.Message{RequestID: "R2", Action: "escalate", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		clk.Advance(time.Hour)
		n.Flush(ctx)
	}
	if st := statuses(t, db, "R2"); strings.Join(st, ",") != "email:gave-up" {
		t.Fatalf("statuses = %v", st)
	}
	clk.Advance(time.Hour)
	flush(notify.FlushResult{}) // given up: not tried again
	if c := auditCount(t, db, "R2"); c != 3 {
		t.Fatalf("%d audit records for R2, want 3 attempts", c)
	}
}

// TestUndeliverableIsRecorded: a person with no e-mail and no webhook
// cannot be told; that is recorded (table and audit log), not skipped.
func TestUndeliverableIsRecorded(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	n, _ := newNotifier(t, db, clock.NewManual(t0), notify.Settings{})
	p := directory.Person{Name: "Paolo Muto (fictional)", Role: directory.Primary, Phone: "+00 39 555 0100"}
	var ids []string
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		ids, err = n.Queue(context.Background(), tx, p, notify.Message{RequestID: "R1", Action: "notify", Subject: "s", Text: "t"})
		return err
	})
	if err != nil || len(ids) != 0 {
		t.Fatalf("queue = %v, %v", ids, err)
	}
	list, _ := notify.List(context.Background(), db, "R1")
	if len(list) != 1 || list[0].Status != notify.StatusUndeliverable || !strings.Contains(list[0].LastError, "no e-mail") {
		t.Fatalf("list = %+v", list)
	}
	if c := auditCount(t, db, "R1"); c != 1 {
		t.Fatalf("%d audit records, want 1", c)
	}
}

// FuzzVerifyWebhook: headers and body come from the network; no input
// panics, and only the signed request verifies.
func FuzzVerifyWebhook(f *testing.F) {
	pub, priv, _ := keys.GenerateSigning()
	body := []byte(`{"request":"R1"}`)
	r := httptest.NewRequest(http.MethodPost, "/page", nil)
	notify.SignWebhook(r, body, priv, "kid", "IT-247", t0)
	f.Add(r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), "/page", body)
	f.Add("", "", "/", []byte{})
	f.Add("-1", "AAAA", "/page?x=1", []byte("x"))
	f.Add("99999999999999999999", "////", "/", []byte("{}"))
	f.Fuzz(func(t *testing.T, ts, sig, path string, b []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.URL.Path = path
		req.Header.Set(notify.HeaderTimestamp, ts)
		req.Header.Set(notify.HeaderSignature, sig)
		err := notify.VerifyWebhook(req, b, pub, t0, 5*time.Minute)
		signed := ts == r.Header.Get(notify.HeaderTimestamp) && sig == r.Header.Get(notify.HeaderSignature) && req.URL.RequestURI() == "/page" && string(b) == string(body)
		if err == nil && !signed {
			t.Fatalf("verified an unsigned request: ts %q sig %q path %q body %q", ts, sig, path, b)
		}
	})
}
