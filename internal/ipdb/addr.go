package ipdb

import (
	"math/bits"
	"net/netip"
)

// u128 is an IPv6 address as a 128-bit unsigned integer, big-endian halves.
// Tables keep IPv6 keys this way so comparisons are two integer compares
// instead of byte-slice work.
type u128 struct{ hi, lo uint64 }

func u128From(a netip.Addr) u128 {
	b := a.As16()
	return u128{
		hi: uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
			uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7]),
		lo: uint64(b[8])<<56 | uint64(b[9])<<48 | uint64(b[10])<<40 | uint64(b[11])<<32 |
			uint64(b[12])<<24 | uint64(b[13])<<16 | uint64(b[14])<<8 | uint64(b[15]),
	}
}

func (u u128) addr() netip.Addr {
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(u.hi >> (56 - 8*i))
		b[8+i] = byte(u.lo >> (56 - 8*i))
	}
	return netip.AddrFrom16(b)
}

func (u u128) less(v u128) bool { return u.hi < v.hi || (u.hi == v.hi && u.lo < v.lo) }

// cmp orders u and v as cmp.Compare does.
func (u u128) cmp(v u128) int {
	switch {
	case u.less(v):
		return -1
	case v.less(u):
		return 1
	}
	return 0
}

func (u u128) lessEq(v u128) bool { return !v.less(u) }

func (u u128) add(v u128) u128 {
	lo, c := bits.Add64(u.lo, v.lo, 0)
	hi, _ := bits.Add64(u.hi, v.hi, c)
	return u128{hi, lo}
}

func (u u128) sub(v u128) u128 {
	lo, b := bits.Sub64(u.lo, v.lo, 0)
	hi, _ := bits.Sub64(u.hi, v.hi, b)
	return u128{hi, lo}
}

func (u u128) isMax() bool { return u.hi == ^uint64(0) && u.lo == ^uint64(0) }

// mask returns the network mask of a /p prefix.
func mask128(p int) u128 {
	switch {
	case p <= 0:
		return u128{}
	case p < 64:
		return u128{hi: ^uint64(0) << (64 - p)}
	case p == 64:
		return u128{hi: ^uint64(0)}
	case p < 128:
		return u128{hi: ^uint64(0), lo: ^uint64(0) << (128 - p)}
	}
	return u128{^uint64(0), ^uint64(0)}
}

func v4key(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func v4addr(k uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)})
}

// prefix4 returns the largest prefix that contains a and lies inside
// [first, last]: the network an answer can honestly name for a, since the
// source vouches for the whole range but a range need not be a CIDR block.
func prefix4(a, first, last uint32) netip.Prefix {
	for p := 0; p <= 32; p++ {
		m := uint32(0)
		if p > 0 {
			m = ^uint32(0) << (32 - p)
		}
		s := a & m
		if s >= first && s|^m <= last {
			return netip.PrefixFrom(v4addr(s), p)
		}
	}
	return netip.PrefixFrom(v4addr(a), 32)
}

// prefix6 is prefix4 for IPv6.
func prefix6(a, first, last u128) netip.Prefix {
	for p := 0; p <= 128; p++ {
		m := mask128(p)
		s := u128{a.hi & m.hi, a.lo & m.lo}
		e := u128{s.hi | ^m.hi, s.lo | ^m.lo}
		if first.lessEq(s) && e.lessEq(last) {
			return netip.PrefixFrom(s.addr(), p)
		}
	}
	return netip.PrefixFrom(a.addr(), 128)
}
