package route

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

func fixture(t *testing.T, typ request.Type) *request.Request {
	t.Helper()
	b, err := os.ReadFile("../request/testdata/minimal/" + string(typ) + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var r request.Request
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		snap   func(t *testing.T) *directory.Snapshot
		typ    request.Type
		mutate func(r *request.Request)
		want   []string // rule@field
	}{
		{"preserve US->IT under Budapest", starter, request.TypePreserve, func(r *request.Request) {}, nil},
		{"preserve US->CN: no route", starter, request.TypePreserve, func(r *request.Request) { r.Requested.Party = "CN" }, []string{"route-none@legal_basis.instrument"}},
		{"bilateral treaty is not second-guessed", starter, request.TypePreserve, func(r *request.Request) {
			r.Requested.Party = "CN"
			r.LegalBasis.Instrument = request.InstrumentBilateral
		}, nil},
		{"basis that does not apply", starter, request.TypePreserve, func(r *request.Request) { r.LegalBasis.Instrument = request.InstrumentUN2024 }, []string{"route-basis@legal_basis.instrument"}},
		{"emergency disclosure while the Protocol is not in force", starter, request.TypeEmergencyDisclosure, func(r *request.Request) {}, []string{"route-none@legal_basis.instrument"}},
		{"Art. 9(1)(b): subscriber data only", func(t *testing.T) *directory.Snapshot {
			s := withProtocolInForce(t)
			p, _ := s.Party("JP")
			p.Reservations = append(p.Reservations, directory.Reservation{Kind: directory.NoEmergencySubscriberOnly})
			return s
		}, request.TypeEmergencyDisclosure, func(r *request.Request) {
			r.Requesting.Party = "FR"
			r.EmergencyDisclosure.Data[0].Category = "subscriber"
		}, []string{"p9-1-b@emergency_disclosure.data"}},
		{"Art. 7(5): notification required", func(t *testing.T) *directory.Snapshot {
			s := withProtocolInForce(t)
			p, _ := s.Party("JP")
			p.Reservations = append(p.Reservations, directory.Reservation{Kind: directory.NotificationRequired})
			return s
		}, request.TypeSubscriberDirect, func(r *request.Request) { r.Requesting.Party = "FR" }, []string{"p7-5-notify@subscriber_direct.notification_given"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := fixture(t, tc.typ)
			tc.mutate(r)
			ps := Check(tc.snap(t), r, testDate)
			var got []string
			for _, p := range ps {
				got = append(got, p.Rule+"@"+p.Field)
				if p.Severity != request.SeverityWarning {
					t.Errorf("route findings are warnings: %v", p)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v (%v)", got, tc.want, ps)
			}
		})
	}
}
