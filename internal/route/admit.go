package route

import (
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// Admission is a provider's or registrar's node's answer to a request that
// arrives directly from an authority.
type Admission struct {
	Admitted   bool               `json:"admitted"`
	Instrument request.Instrument `json:"instrument,omitempty"`
	Article    string             `json:"article,omitempty"`
	Reason     string             `json:"reason"`
	// Notify is the id of the provider's party's notification authority
	// that must get a copy (Protocol Art. 7(5)), when that party requires
	// notification; NotifyRequired is set even when the directory names
	// no such authority, so the caller can say so.
	Notify         string `json:"notify,omitempty"`
	NotifyRequired bool   `json:"notify_required,omitempty"`
}

// Admit decides whether the node of provider (an authority id with the
// provider role) takes a request of type t sent directly by the authority
// sender at the instant at. It admits its own country's authorities
// always; another party's authority only when an instrument in force
// between the two parties allows that type to go straight to a provider or
// registrar (Protocol Art. 7 and 6; Regulation (EU) 2023/1543 production
// and preservation orders to a designated establishment or legal
// representative in another member state): the same decision as the route
// table (DecideFor). Everything else is refused, with the point of contact
// to go through.
func Admit(s *directory.Snapshot, sender, provider string, t request.Type, at time.Time) (Admission, error) {
	pp, ap, ok := s.AuthorityByID(provider)
	if !ok {
		return Admission{}, apperr.Errorf(apperr.ENotFound, "authority %s is not in the directory", provider)
	}
	if ap.Role != directory.RoleProvider {
		return Admission{Admitted: true, Reason: provider + " is not a provider's node: it admits every authenticated sender"}, nil
	}
	ps, as, ok := s.AuthorityByID(sender)
	if !ok {
		return Admission{Reason: fmt.Sprintf("%s is not in the directory", sender)}, nil
	}
	if ps.Code == pp.Code {
		return Admission{Admitted: true, Reason: fmt.Sprintf("%s is an authority of %s, the provider's own country", sender, pp.Code)}, nil
	}
	refuse := fmt.Sprintf("%s is a service provider's node in %s: it takes orders from %s's own authorities, and from another party's only where an instrument in force between them allows a direct order; %s must send its request to %s's point of contact",
		provider, pp.Code, pp.Code, sender, pp.Code)
	if as.Role == directory.RoleProvider {
		return Admission{Reason: refuse + " (a provider does not issue orders)"}, nil
	}
	if !t.Valid() {
		return Admission{Reason: fmt.Sprintf("%s (request type %q is not known)", refuse, t)}, nil
	}
	addr := ToProvider
	if t == request.TypeDomainRegistration {
		addr = ToRegistrar
	}
	d, err := DecideFor(s, Question{From: ps.Code, To: pp.Code, Type: t, At: at, Addressee: addr})
	if err != nil {
		return Admission{}, err
	}
	routes := d.Routes()
	if len(routes) == 0 {
		return Admission{Reason: fmt.Sprintf("%s: no instrument in force between %s and %s on %s allows a direct %s order", refuse, ps.Code, pp.Code, d.Date, t)}, nil
	}
	f := routes[0]
	a := Admission{Admitted: true, Instrument: f.Instrument, Article: f.Article,
		Reason: fmt.Sprintf("a direct %s order from %s (%s) to a provider in %s under %s (%s)", t, sender, ps.Code, pp.Code, f.Name, f.Article)}
	if f.Instrument == request.InstrumentProtocol2 && t == request.TypeSubscriberDirect && pp.Has(directory.NotificationRequired) {
		a.NotifyRequired = true
		if n, ok := pp.Authority(directory.RoleNotification); ok {
			a.Notify = n.ID
		}
		a.Reason += fmt.Sprintf("; %s requires notification (Protocol Art. 7(5)): a copy goes to its notification authority, which may stop disclosure", pp.Code)
	}
	return a, nil
}
