package route

import (
	"strings"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// Reservations answers the request lifecycle's reservation questions from
// a directory snapshot, so the lifecycle itself stays free of I/O.
type Reservations struct{ Snapshot *directory.Snapshot }

var _ request.Reservations = Reservations{}

// HoldsDualCriminality reports whether party holds the Art. 29(4)
// reservation in the snapshot. A party the snapshot does not know holds
// nothing: a refusal on that ground is then refused, and the officer is
// told to check the directory.
func (r Reservations) HoldsDualCriminality(party string) bool {
	if r.Snapshot == nil {
		return false
	}
	p, ok := r.Snapshot.Party(party)
	return ok && p.Has(directory.DualCriminality)
}

// Escalation returns the people of a party's 24/7 point of contact who
// hold a role of the acknowledgement ladder (request.Policy.Escalation:
// "primary", "backup", "supervisor"), in escalation order. It is empty
// when the directory lists nobody, which the caller must show rather than
// skip: an escalation with no one to reach is itself a finding.
func Escalation(s *directory.Snapshot, party, role string) []directory.Person {
	a, err := s.PointOfContact(party)
	if err != nil {
		return nil
	}
	var out []directory.Person
	for _, p := range a.Escalation() {
		if strings.EqualFold(string(p.Role), role) {
			out = append(out, p)
		}
	}
	return out
}

// CheckDocument validates a request document at now and adds, as
// warnings, what the directory s says: the Protocol Art. 4 language check
// and the legal route (no instrument, a legal basis that does not apply,
// Art. 9(1)(b), 7(5)). s may be nil: then the checklist alone.
func CheckDocument(s *directory.Snapshot, b []byte, now time.Time) (*request.Request, []request.Problem) {
	r, ps := request.Check(b, now)
	if r == nil || s == nil {
		return r, ps
	}
	if a, err := s.PointOfContact(r.Requested.Party); err == nil {
		ps = append(ps, request.CheckLanguage(r, a.Languages)...)
	}
	at := now
	if r.CreatedAt.Valid() {
		at = r.CreatedAt.T
	}
	return r, append(ps, Check(s, r, at)...)
}

// FillRequested completes r's requested authority from s where the
// request leaves it blank: its time zone and hours, for the letter.
func FillRequested(s *directory.Snapshot, r *request.Request) {
	a, err := s.PointOfContact(r.Requested.Party)
	if err != nil {
		return
	}
	if r.Requested.TimeZone == "" {
		r.Requested.TimeZone = a.TimeZone
	}
	if r.Requested.OfficeHours == "" {
		r.Requested.OfficeHours = a.DutyHours
	}
}

// NameRequested names r's requested authority and its time zone from s
// (a drafted request: the officer checks it, and every other field,
// before sending).
func NameRequested(s *directory.Snapshot, r *request.Request) {
	p, ok := s.Party(r.Requested.Party)
	if !ok {
		return
	}
	r.Requested.Name = "24/7 point of contact of " + p.Name
	if a, ok := p.Authority(directory.RolePointOfContact); ok {
		if a.Name != "" {
			r.Requested.Name = a.Name
		}
		r.Requested.TimeZone = a.TimeZone
	}
}
