package ipdb

import "slices"

// flat4 is all layers of a DB merged into one partition of the IPv4 space:
// segment i covers start[i] up to start[i+1]-1 and recs[i*L+l] is layer
// l's record id + 1 there (0: layer l does not cover it). One search then
// answers for every layer at once; with three layers of 100,000 to
// 400,000 ranges this halves the cache misses of a lookup (the 100 ns
// target of BenchmarkLookup is not met with one search per layer).
type flat4 struct {
	start []uint32
	idx   []uint32 // idx[b] = first i with start[i]>>16 >= b; len 65537
	recs  []uint32
}

type flat6 struct {
	start []u128
	idx   []uint32 // on the top 16 bits, like flat4
	recs  []uint32
}

func bucketIndex(n int, top func(i int) int) []uint32 {
	idx := make([]uint32, 65537)
	i := 0
	for b := 0; b <= 65536; b++ {
		for i < n && top(i) < b {
			i++
		}
		idx[b] = uint32(i)
	}
	return idx
}

func flatten4(layers []*Layer) flat4 {
	L := len(layers)
	cur := make([]int, L)
	tuple := make([]uint32, L)
	var f flat4
	for p := uint64(0); p <= 0xffffffff; {
		next := uint64(1 << 32)
		for li, l := range layers {
			t := &l.v4
			c := cur[li]
			for c < len(t.start) && uint64(t.end[c]) < p {
				c++
			}
			cur[li] = c
			tuple[li] = 0
			if c < len(t.start) {
				if s := uint64(t.start[c]); s <= p {
					tuple[li] = t.rec[c] + 1
					next = min(next, uint64(t.end[c])+1)
				} else {
					next = min(next, s)
				}
			}
		}
		if n := len(f.start); n == 0 || !slices.Equal(f.recs[(n-1)*L:], tuple) {
			f.start = append(f.start, uint32(p))
			f.recs = append(f.recs, tuple...)
		}
		p = next
	}
	f.start = slices.Clip(f.start)
	f.recs = slices.Clip(f.recs)
	f.idx = bucketIndex(len(f.start), func(i int) int { return int(f.start[i] >> 16) })
	return f
}

func flatten6(layers []*Layer) flat6 {
	L := len(layers)
	cur := make([]int, L)
	tuple := make([]uint32, L)
	var f flat6
	one := u128{lo: 1}
	for p, done := (u128{}), false; !done; {
		next, nextEnd := u128{}, true // nextEnd: no boundary left, the segment runs to the last address
		for li, l := range layers {
			t := &l.v6
			c := cur[li]
			for c < len(t.start) && t.end[c].less(p) {
				c++
			}
			cur[li] = c
			tuple[li] = 0
			if c < len(t.start) {
				var b u128
				var bEnd bool
				if s := t.start[c]; s.lessEq(p) {
					tuple[li] = t.rec[c] + 1
					if t.end[c].isMax() {
						bEnd = true
					} else {
						b = t.end[c].add(one)
					}
				} else {
					b = s
				}
				if !bEnd && (nextEnd || b.less(next)) {
					next, nextEnd = b, false
				}
			}
		}
		if n := len(f.start); n == 0 || !slices.Equal(f.recs[(n-1)*L:], tuple) {
			f.start = append(f.start, p)
			f.recs = append(f.recs, tuple...)
		}
		p, done = next, nextEnd
	}
	f.start = slices.Clip(f.start)
	f.recs = slices.Clip(f.recs)
	f.idx = bucketIndex(len(f.start), func(i int) int { return int(f.start[i].hi >> 48) })
	return f
}

// seg4 returns the segment containing a; there always is one because
// segments partition the whole space.
func (f *flat4) seg(a uint32) int {
	b := a >> 16
	lo, hi := int(f.idx[b]), int(f.idx[b+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if f.start[m] <= a {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

func (f *flat6) seg(a u128) int {
	b := a.hi >> 48
	lo, hi := int(f.idx[b]), int(f.idx[b+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if f.start[m].lessEq(a) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}
