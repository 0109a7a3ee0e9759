package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/users"
)

// The emergency confirmation on the request view (SPEC story 7; Protocol
// Art. 9; docs/protocol.md, "Emergency confirmation"): a received
// emergency request is executed only once a second person of the
// requesting authority countersigned it or an officer here called that
// authority back on the directory's number. The view says which of the two
// the case has, and records a call-back.

// emergencyPanel is what the request view shows of a received emergency
// request's confirmation.
type emergencyPanel struct {
	Confirmed bool
	// Revoked names the revocation when the envelope's key was revoked
	// since the request arrived: then nothing confirms it.
	Revoked string
	// CounterBy and CounterAt are the second person's countersignature.
	CounterBy string
	CounterAt time.Time
	Callbacks []cases.CallbackRecord
	// Authority and Phone are the requesting authority and the number the
	// directory holds for it: the only number a call-back may use.
	Authority, Phone string
}

// emergencyOf returns the panel of a received emergency request, or nil
// for any other case.
func (s *Server) emergencyOf(ctx context.Context, c *cases.Case) *emergencyPanel {
	conf, err := s.d.Cases.Confirm(ctx, c.Request.ID)
	if err != nil {
		s.d.Log.Error("portal: emergency confirmation of a case", "id", c.Request.ID, "err", err)
		return nil
	}
	if !conf.Needed {
		return nil
	}
	p := &emergencyPanel{Confirmed: conf.Confirmed, Revoked: conf.SignerRevoked, Callbacks: conf.Callbacks, Authority: c.Peer}
	for _, ev := range c.Lifecycle.Evidences {
		if ev.Kind == cases.KindCountersigned {
			p.CounterBy, p.CounterAt = ev.By, ev.At
		}
	}
	if d, err := s.d.Directory(ctx); err == nil {
		if _, a, ok := d.AuthorityByID(c.Peer); ok {
			p.Phone = a.Phone
		}
	}
	return p
}

// callback records a call-back to the requesting authority of a received
// emergency request, made by the signed-in officer on the directory's
// number.
func (s *Server) callback(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	id := r.PathValue("id")
	if !s.actForm(w, r, sess, fmt.Sprintf("role %s reads only; an officer, supervisor or admin records a call-back", sess.Account.Role)) {
		return
	}
	c, err := s.d.Cases.Get(r.Context(), id)
	if err != nil {
		s.caseFail(w, r, sess, err)
		return
	}
	_, err = s.d.Cases.Callback(r.Context(), id, cases.CallbackRecord{CalledBy: sess.Account.Name,
		Number: strings.TrimSpace(r.PostForm.Get("number")), Outcome: strings.TrimSpace(r.PostForm.Get("outcome"))})
	if err != nil {
		if apperr.Code(err) == apperr.EInternal {
			s.fail(w, r, sess, err)
			return
		}
		s.actError(w, r, sess, c, T(r, "emergency.not-recorded", err.Error()))
		return
	}
	http.Redirect(w, r, "/requests/"+url.PathEscape(id)+"#emergency", http.StatusSeeOther)
}
