package route

import (
	"strings"
	"testing"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// TestNotificationFor: who must be sent the copy of a direct order, and
// who alone may stop it (Protocol Art. 7(5); Reg. 2023/1543 Art. 8).
func TestNotificationFor(t *testing.T) {
	t.Parallel()
	s := protocolWorld(t) // HU requires Art. 7(5) notification
	hu, _ := s.Party("HU")
	hu.Authorities = append(hu.Authorities, directory.Authority{ID: "HU-NOT", Role: directory.RoleNotification})
	de, _ := s.Party("DE")
	de.Authorities = append(de.Authorities, directory.Authority{ID: "DE-EUE", Role: directory.RoleEUEnforcing})

	art7 := fixture(t, request.TypeSubscriberDirect)
	art7.Requesting.Party, art7.Requested.Party = "JP", "HU"
	epoc := fixture(t, request.TypeEPOC)
	epoc.Requested.Party = "DE"

	for _, tc := range []struct {
		name      string
		r         func() *request.Request
		required  bool
		authority string
		reason    string
	}{
		{"Art. 7 to HU: notified", func() *request.Request { return art7 }, true, "HU-NOT", "Art. 7(5)(a)"},
		{"Art. 7 to RS: no declaration", func() *request.Request { c := *art7; c.Requested.Party = "RS"; return &c }, false, "", "has not declared"},
		{"EPOC for subscriber data: not notified", func() *request.Request { return epoc }, false, "", "Art. 8(1)"},
		{"EPOC for content data: enforcing authority", func() *request.Request {
			c := *epoc
			e := *c.EPOC
			e.F.Items = []request.EUDataItem{{Category: request.EUContent}}
			c.EPOC = &e
			return &c
		}, true, "DE-EUE", "Art. 8(1)"},
		{"EPOC for content data linked to the issuing state", func() *request.Request {
			c := *epoc
			e := *c.EPOC
			e.F.Items = []request.EUDataItem{{Category: request.EUTraffic}}
			e.E.IssuingStateOnly = true
			c.EPOC = &e
			return &c
		}, false, "", "Art. 8(2)"},
		{"EPOC for content data to FR: no enforcing authority listed", func() *request.Request {
			c := *epoc
			e := *c.EPOC
			e.F.Items = []request.EUDataItem{{Category: request.EUContent}}
			c.EPOC, c.Requested.Party = &e, "FR"
			return &c
		}, true, "", "lists no eu-enforcing authority"},
		{"preservation: never notified", func() *request.Request { return fixture(t, request.TypePreserve) }, false, "", "not notified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r()
			n := NotificationFor(s, r)
			if n.Required != tc.required || n.Authority != tc.authority || !strings.Contains(n.Reason, tc.reason) {
				t.Fatalf("%+v, want required=%v authority %q reason with %q", n, tc.required, tc.authority, tc.reason)
			}
			if ok, _ := MayStop(s, r, "HU-247"); ok {
				t.Error("the point of contact may stop an order")
			}
			if ok, why := MayStop(s, r, tc.authority); ok != (tc.authority != "") {
				t.Errorf("the notified authority may stop: %v (%s)", ok, why)
			}
		})
	}
}
