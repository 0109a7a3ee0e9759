package ipdb

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var (
	day     = time.Date(2026, 6, 17, 0, 0, 0, 0, time.UTC)
	srcNRO  = Source{Name: "nro-country", Label: "NRO", Kind: KindCountry, AsOf: day, Licence: "CC BY 4.0", Credit: "NRO", URL: "https://www.nro.net/"}
	srcFire = Source{Name: "ipfire-country", Label: "IPFire", Kind: KindCountry, AsOf: day.AddDate(0, 0, 8), Licence: "CC BY-SA 4.0"}
	srcASN  = Source{Name: "routeviews-asn", Label: "RouteViews/DB-IP", Kind: KindASN, AsOf: day.AddDate(0, 0, -3), Licence: "CC BY 4.0"}
	srcOver = Source{Name: "overlay-xx", Label: "national overlay", Kind: KindOverlay, AsOf: day}
)

func mustAdd(t testing.TB, b *Builder, first, last string, r Record) {
	t.Helper()
	if err := b.Add(netip.MustParseAddr(first), netip.MustParseAddr(last), r); err != nil {
		t.Fatal(err)
	}
}

func build(t testing.TB, src Source, rows [][3]string, rec func(v string) Record) *Layer {
	t.Helper()
	b := NewBuilder(src)
	for _, r := range rows {
		mustAdd(t, b, r[0], r[1], rec(r[2]))
	}
	l, _ := b.Build()
	return l
}

// fixtureDB is a small DB with fictional operators over public ranges:
// two country sources that disagree on one block, an ASN source and an
// overlay that renames one operator.
func fixtureDB(t testing.TB) *DB {
	cc := func(v string) Record { return Record{Country: v} }
	nro := build(t, srcNRO, [][3]string{
		{"1.0.0.0", "1.0.0.255", "AU"},
		{"1.0.1.0", "1.0.3.255", "CN"},
		{"5.0.0.0", "5.255.255.255", "DE"},
		{"2a00::", "2a00:ff:ffff:ffff:ffff:ffff:ffff:ffff", "NL"},
	}, cc)
	fire := build(t, srcFire, [][3]string{
		{"1.0.0.0", "1.0.0.255", "AU"},
		{"1.0.1.0", "1.0.3.255", "HK"},
		{"5.0.0.0", "5.255.255.255", "DE"},
		{"9.9.9.0", "9.9.9.255", "CH"},
	}, cc)
	asn := build(t, srcASN, [][3]string{
		{"1.0.0.0", "1.0.0.255", "13335"},
		{"5.1.0.0", "5.1.2.255", "64500"},
		{"2a00:10::", "2a00:10:ffff:ffff:ffff:ffff:ffff:ffff", "64501"},
	}, func(v string) Record {
		switch v {
		case "13335":
			return Record{ASN: 13335, Operator: "Example Edge Ltd"}
		case "64500":
			return Record{ASN: 64500, Operator: "Example Backbone GmbH"}
		}
		return Record{ASN: 64501, Operator: "Example Net BV"}
	})
	over := build(t, srcOver, [][3]string{
		{"5.1.2.0", "5.1.2.127", ""},
	}, func(string) Record {
		return Record{Operator: "Example Kabel Reseller", Desk: "lea-desk@example.org +00 30 5550100"}
	})
	return New(over, nro, fire, asn)
}

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, db := range []*DB{fixtureDB(t), fixtureDB(t).Index()} {
		testLookup(t, db)
	}
}

func testLookup(t *testing.T, db *DB) {
	tests := []struct {
		ip, country string
		asn         uint32
		operator    string
		prefix      string
		disagree    string
		reason      string // substring; "" means attributable
		desk        string
	}{
		{ip: "1.0.0.7", country: "AU", asn: 13335, operator: "Example Edge Ltd", prefix: "1.0.0.0/24"},
		{ip: "1.0.2.9", country: "CN", prefix: "1.0.2.0/23", disagree: "sources disagree: NRO says CN, IPFire says HK"},
		{ip: "5.1.1.1", country: "DE", asn: 64500, operator: "Example Backbone GmbH", prefix: "5.1.0.0/23"},
		{ip: "5.1.2.200", country: "DE", asn: 64500, operator: "Example Backbone GmbH", prefix: "5.1.2.0/24"},
		{ip: "5.1.2.5", country: "DE", asn: 64500, operator: "Example Kabel Reseller", prefix: "5.1.2.0/25", desk: "lea-desk@example.org +00 30 5550100"},
		{ip: "5.200.0.1", country: "DE", prefix: "5.0.0.0/8"},
		{ip: "9.9.9.9", country: "CH", prefix: "9.9.9.0/24"},
		{ip: "::ffff:5.1.1.1", country: "DE", asn: 64500, operator: "Example Backbone GmbH", prefix: "5.1.0.0/23"},
		{ip: "2a00:10::1%eth0", country: "NL", asn: 64501, operator: "Example Net BV", prefix: "2a00:10::/32"},
		{ip: "2a00:ff::1", country: "NL", prefix: "2a00::/24"},
		{ip: "7.7.7.7", reason: "no source covers"},
		{ip: "2c0f::1", reason: "no source covers"},
		{ip: "10.9.8.7", reason: "private"},
		{ip: "100.64.1.1", reason: "carrier-grade NAT"},
		{ip: "2001:db8::1", reason: "documentation"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			a := db.Lookup(netip.MustParseAddr(tt.ip))
			if tt.reason != "" {
				if a.Attributable || !strings.Contains(a.Reason, tt.reason) {
					t.Fatalf("got attributable=%v reason %q, want reason containing %q", a.Attributable, a.Reason, tt.reason)
				}
				return
			}
			if !a.Attributable || a.Reason != "" {
				t.Fatalf("not attributable: %q", a.Reason)
			}
			if a.Country != tt.country || a.ASN != tt.asn || a.Operator != tt.operator || a.Desk != tt.desk {
				t.Errorf("got %s AS%d %q desk %q, want %s AS%d %q desk %q", a.Country, a.ASN, a.Operator, a.Desk, tt.country, tt.asn, tt.operator, tt.desk)
			}
			if got := a.Prefix().String(); got != tt.prefix {
				t.Errorf("prefix %s, want %s", got, tt.prefix)
			}
			if got := a.Disagreement(); got != tt.disagree {
				t.Errorf("disagreement %q, want %q", got, tt.disagree)
			}
			if a.AsOf.IsZero() || len(a.Sources()) == 0 {
				t.Errorf("as-of %v, sources %v: every answer must say how old its data is and where it comes from", a.AsOf, a.Sources())
			}
		})
	}
}

func TestLookupAsOfIsOldestSource(t *testing.T) {
	t.Parallel()
	a := fixtureDB(t).Lookup(netip.MustParseAddr("1.0.0.1"))
	if want := srcASN.AsOf; !a.AsOf.Equal(want) {
		t.Fatalf("as-of %v, want the oldest contributing source's date %v", a.AsOf, want)
	}
	var names []string
	for _, s := range a.Sources() {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "nro-country,ipfire-country,routeviews-asn" {
		t.Fatalf("sources %s", got)
	}
}

func TestLookupAsOfIgnoresUndatedLayers(t *testing.T) {
	t.Parallel()
	undated := build(t, Source{Name: "undated", Label: "U", Kind: KindOverlay}, [][3]string{{"1.0.0.0", "1.0.0.255", ""}},
		func(string) Record { return Record{Operator: "Example Undated"} })
	layers := append([]*Layer{undated}, fixtureDB(t).Layers()[1:]...)
	a := New(layers...).Lookup(netip.MustParseAddr("1.0.0.1"))
	if !a.AsOf.Equal(srcASN.AsOf) || a.Operator != "Example Undated" {
		t.Fatalf("as-of %v operator %q, want %v from the dated layers", a.AsOf, a.Operator, srcASN.AsOf)
	}
	only := New(undated).Lookup(netip.MustParseAddr("1.0.0.1"))
	if !only.Attributable || !only.AsOf.IsZero() {
		t.Fatalf("undated only: %+v", only)
	}
}

func TestSpecialReason(t *testing.T) {
	t.Parallel()
	tests := []struct{ ip, want string }{
		{"0.1.2.3", "this network"},
		{"10.0.0.1", "private"},
		{"172.31.255.255", "private"},
		{"172.32.0.1", ""},
		{"192.168.1.1", "private"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.255", "carrier-grade NAT"},
		{"100.128.0.1", ""},
		{"127.0.0.1", "loopback"},
		{"169.254.1.1", "link-local"},
		{"192.0.2.1", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"198.18.0.1", "benchmarking"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "broadcast"},
		{"8.8.8.8", ""},
		{"::", "unspecified"},
		{"::1", "loopback"},
		{"fe80::1", "link-local"},
		{"fd00::1", "unique local"},
		{"ff02::1", "multicast"},
		{"2001:db8::1", "documentation"},
		{"3fff::1", "documentation"},
		{"64:ff9b::808:808", "NAT64"},
		{"100::1", "discard"},
		{"4000::1", "reserved"},
		{"2a00::1", ""},
		{"2001:4860::8888", ""},
	}
	for _, tt := range tests {
		got := SpecialReason(netip.MustParseAddr(tt.ip))
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("SpecialReason(%s) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

func TestBuilderOverlapAndMerge(t *testing.T) {
	t.Parallel()
	b := NewBuilder(srcNRO)
	mustAdd(t, b, "1.0.0.0", "1.0.0.255", Record{Country: "AU"})
	mustAdd(t, b, "1.0.1.0", "1.0.1.255", Record{Country: "AU"}) // adjacent, same: merged
	mustAdd(t, b, "1.0.1.128", "1.0.2.255", Record{Country: "CN"})
	mustAdd(t, b, "1.0.2.0", "1.0.2.10", Record{Country: "JP"}) // fully covered: dropped
	l, st := b.Build()
	var got []string
	l.Ranges(func(r Range) bool {
		got = append(got, r.First.String()+"-"+r.Last.String()+"="+r.Record.Country)
		return true
	})
	want := "1.0.0.0-1.0.1.255=AU 1.0.2.0-1.0.2.255=CN"
	if strings.Join(got, " ") != want {
		t.Fatalf("ranges %v, want %s", got, want)
	}
	if st.Merged != 1 || st.Overlaps != 2 || st.Added != 4 {
		t.Fatalf("stats %+v", st)
	}
	for _, bad := range [][2]string{{"1.0.0.9", "1.0.0.1"}, {"1.0.0.1", "::1"}} {
		if err := b.Add(netip.MustParseAddr(bad[0]), netip.MustParseAddr(bad[1]), Record{}); err == nil {
			t.Errorf("Add(%s, %s) accepted", bad[0], bad[1])
		}
	}
}

// TestBuilderOverlapAndMergeFamilies runs the same overlaps and merges in
// both families, up to the last address of each, where there is no next
// address to merge with or trim to.
func TestBuilderOverlapAndMergeFamilies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		adds  [][3]string // first, last, country, in the order added
		want  string
		merge int
		over  int
	}{
		{"ipv6", [][3]string{
			{"2001:db8::", "2001:db8::ff", "AU"},
			{"2001:db8::100", "2001:db8::1ff", "AU"}, // adjacent, same: merged
			{"2001:db8::180", "2001:db8::2ff", "CN"}, // overlaps: trimmed to ::200
			{"2001:db8::200", "2001:db8::20a", "JP"}, // fully covered: dropped
		}, "2001:db8::-2001:db8::1ff=AU 2001:db8::200-2001:db8::2ff=CN", 1, 2},
		{"ipv4 top", [][3]string{
			{"255.255.255.0", "255.255.255.127", "AU"},
			{"255.255.255.128", "255.255.255.255", "AU"}, // merged up to the last address
			{"255.255.255.200", "255.255.255.255", "CN"}, // covered by the last range
		}, "255.255.255.0-255.255.255.255=AU", 1, 1},
		{"ipv6 top", [][3]string{
			{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "AU"},
			{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "AU"},
		}, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff=AU", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder(srcNRO)
			for _, a := range tc.adds {
				mustAdd(t, b, a[0], a[1], Record{Country: a[2]})
			}
			l, st := b.Build()
			var got []string
			l.Ranges(func(r Range) bool {
				got = append(got, r.First.String()+"-"+r.Last.String()+"="+r.Record.Country)
				return true
			})
			if strings.Join(got, " ") != tc.want {
				t.Errorf("ranges %v, want %s", got, tc.want)
			}
			if st.Merged != tc.merge || st.Overlaps != tc.over {
				t.Errorf("stats %+v, want %d merged and %d overlaps", st, tc.merge, tc.over)
			}
		})
	}
}

// TestFindAgainstBruteForce checks the indexed binary search against a
// linear scan over random disjoint ranges, for both families, including
// ranges that span several index buckets.
func TestFindAgainstBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	type rr struct{ s, e uint32 }
	var rs []rr
	b := NewBuilder(srcNRO)
	b6 := NewBuilder(srcNRO)
	for a := uint32(1 << 20); a < 0xf0000000; {
		size := uint32(1 + rng.IntN(1<<uint(rng.IntN(24))))
		if a+size < a {
			break
		}
		r := Record{Country: string(rune('A'+len(rs)%26)) + "Q"}
		if err := b.Add(v4addr(a), v4addr(a+size-1), r); err != nil {
			t.Fatal(err)
		}
		s6 := u128{hi: 0x2a00000000000000 | uint64(a)<<8}
		if err := b6.Add(s6.addr(), s6.add(u128{hi: uint64(size) << 8}).sub(u128{lo: 1}).addr(), r); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, rr{a, a + size - 1})
		a += size + uint32(rng.IntN(1<<uint(rng.IntN(24))))
	}
	l, _ := b.Build()
	l6, _ := b6.Build()
	brute := func(a uint32) int {
		for i, r := range rs {
			if r.s <= a && a <= r.e {
				return i
			}
		}
		return -1
	}
	// A second random layer, so the merged table of a DB has segments
	// where one, both or neither layer answers.
	bx := NewBuilder(srcFire)
	bx6 := NewBuilder(srcFire)
	for a := uint32(rng.IntN(1 << 20)); a < 0xff000000; {
		size := uint32(1 + rng.IntN(1<<uint(rng.IntN(26))))
		if a+size < a {
			break
		}
		r := Record{Country: "X" + string(rune('A'+rng.IntN(26)))}
		if err := bx.Add(v4addr(a), v4addr(a+size-1), r); err != nil {
			t.Fatal(err)
		}
		s6 := u128{hi: 0x2a00000000000000 | uint64(a)<<8}
		if err := bx6.Add(s6.addr(), s6.add(u128{hi: uint64(size) << 8}).sub(u128{lo: 1}).addr(), r); err != nil {
			t.Fatal(err)
		}
		a += size + uint32(rng.IntN(1<<uint(rng.IntN(26))))
	}
	lx, _ := bx.Build()
	lx6, _ := bx6.Build()
	db4, db6 := New(l, lx).Index(), New(l6, lx6).Index()
	wantRec := func(t *table4, a uint32) uint32 {
		if i := t.find(a); i >= 0 {
			return t.rec[i] + 1
		}
		return 0
	}
	wantRec6 := func(t *table6, a u128) uint32 {
		if i := t.find(a); i >= 0 {
			return t.rec[i] + 1
		}
		return 0
	}
	for n := 0; n < 20000; n++ {
		a := rng.Uint32()
		if n%3 == 0 { // probe near boundaries
			r := rs[rng.IntN(len(rs))]
			a = []uint32{r.s, r.e, r.s - 1, r.e + 1}[n%4]
		}
		want := brute(a)
		got := l.v4.find(a)
		if want != got {
			t.Fatalf("v4 find(%s) = %d, want %d", v4addr(a), got, want)
		}
		got6 := l6.v6.find(u128{hi: 0x2a00000000000000 | uint64(a)<<8, lo: uint64(n)})
		if want != got6 {
			t.Fatalf("v6 find for %s = %d, want %d", v4addr(a), got6, want)
		}
		seg := db4.f4.seg(a)
		if g, w := db4.f4.recs[2*seg:2*seg+2], []uint32{wantRec(&l.v4, a), wantRec(&lx.v4, a)}; g[0] != w[0] || g[1] != w[1] {
			t.Fatalf("merged v4 table at %s: %v, want %v", v4addr(a), g, w)
		}
		k6 := u128{hi: 0x2a00000000000000 | uint64(a)<<8, lo: uint64(n)}
		seg = db6.f6.seg(k6)
		if g, w := db6.f6.recs[2*seg:2*seg+2], []uint32{wantRec6(&l6.v6, k6), wantRec6(&lx6.v6, k6)}; g[0] != w[0] || g[1] != w[1] {
			t.Fatalf("merged v6 table at %s: %v, want %v", k6.addr(), g, w)
		}
	}
}

func TestPrefixWithinRange(t *testing.T) {
	t.Parallel()
	tests := []struct{ ip, first, last, want string }{
		{"121.16.109.40", "121.16.0.0", "121.29.25.255", "121.16.0.0/13"},
		{"121.29.25.1", "121.16.0.0", "121.29.25.255", "121.29.24.0/23"},
		{"1.2.3.4", "1.2.3.4", "1.2.3.4", "1.2.3.4/32"},
		{"0.0.0.1", "0.0.0.0", "255.255.255.255", "0.0.0.0/0"},
	}
	for _, tt := range tests {
		got := prefix4(v4key(netip.MustParseAddr(tt.ip)), v4key(netip.MustParseAddr(tt.first)), v4key(netip.MustParseAddr(tt.last)))
		if got.String() != tt.want {
			t.Errorf("prefix4(%s in %s-%s) = %s, want %s", tt.ip, tt.first, tt.last, got, tt.want)
		}
	}
	tests6 := []struct{ ip, first, last, want string }{
		{"2001:4860:4860::8888", "2001:4860::", "2001:4860:ffff:ffff:ffff:ffff:ffff:ffff", "2001:4860::/32"},
		{"2a00::5", "2a00::", "2a00::7", "2a00::/125"},
		{"::1", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0"},
	}
	for _, tt := range tests6 {
		got := prefix6(u128From(netip.MustParseAddr(tt.ip)), u128From(netip.MustParseAddr(tt.first)), u128From(netip.MustParseAddr(tt.last)))
		if got.String() != tt.want {
			t.Errorf("prefix6(%s) = %s, want %s", tt.ip, got, tt.want)
		}
	}
}

func layerDump(ls []*Layer) string {
	var sb strings.Builder
	for _, l := range ls {
		sb.WriteString(l.Source.Name + "|" + l.Source.Label + "|" + l.Source.Kind + "|" + l.Source.AsOf.Format(time.DateOnly) + "|" + l.Source.Licence + "|" + l.Source.Credit + "|" + l.Source.URL + "\n")
		l.Ranges(func(r Range) bool {
			sb.WriteString(r.First.String() + "-" + r.Last.String() + " " + r.Record.Country + " " + r.Record.Operator + " " + r.Record.Desk + "\n")
			return true
		})
	}
	return sb.String()
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	db := fixtureDB(t)
	b := NewBuilder(srcNRO)
	mustAdd(t, b, "255.255.255.0", "255.255.255.255", Record{Country: "ZY"})
	mustAdd(t, b, "ffff::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Record{Country: "ZY"})
	edge, _ := b.Build()
	layers := append(db.Layers(), edge)
	var buf bytes.Buffer
	if err := Encode(&buf, layers...); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := layerDump(layers), layerDump(got); a != b {
		t.Fatalf("round trip differs:\n%s\n---\n%s", a, b)
	}
	// The decoded DB answers like the original.
	for _, ip := range []string{"5.1.2.5", "1.0.2.9", "2a00:10::1", "7.7.7.7"} {
		x, y := db.Lookup(netip.MustParseAddr(ip)), New(got[:4]...).Lookup(netip.MustParseAddr(ip))
		if x.Country != y.Country || x.Operator != y.Operator || x.Prefix() != y.Prefix() || x.Disagreement() != y.Disagreement() {
			t.Errorf("%s: %+v vs %+v", ip, x, y)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	var good bytes.Buffer
	if err := Encode(&good, fixtureDB(t).Layers()...); err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty":      nil,
		"foreign":    []byte("MMDB this is not"),
		"truncated":  good.Bytes()[:good.Len()/2],
		"magic only": []byte(magic),
	}
	for name, data := range tests {
		if _, err := Decode(bytes.NewReader(data)); err == nil || !strings.Contains(err.Error(), "art35") && !strings.Contains(err.Error(), "IP database") {
			t.Errorf("%s: err %v, want a clear IP database error", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	var good bytes.Buffer
	if err := Encode(&good, fixtureDB(f).Layers()...); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte(magic))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ls, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		db := New(ls...) // whatever decodes must answer without panicking
		for _, ip := range []string{"1.0.0.1", "255.255.255.255", "2a00::1", "ffff::1"} {
			a := db.Lookup(netip.MustParseAddr(ip))
			_ = a.Prefix()
		}
	})
}

// TestIndexedLookupMatchesLayerSearch compares, on the default snapshot,
// the merged-table lookup with the one-search-per-layer lookup for random
// addresses of both families.
func TestIndexedLookupMatchesLayerSearch(t *testing.T) {
	t.Parallel()
	plain, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	indexed := New(plain.Layers()...).Index()
	rng := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 20000; i++ {
		ip := v4addr(rng.Uint32())
		if i%3 == 0 {
			ip = u128{hi: 0x2000000000000000 | rng.Uint64()>>4, lo: rng.Uint64()}.addr()
		}
		a, b := plain.Lookup(ip), indexed.Lookup(ip)
		if a.Country != b.Country || a.ASN != b.ASN || a.Operator != b.Operator || a.Reason != b.Reason ||
			a.Prefix() != b.Prefix() || a.Disagreement() != b.Disagreement() || !a.AsOf.Equal(b.AsOf) || a.OperatorID() != b.OperatorID() {
			t.Fatalf("%s: layer search %+v, merged table %+v", ip, a, b)
		}
	}
}

// TestDefaultSnapshot checks the embedded snapshot against the values
// SOURCES.md gives and a few well-known allocations.
func TestDefaultSnapshot(t *testing.T) {
	t.Parallel()
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Layers()) != 3 {
		t.Fatalf("%d layers, want NRO, IPFire and ASN", len(db.Layers()))
	}
	a := db.Lookup(netip.MustParseAddr("121.16.109.40"))
	if a.Country != "CN" || a.ASN != 4837 || a.Operator != "CHINA UNICOM China169 Backbone" {
		t.Fatalf("121.16.109.40: %s AS%d %q, want CN AS4837 CHINA UNICOM China169 Backbone", a.Country, a.ASN, a.Operator)
	}
	if !a.AsOf.Equal(day) {
		t.Errorf("as-of %v, want %v", a.AsOf, day)
	}
	for _, l := range db.Layers() {
		if l.Source.Licence == "" || l.Source.Credit == "" || l.Source.URL == "" {
			t.Errorf("layer %s lacks licence, credit or link", l.Source.Name)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	db, err := Open("")
	if err != nil {
		b.Fatal(err)
	}
	db.Index()
	rng := rand.New(rand.NewPCG(3, 4))
	ips := make([]netip.Addr, 4096)
	for i := range ips {
		ips[i] = v4addr(rng.Uint32())
	}
	b.Run("v4", func(b *testing.B) {
		i := 0
		for b.Loop() {
			a := db.Lookup(ips[i&4095])
			_ = a.Country
			i++
		}
	})
	plain := New(db.Layers()...) // not indexed: one search per layer
	b.Run("v4-per-layer", func(b *testing.B) {
		i := 0
		for b.Loop() {
			a := plain.Lookup(ips[i&4095])
			_ = a.Country
			i++
		}
	})
	ips6 := make([]netip.Addr, 4096)
	for i := range ips6 {
		ips6[i] = u128{hi: 0x2000000000000000 | rng.Uint64()>>4, lo: rng.Uint64()}.addr()
	}
	b.Run("v6", func(b *testing.B) {
		i := 0
		for b.Loop() {
			a := db.Lookup(ips6[i&4095])
			_ = a.Country
			i++
		}
	})
}

func BenchmarkDecodeDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(defaultData)); err != nil {
			b.Fatal(err)
		}
	}
}
