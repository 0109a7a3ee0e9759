package triage

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// PersonFields are the fields of a draft preserve request that only a
// person can fill (the facts of the case, who asks, under which handling
// code): a draft is valid against the request schema except for these.
// Routing proposes; a person decides (Protocol Art. 14(6)).
var PersonFields = []string{
	"id", "sender_ref", "requesting.name", "requesting.office_hours", "requesting.time_zone",
	"priority", "language", "handling", "handling.code",
	"preserve.offence", "preserve.facts", "preserve.relation", "preserve.necessity",
	"preserve.mla_will_follow", "preserve.confirmation_contact",
}

// identTime matches the time of a listed address: missing only when the
// log had no readable time for it, which a person must then supply.
var identTime = regexp.MustCompile(`^preserve\.data\[0\]\.identifiers\[\d+\]\.time$`)

// IsPersonField reports whether a validation problem on field is one a
// person is expected to resolve in a draft.
func IsPersonField(field string) bool {
	return slices.Contains(PersonFields, field) || identTime.MatchString(field)
}

// maxDraftIdentifiers bounds the addresses listed in one draft; the rest
// are counted in the data description (the full list is in the triage
// JSON), so that a draft stays a document a person can read.
const maxDraftIdentifiers = 2000

// Draft builds the draft preserve request for one country of the report.
// It returns false when the country has no route.
//
// The requesting side's time zone and office hours come from req, the
// requesting party's point of contact in the directory, when known.
func Draft(r Report, c Country, req request.Authority, now time.Time) (*request.Request, bool) {
	if c.Route == nil || !c.Route.Available {
		return nil, false
	}
	basis := c.Route.Basis
	article := ""
	switch basis {
	case request.InstrumentBudapest:
		article = "29"
	case request.InstrumentUN2024:
		article = "42"
	}
	name := c.Route.AuthorityName
	if name == "" {
		name = c.Route.Authority
	}
	if name == "" {
		name = c.Country + " 24/7 point of contact"
	}
	var ids []request.Identifier
	for i, row := range c.ips {
		if i == maxDraftIdentifiers {
			break
		}
		id := request.Identifier{Kind: request.IdentIP, Value: row.IP.String()}
		if row.Stat.Timed {
			id.Time = request.NewTimestamp(time.Unix(row.Stat.First, 0))
		}
		ids = append(ids, id)
	}
	window := ""
	if c.FirstSeen != "" {
		window = fmt.Sprintf(" between %s and %s (UTC)", c.FirstSeen, c.LastSeen)
	}
	more := ""
	if len(c.ips) > maxDraftIdentifiers {
		more = fmt.Sprintf(" (the %d most active of %d addresses; the full list is in the triage report)", maxDraftIdentifiers, len(c.ips))
	}
	var ops []string
	for i, op := range c.Operators {
		if i == 10 {
			ops = append(ops, fmt.Sprintf("and %d more", len(c.Operators)-i))
			break
		}
		s := op.Operator
		if op.ASN != 0 {
			s = fmt.Sprintf("%s (AS%d, %d addresses)", op.Operator, op.ASN, op.UniqueIPs)
		}
		ops = append(ops, s)
	}
	req.Party = r.From
	out := &request.Request{
		Type:       request.TypePreserve,
		CreatedAt:  request.NewTimestamp(now),
		Requesting: req,
		Requested:  request.Authority{Party: c.Country, Name: name, TimeZone: c.Route.TimeZone},
		LegalBasis: request.LegalBasis{Instrument: basis, Article: article},
		Preserve: &request.Preserve{
			Status: "new",
			Data: []request.DataItem{
				{
					Category:    "traffic",
					Description: fmt.Sprintf("connection records (source address, source port, time) of the %d addresses below%s; each time given is the first seen in our log%s", len(c.ips), window, more),
					Identifiers: ids,
				},
				{
					Category:    "subscriber",
					Description: "subscriber information of the users of the same addresses at the same times",
				},
			},
			Custodian:    "network operators by IP registration data (" + ipdbNote(r) + "): " + strings.Join(ops, "; "),
			ReplyChannel: "node",
		},
	}
	return out, true
}

func ipdbNote(r Report) string {
	if r.DataAsOf == "" {
		return "country of registration"
	}
	return "country of registration, data as of " + r.DataAsOf
}

// WriteDrafts writes one draft preserve request per country that can be
// asked into dir as CC-preserve-draft.json and returns the file names.
func WriteDrafts(dir string, r Report, requesting request.Authority, now time.Time) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "--draft-requests folder %q", dir)
	}
	var out []string
	for _, c := range r.Countries {
		req, ok := Draft(r, c, requesting, now)
		if !ok {
			continue
		}
		data, err := json.MarshalIndent(req, "", "  ")
		if err != nil {
			return out, apperr.Wrap(apperr.EInternal, err, "encoding draft for %s", c.Country)
		}
		name := filepath.Join(dir, c.Country+"-preserve-draft.json")
		if err := os.WriteFile(name, append(data, '\n'), 0o644); err != nil {
			return out, apperr.Wrap(apperr.EInvalid, err, "writing draft for %s", c.Country)
		}
		out = append(out, name)
	}
	return out, nil
}

// Requesting returns what the directory knows of party from's point of
// contact, as a request's requesting authority (name, time zone, office
// hours); fields it does not know stay empty for a person to fill.
func Requesting(s *directory.Snapshot, from string) request.Authority {
	a := request.Authority{Party: from}
	if s == nil {
		return a
	}
	poc, err := s.PointOfContact(from)
	if err != nil {
		return a
	}
	a.Name, a.TimeZone, a.OfficeHours = poc.Name, poc.TimeZone, poc.DutyHours
	if k := string(poc.Kind); k != "" {
		a.Kind = k
	}
	return a
}
