// Package notifytest runs real receivers for notification tests: an SMTP
// server (github.com/emersion/go-smtp) on 127.0.0.1:0 that keeps the
// messages it accepts, and an HTTP paging endpoint that verifies the
// webhook signature of every call. Tests of the clock runner and the CLI
// use them to prove that a person was actually reached.
package notifytest

import (
	"crypto/ed25519"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/art35/art35/internal/notify"
)

// Mail is one message the SMTP server accepted.
type Mail struct {
	From, To string
	Subject  string
	Body     string // decoded text
	Raw      []byte
	AuthUser string
}

// SMTP is a running test mail server.
type SMTP struct {
	Addr string
	// Password, when set, makes the server require PLAIN authentication
	// with any user and this password.
	Password string
	// Refuse, when set, makes the server refuse every recipient (a mail
	// server that is up but rejects: tests of retries).
	Refuse bool

	mu   sync.Mutex
	mail []Mail
	srv  *smtp.Server
}

// StartSMTP starts a server on 127.0.0.1:0, stopped at the end of the test.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTP{Addr: l.Addr().String()}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	go s.srv.Serve(l)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Messages returns a copy of what the server accepted so far.
func (s *SMTP) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

// set changes a setting under the lock (tests flip Refuse while running).
func (s *SMTP) settings() (refuse bool, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Refuse, s.Password
}

// SetRefuse makes the server refuse or accept recipients from now on.
func (s *SMTP) SetRefuse(v bool) {
	s.mu.Lock()
	s.Refuse = v
	s.mu.Unlock()
}

type backend struct{ s *SMTP }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s      *SMTP
	from   string
	to     []string
	user   string
	authed bool
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		_, want := x.s.settings()
		if password != want {
			return errors.New("invalid credentials")
		}
		x.user, x.authed = username, true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if _, pw := x.s.settings(); pw != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if refuse, _ := x.s.settings(); refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable (test refusal)"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Mail{From: x.from, To: strings.Join(x.to, ","), Raw: raw, AuthUser: x.user}
	if msg, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		m.Subject, _ = new(mimeDecoder).decode(msg.Header.Get("Subject"))
		m.Body = decodeQP(msg.Body)
	}
	x.s.mu.Lock()
	x.s.mail = append(x.s.mail, m)
	x.s.mu.Unlock()
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// Call is one webhook call the paging endpoint received.
type Call struct {
	Header http.Header
	Body   []byte
	Err    error // nil when the signature verified
}

// Hook is a paging endpoint that verifies signatures with Pub.
type Hook struct {
	URL string
	Pub ed25519.PublicKey
	// Status is the HTTP status it answers (200 when zero).
	Status int
	Now    func() time.Time

	mu    sync.Mutex
	calls []Call
}

// StartHook starts a paging endpoint on loopback.
func StartHook(t testing.TB, pub ed25519.PublicKey, now func() time.Time) *Hook {
	t.Helper()
	h := &Hook{Pub: pub, Now: now}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := notify.VerifyWebhook(r, body, h.Pub, h.Now(), 5*time.Minute)
		h.mu.Lock()
		h.calls = append(h.calls, Call{Header: r.Header.Clone(), Body: body, Err: err})
		status := h.Status
		h.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL + "/page"
	return h
}

// Calls returns what the endpoint received so far.
func (h *Hook) Calls() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Call(nil), h.calls...)
}
