package ipdb

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/art35/art35/internal/apperr"
)

// table4 is a sorted list of non-overlapping IPv4 ranges. A lookup is a
// binary search narrowed by a 65,536-entry index on the top 16 bits, so it
// touches a handful of cache lines instead of the 19 a plain search of
// 400,000 ranges needs (measured in BenchmarkLookup).
type table4 struct {
	start, end, rec []uint32
	idx             []uint32 // idx[b] = first i with start[i]>>16 >= b; len 65537
}

func (t *table4) buildIndex() {
	t.idx = make([]uint32, 65537)
	i := 0
	for b := 0; b <= 65536; b++ {
		for i < len(t.start) && int(t.start[i]>>16) < b {
			i++
		}
		t.idx[b] = uint32(i)
	}
}

// find returns the index of the range containing a, or -1.
func (t *table4) find(a uint32) int {
	if len(t.start) == 0 {
		return -1
	}
	b := a >> 16
	lo, hi := int(t.idx[b]), int(t.idx[b+1])
	// Last i in [lo, hi) with start[i] <= a; if none, the range before lo
	// may still reach into this bucket.
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.start[m] <= a {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i := lo - 1
	if i < 0 || t.end[i] < a {
		return -1
	}
	return i
}

// table6 is table4 for IPv6, without the bucket index: IPv6 allocations
// cluster under 2000::/3, so a top-bits index would not narrow the search.
type table6 struct {
	start, end []u128
	rec        []uint32
}

func (t *table6) find(a u128) int {
	lo, hi := 0, len(t.start)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.start[m].lessEq(a) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i := lo - 1
	if i < 0 || t.end[i].less(a) {
		return -1
	}
	return i
}

// Record is what a source says about a range. Country-only sources fill
// Country; ASN sources fill ASN and Operator; a national overlay fills
// Operator and Desk (the operator's law-enforcement desk) and may fill
// Country.
type Record struct {
	Country  string // ISO 3166-1 alpha-2, upper case; "" if the source does not say
	ASN      uint32 // 0 if unknown
	Operator string
	Desk     string
}

// Layer is one source's ranges for both address families.
type Layer struct {
	Source  Source
	Records []Record
	v4      table4
	v6      table6
}

// Len returns the number of IPv4 and IPv6 ranges in the layer.
func (l *Layer) Len() (v4, v6 int) { return len(l.v4.start), len(l.v6.start) }

// Range is one address range of a layer, for listing and exporting.
type Range struct {
	First, Last netip.Addr
	Record      Record
}

// Ranges calls fn for every range of the layer, IPv4 first, in address
// order, and stops when fn returns false.
func (l *Layer) Ranges(fn func(Range) bool) {
	for i := range l.v4.start {
		if !fn(Range{v4addr(l.v4.start[i]), v4addr(l.v4.end[i]), l.Records[l.v4.rec[i]]}) {
			return
		}
	}
	for i := range l.v6.start {
		if !fn(Range{l.v6.start[i].addr(), l.v6.end[i].addr(), l.Records[l.v6.rec[i]]}) {
			return
		}
	}
}

// BuildStats counts what a builder did with questionable input.
type BuildStats struct {
	Added    int // ranges accepted by Add
	Merged   int // adjacent ranges with the same record joined into one
	Overlaps int // ranges cut or dropped because an earlier range covered them
}

// Builder collects ranges of one source and builds a Layer. Overlapping
// input is not an error (published files do contain a few): the range that
// starts first keeps the overlapping part, and the overlap is counted so
// an importer can report it.
type Builder struct {
	src   Source
	recs  []Record
	recID map[Record]uint32
	r4    []r4
	r6    []r6
	stats BuildStats
}

type r4 struct{ s, e, rec uint32 }
type r6 struct {
	s, e u128
	rec  uint32
}

// NewBuilder starts a layer for src.
func NewBuilder(src Source) *Builder {
	return &Builder{src: src, recID: map[Record]uint32{}}
}

// Add adds the inclusive range first..last with rec. IPv4-mapped IPv6
// addresses are treated as IPv4; zones are dropped.
func (b *Builder) Add(first, last netip.Addr, rec Record) error {
	first, last = first.Unmap().WithZone(""), last.Unmap().WithZone("")
	if !first.IsValid() || !last.IsValid() {
		return apperr.Errorf(apperr.EInvalid, "range: first and last must be IP addresses")
	}
	if first.Is4() != last.Is4() {
		return apperr.Errorf(apperr.EInvalid, "range %s-%s: first and last must be the same address family", first, last)
	}
	if last.Less(first) {
		return apperr.Errorf(apperr.EInvalid, "range %s-%s: last is before first; swap them", first, last)
	}
	id, ok := b.recID[rec]
	if !ok {
		id = uint32(len(b.recs))
		b.recs = append(b.recs, rec)
		b.recID[rec] = id
	}
	if first.Is4() {
		b.r4 = append(b.r4, r4{v4key(first), v4key(last), id})
	} else {
		b.r6 = append(b.r6, r6{u128From(first), u128From(last), id})
	}
	b.stats.Added++
	return nil
}

// AddPrefix adds every address of p with rec.
func (b *Builder) AddPrefix(p netip.Prefix, rec Record) error {
	if !p.IsValid() {
		return apperr.Errorf(apperr.EInvalid, "prefix is not valid")
	}
	p = p.Masked()
	a := p.Addr()
	if a.Is4() {
		k := v4key(a)
		m := uint32(0)
		if p.Bits() > 0 {
			m = ^uint32(0) << (32 - p.Bits())
		}
		return b.Add(a, v4addr(k|^m), rec)
	}
	u := u128From(a)
	m := mask128(p.Bits())
	return b.Add(a, u128{u.hi | ^m.hi, u.lo | ^m.lo}.addr(), rec)
}

// Build sorts, de-overlaps and compacts the ranges and returns the layer.
func (b *Builder) Build() (*Layer, BuildStats) {
	l := &Layer{Source: b.src, Records: b.recs}
	slices.SortStableFunc(b.r4, func(x, y r4) int { return cmp.Compare(x.s, y.s) })
	out4 := b.r4[:0]
	for _, r := range b.r4 {
		if n := len(out4); n > 0 {
			p := &out4[n-1]
			if r.s <= p.e { // overlap with the previous range
				b.stats.Overlaps++
				if r.e <= p.e {
					continue
				}
				r.s = p.e + 1
			}
			if p.rec == r.rec && p.e+1 == r.s {
				p.e = r.e
				b.stats.Merged++
				continue
			}
		}
		out4 = append(out4, r)
	}
	l.v4.start = make([]uint32, len(out4))
	l.v4.end = make([]uint32, len(out4))
	l.v4.rec = make([]uint32, len(out4))
	for i, r := range out4 {
		l.v4.start[i], l.v4.end[i], l.v4.rec[i] = r.s, r.e, r.rec
	}
	l.v4.buildIndex()

	slices.SortStableFunc(b.r6, func(x, y r6) int {
		if x.s.less(y.s) {
			return -1
		}
		if y.s.less(x.s) {
			return 1
		}
		return 0
	})
	out6 := b.r6[:0]
	for _, r := range b.r6 {
		if n := len(out6); n > 0 {
			p := &out6[n-1]
			if r.s.lessEq(p.e) {
				b.stats.Overlaps++
				if r.e.lessEq(p.e) {
					continue
				}
				r.s = p.e.add(u128{lo: 1})
			}
			if p.rec == r.rec && !p.e.isMax() && p.e.add(u128{lo: 1}) == r.s {
				p.e = r.e
				b.stats.Merged++
				continue
			}
		}
		out6 = append(out6, r)
	}
	l.v6.start = make([]u128, len(out6))
	l.v6.end = make([]u128, len(out6))
	l.v6.rec = make([]uint32, len(out6))
	for i, r := range out6 {
		l.v6.start[i], l.v6.end[i], l.v6.rec[i] = r.s, r.e, r.rec
	}
	b.r4, b.r6 = nil, nil
	return l, b.stats
}
