package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/request"
)

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
		return cli.PrintCredits(e.stdout, db, *asJSON)
	}
	ip, at, err := attributeArgs(pos, *port, *timeFlag, *typ)
	if err != nil {
		return err
	}
	db, err := openIPDB(*dataDir)
	if err != nil {
		return err
	}
	out := cli.Attribute(ip, db.Lookup(ip), *port, at)
	snap, _, err := ds.load(e)
	if err != nil {
		return err
	}
	fromCC := strings.ToUpper(strings.TrimSpace(*from))
	if fromCC == "" {
		fromCC = defaultFrom(e, *dataDir)
	}
	out.AddRoute(snap, fromCC, request.Type(*typ), e.clock.Now())
	if *asJSON {
		return cli.WriteJSON(e.stdout, out)
	}
	cli.PrintAttribution(e.stdout, out)
	if *sources {
		fmt.Fprintln(e.stdout)
		return cli.PrintCredits(e.stdout, db, false)
	}
	return nil
}

// attributeArgs checks the address, port, time and type of "attribute".
func attributeArgs(pos []string, port int, timeFlag, typ string) (ip netip.Addr, at time.Time, err error) {
	if len(pos) != 1 {
		return ip, at, usagef("attribute needs exactly one IP address, e.g. art35 attribute 121.16.109.40")
	}
	ip, err = netip.ParseAddr(strings.Trim(strings.TrimSpace(pos[0]), "[]"))
	if err != nil {
		return ip, at, usagef("%q is not an IP address; give an IPv4 (192.0.2.1) or IPv6 (2001:db8::1) address", pos[0])
	}
	if port < 0 || port > 65535 {
		return ip, at, usagef("--port %d is out of range; a port is 1-65535", port)
	}
	if timeFlag != "" {
		at, err = parseZonedTime(timeFlag)
		if err != nil {
			return ip, at, err
		}
	}
	if !request.Type(typ).Valid() {
		return ip, at, usagef("--type %q is not a request type; e.g. preserve, emergency-disclosure, subscriber-direct", typ)
	}
	return ip, at, nil
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
