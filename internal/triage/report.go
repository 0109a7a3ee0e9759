// Package triage turns logs of any size into "who do we ask": it streams
// access logs, CSV, JSON lines or plain address lists (gzip read
// transparently), finds the client address and time on each line,
// aggregates by unique address (so memory follows the number of distinct
// addresses, not the size of the log), attributes each address once with
// ipdb, groups by country and operator, decides for each country whether a
// legal route exists (internal/route), and drafts one preservation request
// per country that can be asked. Countries that cannot be asked are listed
// apart with the reason and what remains (SPEC section 9, story 3).
package triage

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/request"
)

// Options for Summarize.
type Options struct {
	From      string              // requesting party (ISO code); "" decides no routes
	Type      request.Type        // request type routes are decided for; default preserve
	Now       time.Time           // when the routes are decided (and duty hours checked)
	Directory *directory.Snapshot // needed when From is set
	// Addresses keeps every address per country in the report (for draft
	// requests); off, the report holds counts only.
	Addresses bool
}

// Report is the triage answer. Its JSON form is the shape issue 5 asks
// for: lines, unattributable, countries (with operators and route) and
// no_route.
type Report struct {
	Lines          int64          `json:"lines"`
	Unattributable int64          `json:"unattributable"` // lines whose address no source attributes (private, CGNAT, unallocated, ...)
	UniqueIPs      int            `json:"unique_ips"`
	From           string         `json:"from,omitempty"`
	Countries      []Country      `json:"countries"`
	NoRoute        []NoRoute      `json:"no_route"`
	Unattributed   []Unattributed `json:"unattributable_by_reason"`
	Input          Stats          `json:"input"`
	Caveat         string         `json:"caveat"`
	DataAsOf       string         `json:"data_as_of,omitempty"` // oldest as-of date of the IP data used
}

// Country is one country's share of the log.
type Country struct {
	Country       string         `json:"country"`
	Name          string         `json:"name,omitempty"`
	Events        int64          `json:"events"`
	UniqueIPs     int            `json:"unique_ips"`
	FirstSeen     string         `json:"first_seen,omitempty"` // RFC 3339, UTC
	LastSeen      string         `json:"last_seen,omitempty"`
	Disagreements []Disagreement `json:"disagreements,omitempty"`
	Operators     []Operator     `json:"operators"`
	Route         *Route         `json:"route,omitempty"`

	ips []IPRow // for draft requests, by events descending
}

// IPRow is one address of a country with its counts.
type IPRow struct {
	IP       netip.Addr
	Operator string
	ASN      uint32
	Stat     AddrStat
}

// IPs returns the country's addresses, most active first (only when
// Options.Addresses was set).
func (c *Country) IPs() []IPRow { return c.ips }

// Disagreement counts addresses for which the country sources differ.
type Disagreement struct {
	Sources   string `json:"sources"` // "sources disagree: NRO says CN, IPFire says HK"
	UniqueIPs int    `json:"unique_ips"`
}

// Operator is one network operator's share of a country.
type Operator struct {
	ASN       uint32 `json:"asn,omitempty"`
	Operator  string `json:"operator"`
	Desk      string `json:"desk,omitempty"` // law-enforcement desk from a national overlay
	Events    int64  `json:"events"`
	UniqueIPs int    `json:"unique_ips"`
	FirstSeen string `json:"first_seen,omitempty"`
	LastSeen  string `json:"last_seen,omitempty"`
}

// NoRoute is a country that cannot be asked, with the reason.
type NoRoute struct {
	Country   string   `json:"country"`
	Name      string   `json:"name,omitempty"`
	Events    int64    `json:"events"`
	UniqueIPs int      `json:"unique_ips"`
	Reason    string   `json:"reason"`
	Remains   []string `json:"remains,omitempty"`
}

// Unattributed counts addresses that cannot be attributed, by reason.
type Unattributed struct {
	Reason    string `json:"reason"`
	Events    int64  `json:"events"`
	UniqueIPs int    `json:"unique_ips"`
}

type span struct {
	first, last int64
	timed       bool
}

func (s *span) add(a *AddrStat) {
	if !a.Timed {
		return
	}
	if !s.timed || a.First < s.first {
		s.first = a.First
	}
	if !s.timed || a.Last > s.last {
		s.last = a.Last
	}
	s.timed = true
}

func (s span) strings() (string, string) {
	if !s.timed {
		return "", ""
	}
	return time.Unix(s.first, 0).UTC().Format(time.RFC3339), time.Unix(s.last, 0).UTC().Format(time.RFC3339)
}

// Summarize attributes every unique address of res with db and builds the
// report.
func Summarize(res *Result, db *ipdb.DB, o Options) Report {
	if o.Type == "" {
		o.Type = request.TypePreserve
	}
	db.Index() // one search per address instead of one per layer
	rep := Report{Lines: res.Stats.Lines, UniqueIPs: res.Len(), From: o.From, Input: res.Stats, Caveat: ipdb.Caveat}
	type opAcc struct {
		op Operator
		sp span
	}
	type countryAcc struct {
		c     Country
		sp    span
		ops   map[uint64]*opAcc
		disag map[string]int
	}
	countries := map[string]*countryAcc{}
	unattr := map[string]*Unattributed{}
	var asOf time.Time
	res.Each(func(ip netip.Addr, st *AddrStat) {
		a := db.Lookup(ip)
		if !a.Attributable || a.Country == "" {
			reason := a.Reason
			if reason == "" {
				reason = "sources name an operator but no country"
			}
			u := unattr[reason]
			if u == nil {
				u = &Unattributed{Reason: reason}
				unattr[reason] = u
			}
			u.Events += st.Lines
			u.UniqueIPs++
			rep.Unattributable += st.Lines
			return
		}
		if !a.AsOf.IsZero() && (asOf.IsZero() || a.AsOf.Before(asOf)) {
			asOf = a.AsOf
		}
		ca := countries[a.Country]
		if ca == nil {
			ca = &countryAcc{c: Country{Country: a.Country}, ops: map[uint64]*opAcc{}, disag: map[string]int{}}
			countries[a.Country] = ca
		}
		ca.c.Events += st.Lines
		ca.c.UniqueIPs++
		ca.sp.add(st)
		if d := a.Disagreement(); d != "" {
			ca.disag[d]++
		}
		k := a.OperatorID() // an integer key: hashing operator names showed in profiles
		op := ca.ops[k]
		if op == nil {
			name := a.Operator
			if name == "" {
				name = "(operator not known)"
			}
			op = &opAcc{op: Operator{ASN: a.ASN, Operator: name, Desk: a.Desk}}
			ca.ops[k] = op
		}
		op.op.Events += st.Lines
		op.op.UniqueIPs++
		op.sp.add(st)
		if o.Addresses {
			ca.c.ips = append(ca.c.ips, IPRow{IP: ip, Operator: a.Operator, ASN: a.ASN, Stat: *st})
		}
	})
	if !asOf.IsZero() {
		rep.DataAsOf = asOf.Format(time.DateOnly)
	}
	for _, ca := range countries {
		c := ca.c
		c.FirstSeen, c.LastSeen = ca.sp.strings()
		for _, op := range ca.ops {
			op.op.FirstSeen, op.op.LastSeen = op.sp.strings()
			c.Operators = append(c.Operators, op.op)
		}
		slices.SortFunc(c.Operators, func(x, y Operator) int {
			return cmp.Or(cmp.Compare(y.Events, x.Events), cmp.Compare(x.Operator, y.Operator), cmp.Compare(x.ASN, y.ASN))
		})
		for d, n := range ca.disag {
			c.Disagreements = append(c.Disagreements, Disagreement{Sources: d, UniqueIPs: n})
		}
		slices.SortFunc(c.Disagreements, func(x, y Disagreement) int {
			return cmp.Or(cmp.Compare(y.UniqueIPs, x.UniqueIPs), cmp.Compare(x.Sources, y.Sources))
		})
		slices.SortFunc(c.ips, func(x, y IPRow) int {
			return cmp.Or(cmp.Compare(y.Stat.Lines, x.Stat.Lines), x.IP.Compare(y.IP))
		})
		if o.Directory != nil {
			if p, ok := o.Directory.Party(c.Country); ok {
				c.Name = p.Name
			}
		}
		if o.From != "" && o.Directory != nil {
			r := RouteFor(o.Directory, o.From, c.Country, o.Type, o.Now)
			c.Route = &r
			if !r.Available {
				rep.NoRoute = append(rep.NoRoute, NoRoute{Country: c.Country, Name: c.Name, Events: c.Events, UniqueIPs: c.UniqueIPs, Reason: r.Reason, Remains: r.Remains})
			}
		}
		rep.Countries = append(rep.Countries, c)
	}
	slices.SortFunc(rep.Countries, func(x, y Country) int {
		return cmp.Or(cmp.Compare(y.Events, x.Events), cmp.Compare(x.Country, y.Country))
	})
	slices.SortFunc(rep.NoRoute, func(x, y NoRoute) int {
		return cmp.Or(cmp.Compare(y.Events, x.Events), cmp.Compare(x.Country, y.Country))
	})
	for _, u := range unattr {
		rep.Unattributed = append(rep.Unattributed, *u)
	}
	slices.SortFunc(rep.Unattributed, func(x, y Unattributed) int {
		return cmp.Or(cmp.Compare(y.Events, x.Events), cmp.Compare(x.Reason, y.Reason))
	})
	if rep.Countries == nil {
		rep.Countries = []Country{}
	}
	if rep.NoRoute == nil {
		rep.NoRoute = []NoRoute{}
	}
	return rep
}
