// Package web is the portal of an art35 node: the screen a 24/7 desk works
// from. Pages are rendered on the server with html/template; htmx (vendored,
// served by the node, no CDN) refreshes the inbox so new arrivals appear
// without reloading. Every page except sign-in and the static files needs a
// session (password and TOTP, package users); cross-site POSTs are refused
// by the standard library's CrossOriginProtection. Everything a person does
// goes through the same services as the command line: cases.Submit and
// cases.Act, so the portal adds no rule of its own.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/httperr"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/users"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// SessionCookie is the prefix of the session cookie's name; the party code
// follows, because browsers do not separate cookies by port and the demo
// runs every node on 127.0.0.1.
const SessionCookie = "art35_session_"

// ZoneCookie holds the viewer's IANA time zone, set by portal.js from the
// browser (or chosen on the page).
const ZoneCookie = "art35_tz"

// Deps are what the portal works with. internal/app fills them from a node.
type Deps struct {
	Party     string // this node's party
	Cases     *cases.Service
	Users     *users.Service
	Directory func(ctx context.Context) (*directory.Snapshot, error)
	Clock     clock.Clock
	Log       *slog.Logger
	// Secure marks the session cookie Secure (HTTPS only). Off only for
	// plain-HTTP test networks on loopback.
	Secure bool
	// PollInterval is how often the inbox refreshes itself; zero is 1 s.
	PollInterval time.Duration
	// Pings answers the availability checks other points of contact send
	// (package ping); nil hides the pings page.
	Pings *ping.Service
	// Authority is this node's authority id (e.g. "IT-247"), whose duty
	// roster the roster page edits.
	Authority string
	// Roster is the node's duty roster (package notify); nil shows the
	// roster page read-only.
	Roster *notify.Roster
	// Watches reads the events of realtime-traffic watches (package
	// watch); nil hides the watches pages.
	Watches WatchEvents
	// Exercise, when set, tells every page whether to show the EXERCISE
	// banner (package exercise; exercise.go).
	Exercise ExerciseFunc
	// IPData is the folder of the node's imported IP data (DATA/ipdb); ""
	// means the data shipped in the binary alone.
	IPData string
}

// Server is the portal's HTTP handler.
type Server struct {
	d       Deps
	tmpl    map[string]map[string]*template.Template // language -> page
	handler http.Handler
	ips     ipCache // the IP data, opened once and reopened now and then
}

// New builds the portal.
func New(d Deps) (*Server, error) {
	if d.Cases == nil || d.Users == nil || d.Directory == nil || d.Clock == nil {
		return nil, errors.New("web: Cases, Users, Directory and Clock are required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.PollInterval == 0 {
		d.PollInterval = time.Second
	}
	s := &Server{d: d}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	static, _ := fs.Sub(staticFS, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(http.FileServerFS(static))))
	mux.HandleFunc("GET /signin", s.signInPage)
	mux.HandleFunc("POST /signin", s.signIn)
	mux.Handle("POST /signout", s.auth(s.signOut))
	mux.Handle("GET /{$}", s.auth(func(w http.ResponseWriter, r *http.Request, _ *users.Session) {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	}))
	mux.Handle("GET /inbox", s.auth(s.inbox))
	mux.Handle("GET /inbox/rows", s.auth(s.inboxRows))
	mux.Handle("GET /requests/{id}", s.auth(s.requestView))
	mux.Handle("GET /requests/{id}/letter", s.auth(s.requestLetter))
	mux.Handle("GET /requests/{id}/live", s.auth(s.requestLive))
	mux.Handle("GET /requests/{id}/audit", s.auth(s.auditPage))
	mux.Handle("GET /requests/{id}/proof", s.auth(s.proofBundle))
	mux.Handle("POST /requests/{id}/act", s.auth(s.act))
	mux.Handle("POST /requests/{id}/served", s.auth(s.served))     // served.go
	mux.Handle("POST /requests/{id}/callback", s.auth(s.callback)) // emergency.go
	mux.Handle("GET /compose", s.auth(s.composeIndex))
	mux.Handle("GET /compose/{type}", s.auth(s.composeForm))
	mux.Handle("POST /compose/{type}", s.auth(s.composeCheck))
	mux.Handle("POST /compose/{type}/send", s.auth(s.composeSend))
	mux.Handle("GET /directory", s.auth(s.directoryPage))
	mux.Handle("GET /directory/{code}", s.auth(s.partyPage))
	mux.Handle("GET /sources", s.auth(s.sourcesPage))
	mux.Handle("GET /stats", s.auth(s.statsPage))
	mux.Handle("GET /pings", s.auth(s.pingsPage))
	mux.Handle("GET /search", s.auth(s.searchPage))
	mux.Handle("GET /profile", s.auth(s.profilePage))
	mux.Handle("GET /supervisor", s.auth(s.supervisorPage))
	mux.Handle("GET /roster", s.auth(s.rosterPage))
	mux.Handle("POST /profile", s.auth(s.profileSave))
	mux.Handle("GET /attribute", s.auth(s.attributePage))
	mux.Handle("POST /attribute", s.auth(s.attribute))
	mux.Handle("POST /compose/preserve/draft", s.auth(s.composeDraft))
	mux.Handle("GET /inbox.csv", s.auth(s.inboxCSV))
	mux.Handle("POST /pings/{id}/answer", s.auth(s.pingAnswer))
	mux.Handle("POST /roster/slots", s.auth(s.rosterSave))      // roster.go
	mux.Handle("POST /roster/slots/{id}", s.auth(s.rosterSave)) // roster.go
	mux.Handle("POST /roster/slots/{id}/remove", s.auth(s.rosterRemove))
	mux.Handle("GET /watches", s.auth(s.watchesPage)) // watches.go
	mux.Handle("GET /watches/{id}", s.auth(s.watchPage))
	mux.Handle("GET /requests/{id}/transfers", s.auth(s.transfersPage)) // transfers.go
	mux.Handle("POST /requests/{id}/transfers", s.auth(s.transferAct))
	mux.Handle("GET /transfers", s.auth(s.transfersPage))
	s.transborderRoutes(mux) // transborder.go: Art. 32 access, Art. 34 interceptions
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.session(r); err != nil {
			s.denied(w, r)
			return
		}
		http.NotFound(w, r)
	})
	cop := http.NewCrossOriginProtection()
	s.handler = securityHeaders(cop.Handler(mux))
	return s, nil
}

// ServeHTTP serves the portal.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// securityHeaders sets what every page needs: no framing (clickjacking),
// no scripts or styles from anywhere but the node itself, no referrer
// leaking case ids to other sites.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) cookie() string { return SessionCookie + s.d.Party }

type authedHandler func(w http.ResponseWriter, r *http.Request, sess *users.Session)

func (s *Server) session(r *http.Request) (*users.Session, error) {
	c, err := r.Cookie(s.cookie())
	if err != nil {
		return nil, apperr.Errorf(apperr.EUnauthorized, "not signed in")
	}
	return s.d.Users.Lookup(r.Context(), c.Value)
}

// denied answers a request without a valid session: a page goes to the
// sign-in form; an htmx request is told to go there; anything else gets
// 401 and no content.
func (s *Server) denied(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", "/signin")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	http.Error(w, T(r, "layout.not-signed-in"), http.StatusUnauthorized)
}

// auth wraps a handler that needs a signed-in person.
func (s *Server) auth(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.session(r)
		if err != nil {
			// Only "not signed in" sends the officer to the sign-in form; a
			// fault of ours reading the session (a database error) is shown
			// as one, with a reference, and keeps the session: sending a
			// signed-in officer to /signin would bounce them back to the
			// inbox, far from the page they asked for, with no word why.
			if !apperr.Is(err, apperr.EUnauthorized) {
				s.fail(w, r, nil, err)
				return
			}
			s.denied(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, s.withLang(r, sess), sess)
	})
}

// fail shows an error page with the status of its apperr code.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, sess *users.Session, err error) {
	// httperr logs a fault of ours with a request id and shows only the id.
	status, _, msg := httperr.Public(w, r, s.d.Log, err)
	w.WriteHeader(status)
	s.render(w, r, sess, "error", map[string]any{"Title": T(r, "error.title"), "Error": publicText(langOf(r), status, msg)})
}

// actForm admits a post that acts on something: the signed-in account's
// role must be able to act (readOnly is what the page says when it cannot)
// and the form must parse. On either failure it shows the error page and
// returns false.
func (s *Server) actForm(w http.ResponseWriter, r *http.Request, sess *users.Session, readOnly string) bool {
	if !sess.Account.Role.CanAct() {
		s.fail(w, r, sess, apperr.Errorf(apperr.EUnauthorized, "%s", readOnly))
		return false
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "%s", T(r, "error.bad-form")))
		return false
	}
	return true
}
