package route

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

var testDate = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func starter(t *testing.T) *directory.Snapshot {
	t.Helper()
	s, err := directory.Starter()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withProtocolInForce returns the starter snapshot in a world where the
// Second Protocol entered into force on 2025-01-01 and binds only JP and
// FR (a test world, not a claim about real dates).
func withProtocolInForce(t *testing.T) *directory.Snapshot {
	s := starter(t)
	for i := range s.Instruments {
		if s.Instruments[i].ID == directory.Protocol2 {
			s.Instruments[i].InForce = directory.NewDate(2025, time.January, 1)
		}
	}
	for _, code := range []string{"JP", "FR"} {
		p, _ := s.Party(code)
		p.Protocol2.Status = directory.StatusParty
		p.Protocol2.InForce = directory.NewDate(2025, time.January, 1)
	}
	return s
}

func finding(t *testing.T, d Decision, in request.Instrument) Finding {
	t.Helper()
	for _, f := range d.Findings {
		if f.Instrument == in {
			return f
		}
	}
	t.Fatalf("no finding for %s", in)
	return Finding{}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	g7 := func(s *directory.Snapshot, codes ...string) *directory.Snapshot {
		yes := true
		for _, c := range codes {
			p, _ := s.Party(c)
			p.G7Network = &yes
		}
		return s
	}
	tests := []struct {
		name       string
		snap       func(t *testing.T) *directory.Snapshot
		from, to   string
		typ        request.Type
		date       time.Time
		allowed    bool
		routes     []request.Instrument
		reasonIn   request.Instrument // a finding whose reasons must contain wantReason
		wantReason string
		caveat     string
	}{
		{"US to IT preserve under Budapest", starter, "US", "IT", request.TypePreserve, testDate, true,
			[]request.Instrument{request.InstrumentBudapest, request.InstrumentG7}, request.InstrumentBudapest, "US is a party, in force for it since 2007-01-01", ""},
		{"US to CN preserve: no route, UN signed not in force", starter, "US", "CN", request.TypePreserve, testDate, false, nil,
			request.InstrumentUN2024, "CN signed 2025-10-25, but the Convention is not in force (needs 40 ratifications)", ""},
		{"US to CN: Budapest names CN not a party", starter, "US", "CN", request.TypePreserve, testDate, false, nil,
			request.InstrumentBudapest, "CN is not a party", ""},
		{"emergency disclosure, Protocol not in force at all", starter, "US", "JP", request.TypeEmergencyDisclosure, testDate, false, nil,
			request.InstrumentProtocol2, "JP ratified 2023-08-10, but the Protocol is not in force (3 of 5 ratifications)", ""},
		{"emergency disclosure, Protocol not in force for the requester", withProtocolInForce, "US", "JP", request.TypeEmergencyDisclosure, testDate, false, nil,
			request.InstrumentProtocol2, "US signed on 2022-05-12 but has not ratified", ""},
		{"emergency disclosure, Protocol not in force for the requested party (signatory)", withProtocolInForce, "JP", "IT", request.TypeEmergencyDisclosure, testDate, false, nil,
			request.InstrumentProtocol2, "IT signed on 2022-05-12 but has not ratified", ""},
		{"emergency disclosure, Protocol in force for both", withProtocolInForce, "JP", "FR", request.TypeEmergencyDisclosure, testDate, true,
			[]request.Instrument{request.InstrumentProtocol2}, request.InstrumentProtocol2, "JP is a party, in force for it since 2025-01-01", ""},
		{"EU production order between bound members after 2026-08-18", starter, "FR", "IT", request.TypeProductionOrder, testDate, true,
			[]request.Instrument{request.InstrumentEU}, request.InstrumentEU, "IT is an EU member state bound by Regulation 2023/1543", ""},
		{"Denmark is not bound by the EU Regulation", starter, "FR", "DK", request.TypeProductionOrder, testDate, false, nil,
			request.InstrumentEU, "DK is an EU member state but not bound by Regulation 2023/1543", ""},
		{"EU Regulation not yet applicable", starter, "FR", "IT", request.TypeProductionOrder, time.Date(2026, 8, 17, 0, 0, 0, 0, time.UTC), false, nil,
			request.InstrumentEU, "applies only from 2026-08-18", ""},
		{"EU preserve also open besides Budapest", starter, "FR", "DE", request.TypePreserve, testDate, true,
			[]request.Instrument{request.InstrumentBudapest, request.InstrumentEU, request.InstrumentG7}, request.InstrumentEU, "DE is an EU member state", ""},
		{"G7 informal preservation", func(t *testing.T) *directory.Snapshot { return g7(starter(t), "US", "RU") }, "US", "RU", request.TypePreserve, testDate, true,
			[]request.Instrument{request.InstrumentG7}, request.InstrumentG7, "RU is a member of the G7 24/7 network", ""},
		{"Budapest party not yet in force on the date", starter, "US", "CI", request.TypePreserve, time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC), false, nil,
			request.InstrumentBudapest, "CI deposited on 2024-07-29, but it is in force for it only from 2024-11-01", ""},
		{"Budapest party in force after its date", starter, "US", "CI", request.TypePreserve, testDate, true,
			[]request.Instrument{request.InstrumentBudapest}, request.InstrumentBudapest, "in force for it since 2024-11-01", ""},
		{"invited state", starter, "US", "KE", request.TypeAssistance, testDate, false, nil,
			request.InstrumentBudapest, "KE is invited to accede but is not a party", ""},
		{"dual-criminality reservation limits preservation", func(t *testing.T) *directory.Snapshot {
			s := starter(t)
			p, _ := s.Party("IT")
			p.Reservations = append(p.Reservations, directory.Reservation{Kind: directory.DualCriminality})
			return s
		}, "US", "IT", request.TypePreserve, testDate, true, []request.Instrument{request.InstrumentBudapest, request.InstrumentG7}, request.InstrumentBudapest, "Art. 29 provides", "Art. 29(4)"},
		{"Art. 9(1)(b) declaration limits emergency disclosure", func(t *testing.T) *directory.Snapshot {
			s := withProtocolInForce(t)
			p, _ := s.Party("FR")
			p.Reservations = append(p.Reservations, directory.Reservation{Kind: directory.NoEmergencySubscriberOnly})
			return s
		}, "JP", "FR", request.TypeEmergencyDisclosure, testDate, true, []request.Instrument{request.InstrumentProtocol2}, request.InstrumentProtocol2, "Protocol Art. 9 provides", "Art. 9(1)(b)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Decide(tc.snap(t), tc.from, tc.to, tc.typ, tc.date)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tc.allowed {
				t.Fatalf("allowed = %v, want %v\n%s", d.Allowed, tc.allowed, d.Explain())
			}
			var got []request.Instrument
			for _, f := range d.Routes() {
				got = append(got, f.Instrument)
			}
			if !slices.Equal(got, tc.routes) {
				t.Errorf("routes %v, want %v", got, tc.routes)
			}
			f := finding(t, d, tc.reasonIn)
			if !strings.Contains(strings.Join(f.Reasons, "\n"), tc.wantReason) {
				t.Errorf("%s reasons %q do not contain %q", tc.reasonIn, f.Reasons, tc.wantReason)
			}
			if tc.caveat != "" && !strings.Contains(strings.Join(f.Caveats, "\n"), tc.caveat) {
				t.Errorf("caveats %q do not contain %q", f.Caveats, tc.caveat)
			}
			ex := d.Explain()
			if tc.allowed == (len(d.Remaining) > 0) || (!tc.allowed && !strings.Contains(ex, "INTERPOL")) {
				t.Errorf("remaining routes wrong for allowed=%v:\n%s", tc.allowed, ex)
			}
		})
	}
}

func TestDecideErrors(t *testing.T) {
	t.Parallel()
	s := starter(t)
	tests := []struct {
		from, to string
		typ      request.Type
		code     string
		msg      string
	}{
		{"US", "XX", request.TypePreserve, apperr.ENotFound, `"XX" is not in the directory`},
		{"US", "US", request.TypePreserve, apperr.EInvalid, "both US"},
		{"US", "IT", "freeze", apperr.EInvalid, "preserve, traffic-path"},
	}
	for _, tc := range tests {
		_, err := Decide(s, tc.from, tc.to, tc.typ, testDate)
		if apperr.Code(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s->%s %s: got %v, want %s containing %q", tc.from, tc.to, tc.typ, err, tc.code, tc.msg)
		}
	}
}

// TestTableCoversEveryType checks that every request type is provided for
// by at least one instrument of the table, so no type is routed nowhere by
// omission.
func TestTableCoversEveryType(t *testing.T) {
	t.Parallel()
	for _, typ := range request.Types {
		found := false
		for _, row := range Table {
			if _, ok := request.ProvisionFor(row.Instrument, typ); ok {
				found = true
			}
		}
		if !found {
			t.Errorf("no table row provides for %s", typ)
		}
	}
}

// TestEveryFindingIsExplained: for every type and a few pairs, every
// instrument of the table is reported with at least one reason, and an
// applying instrument names its article and channel.
func TestEveryFindingIsExplained(t *testing.T) {
	t.Parallel()
	s := starter(t)
	for _, pair := range [][2]string{{"US", "IT"}, {"FR", "DE"}, {"US", "CN"}, {"JP", "KE"}, {"FR", "DK"}} {
		for _, typ := range request.Types {
			d, err := Decide(s, pair[0], pair[1], typ, testDate)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Findings) != len(Table) {
				t.Fatalf("%v %s: %d findings for %d rows", pair, typ, len(d.Findings), len(Table))
			}
			for _, f := range d.Findings {
				if len(f.Reasons) == 0 {
					t.Errorf("%v %s %s: no reason", pair, typ, f.Instrument)
				}
				if f.Applies && (f.Article == "" || f.Channel == "") {
					t.Errorf("%v %s %s applies without article or channel", pair, typ, f.Instrument)
				}
			}
			if !strings.Contains(d.Explain(), d.Summary) {
				t.Errorf("explanation lacks the summary")
			}
		}
	}
}
