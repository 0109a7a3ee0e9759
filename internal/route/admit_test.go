package route

import (
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// withProvider adds a provider's node (and, for HU, a notification
// authority) to a directory.
func withProvider(s *directory.Snapshot, party, id string) *directory.Snapshot {
	p, _ := s.Party(party)
	p.Authorities = append(p.Authorities, directory.Authority{ID: id, Role: directory.RoleProvider})
	if party == "HU" {
		p.Authorities = append(p.Authorities, directory.Authority{ID: "HU-NOTIFY", Role: directory.RoleNotification})
	}
	return s
}

func withAuthority(s *directory.Snapshot, party, id string, role directory.Role) *directory.Snapshot {
	p, _ := s.Party(party)
	p.Authorities = append(p.Authorities, directory.Authority{ID: id, Role: role})
	return s
}

func TestAdmit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		s        *directory.Snapshot
		sender   string
		provider string
		typ      request.Type
		at       string
		admitted bool
		in       request.Instrument
		notify   string
		why      string
	}{
		{"own country always", withProvider(starter(t), "ES", "ES-ISP"), "ES-247", "ES-ISP", request.TypeProductionOrder, "2026-12-02", true, "", "", "own country"},
		{"EU preservation order from FR", withProvider(starter(t), "ES", "ES-ISP"), "FR-247", "ES-ISP", request.TypePreserve, "2026-12-02", true, eu, "", "Regulation 2023/1543"},
		{"EU emergency order from IE", withAuthority(withProvider(starter(t), "DE", "DE-ISP"), "IE", "IE-PROSECUTION", directory.RoleCentralAuthority), "IE-PROSECUTION", "DE-ISP", request.TypeEmergencyDisclosure, "2026-12-02", true, eu, "", "Art. 10(4)"},
		{"EU order before 2026-08-18", withProvider(starter(t), "ES", "ES-ISP"), "FR-247", "ES-ISP", request.TypePreserve, "2026-08-17", false, "", "", "point of contact"},
		{"EU order from DK: not bound", withProvider(starter(t), "ES", "ES-ISP"), "DK-247", "ES-ISP", request.TypePreserve, "2026-12-02", false, "", "", "no instrument in force between DK and ES"},
		{"non-EU party", withProvider(starter(t), "ES", "ES-ISP"), "US-247", "ES-ISP", request.TypePreserve, "2026-12-02", false, "", "", "ES's point of contact"},
		{"a point-of-contact type is never direct", withProvider(starter(t), "ES", "ES-ISP"), "FR-247", "ES-ISP", request.TypeAssistance, "2026-12-02", false, "", "", "no instrument"},
		{"Protocol Art. 7, P2 world", withProvider(protocolWorld(t), "RS", "RS-ISP"), "JP-247", "RS-ISP", request.TypeSubscriberDirect, "2026-12-02", true, p2, "", "Protocol Art. 7"},
		{"Protocol Art. 7 with Art. 7(5) notification", withProvider(protocolWorld(t), "HU", "HU-ISP"), "JP-247", "HU-ISP", request.TypeSubscriberDirect, "2026-12-02", true, p2, "HU-NOTIFY", "Art. 7(5)"},
		{"Protocol Art. 6 registrar, P2 world", withProvider(protocolWorld(t), "RS", "RS-REG"), "JP-247", "RS-REG", request.TypeDomainRegistration, "2026-12-02", true, p2, "", "Protocol Art. 6"},
		{"Protocol Art. 7 today: not in force", withProvider(starter(t), "RS", "RS-ISP"), "JP-247", "RS-ISP", request.TypeSubscriberDirect, "2026-12-02", false, "", "", "point of contact"},
		{"a provider does not issue orders", withProvider(withProvider(starter(t), "ES", "ES-ISP"), "FR", "FR-ISP"), "FR-ISP", "ES-ISP", request.TypePreserve, "2026-12-02", false, "", "", "does not issue orders"},
	} {
		a, err := Admit(tc.s, tc.sender, tc.provider, tc.typ, day(tc.at).Add(12*time.Hour))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if a.Admitted != tc.admitted || a.Instrument != tc.in || a.Notify != tc.notify || !strings.Contains(a.Reason, tc.why) {
			t.Errorf("%s: %+v; want admitted=%v instrument %q notify %q reason containing %q", tc.name, a, tc.admitted, tc.in, tc.notify, tc.why)
		}
	}
}
