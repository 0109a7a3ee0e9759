package route

import (
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// Check compares a request with the decision table and the requested
// party's declarations, and returns the findings as warnings in the
// checklist's format. They are warnings, not errors, because the
// directory may not know a bilateral treaty or a recent ratification: the
// officer decides, with the reason in front of them. A request based on a
// bilateral treaty is not checked against the table.
func Check(s *directory.Snapshot, r *request.Request, at time.Time) []request.Problem {
	if s == nil || r == nil || !r.Type.Valid() || r.LegalBasis.Instrument == request.InstrumentBilateral {
		return nil
	}
	d, err := Decide(s, r.Requesting.Party, r.Requested.Party, r.Type, at)
	if err != nil {
		return nil // unknown parties and types are the validator's findings
	}
	warn := func(field, rule, found string) request.Problem {
		return request.Problem{Field: field, Rule: rule, Severity: request.SeverityWarning,
			Message: request.Rules[rule].Message() + " (" + found + ")"}
	}
	var ps []request.Problem
	if !d.Allowed {
		var why []string
		for _, f := range d.Findings {
			if _, ok := request.ProvisionFor(f.Instrument, r.Type); ok && len(f.Reasons) > 0 {
				why = append(why, f.Name+": "+f.Reasons[len(f.Reasons)-1])
			}
		}
		return append(ps, warn("legal_basis.instrument", "route-none", fmt.Sprintf("%s -> %s on %s: %s", d.From, d.To, d.Date, strings.Join(why, "; "))))
	}
	used := false
	for _, f := range d.Routes() {
		used = used || f.Instrument == r.LegalBasis.Instrument
	}
	if !used && r.LegalBasis.Instrument != request.InstrumentPractice {
		var open []string
		for _, f := range d.Routes() {
			open = append(open, string(f.Instrument))
		}
		ps = append(ps, warn("legal_basis.instrument", "route-basis", fmt.Sprintf("%s does not apply; open: %s", r.LegalBasis.Instrument, strings.Join(open, ", "))))
	}
	to, _ := s.Party(r.Requested.Party)
	if ed := r.EmergencyDisclosure; ed != nil && to.Has(directory.NoEmergencySubscriberOnly) && subscriberOnly(ed.Data) {
		ps = append(ps, warn("emergency_disclosure.data", "p9-1-b", to.Code+" made the declaration"))
	}
	if sd := r.SubscriberDirect; sd != nil && to.Has(directory.NotificationRequired) && (sd.NotificationGiven == nil || !*sd.NotificationGiven) {
		ps = append(ps, warn("subscriber_direct.notification_given", "p7-5-notify", to.Code+" requires notification"))
	}
	return ps
}

func subscriberOnly(items []request.DataItem) bool {
	if len(items) == 0 {
		return false
	}
	for _, d := range items {
		if d.Category != "subscriber" {
			return false
		}
	}
	return true
}
