package directory

import (
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

func starter(t *testing.T) *Snapshot {
	t.Helper()
	s, err := Starter()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStarterKnownParties(t *testing.T) {
	t.Parallel()
	s := starter(t)
	if len(s.Parties) != 106 {
		t.Errorf("%d parties, want the 106 rows of parties-v2.csv", len(s.Parties))
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	yes := "member"
	for _, tc := range []struct {
		code        string
		budapest    Status
		budapestIn  bool
		budDeposit  string
		budInForce  string // "" = not known
		budKind     DepositKind
		p2          Status
		p2Signed    string
		p2Deposited string
		un          Status
		unSigned    string
		euBound     bool
		euMember    bool
		g7          string // "member", "" = not known
		confidence  string
		has247      bool
		zone        string
	}{
		// CoE chart ETS 185, status as of 2026-04-25 [S1].
		{code: "US", budapest: StatusParty, budapestIn: true, budDeposit: "2006-09-29", budInForce: "2007-01-01", budKind: Ratification, p2: StatusSignatory, p2Signed: "2022-05-12", un: StatusNone, g7: yes, confidence: "confirmed", has247: true},
		{code: "GB", budapest: StatusParty, budapestIn: true, budDeposit: "2011-05-25", budInForce: "2011-09-01", budKind: Ratification, p2: StatusSignatory, p2Signed: "2022-11-30", un: StatusSignatory, g7: yes, confidence: "secondary", has247: true, zone: "Europe/London"},
		{code: "IT", budapest: StatusParty, budapestIn: true, budDeposit: "2008-06-05", budInForce: "2008-10-01", budKind: Ratification, p2: StatusSignatory, p2Signed: "2022-05-12", un: StatusNone, euBound: true, euMember: true, g7: yes, confidence: "confirmed", has247: true, zone: "Europe/Rome"},
		{code: "CN", budapest: StatusNone, p2: StatusNone, un: StatusSignatory, unSigned: "2025-10-25", confidence: "confirmed"},
		{code: "AR", budapest: StatusParty, budapestIn: true, budDeposit: "2018-06-05", budInForce: "2018-10-01", budKind: Accession, p2: StatusSignatory, p2Signed: "2023-02-16", un: StatusNone, confidence: "confirmed", has247: true},
		{code: "JP", budapest: StatusParty, budapestIn: true, budDeposit: "2012-07-03", budInForce: "2012-11-01", budKind: Ratification, p2: StatusParty, p2Signed: "2022-05-12", p2Deposited: "2023-08-10", un: StatusNone, g7: yes, confidence: "confirmed", has247: true, zone: "Asia/Tokyo"},
		{code: "DK", budapest: StatusParty, budapestIn: true, budDeposit: "2005-06-21", budInForce: "2005-10-01", budKind: Ratification, p2: StatusUnknown, un: StatusNone, euMember: true, confidence: "confirmed", has247: true},
		{code: "IE", budapest: StatusSignatory, p2: StatusNone, un: StatusSignatory, unSigned: "2025-10-25", euBound: true, euMember: true, confidence: "confirmed"},
		{code: "IN", budapest: StatusNone, p2: StatusNone, un: StatusNone, g7: yes, confidence: "confirmed"},
		{code: "KR", budapest: StatusInvited, p2: StatusNone, un: StatusUnknown, confidence: "confirmed"},
		{code: "NZ", budapest: StatusParty, budapestIn: true, budDeposit: "2025-08-28", budInForce: "2025-12-01", budKind: Accession, p2: StatusUnknown, un: StatusNone, confidence: "confirmed", has247: true},
	} {
		p, ok := s.Party(tc.code)
		if !ok {
			t.Errorf("%s missing", tc.code)
			continue
		}
		check := func(what string, got, want any) {
			t.Helper()
			if got != want {
				t.Errorf("%s %s: got %v, want %v", tc.code, what, got, want)
			}
		}
		check("budapest", p.Budapest.Status, tc.budapest)
		check("budapest in force now", p.InForce(Budapest, now), tc.budapestIn)
		check("budapest deposit", p.Budapest.Deposited.String(), tc.budDeposit)
		check("budapest in-force date", p.Budapest.InForce.String(), tc.budInForce)
		check("budapest deposit kind", p.Budapest.DepositKind, tc.budKind)
		check("budapest undated", p.Budapest.InForceUndated, false) // every party of the chart has its dates
		check("protocol2", p.Protocol2.Status, tc.p2)
		check("protocol2 signed", p.Protocol2.Signed.String(), tc.p2Signed)
		check("protocol2 deposited", p.Protocol2.Deposited.String(), tc.p2Deposited)
		check("protocol2 in force", p.InForce(Protocol2, now), false) // 3 of 5 ratifications
		check("un2024", p.UN2024.Status, tc.un)
		check("un2024 signed", p.UN2024.Signed.String(), tc.unSigned)
		check("un2024 in force", p.InForce(UN2024, now), false) // 40 needed
		check("eu member", p.EU.Member, tc.euMember)
		check("eu bound", p.InForce(EU, now), tc.euBound)
		check("eu bound before 2026-08-18", p.InForce(EU, time.Date(2026, 8, 17, 23, 0, 0, 0, time.UTC)), false)
		g7 := ""
		if p.G7Network != nil && *p.G7Network {
			g7 = "member"
		}
		check("g7", g7, tc.g7)
		check("confidence", p.Confidence, tc.confidence)
		if len(p.Sources) == 0 {
			t.Errorf("%s: no sources", tc.code)
		}
		a, err := s.PointOfContact(tc.code)
		check("has 24/7", err == nil, tc.has247)
		if err == nil {
			check("24/7 contact known", a.ContactKnown, false)
			check("24/7 phone", a.Phone+a.Email+a.Name, "")
			check("24/7 people", len(a.People), 0)
			if tc.zone != "" {
				check("24/7 zone", a.TimeZone, tc.zone)
			}
		} else if !apperr.Is(err, apperr.ENotFound) {
			t.Errorf("%s: PointOfContact error %v, want not found", tc.code, err)
		}
	}
	// The entry-into-force rule on a real date: the US deposited on
	// 2006-09-29 and is bound from 2007-01-01, not the day before.
	us, _ := s.Party("US")
	if us.InForce(Budapest, time.Date(2006, 12, 31, 23, 59, 0, 0, time.UTC)) || !us.InForce(Budapest, time.Date(2007, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("US bound by the Convention on the wrong day; want from 2007-01-01")
	}
	// Every date in the file agrees with Art. 36(4)/37(2); no party is
	// counted as in force without a date.
	budapest, _ := s.Instrument(Budapest)
	for _, p := range s.Parties {
		if p.Budapest.Status != StatusParty {
			continue
		}
		want, ok := EntryIntoForce(budapest, p.Budapest.Deposited)
		if !ok || want != p.Budapest.InForce {
			t.Errorf("%s: in force %s, deposit %s: the rule gives %s", p.Code, p.Budapest.InForce, p.Budapest.Deposited, want)
		}
	}
	if n := len(s.List(Budapest, now)); n != 81 {
		t.Errorf("%d Budapest parties in force on %s, want the chart's 81", n, now.Format(time.DateOnly))
	}
	if n := len(s.List(EU, now)); n != 26 {
		t.Errorf("%d parties bound by Regulation 2023/1543, want 26 (27 members less Denmark)", n)
	}
	var g7 []string
	for _, p := range s.Parties {
		if p.G7Network != nil && *p.G7Network {
			g7 = append(g7, p.Code)
		}
	}
	if strings.Join(g7, ",") != "CA,DE,FR,GB,IN,IT,JP,US" {
		t.Errorf("G7 24/7 members %v, want the seven G7 states and India", g7)
	}
	p2, _ := s.Instrument(Protocol2)
	if p2.Ratifications != 3 || p2.State != "not in force (3 of 5 ratifications)" {
		t.Errorf("Protocol: %d ratifications, state %q", p2.Ratifications, p2.State)
	}
	if s.AsOf.String() != "2026-04-25" || len(s.SourceNotes) != 5 {
		t.Errorf("as-of %s, notes %v", s.AsOf, s.SourceNotes)
	}
}

// TestReadPartiesV2Errors: a corrected list with a date that breaks the
// Convention's rule, or an unknown G7 value, is refused with the cell named.
func TestReadPartiesV2Errors(t *testing.T) {
	head := strings.Join(partiesV2Columns, ",") + "\n"
	for _, tc := range []struct{ name, row, want string }{
		{"in force against the rule", "US,USA,party,2001-11-23,2006-09-29,2007-02-01,,,,,,,,S1,confirmed", "budapest_in_force"},
		{"g7 value", "US,USA,party,2001-11-23,2006-09-29,2007-01-01,,,,,,,maybe,S1,confirmed", "g7_247_member"},
		{"eu value", "FR,France,party,,2006-01-10,2006-05-01,,,,,,member,,S1,confirmed", "eu"},
		{"deposit for invited", "KR,Korea,invited,,2020-01-01,,,,,,,,,S1,confirmed", "budapest"},
		{"bad date", "US,USA,party,2001-11-23,2006-13-29,,,,,,,,,S1,confirmed", "budapest_deposit"},
		{"mixed layouts", "", "other layout"},
	} {
		data := head + tc.row + "\n"
		if tc.name == "mixed layouts" {
			data = strings.Join(partiesV2Columns, ",") + ",budapest_note\nUS,USA,party,,,,,,,,,,,S1,confirmed,\n"
		}
		_, err := ReadPartiesCSV("p.csv", []byte(data))
		if err == nil || !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want EInvalid naming %q", tc.name, err, tc.want)
		}
	}
}

// TestStarterHasNoContacts guards the rule that shipped data never carries
// a person, phone or e-mail address.
func TestStarterHasNoContacts(t *testing.T) {
	t.Parallel()
	for _, p := range starter(t).Parties {
		for _, a := range p.Authorities {
			if a.Phone != "" || a.Email != "" || len(a.People) != 0 || a.Endpoint != "" || a.ContactKnown {
				t.Errorf("%s: shipped authority %s carries contact data", p.Code, a.ID)
			}
		}
	}
}

const header = "iso2,name,budapest,budapest_note,protocol2_signed,protocol2_ratified,un2024_signed,eu,confidence\n"

func TestReadPartiesCSVErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, csv string
		want      []string
	}{
		{"unknown ISO code", header + "IT,Italy,party,,,,,EU,confirmed\nUK,United Kingdom,party,,,,,,confirmed\n", []string{"p.csv: line 3, column 1 (iso2)", `"UK" is not an assigned`, "GB"}},
		{"lower-case code", header + "it,Italy,party,,,,,EU,confirmed\n", []string{"line 2, column 1 (iso2)", "two capital letters"}},
		{"duplicate row", header + "IT,Italy,party,,,,,EU,confirmed\nFR,France,party,,,,,EU,confirmed\nIT,Italia,party,,,,,EU,confirmed\n", []string{"line 4, column 1 (iso2)", "IT appears twice (first on line 2)"}},
		{"bad status", header + "IT,Italy,member,,,,,EU,confirmed\n", []string{"line 2, column 3 (budapest)", `"member" is not a status`}},
		{"bad date", header + "IT,Italy,party,,12/05/2022,,,EU,confirmed\n", []string{"line 2, column 5 (protocol2_signed)", "YYYY-MM-DD"}},
		{"too few fields", header + "IT,Italy,party,,,,EU,confirmed\n", []string{"p.csv: line 2", "wrong number of fields", "as many fields as the header"}},
		{"bad quote", header + "IT,\"Ita\"ly,party,,,,,EU,confirmed\n", []string{"p.csv: line 2, column"}},
		{"unknown column", strings.Replace(header, "eu,", "eu_member,", 1) + "IT,Italy,party,,,,,EU,confirmed\n", []string{"line 1, column 8", `unknown column "eu_member"`}},
		{"missing column", "iso2,name\nIT,Italy\n", []string{"line 1", `no column "budapest"`}},
		{"empty file", "", []string{"the file is empty"}},
		{"no rows", header, []string{"no parties"}},
		{"in force disagrees with deposit", header + "BJ,Benin,party,deposit 2024-06-20; in force 2024-09-01,,,,,confirmed\n", []string{"column 4 (budapest_note)", "by Art. 36(4)/37(2) it is 2024-10-01"}},
		{"deposit date malformed", header + "BJ,Benin,party,deposit 2024-06-31,,,,,confirmed\n", []string{"column 4 (budapest_note)", `"2024-06-31"`}},
		{"deposit for a non-party", header + "BJ,Benin,signatory,deposit 2024-06-20,,,,,confirmed\n", []string{"column 3 (budapest)", "a state that deposited is a party"}},
		{"ratified before signed", header + "JP,Japan,party,,2023-05-12,2022-08-10,,,confirmed\n", []string{"column 6 (protocol2_ratified)", "before it signed"}},
		{"protocol for non-party", header + "CN,China,none,,2022-05-12,,,,confirmed\n", []string{"column 5 (protocol2_signed)", "open only to parties"}},
		{"bad eu", header + "IT,Italy,party,,,,,yes,confirmed\n", []string{"column 8 (eu)", `"yes" is not understood`}},
		{"no confidence", header + "IT,Italy,party,,,,,EU,\n", []string{"column 9 (confidence)", "empty"}},
		{"no name", header + "IT,,party,,,,,EU,confirmed\n", []string{"column 2 (name)", "empty"}},
	} {
		_, err := ReadPartiesCSV("p.csv", []byte(tc.csv))
		if !apperr.Is(err, apperr.EInvalid) {
			t.Errorf("%s: got %v, want an invalid error", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, w)
			}
		}
	}
}

func TestReadPartiesCSVBOMAndQuotes(t *testing.T) {
	t.Parallel()
	s, err := ReadPartiesCSV("p.csv", []byte("\ufeff"+header+"CI,\"Côte d'Ivoire\",party,\"deposit 2024-07-29; in force 2024-11-01\",,,,,confirmed\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Party("CI"); p.Budapest.InForce.String() != "2024-11-01" || p.Budapest.Deposited.String() != "2024-07-29" {
		t.Fatalf("CI: %+v", p.Budapest)
	}
}

func FuzzReadPartiesCSV(f *testing.F) {
	f.Add([]byte(partiesCSV))
	f.Add([]byte(partiesV2CSV))
	f.Add([]byte(strings.Join(partiesV2Columns, ",") + "\nGB,UK,party,2001-11-23,2011-05-25,2011-09-01,,,,,,,yes,\"S1; SolJ (signed Hanoi 25/26 Oct 2025, day n/s)\",secondary\n"))
	f.Add([]byte(header + "IT,Italy,party,deposit 2024-06-20,2022-05-12,,2025-10-25,EU,confirmed\n"))
	f.Add([]byte(header + "CI,\"Côte d'Ivoire\",party,\"deposit 2024-07-29; in force 2024-11-01; 24/7 designation filed 2025-01-01\",,,,,c\n"))
	f.Add([]byte("iso2\n\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadPartiesCSV("f.csv", data)
		if err != nil {
			if apperr.Code(err) != apperr.EInvalid {
				t.Fatalf("error with code %q, want invalid: %v", apperr.Code(err), err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted list does not validate: %v", err)
		}
	})
}

func TestLookupCountry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Türkiye", "TR"}, {"Turkey", "TR"}, {"TURKIYE", "TR"}, {"Czechia", "CZ"}, {"Czech Republic", "CZ"},
		{"United States", "US"}, {"USA", "US"}, {"U.S.A.", "US"}, {"United States of America", "US"},
		{"Côte d'Ivoire", "CI"}, {"Cote d'Ivoire", "CI"}, {"Ivory Coast", "CI"}, {"Korea, Republic of", "KR"}, {"Republic of Korea", "KR"},
		{"The Netherlands", "NL"}, {"it", "IT"}, {"GBR", "GB"}, {"Slovak Republic", "SK"}, {"Republic of Moldova", "MD"},
	} {
		if got, ok := LookupCountry(tc.in); !ok || got != tc.want {
			t.Errorf("%q: got %q %v, want %s", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"Atlantis", "", "XX", "Korea"} {
		if got, ok := LookupCountry(bad); ok {
			t.Errorf("%q: got %s, want no match", bad, got)
		}
	}
}
