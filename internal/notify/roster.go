package notify

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/store"
)

// The duty roster: the directory names an authority's people, their role
// in the escalation chain and how to reach them; the roster, kept by the
// node (table duty_slots) and edited on the portal's roster page, says in
// which weekly hours each is on duty, in the authority's time zone.
// Notifications and escalations go to whoever is on duty at that hour
// (OnDuty), so the night officer is woken at 03:00 and the day officer
// told at 10:00. Without any slot for the authority, the directory's
// people of the role are told, as before the roster existed.

// DutySlot is one person's weekly duty on the roster.
type DutySlot struct {
	ID        string               `json:"id"`
	Authority string               `json:"authority"`
	Person    string               `json:"person"` // a name on the authority's directory roster
	Role      directory.PersonRole `json:"role"`
	// Hours are weekly windows in the authority's local time, written as
	// the directory's duty hours: "24/7", "Mon-Fri 08:00-18:00",
	// "Mon-Sun 22:00-08:00" (past midnight), see directory.ParseDutyHours.
	Hours     string    `json:"hours"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FieldError is one problem of a slot, named by its form field.
type FieldError struct {
	Field, Message string
}

// Roster reads and edits the duty roster of one node.
type Roster struct {
	DB    *store.DB
	Clock clock.Clock
}

var roles = []directory.PersonRole{directory.Primary, directory.Backup, directory.Supervisor}

// Check returns every problem of a slot for the authority own at once,
// each naming its field, the rule and the fix.
func Check(own *directory.Authority, s DutySlot) []FieldError {
	var errs []FieldError
	name := strings.TrimSpace(s.Person)
	switch {
	case name == "":
		errs = append(errs, FieldError{"person", "Person: choose who is on duty; the list holds the people of " + own.ID + " in the directory."})
	case !slices.ContainsFunc(own.People, func(p directory.Person) bool { return p.Name == name }):
		errs = append(errs, FieldError{"person", fmt.Sprintf("Person: %q is not on the directory roster of %s; choose a listed person (the directory gives their phone and e-mail).", name, own.ID)})
	}
	if !slices.Contains(roles, s.Role) {
		errs = append(errs, FieldError{"role", fmt.Sprintf("Role: %q is not a role on duty; choose primary, backup or supervisor.", s.Role)})
	}
	if _, err := directory.ParseDutyHours(s.Hours); err != nil {
		errs = append(errs, FieldError{"hours", "Hours: " + strings.TrimPrefix(err.Error(), "duty_hours ")})
	}
	return errs
}

func checkErr(errs []FieldError) error {
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Message)
	}
	return apperr.Errorf(apperr.EInvalid, "duty slot: %s", strings.Join(msgs, " "))
}

// List returns the slots of an authority, by role then person.
func (r *Roster) List(ctx context.Context, authority string) ([]DutySlot, error) {
	rows, err := r.DB.QueryContext(ctx, `SELECT id, authority, person, role, hours, updated_by, updated_at FROM duty_slots WHERE authority = $1`, authority)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []DutySlot
	for rows.Next() {
		var (
			s  DutySlot
			at string
		)
		if err := rows.Scan(&s.ID, &s.Authority, &s.Person, &s.Role, &s.Hours, &s.UpdatedBy, &at); err != nil {
			return nil, err
		}
		if s.UpdatedAt, err = store.ParseTime(at); err != nil {
			return nil, fmt.Errorf("duty slot %s: %w", s.ID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b DutySlot) int {
		if c := slices.Index(roles, a.Role) - slices.Index(roles, b.Role); c != 0 {
			return c
		}
		return strings.Compare(a.Person+a.Hours, b.Person+b.Hours)
	})
	return out, nil
}

// Save adds a slot (ID empty) or changes one, after checking it against
// the authority own, and records who did it in the audit log in the same
// transaction.
func (r *Roster) Save(ctx context.Context, own *directory.Authority, s DutySlot, by string) (DutySlot, error) {
	s.Person, s.Hours = strings.TrimSpace(s.Person), strings.TrimSpace(s.Hours)
	if errs := Check(own, s); len(errs) > 0 {
		return s, checkErr(errs)
	}
	if strings.TrimSpace(by) == "" {
		return s, apperr.Errorf(apperr.EInvalid, "duty slot: who changes the roster must be named")
	}
	s.Authority, s.UpdatedBy, s.UpdatedAt = own.ID, by, r.Clock.Now().UTC()
	change := "duty slot added"
	err := r.DB.Tx(ctx, func(tx *sql.Tx) error {
		if s.ID == "" {
			var b [8]byte
			rand.Read(b[:])
			s.ID = "duty-" + hex.EncodeToString(b[:])
			if _, err := tx.ExecContext(ctx, `INSERT INTO duty_slots (id, authority, person, role, hours, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				s.ID, s.Authority, s.Person, string(s.Role), s.Hours, by, store.FormatTime(s.UpdatedAt)); err != nil {
				return store.MapError(err)
			}
		} else {
			change = "duty slot changed"
			res, err := tx.ExecContext(ctx, `UPDATE duty_slots SET person = $1, role = $2, hours = $3, updated_by = $4, updated_at = $5 WHERE id = $6 AND authority = $7`,
				s.Person, string(s.Role), s.Hours, by, store.FormatTime(s.UpdatedAt), s.ID, s.Authority)
			if err != nil {
				return store.MapError(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return apperr.Errorf(apperr.ENotFound, "duty slot %s is not on the roster of %s (removed meanwhile?); reload the roster page", s.ID, own.ID)
			}
		}
		return auditSlot(ctx, tx, change, s, by)
	})
	return s, err
}

// Remove takes a slot off the roster, audited.
func (r *Roster) Remove(ctx context.Context, authority, id, by string) (DutySlot, error) {
	var s DutySlot
	err := r.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id, authority, person, role, hours FROM duty_slots WHERE id = $1 AND authority = $2`, id, authority).
			Scan(&s.ID, &s.Authority, &s.Person, &s.Role, &s.Hours)
		found, err := store.Found(err)
		if err != nil {
			return err
		}
		if !found {
			return apperr.Errorf(apperr.ENotFound, "duty slot %s is not on the roster of %s (removed already?); reload the roster page", id, authority)
		}
		s.UpdatedBy, s.UpdatedAt = by, r.Clock.Now().UTC()
		if _, err := tx.ExecContext(ctx, `DELETE FROM duty_slots WHERE id = $1`, id); err != nil {
			return store.MapError(err)
		}
		return auditSlot(ctx, tx, "duty slot removed", s, by)
	})
	return s, err
}

func auditSlot(ctx context.Context, tx *sql.Tx, change string, s DutySlot, by string) error {
	_, err := auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.AdminChange, Time: s.UpdatedAt, Actor: by,
		Details: map[string]string{"change": change, "slot": s.ID, "authority": s.Authority, "person": oneLine(s.Person),
			"role": string(s.Role), "hours": oneLine(s.Hours)}})
	return err
}

// OnDutyNow returns the names of the people of authority own whose duty
// slots cover the instant at, in the authority's zone, and whether the
// authority keeps a roster at all (without one, the directory's duty
// hours are all there is to say).
func (r *Roster) OnDutyNow(ctx context.Context, own *directory.Authority, at time.Time) (map[string]bool, bool, error) {
	slots, err := r.List(ctx, own.ID)
	if err != nil || len(slots) == 0 {
		return nil, false, err
	}
	local := at.In(zoneOf(own))
	on := map[string]bool{}
	for _, s := range slots {
		if sch, err := directory.ParseDutyHours(s.Hours); err == nil && sch.Covers(local) {
			on[s.Person] = true
		}
	}
	return on, true, nil
}

// zoneOf is the authority's time zone, UTC when it has none or an unknown one.
func zoneOf(a *directory.Authority) *time.Location {
	if a.TimeZone != "" {
		if l, err := time.LoadLocation(a.TimeZone); err == nil {
			return l
		}
	}
	return time.UTC
}

// Duty is who is to be told at an instant, and why them.
type Duty struct {
	People []directory.Person
	// Why says how they were chosen, for logs and tests: "on duty",
	// "on duty (no <role> on duty now)" or "directory" (no roster).
	Why string
}

// OnDuty returns the people of the authority own to tell for role at the
// instant at. With a roster: the people of that role whose slot covers
// the local time in the authority's zone; when none of that role is on
// duty, everyone who is (someone awake must hear it); when nobody is on
// duty at all, the directory's people of the role, so an alarm is never
// silent. Without any slot: the directory's people of the role. Contact
// details come from the directory; a person who left it is still told
// (and recorded as undeliverable if no channel is left).
func (r *Roster) OnDuty(ctx context.Context, own *directory.Authority, role string, at time.Time) (Duty, error) {
	byRole := func() []directory.Person {
		var out []directory.Person
		for _, p := range own.Escalation() {
			if strings.EqualFold(string(p.Role), role) {
				out = append(out, p)
			}
		}
		return out
	}
	slots, err := r.List(ctx, own.ID)
	if err != nil {
		return Duty{}, err
	}
	if len(slots) == 0 {
		return Duty{People: byRole(), Why: "directory"}, nil
	}
	local := at.In(zoneOf(own))
	var same, any []directory.Person
	for _, s := range slots {
		sch, err := directory.ParseDutyHours(s.Hours)
		if err != nil || !sch.Covers(local) {
			continue // Save checked it; a bad row never wakes anyone by mistake
		}
		p := directory.Person{Name: s.Person, Role: s.Role}
		if i := slices.IndexFunc(own.People, func(x directory.Person) bool { return x.Name == s.Person }); i >= 0 {
			p = own.People[i]
			p.Role = s.Role
		}
		// A person may hold two slots at once (two roles): told once.
		if !slices.ContainsFunc(any, func(x directory.Person) bool { return x.Name == p.Name }) {
			any = append(any, p)
		}
		if strings.EqualFold(string(s.Role), role) && !slices.ContainsFunc(same, func(x directory.Person) bool { return x.Name == p.Name }) {
			same = append(same, p)
		}
	}
	switch {
	case len(same) > 0:
		return Duty{People: same, Why: "on duty"}, nil
	case len(any) > 0:
		return Duty{People: any, Why: "on duty (no " + role + " on duty now)"}, nil
	}
	return Duty{People: byRole(), Why: "directory (nobody on duty now)"}, nil
}
