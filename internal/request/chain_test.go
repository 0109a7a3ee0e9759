package request

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func loadFixture(t *testing.T, typ Type) *Request {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "minimal", string(typ)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	r, ps := Check(b, testNow)
	if HasErrors(ps) {
		t.Fatal(ps)
	}
	return r
}

// story1 builds SPEC story 1: US preserve to CN... here to the fixture's
// requested party, a traffic-path answer naming a provider in FR, and the
// linked preserve to FR.
func story1(t *testing.T) (orig, answer, next *Request) {
	orig = loadFixture(t, TypePreserve) // US -> IT
	orig.ID = "US-2026-000100"
	answer = loadFixture(t, TypeTrafficPath) // IT -> US, answers US-2026-000100, provider in FR
	answer.ID = "IT-2026-000900"
	answer.Handling = Handling{Code: H2}
	answer.TrafficPath.Identifiers = append(answer.TrafficPath.Identifiers, PathIdentifier{Kind: IdentIP, Value: "121.16.109.40", Port: 40112, Time: ParseTimestamp("2026-11-20T14:02:07Z")})
	next, err := PreserveFromTrafficPath(orig, answer, "US-2026-000101", testNow)
	if err != nil {
		t.Fatal(err)
	}
	return orig, answer, next
}

func TestPreserveFromTrafficPath(t *testing.T) {
	t.Parallel()
	orig, answer, next := story1(t)
	if next.Requested.Party != "FR" || next.Requesting != orig.Requesting || next.Type != TypePreserve {
		t.Fatalf("new request goes %s -> %s", next.Requesting.Party, next.Requested.Party)
	}
	if l, ok := next.LinkTo(RelTrafficPath); !ok || l.ID != answer.ID {
		t.Errorf("no traffic-path link: %v", next.Links)
	}
	if next.Handling.Code != H2 {
		t.Errorf("handling weakened to %s; the answer was H2", next.Handling.Code)
	}
	if got := next.Preserve.Data[0].Identifiers; len(got) != 2 || got[1].Value != "121.16.109.40" || got[1].Port != 40112 {
		t.Errorf("identifiers not carried over: %+v", got)
	}
	// The generated request passes the checklist once the requested
	// authority's name is filled in from the directory.
	next.Requested.Name = "Example 24/7 Contact Point (fictional)"
	b, _ := json.Marshal(next)
	if _, ps := Check(b, testNow); len(ps) != 0 {
		t.Fatalf("generated preserve has problems: %v", ps)
	}
}

func TestPreserveFromTrafficPathErrors(t *testing.T) {
	t.Parallel()
	orig := loadFixture(t, TypePreserve)
	orig.ID = "US-2026-000100"
	tests := []struct {
		name   string
		mutate func(a *Request)
		msg    string
	}{
		{"answers another request", func(a *Request) { a.TrafficPath.PreservationID = "X" }, "pair the answer"},
		{"no country", func(a *Request) { a.TrafficPath.Provider.Country = "" }, "does not name the provider's country"},
		{"provider at home", func(a *Request) { a.TrafficPath.Provider.Country = "US" }, "domestic order"},
		{"not a traffic path", func(a *Request) { a.Type = TypeAssistance }, "must be a traffic-path"},
	}
	for _, tc := range tests {
		a := loadFixture(t, TypeTrafficPath)
		tc.mutate(a)
		if _, err := PreserveFromTrafficPath(orig, a, "N1", testNow); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
}

func TestExtendAndWalk(t *testing.T) {
	t.Parallel()
	orig, answer, next := story1(t)
	ext, err := Extend(orig, "US-2026-000150", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if ext.Preserve.Status != "extension" || ext.Preserve.ExtendsRef != orig.SenderRef || orig.Preserve.Status != "new" {
		t.Fatalf("extension %+v, original status %s", ext.Preserve, orig.Preserve.Status)
	}
	b, _ := json.Marshal(ext)
	if _, ps := Check(b, testNow); len(ps) != 0 {
		t.Fatalf("extension has problems: %v", ps)
	}
	mla := loadFixture(t, TypeMLAFollowup)
	mla.ID = "US-2026-000200"
	mla.MLAFollowup.PreservationID = next.ID
	other := loadFixture(t, TypeAssistance)
	other.ID = "US-2026-000999"

	all := []*Request{mla, next, other, ext, answer, orig}
	// From any member of the chain the walk is the same.
	for _, start := range []string{orig.ID, mla.ID, answer.ID} {
		chain, err := Walk(all, start)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range chain {
			got = append(got, strings.Repeat(" ", n.Depth)+n.ID+":"+n.Rel)
		}
		want := []string{
			"US-2026-000100:",
			" IT-2026-000900:answers",
			"  US-2026-000101:traffic-path",
			"   US-2026-000200:follows-up",
			" US-2026-000150:extends",
		}
		if !slices.Equal(got, want) {
			t.Errorf("walk from %s:\n got %q\nwant %q", start, got, want)
		}
	}
	if _, err := Walk(all, "nope"); err == nil {
		t.Error("walk from an unknown id should fail")
	}
	// A loop of links is reported, not followed forever.
	a := &Request{ID: "A", Links: []Link{{Rel: RelExtends, ID: "B"}}}
	bq := &Request{ID: "B", Links: []Link{{Rel: RelExtends, ID: "A"}}}
	if _, err := Walk([]*Request{a, bq}, "A"); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("loop: %v", err)
	}
}
