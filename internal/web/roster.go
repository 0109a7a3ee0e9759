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
	RoleText string
	OnDuty   bool
}

// choice is one option of a select.
type choice struct{ Value, Label string }

// roleWord names a role on duty in the reader's language.
func roleWord(r *http.Request, role directory.PersonRole) string {
	switch role {
	case directory.Primary:
		return T(r, "roster.role.primary")
	case directory.Backup:
		return T(r, "roster.role.backup")
	case directory.Supervisor:
		return T(r, "roster.role.supervisor")
	}
	return string(role)
}

// alarmWhy says, in words, how the roster chose who is told now.
func alarmWhy(r *http.Request, why, local, zone string) string {
	switch why {
	case "on duty":
		return T(r, "roster.why-on-duty", local, zone)
	case "directory":
		return T(r, "roster.why-directory", local, zone)
	case "directory (nobody on duty now)":
		return T(r, "roster.why-nobody", local, zone)
	}
	return T(r, "roster.why-anyone", local, zone)
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
	var roles []choice
	for _, ro := range []directory.PersonRole{directory.Primary, directory.Backup, directory.Supervisor} {
		roles = append(roles, choice{string(ro), roleWord(r, ro)})
	}
	data := map[string]any{"Title": T(r, "roster.title"), "Duty": s.duty(r.Context(), langOf(r), d, now), "Editable": s.d.Roster != nil && own != nil && canEditRoster(sess),
		"Done": r.URL.Query().Get("done"), "Form": form, "Errors": errs, "Roles": roles}
	fields := map[string]string{}
	for _, e := range errs {
		fields[e.Field] = e.Message
	}
	data["FieldErrors"] = fields
	if len(errs) > 0 {
		data["Title"] = T(r, "roster.title-not-saved")
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
			rows = append(rows, slotRow{DutySlot: sl, RoleText: roleWord(r, sl.Role), OnDuty: err == nil && sch.Covers(local)})
		}
		alarm, err := s.d.Roster.OnDuty(r.Context(), own, string(directory.Primary), now)
		if err != nil {
			s.fail(w, r, sess, err)
			return
		}
		data["Slots"], data["Own"], data["Alarm"] = rows, own, alarm
		data["AlarmWhy"] = alarmWhy(r, alarm.Why, local.Format("15:04"), own.TimeZone)
		if confirm != "" {
			i := slices.IndexFunc(slots, func(x notify.DutySlot) bool { return x.ID == confirm })
			if i < 0 {
				s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "roster.slot-gone")))
				return
			}
			data["Removing"], data["RemovingRole"] = slots[i], roleWord(r, slots[i].Role)
			data["Title"] = T(r, "roster.title-remove")
		}
	}
	w.WriteHeader(status)
	s.render(w, r, sess, "roster", data)
}

// rosterEditable checks that the signed-in person may change the roster
// and that the posted form parses, and returns this node's authority.
func (s *Server) rosterEditable(w http.ResponseWriter, r *http.Request, sess *users.Session) (*directory.Authority, bool) {
	if !canEditRoster(sess) {
		s.fail(w, r, sess, apperr.Errorf(apperr.EUnauthorized, "%s", T(r, "roster.read-only")))
		return nil, false
	}
	if s.d.Roster == nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "roster.no-roster")))
		return nil, false
	}
	_, own, err := s.ownAuthority(r)
	if err != nil {
		s.fail(w, r, sess, err)
		return nil, false
	}
	if own == nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.ENotFound, "%s", T(r, "roster.not-in-directory", s.d.Authority)))
		return nil, false
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, sess, apperr.Errorf(apperr.EInvalid, "%s", T(r, "error.bad-form")))
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
	done := T(r, "roster.done-added", saved.Person, roleWord(r, saved.Role), saved.Hours)
	if slot.ID != "" {
		done = T(r, "roster.done-changed", saved.Person, roleWord(r, saved.Role), saved.Hours)
	}
	http.Redirect(w, r, "/roster?done="+url.QueryEscape(done), http.StatusSeeOther)
}

// rosterRemove asks first (the confirmation names the consequence) and
// removes the slot only when the person confirms.
func (s *Server) rosterRemove(w http.ResponseWriter, r *http.Request, sess *users.Session) {
	own, ok := s.rosterEditable(w, r, sess)
	if !ok {
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
	http.Redirect(w, r, "/roster?done="+url.QueryEscape(T(r, "roster.done-removed", gone.Person, roleWord(r, gone.Role), gone.Hours)), http.StatusSeeOther)
}
