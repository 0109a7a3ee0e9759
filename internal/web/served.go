package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/users"
)

// canServe reports whether the "served on the provider" step applies: a
// production order (Protocol Art. 8) received here, acknowledged or in
// progress, not yet recorded as served.
func canServe(c *cases.Case) bool {
	if c == nil || c.Request.Type != request.TypeProductionOrder || c.Direction != cases.Incoming {
		return false
	}
	if _, done := c.Lifecycle.First(request.NoteServed, ""); done {
		return false
	}
	return c.Lifecycle.State == request.StateAcknowledged || c.Lifecycle.State == request.StateInProgress
}

// served records that a Protocol Art. 8 order was served on the provider
// (the same note as 'art35 case served'): it closes the 45-day serve clock
// and starts the 20/45-day clock for the data.
func (s *Server) served(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	id := r.PathValue("id")
	if !s.actForm(w, r, sess, T(r, "case.reads-only", T(r, "layout.role."+string(sess.Account.Role)))) {
		return
	}
	c, err := s.d.Cases.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	if !canServe(c) {
		s.actError(w, r, sess, c, T(r, "case.cannot-serve"))
		return
	}
	if _, err := s.d.Cases.Note(r.Context(), id, cases.NoteSpec{Kind: request.NoteServed, By: sess.Account.Name, As: request.ByReceiver,
		Details: strings.TrimSpace(r.PostForm.Get("details"))}, nil); err != nil {
		s.actError(w, r, sess, c, err.Error())
		return
	}
	http.Redirect(w, r, "/requests/"+url.PathEscape(id), http.StatusSeeOther)
}
