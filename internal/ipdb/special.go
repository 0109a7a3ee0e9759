package ipdb

import "net/netip"

// special is an address block that no registry attributes to a country or
// operator, with the reason shown to the user. Sources: IANA IPv4 and IPv6
// Special-Purpose Address Registries (RFC 6890 and updates), RFC 6598
// (shared address space for carrier-grade NAT), RFC 9637 (3fff::/20).
type special struct {
	p      netip.Prefix
	reason string
}

var specials4 = []special{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\" address (RFC 791): never a real source"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private address (RFC 1918): ask the network that logged it, not a registry"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT shared address (RFC 6598): only the operator that logged it, with port and time, can tell the subscriber"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback address (RFC 1122): the machine itself"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local address (RFC 3927): never leaves the local link"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private address (RFC 1918): ask the network that logged it, not a registry"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment (RFC 6890): not a host on the internet"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation address TEST-NET-1 (RFC 5737): appears only in examples"},
	{netip.MustParsePrefix("192.88.99.0/24"), "deprecated 6to4 relay anycast (RFC 7526): no single operator"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private address (RFC 1918): ask the network that logged it, not a registry"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking address (RFC 2544): test networks only"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation address TEST-NET-2 (RFC 5737): appears only in examples"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation address TEST-NET-3 (RFC 5737): appears only in examples"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast address (RFC 5771): a group, never a single source"},
	{netip.MustParsePrefix("255.255.255.255/32"), "limited broadcast address (RFC 919)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved address block (RFC 1112): not allocated to anyone"},
}

var specials6 = []special{
	{netip.MustParsePrefix("::/128"), "unspecified address (RFC 4291): never a real source"},
	{netip.MustParsePrefix("::1/128"), "loopback address (RFC 4291): the machine itself"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64 well-known prefix (RFC 6052): the IPv4 address in its last 32 bits is the real peer; attribute that"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64 prefix (RFC 8215): ask the network that logged it"},
	{netip.MustParsePrefix("100::/64"), "discard-only address block (RFC 6666): not a host"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation address (RFC 3849): appears only in examples"},
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking address (RFC 5180): test networks only"},
	{netip.MustParsePrefix("2001:10::/28"), "ORCHID address (RFC 4843): not routable"},
	{netip.MustParsePrefix("2001:20::/28"), "ORCHIDv2 address (RFC 7343): not routable"},
	{netip.MustParsePrefix("3fff::/20"), "documentation address (RFC 9637): appears only in examples"},
	{netip.MustParsePrefix("fc00::/7"), "unique local address (RFC 4193): private, ask the network that logged it"},
	{netip.MustParsePrefix("fe80::/10"), "link-local address (RFC 4291): never leaves the local link"},
	{netip.MustParsePrefix("fec0::/10"), "deprecated site-local address (RFC 3879): private"},
	{netip.MustParsePrefix("ff00::/8"), "multicast address (RFC 4291): a group, never a single source"},
}

// special4Byte[o] lists the IPv4 specials whose first octet is o, so the
// common case (a public address) costs one array read.
var special4Byte [256][]special

func init() {
	for _, s := range specials4 {
		first := int(s.p.Addr().As4()[0])
		n := 1
		if s.p.Bits() < 8 {
			n = 1 << (8 - s.p.Bits())
		}
		for o := first; o < first+n && o < 256; o++ {
			special4Byte[o] = append(special4Byte[o], s)
		}
	}
}

// SpecialReason returns why a is not attributable to a country or
// operator (private, loopback, carrier-grade NAT, documentation, ...), or
// "" for an ordinary public address. a must be unmapped (plain IPv4 for
// IPv4-mapped IPv6).
func SpecialReason(a netip.Addr) string {
	a = a.WithZone("")
	if a.Is4() {
		for _, s := range special4Byte[a.As4()[0]] {
			if s.p.Contains(a) {
				return s.reason
			}
		}
		return ""
	}
	if !a.Is6() {
		return "not an IP address"
	}
	if b := a.As16()[0]; b >= 0x20 && b <= 0x3f && b != 0x20 && b != 0x3f {
		return "" // global unicast outside the 2001: and 3fff: blocks with specials
	}
	for _, s := range specials6 {
		if s.p.Contains(a) {
			return s.reason
		}
	}
	if b := a.As16()[0]; b < 0x20 || b >= 0x40 && b < 0xfc {
		return "reserved IPv6 address outside the global unicast block 2000::/3 (RFC 4291)"
	}
	return ""
}
