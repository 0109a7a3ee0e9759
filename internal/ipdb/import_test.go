package ipdb

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// dump lists a layer's ranges as "first-last country ASN operator desk".
func dump(l *Layer) string {
	var out []string
	l.Ranges(func(r Range) bool {
		s := r.First.String() + "-" + r.Last.String()
		if r.Record.Country != "" {
			s += " " + r.Record.Country
		}
		if r.Record.ASN != 0 || r.Record.Operator != "" {
			s += " AS" + itoa(r.Record.ASN) + " " + r.Record.Operator
		}
		if r.Record.Desk != "" {
			s += " desk=" + r.Record.Desk
		}
		out = append(out, strings.TrimSpace(s))
		return true
	})
	return strings.Join(out, "\n")
}

func itoa(n uint32) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

func TestImportRanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want   string
		ranges, bad, skp int
		example          string
	}{
		{
			name:   "country csv",
			in:     "1.0.0.0,1.0.0.255,au\n1.0.1.0,1.0.3.255,CN\n2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP\n",
			want:   "1.0.0.0-1.0.0.255 AU\n1.0.1.0-1.0.3.255 CN\n2001:200::-2001:200:ffff:ffff:ffff:ffff:ffff:ffff JP",
			ranges: 3,
		},
		{
			name:   "asn csv with quoted organisation",
			in:     "1.0.0.0,1.0.0.255,13335,\"Example, Inc.\"\n1.0.4.0,1.0.7.255,AS38803,Example Pty Ltd\n",
			want:   "1.0.0.0-1.0.0.255 AS13335 Example, Inc.\n1.0.4.0-1.0.7.255 AS38803 Example Pty Ltd",
			ranges: 2,
		},
		{
			name:   "ipfire text with comments, integers and unknown country",
			in:     "# converted from IPFire\n\n15726992,15726999,??\n16777216,16777471,AU\n",
			want:   "1.0.0.0-1.0.0.255 AU",
			ranges: 1, skp: 1,
		},
		{
			name:   "header row",
			in:     "first,last,cc\n1.0.0.0,1.0.0.255,AU\n",
			want:   "1.0.0.0-1.0.0.255 AU",
			ranges: 1,
		},
		{
			name:   "bad rows counted with line numbers",
			in:     "1.0.0.0,1.0.0.255,AU\nnot,an,address\n1.0.2.0,1.0.1.0,CN\n1.0.5.0,1.0.5.9,Germany\n1.0.6.0,1.0.6.9\n1.0.7.0,1.0.7.9,99999999999,X\n",
			want:   "1.0.0.0-1.0.0.255 AU",
			ranges: 1, bad: 5,
			example: "line 2: first address: \"not\" is not an IP address",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder(srcNRO)
			st, err := ImportRanges(strings.NewReader(tt.in), b)
			if err != nil {
				t.Fatal(err)
			}
			l, _ := b.Build()
			if got := dump(l); got != tt.want {
				t.Errorf("ranges:\n%s\nwant:\n%s", got, tt.want)
			}
			if st.Ranges != tt.ranges || st.Bad != tt.bad || st.Skipped != tt.skp {
				t.Errorf("stats %+v, want ranges %d bad %d skipped %d", st, tt.ranges, tt.bad, tt.skp)
			}
			if tt.example != "" && (len(st.Examples) == 0 || st.Examples[0] != tt.example) {
				t.Errorf("examples %q, want first %q", st.Examples, tt.example)
			}
		})
	}
}

func TestImportRIR(t *testing.T) {
	t.Parallel()
	in := `2|ripencc|20261125|3|19830705|20261124|+0100
ripencc|*|ipv4|*|2|summary
ripencc|*|ipv6|*|1|summary
ripencc|FR|ipv4|2.0.0.0|1048576|20100712|allocated|a1
ripencc|EU|ipv4|2.16.0.0|768|20100910|assigned|a2
ripencc||ipv4|2.56.0.0|1024|20191007|available
ripencc|DE|ipv6|2a00:1028::|29|20060822|allocated|a3
ripencc|DE|asn|3320|1|19930901|allocated|a3
ripencc|NL|ipv4|2.57.0.0|not-a-number|20191007|allocated|a4
ripencc|XYZ|ipv4|2.58.0.0|256|20191007|allocated|a5
`
	b := NewBuilder(Source{Name: "rir", Kind: KindCountry})
	st, err := ImportRIR(strings.NewReader(in), b)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := b.Build()
	want := "2.0.0.0-2.15.255.255 FR\n2.16.0.0-2.16.2.255 EU\n2a00:1028::-2a00:102f:ffff:ffff:ffff:ffff:ffff:ffff DE"
	if got := dump(l); got != want {
		t.Errorf("ranges:\n%s\nwant:\n%s", got, want)
	}
	if st.Ranges != 3 || st.Bad != 2 || st.Skipped != 5 {
		t.Errorf("stats %+v", st)
	}
}

func TestImportOverlay(t *testing.T) {
	t.Parallel()
	in := `prefix,operator,desk,country,asn
# domestic operators of Exampleland
5.1.2.0/25,Example Kabel Reseller,lea-desk@example.org +00 30 5550100,DE,
5.1.3.0-5.1.3.9,"Example Mobile, Ltd",+00 30 5550199,de,AS64502
2a00:10:1::/48,Example Net BV,lea@example.org
5.1.4.0/33,Bad,desk
5.1.5.0/24,,desk
`
	b := NewBuilder(srcOver)
	st, err := ImportOverlay(strings.NewReader(in), b)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := b.Build()
	want := "5.1.2.0-5.1.2.127 DE AS0 Example Kabel Reseller desk=lea-desk@example.org +00 30 5550100\n" +
		"5.1.3.0-5.1.3.9 DE AS64502 Example Mobile, Ltd desk=+00 30 5550199\n" +
		"2a00:10:1::-2a00:10:1:ffff:ffff:ffff:ffff:ffff AS0 Example Net BV desk=lea@example.org"
	if got := dump(l); got != want {
		t.Errorf("ranges:\n%s\nwant:\n%s", got, want)
	}
	if st.Ranges != 3 || st.Bad != 2 {
		t.Errorf("stats %+v", st)
	}
	// The overlay overrides the operator of the ASN source but keeps its ASN.
	db := New(append([]*Layer{l}, fixtureDB(t).Layers()[1:]...)...)
	a := db.Lookup(netip.MustParseAddr("5.1.2.9"))
	if a.Operator != "Example Kabel Reseller" || a.ASN != 64500 || a.Desk == "" {
		t.Errorf("overlay lookup: %+v", a)
	}
}

// buildMMDB writes a small MaxMind-format database: a GeoLite2-Country
// style record and an ASN-style record.
func buildMMDB(t testing.TB) []byte {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "art35-test",
		IncludeReservedNetworks: true,
		DisableIPv4Aliasing:     true,
		RecordSize:              28,
	})
	if err != nil {
		t.Fatal(err)
	}
	ins := func(cidr string, v mmdbtype.Map) {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, v); err != nil {
			t.Fatal(err)
		}
	}
	ins("1.0.0.0/24", mmdbtype.Map{
		"country":                        mmdbtype.Map{"iso_code": mmdbtype.String("AU")},
		"autonomous_system_number":       mmdbtype.Uint32(13335),
		"autonomous_system_organization": mmdbtype.String("Example Edge Ltd"),
	})
	ins("5.1.0.0/16", mmdbtype.Map{
		"country":            mmdbtype.Map{"iso_code": mmdbtype.String("FR")},
		"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("DE")},
	})
	ins("2a00:10::/32", mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("NL")}})
	ins("9.0.0.0/8", mmdbtype.Map{"city": mmdbtype.Map{"name": mmdbtype.String("nothing we use")}})
	var buf bytes.Buffer
	if _, err := tree.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportMMDB(t *testing.T) {
	t.Parallel()
	b := NewBuilder(Source{Name: "mmdb", Kind: KindCountry})
	st, err := ImportMMDB(buildMMDB(t), b)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := b.Build()
	want := "1.0.0.0-1.0.0.255 AU AS13335 Example Edge Ltd\n5.1.0.0-5.1.255.255 DE\n2a00:10::-2a00:10:ffff:ffff:ffff:ffff:ffff:ffff NL"
	if got := dump(l); got != want {
		t.Errorf("ranges:\n%s\nwant:\n%s", got, want)
	}
	if st.Ranges != 3 || st.Skipped != 1 {
		t.Errorf("stats %+v", st)
	}
	if _, err := ImportMMDB([]byte("not an mmdb"), NewBuilder(Source{})); err == nil || !strings.Contains(err.Error(), "mmdb") {
		t.Errorf("garbage: err %v", err)
	}
}

// checkLayer asserts the invariants every importer must keep whatever
// the input: sorted, disjoint ranges whose records exist.
func checkLayer(t *testing.T, l *Layer) {
	t.Helper()
	var prev netip.Addr
	l.Ranges(func(r Range) bool {
		if r.Last.Less(r.First) || prev.IsValid() && prev.Is4() == r.First.Is4() && !prev.Less(r.First) {
			t.Fatalf("range %s-%s after %s breaks order", r.First, r.Last, prev)
		}
		prev = r.Last
		return true
	})
	New(l).Lookup(netip.MustParseAddr("1.0.0.1"))
}

func FuzzImportRanges(f *testing.F) {
	f.Add("1.0.0.0,1.0.0.255,AU\n16777216,16777471,AU\n")
	f.Add("1.0.0.0,1.0.0.255,13335,\"Example, Inc.\"\n")
	f.Add("# c\n2001:200::,2001:200::ff,JP\n\"unterminated")
	f.Fuzz(func(t *testing.T, in string) {
		b := NewBuilder(srcNRO)
		if _, err := ImportRanges(strings.NewReader(in), b); err != nil {
			return
		}
		l, _ := b.Build()
		checkLayer(t, l)
	})
}

func FuzzImportRIR(f *testing.F) {
	f.Add("ripencc|FR|ipv4|2.0.0.0|1048576|20100712|allocated\nripencc|DE|ipv6|2a00:1028::|29|20060822|allocated\n")
	f.Add("2|ripencc|x\nripencc|*|ipv4|*|2|summary\n")
	f.Add("arin|US|ipv4|255.255.255.0|4096|20100712|allocated\n")
	f.Fuzz(func(t *testing.T, in string) {
		b := NewBuilder(srcNRO)
		if _, err := ImportRIR(strings.NewReader(in), b); err != nil {
			return
		}
		l, _ := b.Build()
		checkLayer(t, l)
	})
}

func FuzzImportOverlay(f *testing.F) {
	f.Add("5.1.2.0/25,Example Kabel,lea@example.org,DE,64500\n")
	f.Add("prefix,operator,desk\n5.1.3.0-5.1.3.9,\"A, B\",+00 1\n")
	f.Fuzz(func(t *testing.T, in string) {
		b := NewBuilder(srcOver)
		if _, err := ImportOverlay(strings.NewReader(in), b); err != nil {
			return
		}
		l, _ := b.Build()
		checkLayer(t, l)
	})
}

func FuzzImportMMDB(f *testing.F) {
	good := buildMMDB(f)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("\xab\xcd\xefMaxMind.com"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := NewBuilder(srcNRO)
		if _, err := ImportMMDB(data, b); err != nil {
			return
		}
		l, _ := b.Build()
		checkLayer(t, l)
	})
}

// TestCSVRecords checks the shared record loop of the CSV importers: a row
// the CSV reader rejects is counted as read and bad and the loop goes on; a
// failing reader ends the loop and leaves its error; line numbers are the
// file's.
func TestCSVRecords(t *testing.T) {
	in := "# comment\na,b\nc,d\"e\nf,g\n"
	cr := csv.NewReader(io.MultiReader(strings.NewReader(in), iotest.ErrReader(errors.New("disk gone"))))
	cr.Comment = '#'
	var st ImportStats
	var err error
	var got []string
	for line, rec := range csvRecords(cr, &st, &err) {
		got = append(got, fmt.Sprintf("%d:%s", line, strings.Join(rec, "|")))
	}
	if want := []string{"2:a|b", "4:f|g"}; !slices.Equal(got, want) {
		t.Errorf("records %q, want %q", got, want)
	}
	if st.Lines != 1 || st.Bad != 1 || len(st.Examples) != 1 || !strings.HasPrefix(st.Examples[0], "line 3: ") {
		t.Errorf("stats %+v, want the bare quote on line 3 counted as one bad line", st)
	}
	if err == nil || err.Error() != "disk gone" {
		t.Errorf("read error %v, want the reader's", err)
	}

	// Stopping early stops reading.
	cr = csv.NewReader(strings.NewReader("a\nb\nc\n"))
	st, err = ImportStats{}, nil
	n := 0
	for range csvRecords(cr, &st, &err) {
		n++
		break
	}
	if rec, _ := cr.Read(); n != 1 || len(rec) != 1 || rec[0] != "b" {
		t.Errorf("after break: %d yielded, next record %q; want 1 and b", n, rec)
	}
}
