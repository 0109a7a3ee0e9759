package ipdb

import (
	"cmp"
	"math"
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

// span is an inclusive address range with its record id as the Builder
// collects them; A is uint32 for IPv4 and u128 for IPv6.
type span[A comparable] struct {
	s, e A
	rec  uint32
}

type (
	r4 = span[uint32]
	r6 = span[u128]
)

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
	out4 := compactSpans(b.r4, cmp.Compare[uint32], func(a uint32) (uint32, bool) { return a + 1, a != math.MaxUint32 }, &b.stats)
	l.v4.start, l.v4.end, l.v4.rec = spanColumns(out4)
	l.v4.buildIndex()
	out6 := compactSpans(b.r6, u128.cmp, func(a u128) (u128, bool) { return a.add(u128{lo: 1}), !a.isMax() }, &b.stats)
	l.v6.start, l.v6.end, l.v6.rec = spanColumns(out6)
	b.r4, b.r6 = nil, nil
	return l, b.stats
}

// compactSpans sorts rs by start, trims each overlap in favour of the range
// that starts first (counting it in st), and joins neighbours that carry the
// same record (counting those too). It reuses rs. compare orders addresses;
// succ gives the next address, false for the last one of the family.
func compactSpans[A comparable](rs []span[A], compare func(a, b A) int, succ func(A) (A, bool), st *BuildStats) []span[A] {
	slices.SortStableFunc(rs, func(x, y span[A]) int { return compare(x.s, y.s) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 {
			p := &out[n-1]
			if compare(r.s, p.e) <= 0 { // overlap with the previous range
				st.Overlaps++
				if compare(r.e, p.e) <= 0 {
					continue
				}
				r.s, _ = succ(p.e) // p.e is below r.e, so not the last address
			}
			if next, ok := succ(p.e); ok && p.rec == r.rec && next == r.s {
				p.e = r.e
				st.Merged++
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// spanColumns splits spans into the start, end and record columns of a
// layer's table.
func spanColumns[A comparable](spans []span[A]) (start, end []A, rec []uint32) {
	start, end, rec = make([]A, len(spans)), make([]A, len(spans)), make([]uint32, len(spans))
	for i, r := range spans {
		start[i], end[i], rec[i] = r.s, r.e, r.rec
	}
	return start, end, rec
}
