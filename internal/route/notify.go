package route

import (
	"fmt"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// Notification says whether a direct order to a provider must be copied
// to an authority of the provider's party, which may then stop its
// execution:
//
//   - Protocol Art. 7(5)(a): a party that declared so is notified of
//     orders for subscriber information sent to providers in its
//     territory; its notification authority may instruct the provider not
//     to disclose (Art. 7(5)(c)).
//   - Regulation (EU) 2023/1543 Art. 8(1): a European Production Order for
//     traffic or content data is sent to the enforcing authority at the
//     same time as to the addressee, unless the offence is linked to the
//     issuing state and the person resides there (Art. 8(2)); the enforcing
//     authority may raise a ground for refusal within 10 days, 96 hours in
//     an emergency (Art. 12), and the addressee then does not transmit.
type Notification struct {
	Required bool `json:"required"`
	// Authority is the id of the authority to notify, from the directory;
	// "" when none is listed (the copy cannot go by art35: say so).
	Authority string `json:"authority,omitempty"`
	Role      string `json:"role,omitempty"`
	Basis     string `json:"basis,omitempty"`
	Reason    string `json:"reason"`
}

// NotificationFor decides the notification of request r, sent directly to
// a provider of r.Requested.Party, against snapshot s.
func NotificationFor(s *directory.Snapshot, r *request.Request) Notification {
	p, ok := s.Party(r.Requested.Party)
	if !ok {
		return Notification{Reason: fmt.Sprintf("party %s is not in the directory", r.Requested.Party)}
	}
	var n Notification
	switch {
	case r.Type == request.TypeSubscriberDirect && r.LegalBasis.Instrument == request.InstrumentProtocol2:
		if !p.Has(directory.NotificationRequired) {
			return Notification{Reason: fmt.Sprintf("%s has not declared under Protocol Art. 7(5)(a) that it requires notification", p.Code)}
		}
		n = Notification{Required: true, Role: string(directory.RoleNotification), Basis: "Protocol Art. 7(5)",
			Reason: fmt.Sprintf("%s requires notification of orders to providers in its territory (Protocol Art. 7(5)(a)); its notification authority may stop disclosure (Art. 7(5)(c))", p.Code)}
	case r.Type == request.TypeEPOC && r.EPOC != nil:
		if !euSensitive(r.EPOC.F) {
			return Notification{Reason: "the EPOC asks for subscriber or identification data only: no notification (Reg. 2023/1543 Art. 8(1))"}
		}
		if r.EPOC.E.IssuingStateOnly {
			return Notification{Reason: "the offence is linked to the issuing state and the person resides there: no notification (Reg. 2023/1543 Art. 8(2))"}
		}
		n = Notification{Required: true, Role: string(directory.RoleEUEnforcing), Basis: "Reg. 2023/1543 Art. 8",
			Reason: fmt.Sprintf("an EPOC for traffic or content data goes to %s's enforcing authority at the same time as to the addressee (Reg. 2023/1543 Art. 8(1)); it may raise a ground for refusal (Art. 12)", p.Code)}
	default:
		return Notification{Reason: fmt.Sprintf("a %s request under %s is not notified to the provider's party", r.Type, r.LegalBasis.Instrument)}
	}
	if a, ok := p.Authority(directory.Role(n.Role)); ok {
		n.Authority = a.ID
	} else {
		n.Reason += fmt.Sprintf("; the directory lists no %s authority for %s: send the copy by other means and record it", n.Role, p.Code)
	}
	return n
}

// euSensitive reports whether EU data include traffic or content data.
func euSensitive(d request.EUData) bool {
	for _, it := range d.Items {
		if it.Category == request.EUTraffic || it.Category == request.EUContent {
			return true
		}
	}
	return false
}

// MayStop reports whether authority may stop the execution of r at the
// provider's node: only the authority r is notified to.
func MayStop(s *directory.Snapshot, r *request.Request, authority string) (bool, string) {
	n := NotificationFor(s, r)
	switch {
	case !n.Required:
		return false, "no authority may stop this order: " + n.Reason
	case n.Authority == "":
		return false, n.Reason
	case n.Authority != authority:
		return false, fmt.Sprintf("only %s, the authority notified of this order (%s), may stop its execution; %s is not it", n.Authority, n.Basis, authority)
	}
	return true, fmt.Sprintf("%s is the authority notified under %s", authority, n.Basis)
}
