package directory

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

func readList(t *testing.T, path string) *SourceList {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ReadSourceList(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var mergeNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func fixtureMerge(t *testing.T) (*SourceList, *SourceList, *MergeResult) {
	a := readList(t, "testdata/g8-list.csv")
	b := readList(t, "testdata/coe-list.csv")
	return a, b, Merge(a, b, MergeOptions{Now: mergeNow})
}

func TestReadSourceListLayouts(t *testing.T) {
	t.Parallel()
	a, b, _ := fixtureMerge(t)
	if a.Layout != "g8" || len(a.Entries) != 8 || b.Layout != "coe" || len(b.Entries) != 9 {
		t.Fatalf("a %s %d, b %s %d", a.Layout, len(a.Entries), b.Layout, len(b.Entries))
	}
	// The same countries, spelled differently, get the same code.
	for _, tc := range []struct {
		list          *SourceList
		i             int
		country, code string
	}{
		{a, 0, "Turkey", "TR"}, {b, 0, "Türkiye", "TR"},
		{a, 1, "Czech Republic", "CZ"}, {b, 1, "Czechia", "CZ"},
		{a, 2, "USA", "US"}, {b, 2, "United States", "US"},
		{a, 7, "UK", "GB"}, {b, 8, "United Kingdom", "GB"},
	} {
		e := tc.list.Entries[tc.i]
		if e.Country != tc.country || e.Code != tc.code {
			t.Errorf("%s entry %d: %s -> %s, want %s -> %s", tc.list.Name, tc.i, e.Country, e.Code, tc.country, tc.code)
		}
	}
	if e := b.Entries[4]; e.Role != RoleCentralAuthority || e.AsOf.String() != "2026-03-15" || e.DutyHours != "Mon-Fri 09:00-17:00" {
		t.Errorf("CoE IT central authority: %+v", e)
	}
	if got := strings.Join(b.Entries[0].Languages, ","); got != "en,tr" {
		t.Errorf("languages %q", got)
	}
}

// TestMergePlantedConflicts asserts every conflict planted in the two
// fixture lists, with both values, and that no entry of either list is lost.
func TestMergePlantedConflicts(t *testing.T) {
	t.Parallel()
	a, b, res := fixtureMerge(t)
	want := []struct {
		id, a, b, stale, suggest string
	}{
		{"DE:24/7:agency", "Federal Cybercrime Office", "Federal Cybercrime Centre", "", "b"}, // agency renamed
		{"IT:24/7:phone", "+00 39 06 555 0100", "+00 39 06 555 0142", "a", "b"},               // stale G8 entry, new number
		{"TR:24/7:phone", "+00 90 555 0100", "+00 90 555 0199", "", "b"},                      // Turkey / Türkiye, different phone
		{"US:24/7:person", "Pat Sample", "Robin Placeholder", "", "b"},                        // USA / United States, other officer
	}
	if len(res.Conflicts) != len(want) {
		for _, c := range res.Conflicts {
			t.Logf("conflict %s: %q vs %q", c.ID, c.A, c.B)
		}
		t.Fatalf("%d conflicts, want %d", len(res.Conflicts), len(want))
	}
	for i, w := range want {
		c := res.Conflicts[i]
		if c.ID != w.id || c.A != w.a || c.B != w.b || c.Stale != w.stale || c.Suggest != w.suggest {
			t.Errorf("conflict %d: got %+v, want %+v", i, c, w)
		}
		if c.AWhere == "" || c.BWhere == "" || c.AAsOf.IsZero() || c.BAsOf.IsZero() {
			t.Errorf("conflict %s lacks where/as-of: %+v", c.ID, c)
		}
	}
	if !slices.Equal(res.OnlyA, []string{"JP:24/7"}) {
		t.Errorf("only in A: %v", res.OnlyA)
	}
	if !slices.Equal(res.OnlyB, []string{"BJ:24/7", "IT:central-authority"}) {
		t.Errorf("only in B: %v", res.OnlyB)
	}
	if len(res.Stale) != 1 || res.Stale[0].Key != "IT:24/7" || res.Stale[0].Side != "a" || res.Stale[0].AsOf.String() != "2019-03-01" {
		t.Errorf("stale: %+v", res.Stale)
	}
	// Nothing dropped: every row of both lists is in exactly one merged
	// entry, which cites it.
	for _, l := range []*SourceList{a, b} {
		for _, e := range l.Entries {
			n := 0
			for _, m := range res.Entries {
				if m.Key() == e.key() && slices.Contains(m.Where, e.Where) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s (%s) is in %d merged entries, want 1", e.key(), e.Where, n)
			}
		}
	}
	if len(res.Entries) != 10 {
		t.Errorf("%d merged entries, want 10 (7 matched + 1 + 2)", len(res.Entries))
	}
	// Spelling-only differences are not conflicts; one-sided values are taken.
	get := func(key string) MergedEntry {
		i := slices.IndexFunc(res.Entries, func(m MergedEntry) bool { return m.Key() == key })
		if i < 0 {
			t.Fatalf("no entry %s", key)
		}
		return res.Entries[i]
	}
	if fr := get("FR:24/7"); fr.Email != "247@fr-cyber.example.org" || fr.From != "both" || fr.TimeZone != "Europe/Paris" {
		t.Errorf("FR: %+v", fr)
	}
	if cz := get("CZ:24/7"); cz.Phone == "" || len(cz.Unresolved) != 0 || cz.AsOf.String() != "2026-03-01" {
		t.Errorf("CZ: %+v", cz)
	}
	if it := get("IT:24/7"); it.Phone != "" || !slices.Equal(it.Unresolved, []string{"IT:24/7:phone"}) {
		t.Errorf("IT phone must stay empty until resolved: %+v", it)
	}
}

func TestMergeResolveAndApply(t *testing.T) {
	t.Parallel()
	_, _, res := fixtureMerge(t)
	s := starter(t)
	if err := res.Apply(s); !apperr.Is(err, apperr.EConflict) || !strings.Contains(err.Error(), "4 conflicts are unresolved") {
		t.Fatalf("apply before resolving: %v", err)
	}
	data, err := os.ReadFile("testdata/resolutions.csv")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ReadResolutions("testdata/resolutions.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Resolve(rs); err != nil {
		t.Fatal(err)
	}
	if open := res.Unresolved(); len(open) != 0 {
		t.Fatalf("unresolved: %+v", open)
	}
	if err := res.Apply(s); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, phone, name, person string }{
		{"IT-247", "+00 39 06 555 0142", "Postal and Communications Police, Cyber Centre", "Giulia Esempio"},
		{"DE-247", "+00 49 611 555 0100", "Federal Cybercrime Centre", "Lena Beispiel"},
		{"US-247", "+00 1 (202) 555-0100", // same number: the newer spelling is kept
			"Computer Crime Section, Department of Justice", "Robin Placeholder (backup: Pat Sample)"},
		{"IT-CA", "+00 39 06 555 0200", "Office for International Judicial Cooperation, Ministry of Justice", ""},
	} {
		_, a, ok := s.AuthorityByID(tc.id)
		if !ok {
			t.Errorf("%s missing after apply", tc.id)
			continue
		}
		person := ""
		if len(a.People) > 0 {
			person = a.People[0].Name
		}
		if a.Phone != tc.phone || a.Name != tc.name || person != tc.person || !a.ContactKnown {
			t.Errorf("%s: %+v", tc.id, a)
		}
	}
	if _, a, _ := s.AuthorityByID("BJ-247"); a.DutyHours != "Mon-Fri 08:00-18:00; Sat 09:00-13:00" || a.TimeZone != "Africa/Porto-Novo" {
		t.Errorf("BJ-247: %+v", a)
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, file, says string }{
		{"unknown conflict", "conflict,choose,value\nFR:24/7:phone,a,\n", `conflict "FR:24/7:phone" is not in this merge`},
		{"bad choice", "conflict,choose,value\nTR:24/7:phone,newest,\n", `"newest" is not a choice`},
		{"value without choose value", "conflict,choose,value\nTR:24/7:phone,a,+00 1\n", "takes no value"},
		{"choose value without value", "conflict,choose,value\nTR:24/7:phone,value,\n", "needs the value"},
		{"twice", "conflict,choose,value\nTR:24/7:phone,a,\nTR:24/7:phone,b,\n", "resolved twice (first on line 2)"},
		{"no header", "TR:24/7:phone,a,\n", "unknown column"},
	} {
		_, _, res := fixtureMerge(t)
		rs, err := ReadResolutions("r.csv", []byte(tc.file))
		if err == nil {
			err = res.Resolve(rs)
		}
		if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v, want invalid saying %q", tc.name, err, tc.says)
		}
	}
	// Partial resolutions leave the rest open.
	_, _, res := fixtureMerge(t)
	rs, _ := ReadResolutions("r.csv", []byte("conflict,choose\nTR:24/7:phone,b\n"))
	if err := res.Resolve(rs); err != nil || len(res.Unresolved()) != 3 {
		t.Fatalf("partial: %v, %d open", err, len(res.Unresolved()))
	}
}

func TestReadSourceListErrors(t *testing.T) {
	t.Parallel()
	g8 := "Country,Agency,Type,Phone (24/7),E-mail,Contact,Languages,Hours,Time zone,Updated\n"
	coe := "Last confirmed;Party;ISO code;Designation;Authority;Telephone;Email;Officer on duty;Working languages;Availability\n"
	for _, tc := range []struct{ name, in, says string }{
		{"unknown layout", "Nation,Phone\nItaly,+00\n", "matches no known list layout"},
		{"unknown country", g8 + "Atlantis,Unit,police,+00 1,,,,24/7,,2025-01-01\n", `l.csv: line 2, column 1 (country): "Atlantis" is not a country`},
		{"bad date", g8 + "Italy,Unit,police,+00 1,,,,24/7,,01/02/2025\n", "column 10 (updated)"},
		{"bad zone", g8 + "Italy,Unit,police,+00 1,,,,24/7,Rome,2025-01-01\n", "column 9 (time zone)"},
		{"bad kind", g8 + "Italy,Unit,cops,+00 1,,,,24/7,,2025-01-01\n", "column 3 (type)"},
		{"duplicate", g8 + "Italy,Unit,police,+00 1,,,,24/7,,2025-01-01\nIT,Unit,police,+00 1,,,,24/7,,2025-01-01\n", "appears twice (first on line 2)"},
		{"code disagrees with name", coe + "01/03/2026;Italy;FR;24/7 point of contact;Unit;+00 1;;;;24/7\n", "code FR but \"Italy\" is IT"},
		{"unknown designation", coe + "01/03/2026;Italy;IT;Liaison;Unit;+00 1;;;;24/7\n", `designation "Liaison" is not known`},
		{"bad hours", coe + "01/03/2026;Italy;IT;24/7;Unit;+00 1;;;;always\n", "column 10 (availability)"},
		{"field count", coe + "01/03/2026;Italy;IT\n", "line 2"},
		{"no agency", coe + "01/03/2026;Italy;IT;24/7;;+00 1;;;;24/7\n", "column 5 (authority)"},
	} {
		_, err := ReadSourceList("l.csv", []byte(tc.in))
		if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v, want invalid saying %q", tc.name, err, tc.says)
		}
	}
}

func FuzzReadSourceList(f *testing.F) {
	for _, p := range []string{"testdata/g8-list.csv", "testdata/coe-list.csv"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Country,Agency,Phone (24/7),Updated\nX,Y,Z,2025-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ReadSourceList("f.csv", data)
		if err != nil {
			if apperr.Code(err) != apperr.EInvalid {
				t.Fatalf("code %q: %v", apperr.Code(err), err)
			}
			return
		}
		// Merging a list with itself finds no conflicts and loses nothing.
		res := Merge(l, l, MergeOptions{})
		if len(res.Conflicts) != 0 || len(res.Entries) != len(l.Entries) {
			t.Fatalf("self-merge: %d conflicts, %d of %d entries", len(res.Conflicts), len(res.Entries), len(l.Entries))
		}
	})
}

func FuzzReadResolutions(f *testing.F) {
	f.Add([]byte("conflict,choose,value\nTR:24/7:phone,b,\n"))
	f.Add([]byte("conflict,choose\n#x\nA,value\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ReadResolutions("f.csv", data)
		if err != nil {
			if apperr.Code(err) != apperr.EInvalid {
				t.Fatalf("code %q: %v", apperr.Code(err), err)
			}
			return
		}
		_, _, res := fixtureMerge(t)
		_ = res.Resolve(rs)
	})
}

func TestMergeOneSidedStaleAndApplyMissingParty(t *testing.T) {
	t.Parallel()
	a := readList(t, "testdata/g8-list.csv")
	b := readList(t, "testdata/coe-list.csv")
	res := Merge(a, b, MergeOptions{Now: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)})
	var keys []string
	for _, s := range res.Stale {
		keys = append(keys, s.Key+"/"+s.Side)
	}
	// Two years before 2028-01-01: JP (2025-04-01, a only) is stale, BJ and
	// IT-CA (2026, b only) are not; IT:24/7 is stale next to the other list.
	if !slices.Equal(keys, []string{"IT:24/7/a", "JP:24/7/a"}) {
		t.Errorf("stale %v", keys)
	}

	// Apply refuses to invent a party that the snapshot lacks.
	rs, _ := ReadResolutions("r.csv", []byte("conflict,choose\nDE:24/7:agency,b\nIT:24/7:phone,b\nTR:24/7:phone,b\nUS:24/7:person,b\n"))
	if err := res.Resolve(rs); err != nil {
		t.Fatal(err)
	}
	s := exampleSnapshot(t) // IT, CN, BJ only
	err := res.Apply(s)
	if !apperr.Is(err, apperr.ENotFound) || !strings.Contains(err.Error(), "party CZ (Czechia") {
		t.Fatalf("apply to a snapshot without CZ: %v", err)
	}
}

func TestApplyLeavesSnapshotUnchangedOnRefusal(t *testing.T) {
	t.Parallel()
	_, _, res := fixtureMerge(t)
	rs, _ := ReadResolutions("r.csv", []byte("conflict,choose\nDE:24/7:agency,b\nIT:24/7:phone,b\nTR:24/7:phone,b\nUS:24/7:person,b\n"))
	if err := res.Resolve(rs); err != nil {
		t.Fatal(err)
	}
	s := exampleSnapshot(t)
	before, _ := Canonical(s)
	if err := res.Apply(s); err == nil {
		t.Fatal("applied to a snapshot without CZ")
	}
	if after, _ := Canonical(s); string(after) != string(before) {
		t.Fatal("a refused Apply changed the snapshot")
	}
}
