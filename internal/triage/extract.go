package triage

import (
	"bytes"
	"net/netip"
	"regexp"
)

// Extractor finds the client address and the time on one log line. It is
// not safe for concurrent use (it caches the last timestamp it parsed);
// each worker has its own.
type Extractor struct {
	// Field is the 1-based field holding the address; 0 means automatic:
	// the first field of a text line, a known key of a JSON line.
	Field int
	// Sep separates fields when Field is set: 0 means runs of spaces and
	// tabs. Double-quoted fields may contain the separator.
	Sep byte
	// Regex, when set, wins over Field: its first submatch (or the whole
	// match) is the address.
	Regex *regexp.Regexp

	lastTS   []byte // text of the last timestamp parsed, and its value:
	lastTime int64
	lastOK   bool
}

// jsonKeys are the keys a JSON log line commonly stores the client
// address under, most specific first (nginx/Caddy/ELB/CloudTrail habits).
var jsonKeys = [][]byte{
	[]byte(`"client_ip"`), []byte(`"remote_addr"`), []byte(`"src_ip"`), []byte(`"source_ip"`),
	[]byte(`"sourceIPAddress"`), []byte(`"clientip"`), []byte(`"remote_ip"`), []byte(`"ip"`),
}

// jsonTimeKeys are the keys a JSON log line commonly stores its time under.
var jsonTimeKeys = [][]byte{[]byte(`"time"`), []byte(`"timestamp"`), []byte(`"@timestamp"`), []byte(`"ts"`), []byte(`"eventTime"`), []byte(`"date"`)}

// Result of extracting one line.
type lineResult struct {
	addr     netip.Addr
	t        int64 // Unix seconds, valid when hasTime
	hasTime  bool
	zoneless bool // a time was there but without a zone: not guessed
}

// Extract returns the address of line (ok false if there is none) and
// its time if one can be read with a zone.
func (x *Extractor) Extract(line []byte) (r lineResult, ok bool) {
	var tok []byte
	isJSON := false
	switch {
	case x.Regex != nil:
		m := x.Regex.FindSubmatchIndex(line)
		if m == nil {
			return r, false
		}
		s, e := m[0], m[1]
		if len(m) >= 4 && m[2] >= 0 {
			s, e = m[2], m[3]
		}
		tok = line[s:e]
	case x.Field > 0:
		tok = field(line, x.Field, x.Sep)
	default:
		t := skipBlank(line)
		if len(t) > 0 && t[0] == '{' {
			isJSON = true
			tok = jsonValue(t, jsonKeys)
		} else if a, ok := leadingV4(t); ok {
			// The common case, an access log starting with an IPv4
			// address: parsed in one pass, without finding the token first.
			r.addr = a
			r.t, r.hasTime, r.zoneless = x.findTime(line)
			return r, true
		} else {
			tok = firstToken(t)
		}
	}
	a, ok := parseAddr(tok)
	if !ok {
		return r, false
	}
	r.addr = a
	if isJSON {
		if v := jsonValue(line, jsonTimeKeys); v != nil {
			r.t, r.hasTime, r.zoneless = x.parseCached(v, parseISO)
			return r, true
		}
	}
	r.t, r.hasTime, r.zoneless = x.findTime(line)
	return r, true
}

// firstToken returns the first field of a text line: up to a space, tab,
// comma, semicolon or pipe, so "1.2.3.4 - - [..." and "1.2.3.4,GET,..."
// both work.
func firstToken(b []byte) []byte {
	if len(b) > 0 && b[0] == '"' {
		if i := bytes.IndexByte(b[1:], '"'); i >= 0 {
			return b[1 : 1+i]
		}
	}
	for i, c := range b {
		switch c {
		case ' ', '\t', ',', ';', '|':
			return b[:i]
		}
	}
	return b
}

// field returns the n-th (1-based) field of b split by sep, or by runs of
// blanks when sep is 0. A field that starts with a double quote runs to
// the closing quote, so CSV values with commas inside count as one field.
func field(b []byte, n int, sep byte) []byte {
	isSep := func(c byte) bool {
		if sep == 0 {
			return c == ' ' || c == '\t'
		}
		return c == sep
	}
	i := 0
	for k := 1; k <= n; k++ {
		if sep == 0 {
			for i < len(b) && isSep(b[i]) {
				i++
			}
			if i >= len(b) {
				return nil
			}
		}
		start := i
		if i < len(b) && b[i] == '"' {
			if j := bytes.IndexByte(b[i+1:], '"'); j >= 0 {
				i += j + 2
			} else {
				i = len(b)
			}
		}
		for i < len(b) && !isSep(b[i]) {
			i++
		}
		if k == n {
			return b[start:i]
		}
		if i >= len(b) {
			return nil
		}
		i++ // the separator
	}
	return nil
}

// jsonValue returns the raw value of the first of keys found in a JSON
// object line, without its quotes. It is a scan, not a parse: good enough
// for flat log records, and it never fails on broken JSON, it just finds
// nothing.
func jsonValue(line []byte, keys [][]byte) []byte {
	for _, k := range keys {
		i := bytes.Index(line, k)
		if i < 0 {
			continue
		}
		v := bytes.TrimLeft(line[i+len(k):], " \t")
		if len(v) == 0 || v[0] != ':' {
			continue
		}
		v = bytes.TrimLeft(v[1:], " \t")
		if len(v) > 0 && v[0] == '"' {
			if j := bytes.IndexByte(v[1:], '"'); j >= 0 {
				return v[1 : 1+j]
			}
			return nil
		}
		for j, c := range v {
			if c == ',' || c == '}' || c == ' ' {
				return v[:j]
			}
		}
		return v
	}
	return nil
}

// parseAddr reads an address token as logs write it: "1.2.3.4",
// "1.2.3.4:5678", "[2001:db8::1]:443", "2001:db8::1", "fe80::1%eth0",
// possibly quoted. Zones are dropped, IPv4-mapped IPv6 becomes IPv4.
func parseAddr(tok []byte) (netip.Addr, bool) {
	for len(tok) > 0 && (tok[0] == '"' || tok[0] == '\'' || tok[0] == ' ') {
		tok = tok[1:]
	}
	for len(tok) > 0 && (tok[len(tok)-1] == '"' || tok[len(tok)-1] == '\'' || tok[len(tok)-1] == ' ') {
		tok = tok[:len(tok)-1]
	}
	if len(tok) == 0 || len(tok) > 100 {
		return netip.Addr{}, false
	}
	if a, ok := parseV4(tok); ok {
		return a, true
	}
	if tok[0] == '[' {
		j := bytes.IndexByte(tok, ']')
		if j < 0 {
			return netip.Addr{}, false
		}
		tok = tok[1:j]
	}
	if bytes.IndexByte(tok, ':') < 0 {
		return netip.Addr{}, false
	}
	if i := bytes.IndexByte(tok, '%'); i >= 0 {
		tok = tok[:i]
	}
	if a, ok := parseV6(tok); ok {
		return a.Unmap(), true
	}
	a, err := netip.ParseAddr(string(tok)) // forms parseV6 leaves out (embedded IPv4)
	if err != nil || !a.Is6() {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseV6 parses the common IPv6 text forms (hex groups, one "::") from
// bytes without allocating; it returns false for anything else, including
// an embedded dotted IPv4 tail, which netip.ParseAddr then handles.
// FuzzParseV6 checks it against netip.ParseAddr.
func parseV6(b []byte) (netip.Addr, bool) {
	var out [16]byte
	ellipsis := -1 // index in out where "::" was
	i, j := 0, 0   // position in b, in out
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = 0
		i = 2
		if i == len(b) {
			return netip.AddrFrom16(out), true
		}
	}
	for i < len(b) {
		v, n := 0, 0
		for n < 4 && i < len(b) {
			c := b[i]
			var d int
			switch {
			case c >= '0' && c <= '9':
				d = int(c - '0')
			case c >= 'a' && c <= 'f':
				d = int(c-'a') + 10
			case c >= 'A' && c <= 'F':
				d = int(c-'A') + 10
			default:
				goto group
			}
			v = v<<4 | d
			n++
			i++
		}
	group:
		if n == 0 || j+2 > 16 {
			return netip.Addr{}, false
		}
		out[j], out[j+1] = byte(v>>8), byte(v)
		j += 2
		if i == len(b) {
			break
		}
		if b[i] != ':' {
			return netip.Addr{}, false
		}
		i++
		if i < len(b) && b[i] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = j
			i++
			if i == len(b) {
				break
			}
		} else if i == len(b) {
			return netip.Addr{}, false
		}
	}
	if ellipsis < 0 {
		if j != 16 {
			return netip.Addr{}, false
		}
		return netip.AddrFrom16(out), true
	}
	if j == 16 {
		return netip.Addr{}, false // "::" must stand for at least one group
	}
	n := j - ellipsis
	copy(out[16-n:], out[ellipsis:j])
	clear(out[ellipsis : 16-n])
	return netip.AddrFrom16(out), true
}

// leadingV4 parses an IPv4 address (optionally with ":port") at the start
// of b that is followed by the end of b or a field separator.
func leadingV4(b []byte) (netip.Addr, bool) {
	var out [4]byte
	i := 0
	for k := 0; k < 4; k++ {
		v, n := 0, 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if n > 0 && v == 0 {
				return netip.Addr{}, false
			}
			v = v*10 + int(b[i]-'0')
			n++
			i++
			if n > 3 || v > 255 {
				return netip.Addr{}, false
			}
		}
		if n == 0 {
			return netip.Addr{}, false
		}
		out[k] = byte(v)
		if k < 3 {
			if i >= len(b) || b[i] != '.' {
				return netip.Addr{}, false
			}
			i++
		}
	}
	if i < len(b) && b[i] == ':' {
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return netip.Addr{}, false
		}
	}
	if i < len(b) {
		switch b[i] {
		case ' ', '\t', ',', ';', '|':
		default:
			return netip.Addr{}, false
		}
	}
	return netip.AddrFrom4(out), true
}

// parseV4 parses dotted-quad IPv4, optionally followed by ":port", without
// allocating: most log lines carry IPv4 and this is the hot path.
func parseV4(b []byte) (netip.Addr, bool) {
	var out [4]byte
	i := 0
	for k := 0; k < 4; k++ {
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return netip.Addr{}, false
		}
		v, n := 0, 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if n > 0 && v == 0 {
				return netip.Addr{}, false // leading zero: ambiguous (octal in some tools)
			}
			v = v*10 + int(b[i]-'0')
			n++
			i++
			if n > 3 || v > 255 {
				return netip.Addr{}, false
			}
		}
		out[k] = byte(v)
		if k < 3 {
			if i >= len(b) || b[i] != '.' {
				return netip.Addr{}, false
			}
			i++
		}
	}
	if i < len(b) {
		if b[i] != ':' {
			return netip.Addr{}, false
		}
		for _, c := range b[i+1:] {
			if c < '0' || c > '9' {
				return netip.Addr{}, false
			}
		}
	}
	return netip.AddrFrom4(out), true
}

// skipBlank drops leading blanks and a UTF-8 byte-order mark.
func skipBlank(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		b = b[3:]
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}
