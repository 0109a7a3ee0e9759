package cli

import (
	"flag"
	"net/netip"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
)

// AttributeFlags are the flags of "attribute".
type AttributeFlags struct {
	Data, Time, From, Type string
	Port                   int
	JSON, Sources          bool
	Dir                    DirSource // decide routes against a signed directory
}

// Bind defines the flags of "attribute" on fs.
func (f *AttributeFlags) Bind(fs *flag.FlagSet, getenv func(string) string) {
	IPDBDataFlag(fs, &f.Data, getenv)
	fs.IntVar(&f.Port, "port", 0, "source port of the connection (1-65535)")
	fs.StringVar(&f.Time, "time", "", "UTC time of the connection, RFC 3339 with a zone, e.g. 2026-11-20T14:02:07Z")
	fs.StringVar(&f.From, "from", "", "requesting party (ISO 3166-1 alpha-2), to decide the route (default: the node's party)")
	fs.StringVar(&f.Type, "type", string(request.TypePreserve), "request type the route is decided for")
	fs.BoolVar(&f.JSON, "json", false, "print the answer as JSON")
	fs.BoolVar(&f.Sources, "sources", false, "print the data sources, their licences and the credits they require")
	f.Dir.Bind(fs)
}

// Args checks the address (the one positional argument), port, time and
// type of "attribute"; what is wrong is a usage error.
func (f *AttributeFlags) Args(pos []string) (ip netip.Addr, at time.Time, err error) {
	if len(pos) != 1 {
		return ip, at, Usagef("attribute needs exactly one IP address, e.g. art35 attribute 121.16.109.40")
	}
	ip, err = netip.ParseAddr(strings.Trim(strings.TrimSpace(pos[0]), "[]"))
	if err != nil {
		return ip, at, Usagef("%q is not an IP address; give an IPv4 (192.0.2.1) or IPv6 (2001:db8::1) address", pos[0])
	}
	if f.Port < 0 || f.Port > 65535 {
		return ip, at, Usagef("--port %d is out of range; a port is 1-65535", f.Port)
	}
	if f.Time != "" {
		at, err = ParseZonedTime(f.Time)
		if err != nil {
			return ip, at, err
		}
	}
	if !request.Type(f.Type).Valid() {
		return ip, at, Usagef("--type %q is not a request type; e.g. preserve, emergency-disclosure, subscriber-direct", f.Type)
	}
	return ip, at, nil
}

// ParseZonedTime parses the --time of "attribute", an RFC 3339 time, and
// refuses one without a zone with a message that says so (SPEC section 5:
// a time without a zone is an error, not a guess).
func ParseZonedTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(s)); err == nil {
		return t.UTC(), nil
	}
	for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04"} {
		if _, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return time.Time{}, Usagef("--time %q has no time zone; art35 does not guess one: add Z for UTC or an offset, e.g. %sZ", s, strings.Replace(strings.TrimSpace(s), " ", "T", 1))
		}
	}
	return time.Time{}, Usagef("--time %q is not an RFC 3339 time; write e.g. 2026-11-20T14:02:07Z", s)
}
