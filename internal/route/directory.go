package route

import (
	"strings"

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
