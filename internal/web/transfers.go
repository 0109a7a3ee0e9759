package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/users"
)

// The transfer authorisations pages: data received from a party go on to
// a third party only with that party's prior authorisation where the
// Second Protocol binds (Art. 14(10)) or where its Art. 28(2) conditions
// say so (H2, a stated condition); cases.Submit refuses such a request
// without it. /transfers lists every authorisation and every ask on this
// node; /requests/{id}/transfers shows one case's and, where this node
// may, asks for one (the request was received here) or grants one (it
// was sent from here), each after a confirmation naming the consequence.

// transferAsk is one ask of a case: who asked, to pass the data to whom,
// why, and whether it was granted.
type transferAsk struct {
	Case, By, To, Purpose string
	At                    time.Time
	Granted               bool
}

// transferForm is the ask or grant form, shown again after a refusal or
// for confirmation.
type transferForm struct {
	Action, To, Purpose string
}

// asksOf returns the transfer asks recorded on a case, with whether each
// was granted.
func asksOf(c *cases.Case, granted []cases.Authorisation) []transferAsk {
	var out []transferAsk
	for _, e := range c.Lifecycle.All(cases.KindTransferRequest) {
		to, purpose := transferDetails(e.Details)
		ok := slices.ContainsFunc(granted, func(a cases.Authorisation) bool { return a.RequestID == c.Request.ID && a.To == to })
		out = append(out, transferAsk{Case: c.Request.ID, By: e.By, To: to, Purpose: purpose, At: e.At, Granted: ok})
	}
	return out
}

// transferDetails reads "to=CC; purpose=..." as cases writes it.
var transferDetails = cases.TransferDetails

func (s *Server) transfersPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	s.transfersRender(w, r, sess, http.StatusOK, transferForm{}, nil, false)
}

// transfersRender draws the node's list (no id) or one case's page, with
// the form, its problems by field, or its confirmation.
func (s *Server) transfersRender(w http.ResponseWriter, r *http.Request, sess *users.Session, status int, form transferForm, errs map[string]string, confirm bool) {
	ctx := r.Context()
	all, err := s.d.Cases.Authorisations(ctx)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	id := r.PathValue("id")
	data := map[string]any{"Title": T(r, "transfers.title"), "Form": form, "Errors": errs, "Done": r.URL.Query().Get("done")}
	if id == "" {
		list, err := s.d.Cases.List(ctx)
		if err != nil {
			s.fail(w, r, sess, err)
			return
		}
		var asks []transferAsk
		for _, sum := range list {
			c, err := s.d.Cases.Get(ctx, sum.ID)
			if err != nil {
				continue
			}
			asks = append(asks, asksOf(c, all)...)
		}
		data["Authorisations"], data["Asks"] = all, asks
		s.render(w, r, sess, "transfers", data)
		return
	}
	c, err := s.d.Cases.Get(ctx, id)
	if err != nil {
		s.caseFail(w, r, sess, err)
		return
	}
	var mine []cases.Authorisation
	for _, a := range all {
		if a.RequestID == id {
			mine = append(mine, a)
		}
	}
	data["Title"] = T(r, "transfers.title-case", id)
	data["Case"], data["Authorisations"], data["Asks"] = c, mine, asksOf(c, all)
	data["Incoming"] = c.Direction == cases.Incoming
	data["CanAct"] = sess.Account.Role.CanAct()
	if d, err := s.d.Directory(ctx); err == nil {
		var parties []directory.Party
		for _, p := range d.Parties {
			if p.Code != s.d.Party && p.Code != c.Peer[:min(2, len(c.Peer))] {
				parties = append(parties, p)
			}
		}
		data["Parties"] = parties
		if confirm {
			origin, holder := c.Request.Requesting.Party, s.d.Party
			if c.Direction == cases.Outgoing {
				origin, holder = s.d.Party, c.Request.Requested.Party
			}
			data["Rule"] = route.OnwardTransfer(d, origin, holder, form.To, c.Request.Handling.Code, c.Request.Handling.Conditions, s.d.Clock.Now())
			data["Confirm"] = true
			data["Origin"], data["Holder"] = origin, holder
		}
	}
	if len(errs) > 0 {
		data["Title"] = T(r, "transfers.title-not-sent", id)
	}
	w.WriteHeader(status)
	s.render(w, r, sess, "transfers", data)
}

// transferAct asks for (a received request) or grants (a sent one) an
// onward-transfer authorisation: the first post shows the confirmation,
// the second, with confirm=yes, sends it.
func (s *Server) transferAct(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	if !s.actForm(w, r, sess, T(r, "transfers.read-only")) {
		return
	}
	id := r.PathValue("id")
	c, err := s.d.Cases.Get(r.Context(), id)
	if err != nil {
		s.caseFail(w, r, sess, err)
		return
	}
	f := transferForm{Action: r.PostForm.Get("action"), To: strings.ToUpper(strings.TrimSpace(r.PostForm.Get("to"))), Purpose: strings.TrimSpace(r.PostForm.Get("purpose"))}
	errs := map[string]string{}
	want := "grant"
	if c.Direction == cases.Incoming {
		want = "ask"
	}
	if f.Action != want {
		if want == "ask" {
			errs["action"] = T(r, "transfers.only-ask", id)
		} else {
			errs["action"] = T(r, "transfers.only-grant", id)
		}
	}
	d, err := s.d.Directory(r.Context())
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	switch _, known := d.Party(f.To); {
	case f.To == "":
		errs["to"] = T(r, "transfers.err-to-empty")
	case !known || len(f.To) != 2:
		errs["to"] = T(r, "transfers.err-to-unknown", f.To)
	case f.To == s.d.Party || strings.HasPrefix(c.Peer, f.To):
		errs["to"] = T(r, "transfers.err-to-holder", f.To)
	}
	if f.Purpose == "" {
		errs["purpose"] = T(r, "transfers.err-purpose-empty")
	} else if len(f.Purpose) > 500 {
		errs["purpose"] = T(r, "transfers.err-purpose-long")
	}
	if len(errs) > 0 {
		s.transfersRender(w, r, sess, http.StatusUnprocessableEntity, f, errs, false)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.transfersRender(w, r, sess, http.StatusOK, f, nil, true)
		return
	}
	if want == "ask" {
		err = s.d.Cases.RequestTransfer(r.Context(), id, f.To, f.Purpose, sess.Account.Name)
	} else {
		err = s.d.Cases.GrantTransfer(r.Context(), id, f.To, f.Purpose, sess.Account.Name)
	}
	if err != nil {
		if apperr.Code(err) == apperr.EInternal {
			s.fail(w, r, sess, err)
			return
		}
		s.transfersRender(w, r, sess, http.StatusUnprocessableEntity, f, map[string]string{"general": plainError(err.Error())}, false)
		return
	}
	done := T(r, "transfers.done-ask", c.Peer, id, f.To)
	if want == "grant" {
		done = T(r, "transfers.done-grant", c.Peer, id, f.To)
	}
	http.Redirect(w, r, "/requests/"+url.PathEscape(id)+"/transfers?done="+url.QueryEscape(done), http.StatusSeeOther)
}
