// Package ipdb answers, from offline data and in well under a microsecond,
// which country, network, autonomous system and operator an IP address is
// registered to, and says plainly when an address cannot be attributed
// (private, loopback, carrier-grade NAT, documentation, ...).
//
// A DB is a stack of layers, one per source (an RIR-based country file,
// an independent country file such as IPFire's, an ASN file, a national
// overlay of domestic operators and their law-enforcement desks). Each
// layer is a sorted table of non-overlapping ranges. A lookup asks every
// layer: the first country source that knows the address gives the
// country, the others are kept so that a disagreement is shown, never
// silently resolved; the first operator source (an overlay before an ASN
// file) gives the operator.
//
// The data answers "country of registration", not where a machine stands,
// and an ASN names the network, not the subscriber: Caveat says so and
// every user-facing answer must carry it.
package ipdb

import (
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Caveat is the sentence every attribution shown to a person carries.
const Caveat = "country of registration, not where the machine stands; the ASN names the network, not the subscriber"

// Source kinds: what a layer can answer.
const (
	KindCountry = "country" // country only (RIR statistics, IPFire, MaxMind country)
	KindASN     = "asn"     // ASN and operator name (RouteViews/DB-IP, MaxMind ASN)
	KindOverlay = "overlay" // national overlay: domestic operator and its law-enforcement desk; overrides operator data
)

// Source describes where a layer's data comes from and the credit its
// licence requires.
type Source struct {
	Name    string    // short stable id, e.g. "nro-country"; a re-import with the same name replaces the layer
	Label   string    // what the user reads, e.g. "NRO"
	Kind    string    // KindCountry, KindASN or KindOverlay
	AsOf    time.Time // date of the data (UTC midnight); zero if unknown
	Licence string    // e.g. "CC BY 4.0"
	Credit  string    // attribution text the licence requires
	URL     string    // link the credit should point to
}

// DB is a set of layers in priority order. It is read-only once built and
// safe for concurrent lookups.
type DB struct {
	layers  []*Layer
	records [][]Record // layers[i].Records, one pointer hop less per lookup
	asOf    []int64    // layers[i].Source.AsOf in Unix seconds, 0 if unknown

	indexOnce sync.Once
	indexed   atomic.Bool // f4 and f6 are built
	f4        flat4
	f6        flat6
}

// New returns a DB over the given layers, highest priority first. A
// lookup searches each layer in turn until Index is called.
func New(layers ...*Layer) *DB {
	db := &DB{layers: layers}
	for _, l := range layers {
		db.records = append(db.records, l.Records)
		var d int64
		if !l.Source.AsOf.IsZero() {
			d = l.Source.AsOf.Unix()
		}
		db.asOf = append(db.asOf, d)
	}
	return db
}

// Index merges the layers into one table per address family, so that a
// lookup is a single search answering for every layer at once: worth its
// cost (about 100 ms and 30 MB for the default snapshot) for bulk work
// such as triage, not for one attribution. It is safe to call more than
// once and concurrently with lookups, and returns db.
func (db *DB) Index() *DB {
	db.indexOnce.Do(func() {
		done := make(chan struct{})
		go func() { db.f6 = flatten6(db.layers); close(done) }()
		db.f4 = flatten4(db.layers)
		<-done
		db.indexed.Store(true)
	})
	return db
}

// Layers returns the layers in priority order.
func (db *DB) Layers() []*Layer { return db.layers }

// Vote is one country source's answer.
type Vote struct {
	Source  string `json:"source"` // the source's Label
	Country string `json:"country"`
}

// Answer is what the DB knows about one address. The zero value means
// "nothing known".
type Answer struct {
	IP           netip.Addr
	Attributable bool   // false for special addresses and for addresses no source covers
	Reason       string // why not attributable; empty when Attributable
	Country      string // from the highest-priority country source that covers IP
	ASN          uint32
	Operator     string
	Desk         string // law-enforcement desk of the operator, from a national overlay
	AsOf         time.Time

	db     *DB
	recs   []uint32 // per layer: record id + 1, 0 if the layer does not cover IP (shared with the DB, never written)
	netLay int      // layer whose range gives the prefix, -1 if none
	opLay  int      // layer that named the operator, -1 if none
}

// OperatorID returns a number that identifies the operator record behind
// the answer (0 if none): equal IDs mean the same source record, so bulk
// callers can group by it without hashing names.
func (a *Answer) OperatorID() uint64 {
	if a.opLay < 0 || a.opLay >= len(a.recs) {
		return 0
	}
	return uint64(a.opLay+1)<<32 | uint64(a.recs[a.opLay])
}

// Votes returns every country source's answer in priority order.
func (a *Answer) Votes() []Vote {
	var v []Vote
	for li, r := range a.recs {
		if r != 0 {
			l := a.db.layers[li]
			if c := l.Records[r-1].Country; c != "" {
				v = append(v, Vote{Source: l.Source.Label, Country: c})
			}
		}
	}
	return v
}

// Disagreement returns "sources disagree: NRO says X, IPFire says Y" when
// the country sources that cover the address do not agree, else "".
func (a *Answer) Disagreement() string {
	agree := true
	for li, r := range a.recs {
		if r != 0 {
			if c := a.db.layers[li].Records[r-1].Country; c != "" && c != a.Country {
				agree = false
			}
		}
	}
	if agree {
		return ""
	}
	v := a.Votes()
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = x.Source + " says " + x.Country
	}
	return "sources disagree: " + strings.Join(parts, ", ")
}

// Sources returns the layers that contributed to the answer.
func (a *Answer) Sources() []Source {
	var out []Source
	if a.db == nil {
		return nil
	}
	for li, r := range a.recs {
		if r != 0 {
			out = append(out, a.db.layers[li].Source)
		}
	}
	return out
}

// Prefix returns the largest CIDR block that contains the address and
// lies within the range of the source that named the network (overlay,
// else ASN source, else country source). It is invalid when no source
// covers the address.
func (a *Answer) Prefix() netip.Prefix {
	if a.db == nil || a.netLay < 0 {
		return netip.Prefix{}
	}
	l := a.db.layers[a.netLay]
	if a.IP.Is4() {
		i := l.v4.find(v4key(a.IP))
		return prefix4(v4key(a.IP), l.v4.start[i], l.v4.end[i])
	}
	i := l.v6.find(u128From(a.IP))
	return prefix6(u128From(a.IP), l.v6.start[i], l.v6.end[i])
}

// Range returns the first and last address of the range behind Prefix.
func (a *Answer) Range() (first, last netip.Addr) {
	if a.db == nil || a.netLay < 0 {
		return
	}
	l := a.db.layers[a.netLay]
	if a.IP.Is4() {
		i := l.v4.find(v4key(a.IP))
		return v4addr(l.v4.start[i]), v4addr(l.v4.end[i])
	}
	i := l.v6.find(u128From(a.IP))
	return l.v6.start[i].addr(), l.v6.end[i].addr()
}

// NotCovered is the reason given for a public address no source covers.
const NotCovered = "no source covers this address (unallocated, or allocated after the data's as-of date)"

// Lookup attributes ip. IPv4-mapped IPv6 addresses are looked up as IPv4
// and zones are ignored. On an indexed DB it does not allocate.
func (db *DB) Lookup(ip netip.Addr) Answer {
	ip = ip.Unmap()
	if ip.Zone() != "" {
		ip = ip.WithZone("")
	}
	ans := Answer{IP: ip, db: db, netLay: -1, opLay: -1}
	if !ip.IsValid() {
		ans.Reason = "not an IP address"
		return ans
	}
	if r := SpecialReason(ip); r != "" {
		ans.Reason = r
		return ans
	}
	L := len(db.layers)
	var recs []uint32
	switch {
	case db.indexed.Load() && ip.Is4():
		i := db.f4.seg(v4key(ip))
		recs = db.f4.recs[i*L : i*L+L]
	case db.indexed.Load():
		i := db.f6.seg(u128From(ip))
		recs = db.f6.recs[i*L : i*L+L]
	default: // not indexed: one search per layer
		recs = make([]uint32, L)
		for li, l := range db.layers {
			if ip.Is4() {
				if i := l.v4.find(v4key(ip)); i >= 0 {
					recs[li] = l.v4.rec[i] + 1
				}
			} else if i := l.v6.find(u128From(ip)); i >= 0 {
				recs[li] = l.v6.rec[i] + 1
			}
		}
	}
	countryLay, opLay, oldest := -1, -1, -1
	for li, r := range recs {
		if r == 0 {
			continue
		}
		rec := &db.records[li][r-1]
		// The oldest data behind an answer is the honest date.
		if d := db.asOf[li]; oldest < 0 || d != 0 && (db.asOf[oldest] == 0 || d < db.asOf[oldest]) {
			oldest = li // a layer without a date counts only when no other has one
		}
		if rec.Country != "" && ans.Country == "" {
			ans.Country = rec.Country
			countryLay = li
			if ans.netLay < 0 {
				ans.netLay = li
			}
		}
		if opLay < 0 && (rec.Operator != "" || rec.ASN != 0) {
			opLay = li
			ans.ASN, ans.Operator, ans.Desk = rec.ASN, rec.Operator, rec.Desk
			if ans.netLay < 0 || ans.netLay == countryLay {
				ans.netLay = li
			}
		} else if opLay >= 0 && ans.ASN == 0 && rec.ASN != 0 {
			ans.ASN = rec.ASN // an overlay may name the operator without its ASN
		}
	}
	ans.recs, ans.opLay = recs, opLay
	if oldest < 0 {
		ans.Reason = NotCovered
		return ans
	}
	ans.AsOf = db.layers[oldest].Source.AsOf
	ans.Attributable = true
	return ans
}
