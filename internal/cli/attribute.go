package cli

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
)

// Attribution is what "attribute" answers of an IP address (and its --json).
type Attribution struct {
	IP           string        `json:"ip"`
	Attributable bool          `json:"attributable"`
	Reason       string        `json:"reason,omitempty"`
	Country      string        `json:"country"`
	CountryName  string        `json:"country_name,omitempty"`
	ASN          uint32        `json:"asn"`
	Operator     string        `json:"operator"`
	Desk         string        `json:"desk,omitempty"`
	Prefix       string        `json:"prefix"`
	RangeFirst   string        `json:"range_first,omitempty"`
	RangeLast    string        `json:"range_last,omitempty"`
	Votes        []ipdb.Vote   `json:"countries_by_source,omitempty"`
	Disagreement string        `json:"disagreement,omitempty"`
	Sources      []DataSource  `json:"sources"`
	AsOf         string        `json:"as_of,omitempty"`
	Port         int           `json:"port,omitempty"`
	Time         string        `json:"time,omitempty"`
	Caveat       string        `json:"caveat"`
	Notes        []string      `json:"notes,omitempty"`
	Route        *triage.Route `json:"route,omitempty"`
	RouteFrom    string        `json:"route_from,omitempty"`
	RouteType    request.Type  `json:"route_type,omitempty"`
}

// DataSource is one source of attribution data and its licence.
type DataSource struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	AsOf    string `json:"as_of,omitempty"`
	Licence string `json:"licence,omitempty"`
	Credit  string `json:"credit,omitempty"`
	URL     string `json:"url,omitempty"`
}

func sourceJSON(s ipdb.Source) DataSource {
	a := DataSource{Name: s.Name, Label: s.Label, Licence: s.Licence, Credit: s.Credit, URL: s.URL}
	if !s.AsOf.IsZero() {
		a.AsOf = s.AsOf.Format(time.DateOnly)
	}
	return a
}

// cgnatNote is shown whenever a port or time is missing: without both, an
// operator using carrier-grade NAT cannot name a subscriber.
const cgnatNote = "give --port and --time: behind carrier-grade NAT an operator can identify a subscriber only from the source port and the UTC time to the second"

// staleAfter is how far a --time may lie from the data's as-of date
// before the answer warns that the address may have changed hands.
const staleAfter = 180 * 24 * time.Hour

// PrintAttribution prints an attribution and its route for a person.
func PrintAttribution(w io.Writer, a Attribution) {
	fmt.Fprintln(w, a.IP)
	if !a.Attributable {
		fmt.Fprintf(w, "  not attributable: %s\n", a.Reason)
		if a.Prefix == "" && a.Reason != ipdb.NotCovered {
			return
		}
	}
	if a.Country != "" {
		name := a.Country
		if a.CountryName != "" {
			name += " " + a.CountryName
		}
		fmt.Fprintf(w, "  country     %s\n", name)
	}
	if a.Disagreement != "" {
		fmt.Fprintf(w, "  !           %s\n", a.Disagreement)
	}
	if a.Prefix != "" {
		fmt.Fprintf(w, "  network     %s (source range %s - %s)\n", a.Prefix, a.RangeFirst, a.RangeLast)
	}
	if a.ASN != 0 || a.Operator != "" {
		op := a.Operator
		if a.ASN != 0 {
			op = fmt.Sprintf("AS%d %s", a.ASN, a.Operator)
		}
		fmt.Fprintf(w, "  operator    %s\n", op)
	}
	if a.Desk != "" {
		fmt.Fprintf(w, "  LE desk     %s\n", a.Desk)
	}
	if a.Port != 0 || a.Time != "" {
		fmt.Fprintf(w, "  connection  port %d at %s\n", a.Port, a.Time)
	}
	if len(a.Sources) > 0 {
		var labels []string
		for _, s := range a.Sources {
			labels = append(labels, s.Label)
		}
		fmt.Fprintf(w, "  data        as of %s (%s); 'art35 attribute --sources' for credits\n", a.AsOf, strings.Join(labels, ", "))
	}
	fmt.Fprintf(w, "  note        %s\n", a.Caveat)
	for _, n := range a.Notes {
		fmt.Fprintf(w, "  note        %s\n", n)
	}
	if a.Route == nil {
		return
	}
	r := a.Route
	fmt.Fprintf(w, "\nroute from %s (%s):\n", a.RouteFrom, a.RouteType)
	if !r.Available {
		fmt.Fprintf(w, "  %s\n", r.Reason)
		if len(r.Remains) > 0 {
			fmt.Fprintln(w, "  what remains:")
			for _, x := range r.Remains {
				fmt.Fprintf(w, "    - %s\n", x)
			}
		}
		return
	}
	fmt.Fprintf(w, "  %s\n", r.Reason)
	if r.Channel != "" {
		fmt.Fprintf(w, "  channel     %s\n", r.Channel)
	}
	if r.Authority != "" {
		fmt.Fprintf(w, "  ask         %s\n", r.Authority)
	}
	if r.AuthorityNote != "" {
		fmt.Fprintf(w, "              (%s)\n", r.AuthorityNote)
	}
	if r.LocalTime != "" {
		duty := "duty hours not known"
		if r.OnDuty != nil {
			duty = "off duty now"
			if *r.OnDuty {
				duty = "on duty now"
			}
		}
		fmt.Fprintf(w, "  local time  %s (%s), %s\n", r.LocalTime, r.TimeZone, duty)
	}
	if r.LegalProfile != nil {
		lp := r.LegalProfile
		if lp.PreserveOnForeignRequest.Value != "" {
			fmt.Fprintf(w, "  preserves on a foreign request alone: %s (%s)\n", lp.PreserveOnForeignRequest.Value, lp.PreserveOnForeignRequest.Basis)
		}
		for _, rt := range lp.Retention {
			fmt.Fprintf(w, "  retention   %s: %s\n", rt.Data, rt.Period)
		}
	}
	fmt.Fprintln(w, "  Routing proposes; a person confirms before anything is sent.")
}

// PrintCredits prints the data sources, their licences and the credits
// they require.
func PrintCredits(w io.Writer, db *ipdb.DB, asJSON bool) error {
	var out []DataSource
	for _, l := range db.Layers() {
		out = append(out, sourceJSON(l.Source))
	}
	if asJSON {
		return WriteJSON(w, map[string]any{"sources": out})
	}
	fmt.Fprintln(w, "IP attribution data used by art35 (highest priority first):")
	for _, s := range out {
		fmt.Fprintf(w, "\n%s (%s), as of %s, licence %s\n", s.Label, s.Name, s.AsOf, s.Licence)
		if s.Credit != "" {
			fmt.Fprintf(w, "  %s\n", s.Credit)
		}
		if s.URL != "" {
			fmt.Fprintf(w, "  %s\n", s.URL)
		}
	}
	fmt.Fprintln(w, "\nIP Geolocation by DB-IP: https://db-ip.com")
	fmt.Fprintf(w, "\nNote: %s.\n", ipdb.Caveat)
	return nil
}

// Attribute describes the answer a of the attribution data for ip, with
// the connection's port and time when known (at zero when not).
func Attribute(ip netip.Addr, a ipdb.Answer, port int, at time.Time) Attribution {
	out := Attribution{
		IP: ip.WithZone("").Unmap().String(), Attributable: a.Attributable, Reason: a.Reason,
		Country: a.Country, ASN: a.ASN, Operator: a.Operator, Desk: a.Desk,
		Votes: a.Votes(), Disagreement: a.Disagreement(), Caveat: ipdb.Caveat, Port: port,
		Sources: []DataSource{},
	}
	if p := a.Prefix(); p.IsValid() {
		out.Prefix = p.String()
		first, last := a.Range()
		out.RangeFirst, out.RangeLast = first.String(), last.String()
	}
	for _, s := range a.Sources() {
		out.Sources = append(out.Sources, sourceJSON(s))
	}
	if !a.AsOf.IsZero() {
		out.AsOf = a.AsOf.Format(time.DateOnly)
	}
	if !at.IsZero() {
		out.Time = at.Format(time.RFC3339)
		if !a.AsOf.IsZero() && (at.Sub(a.AsOf) > staleAfter || a.AsOf.Sub(at) > staleAfter) {
			out.Notes = append(out.Notes, fmt.Sprintf("the connection time is more than 180 days from the data's date (%s): the address may have changed hands; check with the registry", out.AsOf))
		}
	}
	if a.Attributable && (port == 0 || at.IsZero()) {
		out.Notes = append(out.Notes, cgnatNote)
	}
	return out
}

// AddRoute names the country from snap and, with from (the requesting
// party) and an attributable country, adds the route a request of typ
// would take today.
func (out *Attribution) AddRoute(snap *directory.Snapshot, from string, typ request.Type, now time.Time) {
	if p, ok := snap.Party(out.Country); ok {
		out.CountryName = p.Name
	}
	if from != "" && out.Attributable && out.Country != "" {
		r := triage.RouteFor(snap, from, out.Country, typ, now)
		out.Route, out.RouteFrom, out.RouteType = &r, from, typ
	}
}
