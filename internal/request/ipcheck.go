package request

import (
	"fmt"
	"net/netip"
)

// specialRange is an address block that identifies nobody on the public
// internet, with the reason a person can act on.
type specialRange struct {
	prefix netip.Prefix
	reason string
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// specialRanges follows the IANA IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and updates) for the blocks that are not globally
// reachable. Order matters only for the message: the first match wins.
var specialRanges = []specialRange{
	{mustPrefix("0.0.0.0/8"), "0.0.0.0/8 is 'this network' (RFC 791), not a host on the internet"},
	{mustPrefix("10.0.0.0/8"), "10.0.0.0/8 is private address space (RFC 1918); ask for the public address the network translated it to"},
	{mustPrefix("100.64.0.0/10"), "100.64.0.0/10 is carrier-grade NAT shared space (RFC 6598); only the operator's public address with source port and time identifies a subscriber"},
	{mustPrefix("127.0.0.0/8"), "127.0.0.0/8 is loopback (RFC 1122), the machine itself"},
	{mustPrefix("169.254.0.0/16"), "169.254.0.0/16 is link-local (RFC 3927), never routed"},
	{mustPrefix("172.16.0.0/12"), "172.16.0.0/12 is private address space (RFC 1918); ask for the public address the network translated it to"},
	{mustPrefix("192.0.0.0/24"), "192.0.0.0/24 is reserved for IETF protocol assignments (RFC 6890)"},
	{mustPrefix("192.0.2.0/24"), "192.0.2.0/24 is documentation space TEST-NET-1 (RFC 5737), used only in examples"},
	{mustPrefix("192.88.99.0/24"), "192.88.99.0/24 is the deprecated 6to4 relay anycast block (RFC 7526)"},
	{mustPrefix("192.168.0.0/16"), "192.168.0.0/16 is private address space (RFC 1918); ask for the public address the network translated it to"},
	{mustPrefix("198.18.0.0/15"), "198.18.0.0/15 is reserved for benchmarking (RFC 2544)"},
	{mustPrefix("198.51.100.0/24"), "198.51.100.0/24 is documentation space TEST-NET-2 (RFC 5737), used only in examples"},
	{mustPrefix("203.0.113.0/24"), "203.0.113.0/24 is documentation space TEST-NET-3 (RFC 5737), used only in examples"},
	{mustPrefix("224.0.0.0/4"), "224.0.0.0/4 is multicast (RFC 5771), not a single host"},
	{mustPrefix("255.255.255.255/32"), "255.255.255.255 is the limited broadcast address (RFC 919)"},
	{mustPrefix("240.0.0.0/4"), "240.0.0.0/4 is reserved for future use (RFC 1112)"},
	{mustPrefix("::/128"), ":: is the unspecified IPv6 address (RFC 4291)"},
	{mustPrefix("::1/128"), "::1 is the IPv6 loopback address (RFC 4291), the machine itself"},
	{mustPrefix("64:ff9b::/96"), "64:ff9b::/96 is the NAT64 well-known prefix (RFC 6052); give the IPv4 address embedded in its last 32 bits"},
	{mustPrefix("64:ff9b:1::/48"), "64:ff9b:1::/48 is local-use NAT64 space (RFC 8215), never routed"},
	{mustPrefix("100::/64"), "100::/64 is discard-only space (RFC 6666)"},
	{mustPrefix("2001:db8::/32"), "2001:db8::/32 is IPv6 documentation space (RFC 3849), used only in examples"},
	{mustPrefix("3fff::/20"), "3fff::/20 is IPv6 documentation space (RFC 9637), used only in examples"},
	{mustPrefix("2001:2::/48"), "2001:2::/48 is reserved for benchmarking (RFC 5180)"},
	{mustPrefix("2001::/32"), "2001::/32 is Teredo (RFC 4380); the real host is behind the IPv4 address it encodes"},
	{mustPrefix("fc00::/7"), "fc00::/7 is unique local IPv6 space (RFC 4193), the IPv6 equivalent of private addresses"},
	{mustPrefix("fe80::/10"), "fe80::/10 is IPv6 link-local (RFC 4291), never routed"},
	{mustPrefix("fec0::/10"), "fec0::/10 is deprecated IPv6 site-local space (RFC 3879)"},
	{mustPrefix("ff00::/8"), "ff00::/8 is IPv6 multicast (RFC 4291), not a single host"},
}

var globalUnicast6 = mustPrefix("2000::/3")

// CheckPublicIP parses s and says why it cannot identify a host on the
// public internet, or returns "" and the address when it can. IPv4-mapped
// IPv6 addresses are judged as the IPv4 address they carry.
func CheckPublicIP(s string) (netip.Addr, string, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, "", fmt.Errorf("%q is not an IPv4 or IPv6 address", s)
	}
	if a.Zone() != "" {
		return netip.Addr{}, "", fmt.Errorf("%q carries an interface zone (%%%s), which only means something on one machine", s, a.Zone())
	}
	a = a.Unmap()
	for _, r := range specialRanges {
		if r.prefix.Contains(a) {
			return a, r.reason, nil
		}
	}
	if a.Is6() && !globalUnicast6.Contains(a) {
		return a, a.String() + " is outside the IPv6 global unicast range 2000::/3 (reserved by IANA)", nil
	}
	return a, "", nil
}
