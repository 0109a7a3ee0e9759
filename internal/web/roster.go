package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/users"
)

// The roster page: this party's people from the directory and, on the
// node's own duty roster (notify.Roster), who is on duty in which hours.
// Notifications and escalations go to whoever the roster says is on duty
// at that hour, so the page says who the alarms go to now. Supervisors and
// admins add, change and remove duty slots; a removal asks first; every
// change is in the audit log.

// slotRow is one duty slot on the page.
type slotRow struct {
	notify.DutySlot
	OnDuty bool
}

// canEditRoster: the supervisor decides who is on duty; admins keep the
// node. Officers and auditors read.
func canEditRoster(sess *users.Session) bool {
	return sess.Account.Role == users.Supervisor || sess.Account.Role == users.Admin
}

// ownAuthority is this node's authority in the directory.
func (s *Server) ownAuthority(r *http.Request) (*directory.Snapshot, *directory.Authority, error) {
	d, err := s.d.Directory(r.Context())
	if err != nil {
		return nil, nil, err
	}
	if _, a, ok := d.AuthorityByID(s.d.Authority); ok {
		return d, a, nil
	}
	return d, nil, nil
}

func (s *Server) rosterPage(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	s.rosterRender(w, r, sess, http.StatusOK, nil, notify.DutySlot{}, "")
}

// rosterRender draws the roster page; errs and form are the add or
// change form shown again after a refusal, confirm the slot whose
// removal is asked.
func (s *Server) rosterRender(w http.ResponseWriter, r *http.Request, sess *users.Session, status int, errs []notify.FieldError, form notify.DutySlot, confirm string) {
	d, own, err := s.ownAuthority(r)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	now := s.d.Clock.Now()
	data := map[string]any{"Title": "Roster", "Duty": s.duty(d, now), "Editable": s.d.Roster != nil && own != nil && canEditRoster(sess),
		"Done": r.URL.Query().Get("done"), "Form": form, "Errors": errs, "Roles": []string{"primary", "backup", "supervisor"}}
	fields := map[string]string{}
	for _, e := range errs {
		fields[e.Field] = e.Message
	}
	data["FieldErrors"] = fields
	if len(errs) > 0 {
		data["Title"] = "Roster (not saved)"
	}
	if s.d.Roster != nil && own != nil {
		slots, err := s.d.Roster.List(r.Context(), own.ID)
		if err != nil {
			s.fail(w, r, sess, err)
			return
		}
		local := now
		if loc := zoneOf(own.TimeZone); loc != nil {
			local = now.In(loc)
		}
		var rows []slotRow
		for _, sl := range slots {
			sch, err := directory.ParseDutyHours(sl.Hours)
			rows = append(rows, slotRow{DutySlot: sl, OnDuty: err == nil && sch.Covers(local)})
		}
		alarm, err := s.d.Roster.OnDuty(r.Context(), own, string(directory.Primary), now)
		if err != nil {
			s.fail(w, r, sess, err)
			return
		}
		data["Slots"], data["Own"], data["Alarm"], data["Local"] = rows, own, alarm, local.Format("Mon 15:04 MST")
		if confirm != "" {
			i := slices.IndexFunc(slots, func(x notify.DutySlot) bool { return x.ID == confirm })
			if i < 0 {
				s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "that duty slot is not on the roster (removed meanwhile?); reload the roster page"))
				return
			}
			data["Removing"] = slots[i]
			data["Title"] = "Remove a duty slot?"
		}
	}
	w.WriteHeader(status)
	s.render(w, r, sess, "roster", data)
}

// rosterEditable checks that the signed-in person may change the roster
// and returns this node's authority.
func (s *Server) rosterEditable(w http.ResponseWriter, r *http.Request, sess *users.Session) (*directory.Authority, bool) {
	if !canEditRoster(sess) {
		s.fail(w, r, sess, apperr.Errorf(apperr.EUnauthorized, "role %s may read the roster; a supervisor or an admin changes it", sess.Account.Role))
		return nil, false
	}
	if s.d.Roster == nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "this node keeps no duty roster"))
		return nil, false
	}
	_, own, err := s.ownAuthority(r)
	if err != nil {
		s.fail(w, r, sess, err)
		return nil, false
	}
	if own == nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "authority %s is not in the directory: the roster lists its people, so it cannot be edited until the directory has them", s.d.Authority))
		return nil, false
	}
	return own, true
}

// rosterSave adds a duty slot (POST /roster/slots) or changes one (POST
// /roster/slots/{id}). Every problem is shown at once beside its field,
// with what was typed kept.
func (s *Server) rosterSave(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	own, ok := s.rosterEditable(w, r, sess)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "the form could not be read; reload the roster page"))
		return
	}
	slot := notify.DutySlot{ID: r.PathValue("id"), Person: strings.TrimSpace(r.PostForm.Get("person")),
		Role: directory.PersonRole(r.PostForm.Get("role")), Hours: strings.TrimSpace(r.PostForm.Get("hours"))}
	if errs := notify.Check(own, slot); len(errs) > 0 {
		s.rosterRender(w, r, sess, http.StatusUnprocessableEntity, errs, slot, "")
		return
	}
	saved, err := s.d.Roster.Save(r.Context(), own, slot, sess.Account.Name)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	what := "added"
	if slot.ID != "" {
		what = "changed"
	}
	http.Redirect(w, r, "/roster?done="+url.QueryEscape("Duty slot "+what+": "+saved.Person+", "+string(saved.Role)+", "+saved.Hours+"."), http.StatusSeeOther)
}

// rosterRemove asks first (the confirmation names the consequence) and
// removes the slot only when the person confirms.
func (s *Server) rosterRemove(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	own, ok := s.rosterEditable(w, r, sess)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "the form could not be read; reload the roster page"))
		return
	}
	id := r.PathValue("id")
	if r.PostForm.Get("confirm") != "yes" {
		s.rosterRender(w, r, sess, http.StatusOK, nil, notify.DutySlot{}, id)
		return
	}
	gone, err := s.d.Roster.Remove(r.Context(), own.ID, id, sess.Account.Name)
	if err != nil {
		s.fail(w, r, sess, err)
		return
	}
	http.Redirect(w, r, "/roster?done="+url.QueryEscape("Duty slot removed: "+gone.Person+", "+string(gone.Role)+", "+gone.Hours+"."), http.StatusSeeOther)
}
