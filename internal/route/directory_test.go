package route

import (
	"testing"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

func TestReservationsAndEscalation(t *testing.T) {
	t.Parallel()
	s := starter(t)
	it, _ := s.Party("IT")
	it.Reservations = append(it.Reservations, directory.Reservation{Kind: directory.DualCriminality})
	a, _ := it.Authority(directory.RolePointOfContact)
	a.People = []directory.Person{
		{Name: "Sam Supervisor (fictional)", Role: directory.Supervisor, Order: 1},
		{Name: "Bea Backup (fictional)", Role: directory.Backup, Order: 1},
		{Name: "Pat Primary (fictional)", Role: directory.Primary, Order: 1},
	}
	res := Reservations{Snapshot: s}
	if !res.HoldsDualCriminality("IT") || res.HoldsDualCriminality("FR") || res.HoldsDualCriminality("ZZ") {
		t.Fatal("reservation lookup wrong")
	}
	// The lifecycle accepts the dual-criminality refusal from IT only.
	l := &request.Lifecycle{RequestID: "R", Type: request.TypePreserve, RequestedParty: "IT", State: request.StateInProgress}
	step := request.Step{To: request.StateDeclined, At: testDate, By: "Pat", As: request.ByReceiver, Code: request.CodeDualCriminality}
	if _, err := l.Apply(step, res); err != nil {
		t.Fatalf("IT holds the reservation: %v", err)
	}
	l = &request.Lifecycle{RequestID: "R", Type: request.TypePreserve, RequestedParty: "FR", State: request.StateInProgress}
	if _, err := l.Apply(step, res); err == nil {
		t.Fatal("FR does not hold the reservation; the refusal must be refused")
	}
	for role, want := range map[string]string{"primary": "Pat Primary (fictional)", "backup": "Bea Backup (fictional)", "supervisor": "Sam Supervisor (fictional)"} {
		got := Escalation(s, "IT", role)
		if len(got) != 1 || got[0].Name != want {
			t.Errorf("%s: %v", role, got)
		}
	}
	if got := Escalation(s, "CN", "primary"); got != nil {
		t.Errorf("CN has no point of contact: %v", got)
	}
}

// TestFillAndNameRequested completes a request's requested authority from
// the directory: blanks are filled, what the request states is kept.
func TestFillAndNameRequested(t *testing.T) {
	t.Parallel()
	s := starter(t)
	a, err := s.PointOfContact("IT")
	if err != nil {
		t.Fatal(err)
	}
	r := &request.Request{Requested: request.Authority{Party: "IT", OfficeHours: "stated by the sender"}}
	FillRequested(s, r)
	if r.Requested.TimeZone != a.TimeZone || r.Requested.OfficeHours != "stated by the sender" {
		t.Errorf("filled: %+v (directory zone %q)", r.Requested, a.TimeZone)
	}
	n := &request.Request{Requested: request.Authority{Party: "IT"}}
	NameRequested(s, n)
	if n.Requested.Name == "" || n.Requested.TimeZone != a.TimeZone {
		t.Errorf("named: %+v", n.Requested)
	}
	unknown := &request.Request{Requested: request.Authority{Party: "ZZ"}}
	NameRequested(s, unknown)
	FillRequested(s, unknown)
	if unknown.Requested != (request.Authority{Party: "ZZ"}) {
		t.Errorf("a party not in the directory was changed: %+v", unknown.Requested)
	}
}
