package ipdb

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/netip"
	"strconv"
	"strings"

	"github.com/art35/art35/internal/apperr"
	maxminddb "github.com/oschwald/maxminddb-golang/v2"
)

// ImportStats reports what an importer read. Bad lines are skipped, not
// fatal, because published files carry a few broken rows; the caller shows
// Examples so a person can judge whether the file is usable.
type ImportStats struct {
	Lines    int      // data lines read (comments and blank lines excluded)
	Ranges   int      // ranges added to the builder
	Skipped  int      // lines deliberately left out (unknown country "??", unallocated status, summary lines)
	Bad      int      // lines that break the format
	Examples []string // the first few bad lines, with line number and the rule they break
}

const maxExamples = 5

func (s *ImportStats) bad(line int, format string, args ...any) {
	s.Bad++
	if len(s.Examples) < maxExamples {
		s.Examples = append(s.Examples, fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, args...)))
	}
}

// csvRecords yields each record of cr with the line it starts on. A record
// the CSV reader rejects (a stray quote, say) is counted in st as a line read
// and a bad one, then skipped, so that one broken row does not end the import;
// any other read error ends the iteration and is left in *err.
func csvRecords(cr *csv.Reader, st *ImportStats, err *error) iter.Seq2[int, []string] {
	return func(yield func(int, []string) bool) {
		for {
			rec, e := cr.Read()
			if e == io.EOF {
				return
			}
			if e != nil {
				var pe *csv.ParseError
				if errors.As(e, &pe) {
					st.Lines++
					st.bad(pe.Line, "%v", pe.Err)
					continue
				}
				*err = e
				return
			}
			line, _ := cr.FieldPos(0) // only valid after a successful Read
			if !yield(line, rec) {
				return
			}
		}
	}
}

// parseAddr reads an address as text ("1.2.3.4", "2001:db8::1") or, for
// IPv4, as a decimal integer (the IPFire/Tor geoip format).
func parseAddr(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	if s != "" && s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, ".:") {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("%q is neither an IP address nor an IPv4 integer up to 4294967295", s)
		}
		return v4addr(uint32(n)), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", trunc(s))
	}
	return a.Unmap().WithZone(""), nil
}

func trunc(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// normCountry upper-cases a two-letter code and reports whether it names a
// country; "??", "ZZ", "--" and "" mean unknown.
func normCountry(s string) (string, bool, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch s {
	case "", "??", "ZZ", "--", "XX":
		return "", false, nil
	}
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return "", false, fmt.Errorf("country %q must be an ISO 3166-1 alpha-2 code such as DE", trunc(s))
	}
	return s, true, nil
}

// ImportRanges reads a range file into b: the CSV files of the
// ip-location-db packages ("first,last,cc" or "first,last,asn,organisation",
// organisation possibly quoted) and the IPFire/Tor geoip text files
// ("firstInt,lastInt,cc" for IPv4, "first,last,cc" for IPv6, "#" comments).
// The column count decides: 3 columns are a country file, 4 an ASN file.
func ImportRanges(r io.Reader, b *Builder) (ImportStats, error) {
	var st ImportStats
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	var readErr error
	for line, rec := range csvRecords(cr, &st, &readErr) {
		st.Lines++
		if len(rec) != 3 && len(rec) != 4 {
			st.bad(line, "%d columns; a range file has 3 (first,last,country) or 4 (first,last,asn,organisation)", len(rec))
			continue
		}
		first, err := parseAddr(rec[0])
		if err != nil {
			if h := strings.ToLower(rec[0]); st.Ranges == 0 && st.Bad == 0 && (strings.Contains(h, "first") || strings.Contains(h, "start")) {
				st.Lines-- // a header row
				continue
			}
			st.bad(line, "first address: %v", err)
			continue
		}
		last, err := parseAddr(rec[1])
		if err != nil {
			st.bad(line, "last address: %v", err)
			continue
		}
		var recd Record
		if len(rec) == 3 {
			cc, ok, err := normCountry(rec[2])
			if err != nil {
				st.bad(line, "%v", err)
				continue
			}
			if !ok {
				st.Skipped++
				continue
			}
			recd.Country = cc
		} else {
			asn, err := parseASN(rec[2])
			if err != nil {
				st.bad(line, "%v", err)
				continue
			}
			recd.ASN, recd.Operator = asn, cleanText(rec[3])
		}
		if err := b.Add(first, last, recd); err != nil {
			st.bad(line, "%v", err)
			continue
		}
		st.Ranges++
	}
	if readErr != nil {
		return st, apperr.Wrap(apperr.EInvalid, readErr, "reading range file")
	}
	return st, nil
}

func parseASN(s string) (uint32, error) {
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "AS")
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("ASN %q must be a number from 0 to 4294967295 (optionally prefixed AS)", trunc(s))
	}
	return uint32(n), nil
}

// cleanText trims and bounds a name from outside data so one bad row
// cannot bloat the database or break a terminal.
func cleanText(s string) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "")
	}
	return s
}

// ImportRIR reads an RIR delegated or delegated-extended statistics file
// (registry|cc|type|start|value|date|status[|opaque-id]) into b as a
// country source. Only allocated and assigned IPv4/IPv6 rows count; the
// version line, summary lines, ASN rows and available/reserved space are
// skipped.
func ImportRIR(r io.Reader, b *Builder) (ImportStats, error) {
	var st ImportStats
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		st.Lines++
		f := strings.Split(string(line), "|")
		if len(f) < 6 {
			st.bad(n, "%d fields; a delegated statistics row has at least 7 separated by |", len(f))
			continue
		}
		if f[0] != "" && f[0][0] >= '0' && f[0][0] <= '9' { // version line "2|ripencc|..."
			st.Skipped++
			continue
		}
		if len(f) >= 6 && f[5] == "summary" || f[1] == "*" {
			st.Skipped++
			continue
		}
		if len(f) < 7 {
			st.bad(n, "%d fields; a delegated statistics row has at least 7 separated by |", len(f))
			continue
		}
		typ, status := f[2], f[6]
		if typ == "asn" || (status != "allocated" && status != "assigned") {
			st.Skipped++
			continue
		}
		cc, ok, err := normCountry(f[1])
		if err != nil {
			st.bad(n, "%v", err)
			continue
		}
		if !ok {
			st.Skipped++
			continue
		}
		start, err := netip.ParseAddr(f[3])
		if err != nil {
			st.bad(n, "start %q is not an IP address", trunc(f[3]))
			continue
		}
		v, err := strconv.ParseUint(f[4], 10, 64)
		if err != nil || v == 0 {
			st.bad(n, "value %q must be a positive count (IPv4) or prefix length (IPv6)", trunc(f[4]))
			continue
		}
		switch typ {
		case "ipv4":
			if !start.Is4() {
				st.bad(n, "ipv4 row with start %s", start)
				continue
			}
			end := uint64(v4key(start)) + v - 1
			if end > 1<<32-1 {
				st.bad(n, "count %d runs past 255.255.255.255", v)
				continue
			}
			err = b.Add(start, v4addr(uint32(end)), Record{Country: cc})
		case "ipv6":
			if !start.Is6() || v > 128 {
				st.bad(n, "ipv6 row needs an IPv6 start and a prefix length up to 128")
				continue
			}
			err = b.AddPrefix(netip.PrefixFrom(start, int(v)), Record{Country: cc})
		default:
			st.bad(n, "type %q must be ipv4, ipv6 or asn", trunc(typ))
			continue
		}
		if err != nil {
			st.bad(n, "%v", err)
			continue
		}
		st.Ranges++
	}
	if err := sc.Err(); err != nil {
		return st, apperr.Wrap(apperr.EInvalid, err, "reading delegated statistics file (line %d)", n+1)
	}
	return st, nil
}

// mmdbRecord is the part of a MaxMind-format record art35 uses: the
// country of GeoIP2/GeoLite2 Country and City databases and the ASN fields
// of GeoLite2 ASN databases.
type mmdbRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Registered struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	ASN uint32 `maxminddb:"autonomous_system_number"`
	Org string `maxminddb:"autonomous_system_organization"`
}

// ImportMMDB reads a MaxMind-format database (country, city or ASN) held
// in data into b. Registered country is preferred over country because
// art35 answers the country of registration.
func ImportMMDB(data []byte, b *Builder) (ImportStats, error) {
	var st ImportStats
	db, err := maxminddb.OpenBytes(data)
	if err != nil {
		return st, apperr.Wrap(apperr.EInvalid, err, "not a readable MaxMind .mmdb file")
	}
	defer db.Close()
	for res := range db.Networks() {
		st.Lines++
		if err := res.Err(); err != nil {
			st.bad(st.Lines, "network: %v", err)
			if st.Bad > 1000 {
				return st, apperr.Errorf(apperr.EInvalid, "mmdb file: more than 1000 damaged networks; giving up (first: %s)", st.Examples[0])
			}
			continue
		}
		var m mmdbRecord
		if err := res.Decode(&m); err != nil {
			st.bad(st.Lines, "record of %s: %v", res.Prefix(), err)
			continue
		}
		var rec Record
		cc := m.Registered.ISOCode
		if cc == "" {
			cc = m.Country.ISOCode
		}
		if c, ok, err := normCountry(cc); err == nil && ok {
			rec.Country = c
		}
		rec.ASN, rec.Operator = m.ASN, cleanText(m.Org)
		if rec == (Record{}) {
			st.Skipped++
			continue
		}
		if err := b.AddPrefix(res.Prefix(), rec); err != nil {
			st.bad(st.Lines, "%v", err)
			continue
		}
		st.Ranges++
	}
	return st, nil
}

// ImportOverlay reads a national overlay: a CSV file kept by a country's
// node with one row per domestic network,
//
//	prefix,operator,desk[,country[,asn]]
//
// where prefix is a CIDR block ("192.0.2.0/24") or a range
// ("192.0.2.0-192.0.2.127") and desk is how the operator's
// law-enforcement desk is reached. "#" starts a comment; a first row
// starting with "prefix" is a header. Overlay rows override operator data
// of every other source.
func ImportOverlay(r io.Reader, b *Builder) (ImportStats, error) {
	var st ImportStats
	cr := csv.NewReader(bufio.NewReader(r))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var readErr error
	for line, rec := range csvRecords(cr, &st, &readErr) {
		if st.Lines == 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "prefix") {
			continue
		}
		st.Lines++
		if len(rec) < 3 || len(rec) > 5 {
			st.bad(line, "%d columns; an overlay row is prefix,operator,desk[,country[,asn]]", len(rec))
			continue
		}
		var rd Record
		rd.Operator, rd.Desk = cleanText(rec[1]), cleanText(rec[2])
		if rd.Operator == "" {
			st.bad(line, "operator is empty; name the domestic operator")
			continue
		}
		if len(rec) >= 4 {
			cc, ok, err := normCountry(rec[3])
			if err != nil {
				st.bad(line, "%v", err)
				continue
			}
			if ok {
				rd.Country = cc
			}
		}
		if len(rec) == 5 && strings.TrimSpace(rec[4]) != "" {
			asn, err := parseASN(rec[4])
			if err != nil {
				st.bad(line, "%v", err)
				continue
			}
			rd.ASN = asn
		}
		p := strings.TrimSpace(rec[0])
		var err error
		if lo, hi, ok := strings.Cut(p, "-"); ok {
			first, err1 := parseAddr(lo)
			last, err2 := parseAddr(hi)
			if err1 != nil || err2 != nil {
				st.bad(line, "range %q must be first-last, both IP addresses", trunc(p))
				continue
			}
			err = b.Add(first, last, rd)
		} else {
			pf, perr := netip.ParsePrefix(p)
			if perr != nil {
				st.bad(line, "prefix %q must be a CIDR block such as 192.0.2.0/24 or a range first-last", trunc(p))
				continue
			}
			err = b.AddPrefix(pf, rd)
		}
		if err != nil {
			st.bad(line, "%v", err)
			continue
		}
		st.Ranges++
	}
	if readErr != nil {
		return st, apperr.Wrap(apperr.EInvalid, readErr, "reading overlay file")
	}
	return st, nil
}
