package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
)

var attributeCmd = &command{
	name:  "attribute",
	short: "who is behind an IP address: country, network, ASN, operator, and the route to ask",
	usage: "attribute IP [--port N] [--time T] [--from CC] [--type TYPE] [--json] [--data DIR] | attribute --sources",
	long: `Attribute IP from offline data: country of registration, network (the largest
CIDR block within the source's range), ASN, operator, the data's as-of date and
the sources. When the country sources disagree, both answers are shown.
Private, loopback, carrier-grade NAT, documentation, multicast and reserved
addresses are answered "not attributable" with the reason.

With --from CC (default: the node's party), also the route: whether a legal
instrument allows a request of --type (default preserve) from CC to that
country, the point of contact to ask, its local time and whether it is on
duty, its legal profile; or "no route" with the reason and what remains. The
directory is the one shipped with art35, or a signed snapshot given with
--snapshot FILE --pubkey KEY.

--port and --time (RFC 3339 with a zone, e.g. 2026-11-20T14:02:07Z) are the
identifiers a request needs behind carrier-grade NAT; a time without a zone
is refused, not guessed. --sources prints the data credits the licences
require. Attribution and routing propose; a person confirms.`,
}

// attributeJSON is the JSON answer of "attribute".
type attributeJSON struct {
	IP           string            `json:"ip"`
	Attributable bool              `json:"attributable"`
	Reason       string            `json:"reason,omitempty"`
	Country      string            `json:"country"`
	CountryName  string            `json:"country_name,omitempty"`
	ASN          uint32            `json:"asn"`
	Operator     string            `json:"operator"`
	Desk         string            `json:"desk,omitempty"`
	Prefix       string            `json:"prefix"`
	RangeFirst   string            `json:"range_first,omitempty"`
	RangeLast    string            `json:"range_last,omitempty"`
	Votes        []ipdb.Vote       `json:"countries_by_source,omitempty"`
	Disagreement string            `json:"disagreement,omitempty"`
	Sources      []attributeSource `json:"sources"`
	AsOf         string            `json:"as_of,omitempty"`
	Port         int               `json:"port,omitempty"`
	Time         string            `json:"time,omitempty"`
	Caveat       string            `json:"caveat"`
	Notes        []string          `json:"notes,omitempty"`
	Route        *triage.Route     `json:"route,omitempty"`
	RouteFrom    string            `json:"route_from,omitempty"`
	RouteType    request.Type      `json:"route_type,omitempty"`
}

type attributeSource struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	AsOf    string `json:"as_of,omitempty"`
	Licence string `json:"licence,omitempty"`
	Credit  string `json:"credit,omitempty"`
	URL     string `json:"url,omitempty"`
}

func sourceJSON(s ipdb.Source) attributeSource {
	a := attributeSource{Name: s.Name, Label: s.Label, Licence: s.Licence, Credit: s.Credit, URL: s.URL}
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

func runAttribute(ctx context.Context, e *env, args []string) error {
	c := attributeCmd
	fs := newFlagSet(e, c, "")
	dataDir := dataDirFlag(e, fs)
	port := fs.Int("port", 0, "source port of the connection (1-65535)")
	timeFlag := fs.String("time", "", "UTC time of the connection, RFC 3339 with a zone, e.g. 2026-11-20T14:02:07Z")
	from := fs.String("from", "", "requesting party (ISO 3166-1 alpha-2), to decide the route (default: the node's party)")
	typ := fs.String("type", string(request.TypePreserve), "request type the route is decided for")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	sources := fs.Bool("sources", false, "print the data sources, their licences and the credits they require")
	var ds dirSource // --snapshot/--pubkey: decide routes against a signed directory
	ds.bind(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *sources && len(pos) == 0 {
		db, err := openIPDB(*dataDir)
		if err != nil {
			return err
		}
		return printCredits(e, db, *asJSON)
	}
	if len(pos) != 1 {
		return usagef("attribute needs exactly one IP address, e.g. art35 attribute 121.16.109.40")
	}
	ip, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(pos[0]), "[]"))
	if err != nil {
		return usagef("%q is not an IP address; give an IPv4 (192.0.2.1) or IPv6 (2001:db8::1) address", pos[0])
	}
	if *port < 0 || *port > 65535 {
		return usagef("--port %d is out of range; a port is 1-65535", *port)
	}
	var at time.Time
	if *timeFlag != "" {
		at, err = parseZonedTime(*timeFlag)
		if err != nil {
			return err
		}
	}
	if !request.Type(*typ).Valid() {
		return usagef("--type %q is not a request type; e.g. preserve, emergency-disclosure, subscriber-direct", *typ)
	}
	db, err := openIPDB(*dataDir)
	if err != nil {
		return err
	}
	a := db.Lookup(ip)
	out := attributeJSON{
		IP: ip.WithZone("").Unmap().String(), Attributable: a.Attributable, Reason: a.Reason,
		Country: a.Country, ASN: a.ASN, Operator: a.Operator, Desk: a.Desk,
		Votes: a.Votes(), Disagreement: a.Disagreement(), Caveat: ipdb.Caveat, Port: *port,
		Sources: []attributeSource{},
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
	if a.Attributable && (*port == 0 || at.IsZero()) {
		out.Notes = append(out.Notes, cgnatNote)
	}
	snap, _, err := ds.load(e)
	if err != nil {
		return err
	}
	if p, ok := snap.Party(a.Country); ok {
		out.CountryName = p.Name
	}
	fromCC := strings.ToUpper(strings.TrimSpace(*from))
	if fromCC == "" {
		fromCC = defaultFrom(e, *dataDir)
	}
	if fromCC != "" && a.Attributable && a.Country != "" {
		r := triage.RouteFor(snap, fromCC, a.Country, request.Type(*typ), e.clock.Now())
		out.Route, out.RouteFrom, out.RouteType = &r, fromCC, request.Type(*typ)
	}
	if *asJSON {
		return writeJSON(e, out)
	}
	printAttribution(e.stdout, out)
	if *sources {
		fmt.Fprintln(e.stdout)
		return printCredits(e, db, false)
	}
	return nil
}

// parseZonedTime parses an RFC 3339 time and refuses one without a zone
// with a message that says so (SPEC section 5: a time without a zone is an
// error, not a guess).
func parseZonedTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(s)); err == nil {
		return t.UTC(), nil
	}
	for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04"} {
		if _, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return time.Time{}, usagef("--time %q has no time zone; art35 does not guess one: add Z for UTC or an offset, e.g. %sZ", s, strings.Replace(strings.TrimSpace(s), " ", "T", 1))
		}
	}
	return time.Time{}, usagef("--time %q is not an RFC 3339 time; write e.g. 2026-11-20T14:02:07Z", s)
}

func printAttribution(w io.Writer, a attributeJSON) {
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

func printCredits(e *env, db *ipdb.DB, asJSON bool) error {
	var out []attributeSource
	for _, l := range db.Layers() {
		out = append(out, sourceJSON(l.Source))
	}
	if asJSON {
		return writeJSON(e, map[string]any{"sources": out})
	}
	fmt.Fprintln(e.stdout, "IP attribution data used by art35 (highest priority first):")
	for _, s := range out {
		fmt.Fprintf(e.stdout, "\n%s (%s), as of %s, licence %s\n", s.Label, s.Name, s.AsOf, s.Licence)
		if s.Credit != "" {
			fmt.Fprintf(e.stdout, "  %s\n", s.Credit)
		}
		if s.URL != "" {
			fmt.Fprintf(e.stdout, "  %s\n", s.URL)
		}
	}
	fmt.Fprintln(e.stdout, "\nIP Geolocation by DB-IP: https://db-ip.com")
	fmt.Fprintf(e.stdout, "\nNote: %s.\n", ipdb.Caveat)
	return nil
}
