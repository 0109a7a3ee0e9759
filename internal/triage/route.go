package triage

import (
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// Route is the answer to "can we ask that country, and whom?", as shown
// next to an attribution. It condenses a route.Decision and the
// requested party's point of contact from the directory.
type Route struct {
	Available  bool   `json:"available"`
	Reason     string `json:"reason"`
	Instrument string `json:"instrument,omitempty"` // the preferred instrument that applies, as named to users
	// Basis is that instrument's code for a request's legal_basis.
	Basis   request.Instrument `json:"instrument_code,omitempty"`
	Article string             `json:"article,omitempty"`
	Channel string             `json:"channel,omitempty"`
	// Authority is the requested party's 24/7 point of contact (id and
	// name) and what the directory knows of it.
	Authority     string                  `json:"authority,omitempty"`
	AuthorityName string                  `json:"-"`
	AuthorityNote string                  `json:"authority_note,omitempty"`
	TimeZone      string                  `json:"time_zone,omitempty"`
	LocalTime     string                  `json:"local_time,omitempty"` // now, in the authority's zone (RFC 3339)
	OnDuty        *bool                   `json:"on_duty,omitempty"`    // nil when duty hours are not known
	DutyNote      string                  `json:"duty_note,omitempty"`
	LegalProfile  *directory.LegalProfile `json:"legal_profile,omitempty"`
	Remains       []string                `json:"remains,omitempty"`
	Findings      []route.Finding         `json:"findings,omitempty"`
	DirectoryAsOf string                  `json:"directory_as_of,omitempty"`
}

// RouteFor decides the route for a request of type t from party from to
// party to at the instant now, against directory snapshot s. A party
// missing from the directory is a "no route" answer, not an error: a log
// holds addresses of every country, listed or not.
func RouteFor(s *directory.Snapshot, from, to string, t request.Type, now time.Time) Route {
	d, err := route.Decide(s, from, to, t, now)
	if err != nil {
		r := Route{Available: false, Reason: err.Error(), Remains: route.Remaining}
		if strings.EqualFold(from, to) {
			r.Reason = "the address is in the requesting country itself: a domestic case, no international request is needed"
			r.Remains = nil
		} else if _, listed := s.Party(to); !listed {
			r.Reason = fmt.Sprintf("%s is not in the network's directory (as of %s): not known to be bound by the Budapest Convention, its Second Protocol or the UN 2024 Convention, and no point of contact is listed", to, s.AsOf)
		}
		return r
	}
	r := Route{Available: d.Allowed, Findings: d.Findings, DirectoryAsOf: d.AsOf}
	if routes := d.Routes(); len(routes) > 0 {
		f := routes[0]
		r.Instrument, r.Basis, r.Article, r.Channel = f.Name, f.Instrument, f.Article, f.Channel
		r.Reason = d.Summary
		if len(f.Caveats) > 0 {
			r.Reason += " " + strings.Join(f.Caveats, "; ")
		}
	} else {
		// Name every instrument with the reason it concerns the requested
		// party ("CN signed ..., but the Convention is not in force").
		var why []string
		for _, f := range d.Findings {
			var rs []string
			for _, x := range f.Reasons {
				if strings.Contains(x, d.To) || strings.Contains(x, "not in force") || strings.Contains(x, "does not provide") {
					rs = append(rs, x)
				}
			}
			if len(rs) > 0 {
				why = append(why, f.Name+": "+strings.Join(rs, "; "))
			}
		}
		r.Reason = d.Summary
		if len(why) > 0 {
			r.Reason += " " + strings.Join(why, ". ") + "."
		}
		r.Remains = d.Remaining
	}
	p, ok := s.Party(to)
	if !ok {
		return r
	}
	if !p.Legal.IsZero() {
		lp := p.Legal
		r.LegalProfile = &lp
	}
	a, err := s.PointOfContact(to)
	if err != nil {
		r.AuthorityNote = err.Error()
		return r
	}
	r.Authority, r.AuthorityName = a.ID, a.Name
	if a.Name != "" {
		r.Authority += " (" + a.Name + ")"
	}
	if !a.ContactKnown {
		r.AuthorityNote = "contact details not in the directory yet"
		if a.Note != "" {
			r.AuthorityNote = a.Note
		}
	}
	r.TimeZone = a.TimeZone
	if loc, err := time.LoadLocation(a.TimeZone); a.TimeZone != "" && err == nil {
		r.LocalTime = now.In(loc).Format(time.RFC3339)
	}
	on, _, err := a.OnDuty(now)
	if err != nil {
		r.DutyNote = err.Error()
	} else {
		r.OnDuty = &on
	}
	return r
}
