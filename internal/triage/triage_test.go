package triage

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/request"
)

var now = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func TestExtract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		x     Extractor
		line  string
		addr  string // "" means no address
		time  string // RFC 3339 UTC; "" means none
		zless bool
	}{
		{name: "combined log", line: `121.16.109.40 - - [20/Nov/2026:14:02:07 +0100] "GET / HTTP/1.1" 200 512 "-" "curl/8"`, addr: "121.16.109.40", time: "2026-11-20T13:02:07Z"},
		{name: "combined log, negative offset", line: `8.8.8.8 - frank [10/Oct/2026:13:55:36 -0700] "GET /a.gif"`, addr: "8.8.8.8", time: "2026-10-10T20:55:36Z"},
		{name: "IPv4 with port", line: `5.6.7.8:51234 - - [10/Oct/2026:13:55:36 +0000] "GET /"`, addr: "5.6.7.8", time: "2026-10-10T13:55:36Z"},
		{name: "IPv6 bracketed with port", line: `[2001:4860::8888]:443 2026-11-25T01:02:03.250Z GET /`, addr: "2001:4860::8888", time: "2026-11-25T01:02:03Z"},
		{name: "IPv6 with zone", line: `fe80::1%eth0 - - [10/Oct/2026:13:55:36 +0000]`, addr: "fe80::1", time: "2026-10-10T13:55:36Z"},
		{name: "IPv4-mapped IPv6", line: `::ffff:1.2.3.4 x`, addr: "1.2.3.4"},
		{name: "plain list", line: `203.0.113.7`, addr: "203.0.113.7"},
		{name: "csv first field", line: `5.6.7.8,2026-11-25 01:02:03+02:00,GET`, addr: "5.6.7.8", time: "2026-11-24T23:02:03Z"},
		{name: "quoted csv", line: `"5.6.7.8","x"`, addr: "5.6.7.8"},
		{name: "time without zone is not guessed", line: `5.6.7.8 2026-11-25T01:02:03 GET`, addr: "5.6.7.8", zless: true},
		{name: "json line", line: `{"time":"2026-11-25T01:02:03+00:00","remote_addr":"9.9.9.9","status":200}`, addr: "9.9.9.9", time: "2026-11-25T01:02:03Z"},
		{name: "json line, numeric-looking key order", line: `{"status":200, "client_ip": "2a00::1", "@timestamp": "2026-11-25T01:02:03Z"}`, addr: "2a00::1", time: "2026-11-25T01:02:03Z"},
		{name: "field 3 by blanks", x: Extractor{Field: 3}, line: `2026-11-25T01:02:03Z   web1  5.6.7.8 GET`, addr: "5.6.7.8", time: "2026-11-25T01:02:03Z"},
		{name: "field 2 by comma with quotes", x: Extractor{Field: 2, Sep: ','}, line: `"a, b",5.6.7.8,x`, addr: "5.6.7.8"},
		{name: "regex submatch", x: Extractor{Regex: regexp.MustCompile(`client=(\S+)`)}, line: `Nov 25 01:02:03 host sshd: client=5.6.7.8 failed`, addr: "5.6.7.8"},
		{name: "leading zeros refused", line: `01.2.3.4 x`},
		{name: "octet over 255", line: `1.2.3.256 x`},
		{name: "no address", line: `GET / HTTP/1.1`},
		{name: "garbage", line: "\x00\xff\xfe[[[::::"},
		{name: "field past the end", x: Extractor{Field: 9}, line: `a b c`},
		{name: "impossible date ignored", line: `5.6.7.8 [31/Feb/2026:13:55:36 +0000]`, addr: "5.6.7.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tt.x
			r, ok := x.Extract([]byte(tt.line))
			if tt.addr == "" {
				if ok {
					t.Fatalf("found %s in %q, want no address", r.addr, tt.line)
				}
				return
			}
			if !ok || r.addr != netip.MustParseAddr(tt.addr) {
				t.Fatalf("address %v (ok %v), want %s", r.addr, ok, tt.addr)
			}
			got := ""
			if r.hasTime {
				got = time.Unix(r.t, 0).UTC().Format(time.RFC3339)
			}
			if got != tt.time || r.zoneless != tt.zless {
				t.Fatalf("time %q zoneless %v, want %q %v", got, r.zoneless, tt.time, tt.zless)
			}
		})
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		`121.16.109.40 - - [20/Nov/2026:14:02:07 +0100] "GET / HTTP/1.1" 200 512`,
		`[2001:db8::1]:443 2026-11-25T01:02:03.250Z`,
		`{"remote_addr":"9.9.9.9","time":"2026-11-25T01:02:03+00:00"}`,
		`fe80::1%eth0,2026-11-25 01:02:03 +0200`,
		"\xff\xfe\x00[",
	} {
		f.Add(s, 0, "")
		f.Add(s, 2, ",")
	}
	f.Fuzz(func(t *testing.T, line string, fieldN int, sep string) {
		x := Extractor{Field: fieldN % 8}
		if x.Field < 0 {
			x.Field = -x.Field
		}
		if sep != "" {
			x.Sep = sep[0]
		}
		r, ok := x.Extract([]byte(line))
		if ok && !r.addr.IsValid() {
			t.Fatalf("ok with an invalid address for %q", line)
		}
		// The IPv4 fast path must agree with the general one.
		if a, ok := leadingV4(skipBlank([]byte(line))); ok {
			b, ok2 := parseAddr(firstToken(skipBlank([]byte(line))))
			if !ok2 || a != b {
				t.Fatalf("fast path %s, general path %s %v for %q", a, b, ok2, line)
			}
		}
		if r.hasTime && (r.t < -62135596800 || r.t > 253402300799) {
			t.Fatalf("time %d outside years 1-9999", r.t)
		}
	})
}

// fixture is a small IP world: disjoint ranges of a few countries (the
// truth the brute-force count uses) and an ipdb built from them.
type fixture struct {
	ranges []fixRange
	db     *ipdb.DB
}

type fixRange struct {
	first, last netip.Addr
	cc          string
	asn         uint32
	op          string
}

func newFixture(t testing.TB) *fixture {
	rng := rand.New(rand.NewPCG(7, 8))
	ccs := []string{"CN", "IT", "US", "RU", "DE", "BR", "FR", "KP"}
	fx := &fixture{}
	countries := ipdb.NewBuilder(ipdb.Source{Name: "fx-country", Label: "FX", Kind: ipdb.KindCountry, AsOf: now.AddDate(0, -5, 0)})
	asns := ipdb.NewBuilder(ipdb.Source{Name: "fx-asn", Label: "FX-ASN", Kind: ipdb.KindASN, AsOf: now.AddDate(0, -5, 0)})
	a := uint32(20) << 24
	for i := 0; i < 300; i++ {
		size := uint32(256 << rng.IntN(8))
		first := netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
		e := a + size - 1
		last := netip.AddrFrom4([4]byte{byte(e >> 24), byte(e >> 16), byte(e >> 8), byte(e)})
		r := fixRange{first: first, last: last, cc: ccs[rng.IntN(len(ccs))], asn: uint32(64500 + rng.IntN(20))}
		r.op = fmt.Sprintf("Example Net %d", r.asn)
		fx.ranges = append(fx.ranges, r)
		a += size + uint32(rng.IntN(3))*256
	}
	for i := 0; i < 40; i++ {
		first := netip.AddrFrom16([16]byte{0x2a, 0x00, byte(i), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
		last := netip.AddrFrom16([16]byte{0x2a, 0x00, byte(i), 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		r := fixRange{first: first, last: last, cc: ccs[i%len(ccs)], asn: 64600, op: "Example Six"}
		fx.ranges = append(fx.ranges, r)
	}
	for _, r := range fx.ranges {
		if err := countries.Add(r.first, r.last, ipdb.Record{Country: r.cc}); err != nil {
			t.Fatal(err)
		}
		if err := asns.Add(r.first, r.last, ipdb.Record{ASN: r.asn, Operator: r.op}); err != nil {
			t.Fatal(err)
		}
	}
	lc, _ := countries.Build()
	la, _ := asns.Build()
	fx.db = ipdb.New(lc, la)
	return fx
}

// bruteCountry finds the country of a by a linear scan over the fixture
// ranges: an oracle that shares no code with ipdb.
func (fx *fixture) bruteCountry(a netip.Addr) string {
	for _, r := range fx.ranges {
		if r.first.Compare(a) <= 0 && a.Compare(r.last) <= 0 {
			return r.cc
		}
	}
	return ""
}

func (fx *fixture) randomAddr(rng *rand.Rand) netip.Addr {
	r := fx.ranges[rng.IntN(len(fx.ranges))]
	if r.first.Is4() {
		f, l := r.first.As4(), r.last.As4()
		fu := uint32(f[0])<<24 | uint32(f[1])<<16 | uint32(f[2])<<8 | uint32(f[3])
		lu := uint32(l[0])<<24 | uint32(l[1])<<16 | uint32(l[2])<<8 | uint32(l[3])
		v := fu + uint32(rng.IntN(int(lu-fu+1)))
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	b := r.first.As16()
	b[15] = byte(rng.IntN(256))
	b[10] = byte(rng.IntN(256))
	return netip.AddrFrom16(b)
}

// genLog writes n lines mixing the formats triage reads, plus noise, and
// returns the true address of every line that has one.
func (fx *fixture) genLog(n int, seed uint64) ([]byte, []netip.Addr) {
	rng := rand.New(rand.NewPCG(seed, 99))
	var buf bytes.Buffer
	var truth []netip.Addr
	// a pool so that addresses repeat, as in a real log
	pool := make([]netip.Addr, 500)
	for i := range pool {
		pool[i] = fx.randomAddr(rng)
	}
	pool = append(pool, netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("100.64.9.9"), netip.MustParseAddr("7.7.7.7"))
	base := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		a := pool[rng.IntN(len(pool))]
		ts := base.Add(time.Duration(i) * time.Second)
		switch rng.IntN(12) {
		case 0:
			buf.WriteString("GET / HTTP/1.1 with no address at all\n")
			continue
		case 1:
			buf.WriteString("\x00\xff\xfegarbage\xc3\x28\n")
			continue
		case 2:
			buf.WriteString("\n")
			continue
		case 3:
			fmt.Fprintf(&buf, `{"time":"%s","remote_addr":"%s","status":200}`+"\n", ts.Format(time.RFC3339), a)
		case 4:
			if a.Is6() {
				fmt.Fprintf(&buf, "[%s]:%d %s\r\n", a, 1024+rng.IntN(60000), ts.Format(time.RFC3339))
			} else {
				fmt.Fprintf(&buf, "%s:%d %s\r\n", a, 1024+rng.IntN(60000), ts.Format(time.RFC3339))
			}
		case 5:
			fmt.Fprintf(&buf, "%s\n", a)
		default:
			fmt.Fprintf(&buf, "%s - - [%s] \"GET /x HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0\"\n", a, ts.Format("02/Jan/2006:15:04:05 -0700"), rng.IntN(9999))
		}
		truth = append(truth, a)
	}
	return buf.Bytes(), truth
}

func scan(t *testing.T, s Scanner, inputs ...Input) *Result {
	t.Helper()
	res, err := s.Scan(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCountsMatchBruteForce is the correctness check of issue 5: per-
// country line and unique-address counts of a generated log, computed
// independently by a linear scan over the fixture ranges, must equal
// triage's output exactly.
func TestCountsMatchBruteForce(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	log, truth := fx.genLog(20000, 1)
	type cnt struct {
		lines int64
		ips   map[netip.Addr]bool
	}
	want := map[string]*cnt{}
	var unattributable int64
	for _, a := range truth {
		cc := fx.bruteCountry(a)
		if cc == "" {
			unattributable++
			continue
		}
		if want[cc] == nil {
			want[cc] = &cnt{ips: map[netip.Addr]bool{}}
		}
		want[cc].lines++
		want[cc].ips[a] = true
	}
	for _, workers := range []int{1, 3} {
		res := scan(t, Scanner{Workers: workers}, Input{Name: "fixture.log", R: bytes.NewReader(log)})
		rep := Summarize(res, fx.db, Options{})
		got := map[string]string{}
		for _, c := range rep.Countries {
			got[c.Country] = fmt.Sprintf("%d/%d", c.Events, c.UniqueIPs)
		}
		wantS := map[string]string{}
		for cc, c := range want {
			wantS[cc] = fmt.Sprintf("%d/%d", c.lines, len(c.ips))
		}
		if fmt.Sprint(got) != fmt.Sprint(wantS) {
			t.Fatalf("workers %d: per-country lines/unique IPs\n got %v\nwant %v", workers, got, wantS)
		}
		if rep.Unattributable != unattributable {
			t.Errorf("unattributable %d, want %d", rep.Unattributable, unattributable)
		}
		if rep.Lines != 20000 || res.Stats.NoAddress+res.Stats.Blank+int64(len(truth)) != 20000 {
			t.Errorf("lines %d, no address %d, blank %d, with address %d", rep.Lines, res.Stats.NoAddress, res.Stats.Blank, len(truth))
		}
		if res.Stats.NotUTF8 == 0 {
			t.Errorf("garbage lines were not counted as not UTF-8")
		}
	}
}

func TestFirstLastSeen(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	a := fx.ranges[0].first.Next()
	log := fmt.Sprintf("%s - - [20/Nov/2026:14:02:07 +0100] \"GET /\"\n%s - - [20/Nov/2026:13:00:00 +0000] \"GET /\"\n%s 2026-11-21T00:00:00Z\n%s\n", a, a, a, a)
	res := scan(t, Scanner{Workers: 2}, Input{Name: "x", R: strings.NewReader(log)})
	st := res.Get(a)
	if st == nil || st.Lines != 4 || !st.Timed {
		t.Fatalf("stat %+v", st)
	}
	if got := time.Unix(st.First, 0).UTC().Format(time.RFC3339); got != "2026-11-20T13:00:00Z" {
		t.Errorf("first seen %s", got)
	}
	if got := time.Unix(st.Last, 0).UTC().Format(time.RFC3339); got != "2026-11-21T00:00:00Z" {
		t.Errorf("last seen %s", got)
	}
	if res.Stats.NoTime != 1 {
		t.Errorf("no-time lines %d, want 1", res.Stats.NoTime)
	}
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestScanRobustness(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	log, truth := fx.genLog(5000, 2)
	plain := scan(t, Scanner{}, Input{Name: "p", R: bytes.NewReader(log)})

	t.Run("gzip gives the same result", func(t *testing.T) {
		res := scan(t, Scanner{}, Input{Name: "g.gz", R: bytes.NewReader(gz(t, log))})
		if res.Stats.Lines != plain.Stats.Lines || res.Len() != plain.Len() || !res.Stats.Files[0].Gzip {
			t.Fatalf("gzip: %+v vs plain %+v", res.Stats, plain.Stats)
		}
	})
	t.Run("truncated gzip counts the lines before the cut", func(t *testing.T) {
		z := gz(t, log)
		res := scan(t, Scanner{}, Input{Name: "cut.gz", R: bytes.NewReader(z[:len(z)/2])}, Input{Name: "next", R: strings.NewReader("1.0.0.1\n")})
		f := res.Stats.Files[0]
		if !strings.Contains(f.Error, "truncated") || f.Lines == 0 || f.Lines >= plain.Stats.Lines {
			t.Fatalf("file stat %+v", f)
		}
		if res.Stats.Files[1].Lines != 1 {
			t.Errorf("the input after the damaged one was not read: %+v", res.Stats.Files[1])
		}
	})
	t.Run("damaged gzip header", func(t *testing.T) {
		res := scan(t, Scanner{}, Input{Name: "bad.gz", R: bytes.NewReader([]byte{0x1f, 0x8b, 0, 0})})
		if res.Stats.Files[0].Error == "" {
			t.Fatal("no error recorded")
		}
	})
	t.Run("long lines", func(t *testing.T) {
		a := truth[0]
		huge := strings.Repeat("x", 3*chunkSize+17)
		mid := strings.Repeat("y", maxLine+5)
		in := a.String() + " " + huge + "\n" + a.String() + " " + mid + "\n" + a.String() + "\n" + huge + "\n" + a.String()
		for _, w := range []int{1, 2} {
			res := scan(t, Scanner{Workers: w}, Input{Name: "long", R: strings.NewReader(in)})
			if res.Stats.Lines != 5 || res.Stats.LongLines != 3 || res.Get(a) == nil || res.Get(a).Lines != 4 || res.Stats.NoAddress != 1 {
				t.Fatalf("workers %d: stats %+v, addr %+v", w, res.Stats, res.Get(a))
			}
		}
	})
	t.Run("binary garbage", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 5))
		junk := make([]byte, 3<<20)
		for i := range junk {
			junk[i] = byte(rng.IntN(256))
		}
		res := scan(t, Scanner{}, Input{Name: "junk", R: bytes.NewReader(junk)})
		if res.Stats.Lines == 0 || res.Stats.NotUTF8 == 0 {
			t.Fatalf("stats %+v", res.Stats)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s := Scanner{}
		if _, err := s.Scan(ctx, []Input{{Name: "p", R: bytes.NewReader(log)}}); err == nil {
			t.Fatal("no error after cancel")
		}
	})
}

func starter(t testing.TB) *directory.Snapshot {
	s, err := directory.Starter()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRouteFor(t *testing.T) {
	t.Parallel()
	s := starter(t)
	cn := RouteFor(s, "US", "CN", request.TypePreserve, now)
	if cn.Available || !strings.Contains(cn.Reason, "UN 2024 Convention") || !strings.Contains(cn.Reason, "not in force") || len(cn.Remains) == 0 {
		t.Errorf("US->CN: %+v", cn)
	}
	it := RouteFor(s, "US", "IT", request.TypePreserve, now)
	if !it.Available || it.Basis != request.InstrumentBudapest || !strings.HasPrefix(it.Authority, "IT-") || !strings.HasSuffix(it.LocalTime, "+01:00") {
		t.Errorf("US->IT: %+v", it)
	}
	if x := RouteFor(s, "US", "ZZ", request.TypePreserve, now); x.Available || x.Reason == "" {
		t.Errorf("unknown party: %+v", x)
	}
	if x := RouteFor(s, "US", "US", request.TypePreserve, now); x.Available || !strings.Contains(x.Reason, "domestic") {
		t.Errorf("domestic: %+v", x)
	}
}

func TestReportRoutesAndDrafts(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	log, _ := fx.genLog(3000, 3)
	res := scan(t, Scanner{}, Input{Name: "x", R: bytes.NewReader(log)})
	rep := Summarize(res, fx.db, Options{From: "US", Now: now, Directory: starter(t), Addresses: true})
	var noRoute []string
	for _, n := range rep.NoRoute {
		noRoute = append(noRoute, n.Country)
	}
	slices.Sort(noRoute)
	// US itself is domestic; CN, RU, KP are not Budapest parties in the
	// starter directory; IT, DE, FR, BR are.
	if got := strings.Join(noRoute, ","); got != "CN,KP,RU,US" {
		t.Errorf("no route: %s", got)
	}
	dir := t.TempDir()
	files, err := WriteDrafts(dir, rep, Requesting(starter(t), "US"), now)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "IT-preserve-draft.json") || strings.Contains(got, "CN-") {
		t.Fatalf("drafts %s", got)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, ps := request.Check(data, now)
		if r == nil {
			t.Fatalf("%s does not decode: %v", f, ps)
		}
		for _, p := range ps {
			if p.Severity == request.SeverityError && !IsPersonField(p.Field) {
				t.Errorf("%s: %s is not a field only a person can fill", filepath.Base(f), p)
			}
		}
		if n := len(r.Preserve.Data[0].Identifiers); n == 0 {
			t.Errorf("%s lists no addresses", f)
		}
	}
	var text, csvOut bytes.Buffer
	if err := WriteText(&text, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NO ROUTE from US", "UN 2024 Convention", "What remains", "NOT ATTRIBUTABLE", "private address", "carrier-grade NAT", "country of registration"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if err := WriteCSV(&csvOut, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(csvOut.String(), "country,name,asn,operator,events") {
		t.Errorf("csv header: %q", csvOut.String()[:60])
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"lines"`, `"unattributable"`, `"countries"`, `"events"`, `"unique_ips"`, `"operators"`, `"route"`, `"no_route"`, `"available"`} {
		if !bytes.Contains(js, []byte(k)) {
			t.Errorf("JSON lacks key %s", k)
		}
	}
}

func BenchmarkScan(b *testing.B) {
	fx := newFixture(b)
	log, _ := fx.genLog(200000, 4)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		s := Scanner{}
		if _, err := s.Scan(context.Background(), []Input{{Name: "b", R: bytes.NewReader(log)}}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMkTimeMatchesTimeDate checks the hand-written calendar arithmetic
// against the standard library over random dates and offsets.
func TestMkTimeMatchesTimeDate(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 100000; i++ {
		y, m, d := 1+rng.IntN(9999), 1+rng.IntN(12), 1+rng.IntN(31)
		h, mi, s := rng.IntN(24), rng.IntN(60), rng.IntN(60)
		zh, zm := rng.IntN(15), []int{0, 30, 45}[rng.IntN(3)]
		sign := "+-"[rng.IntN(2)]
		got, ok, _ := mkTime(y, m, d, h, mi, s, sign, zh, zm)
		off := zh*3600 + zm*60
		if sign == '-' {
			off = -off
		}
		want := time.Date(y, time.Month(m), d, h, mi, s, 0, time.FixedZone("", off))
		valid := want.Day() == d
		if ok != valid || ok && got != want.Unix() {
			t.Fatalf("%04d-%02d-%02d %02d:%02d:%02d %c%02d%02d: got %d %v, want %d %v", y, m, d, h, mi, s, sign, zh, zm, got, ok, want.Unix(), valid)
		}
	}
}

// TestTab4AgainstMap checks the open-addressing table against a Go map
// through several growths, with keys 0 and 0xffffffff included.
func TestTab4AgainstMap(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 22))
	tab := newTab4()
	type agg struct{ lines, first, last int64 }
	ref := map[uint32]*agg{}
	keys := []uint32{0, 0xffffffff}
	for i := 0; i < 50000; i++ {
		keys = append(keys, rng.Uint32()%200000*7919)
	}
	for i, k := range keys {
		sec := int64(1700000000 + rng.IntN(100000))
		timed := i%5 != 0
		tab.add(k, 1, sec, sec, timed)
		r := ref[k]
		if r == nil {
			r = &agg{}
			ref[k] = r
		}
		r.lines++
		if timed {
			if r.first == 0 || sec < r.first {
				r.first = sec
			}
			r.last = max(r.last, sec)
		}
	}
	if tab.n != len(ref) {
		t.Fatalf("%d entries, want %d", tab.n, len(ref))
	}
	for k, r := range ref {
		s := tab.find(k)
		if s == nil || int64(s.lines) != r.lines || int64(s.first) != r.first || int64(s.last) != r.last {
			t.Fatalf("key %d: %+v, want %+v", k, s, r)
		}
	}
	if tab.find(12345*7919+1) != nil {
		t.Fatal("found a key never added")
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	log, _ := fx.genLog(50000, 6)
	clock := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var calls []Progress
	s := Scanner{
		Now:           func() time.Time { clock = clock.Add(time.Second); return clock },
		ProgressEvery: time.Second,
		Progress:      func(p Progress) { calls = append(calls, p) },
	}
	if _, err := s.Scan(context.Background(), []Input{{Name: "x", R: bytes.NewReader(log), Size: int64(len(log))}}); err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 {
		t.Fatal("no progress reported")
	}
	last := calls[len(calls)-1]
	if last.Lines != 50000 || last.Bytes != int64(len(log)) || last.Total != int64(len(log)) || last.Elapsed <= 0 {
		t.Fatalf("last progress %+v", last)
	}
	// Without a clock, no progress at all (the CLI passes none when
	// standard error is not a terminal).
	calls = nil
	s.Now = nil
	if _, err := s.Scan(context.Background(), []Input{{Name: "x", R: bytes.NewReader(log)}}); err != nil || len(calls) != 0 {
		t.Fatalf("progress without a clock: %d calls, err %v", len(calls), err)
	}
}

func TestTextClipsLongLabels(t *testing.T) {
	t.Parallel()
	rep := Report{Caveat: ipdb.Caveat, Countries: []Country{{
		Country: "US", Events: 3, UniqueIPs: 1,
		Operators:     []Operator{{ASN: 64500, Operator: strings.Repeat("Very Long Example Operator Name ", 10), Events: 3, UniqueIPs: 1}},
		Disagreements: []Disagreement{{"a", 5}, {"b", 4}, {"c", 3}, {"d", 2}, {"e", 1}},
	}}}
	var buf bytes.Buffer
	if err := WriteText(&buf, rep); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if len([]rune(line)) > 200 {
			t.Errorf("line of %d characters: %q", len(line), line)
		}
	}
	if !strings.Contains(buf.String(), "and 3 addresses with other disagreements") {
		t.Errorf("disagreements not capped:\n%s", buf.String())
	}
}

// FuzzScanChunks checks the chunking against itself: whatever the input,
// scanning with tiny chunks counts the same lines as scanning with the
// default 1 MiB chunks, and when no line is longer than the tiny chunk,
// every address's aggregate is the same too.
func FuzzScanChunks(f *testing.F) {
	f.Add([]byte("1.2.3.4 - - [20/Nov/2026:14:02:07 +0100] \"GET /\"\n5.6.7.8\n\n[2001:db8::1]:80 x\r\ngarbage\n1.2.3.4"), uint8(7))
	f.Add([]byte(strings.Repeat("9.9.9.9 "+strings.Repeat("x", 40)+"\n", 20)), uint8(16))
	f.Add([]byte{0x1f, 0x8b, 0, 0, 0}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		small := int(size%64) + 1
		big := Scanner{Workers: 2}
		tiny := Scanner{Workers: 3, chunk: small}
		rb, err1 := big.Scan(context.Background(), []Input{{Name: "b", R: bytes.NewReader(data)}})
		rt, err2 := tiny.Scan(context.Background(), []Input{{Name: "t", R: bytes.NewReader(data)}})
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if rb.Stats.Lines != rt.Stats.Lines {
			t.Fatalf("lines: %d with 1 MiB chunks, %d with %d-byte chunks", rb.Stats.Lines, rt.Stats.Lines, small)
		}
		longest := 0
		for _, l := range bytes.Split(data, []byte("\n")) {
			longest = max(longest, len(l)+1)
		}
		if longest > small || rb.Stats.Files[0].Gzip {
			return
		}
		if rb.Len() != rt.Len() {
			t.Fatalf("%d addresses vs %d", rb.Len(), rt.Len())
		}
		rb.Each(func(a netip.Addr, st *AddrStat) {
			if o := rt.Get(a); o == nil || *o != *st {
				t.Fatalf("%s: %+v vs %+v", a, st, o)
			}
		})
	})
}

// FuzzParseV6 checks the allocation-free IPv6 parser against netip: it
// may refuse what netip accepts (the caller then asks netip), but what it
// accepts must be exactly netip's answer.
func FuzzParseV6(f *testing.F) {
	for _, s := range []string{"::", "::1", "2001:db8::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
		"fe80::1:2", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1", "1:", "12345::", "::ffff:1.2.3.4", "g::", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseV6([]byte(s))
		b, err := netip.ParseAddr(s)
		if ok && (err != nil || a != b) {
			t.Fatalf("parseV6(%q) = %s, netip: %s %v", s, a, b, err)
		}
		if !ok && err == nil && b.Is6() && b.Zone() == "" && !strings.Contains(s, ".") {
			t.Fatalf("parseV6(%q) refused what netip reads as %s", s, b)
		}
	})
}
