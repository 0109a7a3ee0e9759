package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

// The pings page: the availability checks other points of contact sent
// to this desk (SPEC section 8). A person answers each before its
// deadline; the answer goes back signed with their name. The demo tells
// officers to answer pings "in each portal": this is where.

func (s *Server) pingsPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	if s.d.Pings == nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "pings.not-here")))
		return
	}
	list, err := s.d.Pings.Challenges(r.Context(), true)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	var pending, done []ping.Challenge
	h := sha256.New()
	for _, c := range list {
		fmt.Fprintf(h, "%s|%s|", c.ID, c.State)
		if c.State == "pending" {
			pending = append(pending, c)
		} else {
			done = append(done, c)
		}
	}
	version := hex.EncodeToString(h.Sum(nil))[:16]
	// The page's own poll: nothing is redrawn while nothing changed.
	if r.Header.Get("HX-Request") == "true" && r.URL.Query().Get("v") == version {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	title := T(r, "pings.title")
	if len(pending) > 0 {
		title = i18n.N(langOf(r), "pings.title-waiting", len(pending))
	}
	s.render(w, r, sess, "pings", map[string]any{"Title": title, "Pending": pending, "Done": done, "Version": version,
		"Answered": r.URL.Query().Get("answered"), "Error": r.URL.Query().Get("error")})
}

func (s *Server) pingAnswer(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	if s.d.Pings == nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "pings.not-here")))
		return
	}
	if !sess.Account.Role.CanAct() {
		s.fail(w, r, sess, apperr.Errorf(apperr.EUnauthorized, "%s", T(r, "pings.reads-only", T(r, "layout.role."+string(sess.Account.Role)))))
		return
	}
	id := r.PathValue("id")
	if _, err := s.d.Pings.Answer(r.Context(), id, sess.Account.Name); err != nil {
		if apperr.Code(err) == apperr.EInternal {
			s.fail(w, r, sess, err)
			return
		}
		http.Redirect(w, r, "/pings?error="+url.QueryEscape(plainError(err.Error())), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/pings?answered="+url.QueryEscape(id), http.StatusSeeOther)
}
