package request

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// testNow is the fixed "now" of the domain tests.
var testNow = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func readFixture(t testing.TB, typ Type) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "minimal", string(typ)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeMap(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// docPaths lists every key path of a JSON document; array elements are
// written "[]" so that paths compare with schema paths.
func docPaths(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := join(prefix, k)
			out[p] = true
			docPaths(c, p, out)
		}
	case []any:
		for _, c := range x {
			docPaths(c, prefix+"[]", out)
		}
	}
}

// requiredPaths lists every required path of a schema, following required
// properties only.
func requiredPaths(s map[string]any, prefix string, out map[string]bool) {
	if s["type"] == "array" {
		requiredPaths(s["items"].(map[string]any), prefix+"[]", out)
		return
	}
	props, _ := s["properties"].(map[string]any)
	req, _ := s["required"].([]string)
	for _, name := range req {
		p := join(prefix, name)
		out[p] = true
		requiredPaths(props[name].(map[string]any), p, out)
	}
}

func sortedKeys(m map[string]bool) []string {
	s := make([]string, 0, len(m))
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

func errorsOf(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Severity == SeverityError {
			out = append(out, p)
		}
	}
	return out
}

func TestMinimalFixturesAreValid(t *testing.T) {
	t.Parallel()
	for _, typ := range Types {
		t.Run(string(typ), func(t *testing.T) {
			r, ps := Check(readFixture(t, typ), testNow)
			if len(ps) != 0 {
				t.Fatalf("problems in a valid fixture: %v", ps)
			}
			if r.Type != typ || r.Content() == nil && typ != TypePing {
				t.Fatalf("decoded type %q content %v", r.Type, r.Content())
			}
		})
	}
}

// TestSchemaRequiredEqualsMinimalFixture proves that the schema and the
// validator agree: a minimal valid fixture holds exactly the schema's
// required fields, and (next test) removing any of them fails validation.
func TestSchemaRequiredEqualsMinimalFixture(t *testing.T) {
	t.Parallel()
	for _, typ := range Types {
		t.Run(string(typ), func(t *testing.T) {
			s, err := Schema(typ)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			requiredPaths(s, "", want)
			got := map[string]bool{}
			docPaths(decodeMap(t, readFixture(t, typ)), "", got)
			if !slices.Equal(sortedKeys(got), sortedKeys(want)) {
				t.Errorf("fixture paths differ from schema required paths\nfixture: %v\nschema:  %v", sortedKeys(got), sortedKeys(want))
			}
			tm, err := Template(typ, testNow)
			if err != nil {
				t.Fatal(err)
			}
			gotT := map[string]bool{}
			docPaths(tm, "", gotT)
			if !slices.Equal(sortedKeys(gotT), sortedKeys(want)) {
				t.Errorf("template paths differ from schema required paths\ntemplate: %v\nschema:   %v", sortedKeys(gotT), sortedKeys(want))
			}
		})
	}
}

// deletePath removes one key from a document, following "[0]" for the
// first element of arrays. It returns the field path as Validate names it.
func deletePath(doc map[string]any, path string) string {
	parts := strings.Split(path, ".")
	var cur any = doc
	var field []string
	for i, p := range parts {
		name, isArr := strings.CutSuffix(p, "[]")
		m := cur.(map[string]any)
		if i == len(parts)-1 {
			delete(m, name)
			// An object left empty is reported as missing as a whole.
			if len(m) > 0 || len(field) == 0 {
				field = append(field, name)
			}
			break
		}
		cur = m[name]
		if isArr {
			cur = cur.([]any)[0]
			field = append(field, name+"[0]")
		} else {
			field = append(field, name)
		}
	}
	return strings.Join(field, ".")
}

func TestEachRequiredFieldMissing(t *testing.T) {
	t.Parallel()
	for _, typ := range Types {
		s, _ := Schema(typ)
		req := map[string]bool{}
		requiredPaths(s, "", req)
		for _, path := range sortedKeys(req) {
			if strings.HasSuffix(path, "[]") {
				continue
			}
			t.Run(string(typ)+"/"+path, func(t *testing.T) {
				doc := decodeMap(t, readFixture(t, typ))
				field := deletePath(doc, path)
				b, _ := json.Marshal(doc)
				_, ps := Check(b, testNow)
				found := false
				for _, p := range errorsOf(ps) {
					if p.Field == field {
						found = true
						if _, ok := Rules[p.Rule]; !ok {
							t.Errorf("problem names unknown rule %q", p.Rule)
						}
						if !strings.Contains(p.Message, ":") {
							t.Errorf("message without a source: %q", p.Message)
						}
					}
				}
				if !found {
					t.Errorf("removing %s: no error on field %q; got %v", path, field, ps)
				}
			})
		}
	}
}

func TestPreserveArt29_2_f(t *testing.T) {
	t.Parallel()
	doc := decodeMap(t, readFixture(t, TypePreserve))
	tests := []struct {
		name  string
		value any // nil deletes the field
		want  string
	}{
		{"missing", nil, "Art. 29(2)(f): a statement that a mutual legal assistance request will follow is required"},
		{"false", false, "Art. 29(2)(f): a statement that a mutual legal assistance request will follow is required (it is false; the statement must be made, set it to true)"},
		{"true", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := doc["preserve"].(map[string]any)
			if tc.value == nil {
				delete(p, "mla_will_follow")
			} else {
				p["mla_will_follow"] = tc.value
			}
			b, _ := json.Marshal(doc)
			_, ps := Check(b, testNow)
			if tc.want == "" {
				if len(ps) != 0 {
					t.Fatalf("want valid, got %v", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Rule != "art29-2-f" || ps[0].Field != "preserve.mla_will_follow" || ps[0].Message != tc.want {
				t.Fatalf("got %v", ps)
			}
		})
	}
}

// withIdentifier returns the minimal preserve fixture with one identifier.
func withIdentifier(t *testing.T, id map[string]any) []byte {
	doc := decodeMap(t, readFixture(t, TypePreserve))
	d := doc["preserve"].(map[string]any)["data"].([]any)[0].(map[string]any)
	d["identifiers"] = []any{id}
	b, _ := json.Marshal(doc)
	return b
}

func TestIdentifierChecks(t *testing.T) {
	t.Parallel()
	const f = "preserve.data[0].identifiers[0]"
	tests := []struct {
		name      string
		id        map[string]any
		wantRules []string // rule@field in order
		inMessage string
	}{
		{"public v4 with port and time", map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 51234, "time": "2026-11-20T14:02:07Z"}, nil, ""},
		{"public v4 offset zone", map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 1, "time": "2026-11-20T15:02:07+01:00"}, nil, ""},
		{"public v6", map[string]any{"kind": "ip", "value": "2a00:1450:4001:80b::200e", "port": 443, "time": "2026-11-20T14:02:07Z"}, nil, ""},
		{"no port warns CGNAT", map[string]any{"kind": "ip", "value": "121.16.109.40", "time": "2026-11-20T14:02:07Z"}, []string{"ip-port@" + f + ".port"}, "carrier-grade NAT"},
		{"no time", map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 5}, []string{"ip-time@" + f + ".time"}, "UTC time"},
		{"time without zone", map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 5, "time": "2026-11-20T14:02:07"}, []string{"time-zone@" + f + ".time"}, "not a guess"},
		{"time garbage", map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 5, "time": "yesterday"}, []string{"time-syntax@" + f + ".time"}, "RFC 3339"},
		{"time in future", map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 5, "time": "2026-11-25T09:00:00Z"}, []string{"time-future@" + f + ".time"}, "6h0m0s after now"},
		{"within skew", map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 5, "time": "2026-11-25T03:04:00Z"}, nil, ""},
		{"private", map[string]any{"kind": "ip", "value": "192.168.1.10", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "RFC 1918"},
		{"cgnat", map[string]any{"kind": "ip", "value": "100.72.3.4", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "RFC 6598"},
		{"loopback", map[string]any{"kind": "ip", "value": "127.0.0.1", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "loopback"},
		{"link-local", map[string]any{"kind": "ip", "value": "169.254.10.1", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "link-local"},
		{"documentation", map[string]any{"kind": "ip", "value": "203.0.113.9", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "documentation"},
		{"multicast", map[string]any{"kind": "ip", "value": "239.1.2.3", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "multicast"},
		{"reserved", map[string]any{"kind": "ip", "value": "250.1.2.3", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "reserved"},
		{"v6 ula", map[string]any{"kind": "ip", "value": "fd12::1", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "unique local"},
		{"v6 link-local", map[string]any{"kind": "ip", "value": "fe80::1", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "link-local"},
		{"v6 documentation", map[string]any{"kind": "ip", "value": "2001:db8::1", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "documentation"},
		{"v6 loopback", map[string]any{"kind": "ip", "value": "::1", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "loopback"},
		{"v4-mapped private", map[string]any{"kind": "ip", "value": "::ffff:10.0.0.1", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "RFC 1918"},
		{"v6 unallocated", map[string]any{"kind": "ip", "value": "4000::1", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-public@" + f + ".value"}, "2000::/3"},
		{"not an ip", map[string]any{"kind": "ip", "value": "121.16.109", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-syntax@" + f + ".value"}, "not an IPv4"},
		{"zoned ip", map[string]any{"kind": "ip", "value": "fe80::1%eth0", "port": 5, "time": "2026-11-20T14:02:07Z"}, []string{"ip-syntax@" + f + ".value"}, "zone"},
		{"port out of range", map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 70000, "time": "2026-11-20T14:02:07Z"}, []string{"port-range@" + f + ".port"}, "65535"},
		{"bad domain", map[string]any{"kind": "domain", "value": "no_such..domain"}, []string{"domain-syntax@" + f + ".value"}, "labels"},
		{"bad email", map[string]any{"kind": "email", "value": "nobody"}, []string{"email-syntax@" + f + ".value"}, "local@domain"},
		{"bad kind", map[string]any{"kind": "imei", "value": "1"}, []string{"enum@" + f + ".kind"}, "ip, domain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := Check(withIdentifier(t, tc.id), testNow)
			var got []string
			for _, p := range ps {
				got = append(got, p.Rule+"@"+p.Field)
			}
			if !slices.Equal(got, tc.wantRules) {
				t.Fatalf("rules: got %v, want %v (%v)", got, tc.wantRules, ps)
			}
			if tc.inMessage != "" && !strings.Contains(ps[0].Message, tc.inMessage) {
				t.Errorf("message %q does not mention %q", ps[0].Message, tc.inMessage)
			}
		})
	}
}

func TestCGNATWarningIsNotAnError(t *testing.T) {
	t.Parallel()
	_, ps := Check(withIdentifier(t, map[string]any{"kind": "ip", "value": "121.16.109.40", "time": "2026-11-20T14:02:07Z"}), testNow)
	if HasErrors(ps) || len(ps) != 1 || ps[0].Severity != SeverityWarning {
		t.Fatalf("want one warning, got %v", ps)
	}
}

func TestTimestampStoredInUTC(t *testing.T) {
	t.Parallel()
	r, ps := Check(withIdentifier(t, map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 5, "time": "2026-11-20T15:02:07+01:00"}), testNow)
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	got := r.Preserve.Data[0].Identifiers[0].Time
	if got.T.Location() != time.UTC || got.T.Hour() != 14 {
		t.Fatalf("time not stored as 14:02:07 UTC: %v", got.T)
	}
	b, _ := json.Marshal(got)
	if string(b) != `"2026-11-20T14:02:07Z"` {
		t.Fatalf("marshalled %s", b)
	}
}

func TestCommonAndTypeSpecificRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		typ    Type
		mutate func(m map[string]any)
		want   string // rule@field that must be among the problems
	}{
		{"same party", TypePreserve, func(m map[string]any) { m["requested"].(map[string]any)["party"] = "US" }, "same-party@requested.party"},
		{"bad party code", TypePreserve, func(m map[string]any) { m["requested"].(map[string]any)["party"] = "Italy" }, "party-code@requested.party"},
		{"bad language", TypePreserve, func(m map[string]any) { m["language"] = "English" }, "language-code@language"},
		{"bad zone name", TypePreserve, func(m map[string]any) { m["requesting"].(map[string]any)["time_zone"] = "EST5" }, "time-zone-name@requesting.time_zone"},
		{"bad priority", TypePreserve, func(m map[string]any) { m["priority"] = "asap" }, "enum@priority"},
		{"unknown type", TypePreserve, func(m map[string]any) { m["type"] = "freeze" }, "common-type@type"},
		{"bad id", TypePreserve, func(m map[string]any) { m["id"] = "a b" }, "common-id@id"},
		{"H3 without conditions", TypePreserve, func(m map[string]any) { m["handling"] = map[string]any{"code": "H3"} }, "handling-h3@handling.conditions"},
		{"extension without ref", TypePreserve, func(m map[string]any) { m["preserve"].(map[string]any)["status"] = "extension" }, "tcy-extension-ref@preserve.extends_ref"},
		{"contact without phone", TypePreserve, func(m map[string]any) {
			m["preserve"].(map[string]any)["confirmation_contact"] = map[string]any{"name": "A"}
		}, "contact-phone@preserve.confirmation_contact.phone"},
		{"content of another type", TypePreserve, func(m map[string]any) { m["assistance"] = map[string]any{"question": "?"} }, "content-mismatch@assistance"},
		{"basis does not provide type", TypePreserve, func(m map[string]any) { m["legal_basis"] = map[string]any{"instrument": "protocol2"} }, "basis-for-type@legal_basis.instrument"},
		{"emergency needs emergency priority", TypeEmergencyDisclosure, func(m map[string]any) { m["priority"] = "urgent" }, "priority-for-type@priority"},
		{"protocol statement false", TypeEmergencyDisclosure, func(m map[string]any) {
			m["emergency_disclosure"].(map[string]any)["protocol_statement"] = false
		}, "p9-3-b@emergency_disclosure.protocol_statement"},
		{"traffic-path without time", TypeTrafficPath, func(m map[string]any) {
			m["traffic_path"].(map[string]any)["identifiers"] = []any{map[string]any{"kind": "account", "value": "x"}}
		}, "art30-time@traffic_path.identifiers[0].time"},
		{"period reversed", TypeRealtimeTraffic, func(m map[string]any) {
			m["realtime_traffic"].(map[string]any)["period"] = map[string]any{"from": "2026-12-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}
		}, "period-order@realtime_traffic.period"},
		{"preservation sought without ref", TypeSubscriberDirect, func(m map[string]any) {
			m["subscriber_direct"].(map[string]any)["preservation_sought"] = true
		}, "p7-4-e-ref@subscriber_direct.preservation_ref"},
		{"art8 preservation sought without ref", TypeProductionOrder, func(m map[string]any) {
			m["production_order"].(map[string]any)["supporting"].(map[string]any)["preservation_sought"] = true
		}, "p8-4-preservation-ref@production_order.supporting.preservation_ref"},
		{"bad domain", TypeDomainRegistration, func(m map[string]any) { m["domain_registration"].(map[string]any)["domain"] = "localhost" }, "domain-syntax@domain_registration.domain"},
		{"self link", TypePreserve, func(m map[string]any) { m["links"] = []any{map[string]any{"rel": "extends", "id": m["id"]}} }, "link-self@links[0].id"},
		{"empty condition", TypeSpontaneousInfo, func(m map[string]any) { m["handling"].(map[string]any)["conditions"] = []any{"use only in EX-12", " "} }, "list-entry-empty@handling.conditions[1]"},
		{"created in future", TypePreserve, func(m map[string]any) { m["created_at"] = "2027-01-01T00:00:00Z" }, "time-future@created_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := decodeMap(t, readFixture(t, tc.typ))
			tc.mutate(doc)
			b, _ := json.Marshal(doc)
			_, ps := Check(b, testNow)
			var got []string
			for _, p := range ps {
				got = append(got, p.Rule+"@"+p.Field)
			}
			if !slices.Contains(got, tc.want) {
				t.Fatalf("want %s among %v", tc.want, got)
			}
		})
	}
}

// TestEveryProblemAtOnce checks that one document with many faults gets
// all of them, not the first.
func TestEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	doc := decodeMap(t, readFixture(t, TypePreserve))
	p := doc["preserve"].(map[string]any)
	delete(p, "offence")
	delete(p, "necessity")
	delete(p, "mla_will_follow")
	doc["language"] = "xx-yy"
	b, _ := json.Marshal(doc)
	_, ps := Check(b, testNow)
	if len(ps) != 4 {
		t.Fatalf("want 4 problems, got %d: %v", len(ps), ps)
	}
}

func TestDecodeProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, rule, field string
	}{
		{"syntax", `{"id": `, "json-syntax", ""},
		{"empty", ``, "json-syntax", ""},
		{"not an object", `[1,2]`, "json-type", ""},
		{"unknown field", `{"id":"A","colour":"red"}`, "json-unknown-field", "colour"},
		{"wrong type", `{"id":"A","handling":{"code":7}}`, "json-type", "handling.code"},
		{"trailing", `{"id":"A"} {}`, "json-trailing", ""},
		{"timestamp not a string", `{"created_at":5}`, "json-type", "created_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := Decode([]byte(tc.doc))
			if len(ps) == 0 || ps[0].Rule != tc.rule || ps[0].Field != tc.field {
				t.Fatalf("got %v, want %s@%s", ps, tc.rule, tc.field)
			}
		})
	}
}

func TestSchemaUnknownType(t *testing.T) {
	t.Parallel()
	if _, err := Schema("freeze"); err == nil || !strings.Contains(err.Error(), "preserve") {
		t.Fatalf("want an error listing the types, got %v", err)
	}
}

func TestRulesAllHaveSources(t *testing.T) {
	t.Parallel()
	for id, r := range Rules {
		if r.Source == "" || r.Text == "" {
			t.Errorf("rule %s lacks source or text", id)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, typ := range Types {
		f.Add(readFixture(f, typ))
	}
	f.Add([]byte(`{"type":"preserve","preserve":{"data":[{"identifiers":[{"kind":"ip","value":"::ffff:1.2.3.4%x","time":"2026-11-20T14:02:07+25:00"}]}]}}`))
	f.Add([]byte(`{"created_at":"2026-02-30T00:00:00Z","links":[{}],"handling":{"code":"H3","conditions":[""]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, ps := Check(b, testNow)
		for _, p := range ps {
			if _, ok := Rules[p.Rule]; !ok {
				t.Fatalf("problem with unknown rule: %v", p)
			}
			if p.Severity != SeverityError && p.Severity != SeverityWarning {
				t.Fatalf("bad severity: %v", p)
			}
		}
		if r != nil && !HasErrors(ps) {
			// A valid request survives a round trip unchanged in meaning.
			out, err := json.Marshal(r)
			if err != nil {
				t.Fatalf("marshal valid request: %v", err)
			}
			if _, ps2 := Check(out, testNow); HasErrors(ps2) {
				t.Fatalf("valid request invalid after round trip: %v\n%s", ps2, out)
			}
		}
		_ = fmt.Sprint(r)
	})
}

// BenchmarkCheck measures decoding plus validation of a preserve request
// with one IP identifier (the composer runs it on every keystroke).
func BenchmarkCheck(b *testing.B) {
	doc := decodeMap(b, readFixture(b, TypePreserve))
	d := doc["preserve"].(map[string]any)["data"].([]any)[0].(map[string]any)
	d["identifiers"] = []any{map[string]any{"kind": "ip", "value": "121.16.109.40", "port": 51234, "time": "2026-11-20T14:02:07Z"}}
	data, _ := json.Marshal(doc)
	b.ReportAllocs()
	for b.Loop() {
		if _, ps := Check(data, testNow); len(ps) != 0 {
			b.Fatal(ps)
		}
	}
}

// TestEveryRuleUsedIsDefined reads the sources of this package and of the
// route package for rule ids passed to the problem builders, so that a
// problem never names a rule without a source and text.
func TestEveryRuleUsedIsDefined(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`(?:v\.add|problem|warn)\([^,()]+, "([a-z0-9-]+)"`)
	tagRe := regexp.MustCompile("rule:\"([a-z0-9-]+)\"")
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("../route/*.go")
	n := 0
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range append(re.FindAllStringSubmatch(string(b), -1), tagRe.FindAllStringSubmatch(string(b), -1)...) {
			n++
			if _, ok := Rules[m[1]]; !ok {
				t.Errorf("%s uses rule %q, which Rules does not define", f, m[1])
			}
		}
	}
	if n < 100 {
		t.Fatalf("found only %d rule uses; the pattern no longer matches the code", n)
	}
}

// TestCheckFile: an invalid document's error names the file and lists
// each error-level problem with its field and rule, one a line.
func TestCheckFile(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	_, err := CheckFile("req.json", []byte(`{"id":"A","colour":"red"}`), now)
	if !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("got %v, want invalid", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "req.json is not a valid request:\n  colour [json-unknown-field]") {
		t.Errorf("error does not name the file and the unknown field:\n%s", msg)
	}
	if _, err := CheckFile("x.json", []byte(`nope`), now); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "[json-syntax]") {
		t.Errorf("not JSON: %v", err)
	}
}

func TestTypeNames(t *testing.T) {
	t.Parallel()
	names := TypeNames()
	if len(names) != len(Types) || len(names) == 0 || names[0] != string(Types[0]) {
		t.Fatalf("TypeNames() = %v, Types = %v", names, Types)
	}
}
