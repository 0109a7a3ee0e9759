package route

import (
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// world builds the directory a matrix case is decided against.
type world func(t *testing.T) *directory.Snapshot

// protocolWorld is the shipped directory in a hypothetical world where the
// Second Protocol entered into force on 2026-06-01 for its three real
// ratifying states (JP, RS, HU), with test declarations: HU requires
// Art. 7(5) notification, RS made the Art. 9(1)(b) declaration. It is a
// test world, not a claim about real dates: today the Protocol is not in
// force (3 of 5 ratifications).
func protocolWorld(t *testing.T) *directory.Snapshot {
	s := starter(t)
	start := directory.NewDate(2026, time.June, 1)
	for i := range s.Instruments {
		if s.Instruments[i].ID == directory.Protocol2 {
			s.Instruments[i].InForce = start
		}
	}
	for _, code := range []string{"JP", "RS", "HU"} {
		p, _ := s.Party(code)
		p.Protocol2.InForce = start
	}
	hu, _ := s.Party("HU")
	hu.Reservations = append(hu.Reservations, directory.Reservation{Kind: directory.NotificationRequired})
	rs, _ := s.Party("RS")
	rs.Reservations = append(rs.Reservations, directory.Reservation{Kind: directory.NoEmergencySubscriberOnly})
	return s
}

// treatyWorld adds a bilateral treaty as the secretariat would enter it
// (a test entry between two states that are not Budapest parties to each
// other: BR is, CN is not).
func treatyWorld(t *testing.T) *directory.Snapshot {
	s := starter(t)
	s.Treaties = append(s.Treaties, directory.Treaty{
		ID: "TEST-BR-CN", Title: "Treaty on Mutual Legal Assistance in Criminal Matters (test entry)",
		Parties: []string{"BR", "CN"}, InForce: directory.NewDate(2026, time.January, 1),
		Types: []string{"preserve", "mla-followup", "emergency-mla"}, Article: "Arts. 1, 7", Channel: "central authorities (Art. 2)",
		Source: "test fixture",
	})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

// unWorld: the UN Convention in force since 2026-03-01 for BR and CN
// (hypothetical; it is not in force).
func unWorld(t *testing.T) *directory.Snapshot {
	s := starter(t)
	start := directory.NewDate(2026, time.March, 1)
	for i := range s.Instruments {
		if s.Instruments[i].ID == directory.UN2024 {
			s.Instruments[i].InForce = start
		}
	}
	for _, code := range []string{"BR", "CN"} {
		p, _ := s.Party(code)
		p.UN2024 = directory.InstrumentStatus{Status: directory.StatusParty, Deposited: directory.NewDate(2025, time.December, 1), InForce: start}
	}
	return s
}

func withReservation(code string, k directory.ReservationKind) world {
	return func(t *testing.T) *directory.Snapshot {
		s := starter(t)
		p, _ := s.Party(code)
		p.Reservations = append(p.Reservations, directory.Reservation{Kind: k})
		return s
	}
}

const (
	bud = request.InstrumentBudapest
	p2  = request.InstrumentProtocol2
	un  = request.InstrumentUN2024
	eu  = request.InstrumentEU
	g7n = request.InstrumentG7
	bil = request.InstrumentBilateral
)

// TestLegalMatrix is the legal matrix of issue 12: each row is a question
// as an officer asks it (from, to, type, date, addressee) with the answer
// the law gives, and cites the article it rests on; the cited text must
// appear in the finding (article, clock or reasons), so a row cannot pass
// on the wrong provision.
func TestLegalMatrix(t *testing.T) {
	today := "2026-12-02"
	cases := []struct {
		name      string
		w         world
		from, to  string
		typ       request.Type
		date      string
		addr      Addressee
		allowed   bool
		in        request.Instrument // applies (allowed) or holds the reason (not allowed)
		article   string             // part of the applying finding's article
		recipient Recipient
		clock     string
		why       string // part of the reasons (either case)
		caveat    string
		not       request.Instrument // must not apply
		cites     string             // the article the row rests on, found in the finding
	}{
		// Budapest Convention between parties in force.
		{name: "preserve US->IT", w: starter, from: "US", to: "IT", typ: request.TypePreserve, date: today, allowed: true, in: bud, article: "Art. 29", recipient: PointOfContact, clock: request.ClockPreservation, cites: "Art. 29(7)"},
		{name: "traffic path US->IT", w: starter, from: "US", to: "IT", typ: request.TypeTrafficPath, date: today, allowed: true, in: bud, article: "Art. 30", recipient: PointOfContact, clock: request.ClockAck, cites: "Art. 35(1)(c)"},
		{name: "MLA follow-up US->IT to the central authority", w: starter, from: "US", to: "IT", typ: request.TypeMLAFollowup, date: today, allowed: true, in: bud, article: "31", recipient: CentralAuthority, clock: request.ClockAck, cites: "Art. 27(2)"},
		{name: "real-time traffic US->IT", w: starter, from: "US", to: "IT", typ: request.TypeRealtimeTraffic, date: today, allowed: true, in: bud, article: "Art. 33", recipient: PointOfContact, clock: request.ClockAck, cites: "Art. 33"},
		{name: "interception US->IT by MLA", w: starter, from: "US", to: "IT", typ: request.TypeInterception, date: today, allowed: true, in: bud, article: "Art. 34", recipient: CentralAuthority, clock: request.ClockAck, cites: "Art. 34"},
		{name: "spontaneous information US->IT", w: starter, from: "US", to: "IT", typ: request.TypeSpontaneousInfo, date: today, allowed: true, in: bud, article: "Art. 26", recipient: PointOfContact, clock: request.ClockAck, cites: "Art. 26"},
		{name: "assistance US->IT", w: starter, from: "US", to: "IT", typ: request.TypeAssistance, date: today, allowed: true, in: bud, article: "Art. 35(1)", recipient: PointOfContact, clock: request.ClockAck, cites: "Art. 35(1)(a)"},
		{name: "ping US->IT", w: starter, from: "US", to: "IT", typ: request.TypePing, date: today, allowed: true, in: bud, article: "Art. 35", recipient: PointOfContact, clock: request.ClockAck, cites: "Art. 35"},
		{name: "preserve GB->US (secondary-confidence row, dated)", w: starter, from: "GB", to: "US", typ: request.TypePreserve, date: today, allowed: true, in: bud, article: "Art. 29", recipient: PointOfContact, clock: request.ClockPreservation, why: "US is a party, in force for it since 2007-01-01", cites: "Art. 29(7)"},
		{name: "preserve to an authority FR->DK", w: starter, from: "FR", to: "DK", typ: request.TypePreserve, date: today, addr: ToAuthority, allowed: true, in: bud, article: "Art. 29", recipient: PointOfContact, clock: request.ClockPreservation, cites: "Art. 29"},

		// Entry into force on real deposit dates (Art. 36(4), 37(2)).
		{name: "US bound from 2007-01-01: the day before", w: starter, from: "HU", to: "US", typ: request.TypeAssistance, date: "2006-12-31", allowed: false, in: bud, why: "US deposited on 2006-09-29, but it is in force for it only from 2007-01-01", cites: "2007-01-01"},
		{name: "US bound from 2007-01-01: that day (IT not yet)", w: starter, from: "HU", to: "US", typ: request.TypeAssistance, date: "2007-01-01", allowed: true, in: bud, article: "Art. 35(1)", recipient: PointOfContact, clock: request.ClockAck, why: "in force for it since 2007-01-01", cites: "Art. 35(1)"},
		{name: "CI accession: before 2024-11-01", w: starter, from: "FR", to: "CI", typ: request.TypePreserve, date: "2024-10-31", allowed: false, in: bud, why: "CI deposited on 2024-07-29, but it is in force for it only from 2024-11-01", cites: "2024-11-01"},
		{name: "CI accession: from 2024-11-01", w: starter, from: "FR", to: "CI", typ: request.TypePreserve, date: "2024-11-01", allowed: true, in: bud, article: "Art. 29", recipient: PointOfContact, clock: request.ClockPreservation, cites: "Art. 29"},
		{name: "NZ accession 2025-08-28: before 2025-12-01", w: starter, from: "AU", to: "NZ", typ: request.TypePreserve, date: "2025-11-30", allowed: false, in: bud, why: "only from 2025-12-01", cites: "2025-12-01"},
		{name: "NZ accession: from 2025-12-01", w: starter, from: "AU", to: "NZ", typ: request.TypePreserve, date: "2025-12-01", allowed: true, in: bud, article: "Art. 29", recipient: PointOfContact, clock: request.ClockPreservation, cites: "Art. 29"},
		{name: "BJ accession: before 2024-10-01", w: starter, from: "FR", to: "BJ", typ: request.TypeAssistance, date: "2024-09-30", allowed: false, in: bud, why: "only from 2024-10-01", cites: "2024-10-01"},
		{name: "AR requesting before its entry into force", w: starter, from: "AR", to: "ES", typ: request.TypePreserve, date: "2018-09-30", allowed: false, in: bud, why: "AR deposited on 2018-06-05, but it is in force for it only from 2018-10-01", cites: "2018-10-01"},
		{name: "AR requesting from 2018-10-01", w: starter, from: "AR", to: "ES", typ: request.TypePreserve, date: "2018-10-01", allowed: true, in: bud, article: "Art. 29", recipient: PointOfContact, clock: request.ClockPreservation, cites: "Art. 29"},
		{name: "CA before 2015-11-01: G7 only", w: starter, from: "CA", to: "US", typ: request.TypePreserve, date: "2015-10-31", allowed: true, in: g7n, recipient: PointOfContact, clock: request.ClockPreservation, not: bud, cites: "G7 24/7 network"},
		{name: "JP before 2012-11-01: G7 only", w: starter, from: "US", to: "JP", typ: request.TypePreserve, date: "2012-10-31", allowed: true, in: g7n, recipient: PointOfContact, clock: request.ClockPreservation, not: bud, cites: "G7 24/7 network"},
		{name: "IE only signed the Convention", w: starter, from: "US", to: "IE", typ: request.TypePreserve, date: today, allowed: false, in: bud, why: "IE signed on 2002-02-28 but has not ratified", cites: "2002-02-28"},
		{name: "KR invited, not a party", w: starter, from: "US", to: "KR", typ: request.TypeAssistance, date: today, allowed: false, in: bud, why: "KR is invited to accede but is not a party", cites: "invited"},
		{name: "dual criminality reservation limits preservation", w: withReservation("IT", directory.DualCriminality), from: "US", to: "IT", typ: request.TypePreserve, date: today, allowed: true, in: bud, article: "Art. 29", recipient: PointOfContact, clock: request.ClockPreservation, caveat: "Art. 29(4)", cites: "Art. 29(4)"},

		// Urgent mutual assistance: Art. 25(3), 27(9).
		{name: "emergency MLA US->IT (issue 12)", w: starter, from: "US", to: "IT", typ: request.TypeEmergencyMLA, date: today, allowed: true, in: bud, article: "Art. 25(3), 27(9)", recipient: CentralAuthority, clock: request.ClockAck, caveat: "Art. 27(1)", cites: "Art. 27(9)(a)-(b)"},
		{name: "emergency MLA FR->DE", w: starter, from: "FR", to: "DE", typ: request.TypeEmergencyMLA, date: today, allowed: true, in: bud, article: "25(3)", recipient: CentralAuthority, clock: request.ClockAck, cites: "Art. 25(3)"},
		{name: "emergency MLA to a party that declared Art. 27(9)(e)", w: withReservation("IT", directory.CentralAuthorityOnly), from: "US", to: "IT", typ: request.TypeEmergencyMLA, date: today, allowed: true, in: bud, article: "27(9)", recipient: CentralAuthority, clock: request.ClockAck, caveat: "Art. 27(9)(e)", cites: "Art. 27(9)(e)"},
		{name: "emergency MLA US->CN: no instrument", w: starter, from: "US", to: "CN", typ: request.TypeEmergencyMLA, date: today, allowed: false, in: bud, why: "CN is not a party", cites: "not a party"},
		{name: "emergency MLA to a provider: not the route", w: starter, from: "US", to: "IT", typ: request.TypeEmergencyMLA, date: today, addr: ToProvider, allowed: false, in: bud, why: "goes to the central-authority, not to a provider", cites: "central-authority"},

		// Second Protocol: not in force today (3 of 5 ratifications).
		{name: "emergency disclosure US->IT: Protocol not in force", w: starter, from: "US", to: "IT", typ: request.TypeEmergencyDisclosure, date: today, allowed: false, in: p2, why: "the Protocol is not in force (3 of 5 ratifications)", cites: "3 of 5"},
		{name: "emergency disclosure JP->RS: both ratified, still not in force", w: starter, from: "JP", to: "RS", typ: request.TypeEmergencyDisclosure, date: today, allowed: false, in: p2, why: "JP ratified 2023-08-10, RS ratified 2023-02-09, but the Protocol is not in force", cites: "ratified 2023-08-10"},
		{name: "subscriber direct JP->US: no route", w: starter, from: "JP", to: "US", typ: request.TypeSubscriberDirect, date: today, addr: ToProvider, allowed: false, in: p2, why: "not in force", cites: "not in force"},
		{name: "domain registration US->IT: no route", w: starter, from: "US", to: "IT", typ: request.TypeDomainRegistration, date: today, addr: ToRegistrar, allowed: false, in: p2, why: "not in force", cites: "not in force"},
		{name: "production order JP->RS: no route", w: starter, from: "JP", to: "RS", typ: request.TypeProductionOrder, date: today, allowed: false, in: p2, why: "not in force", cites: "not in force"},

		// Second Protocol in a test world where it is in force for JP, RS, HU.
		{name: "P2 world: emergency disclosure JP->RS", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeEmergencyDisclosure, date: today, allowed: true, in: p2, article: "Protocol Art. 9", recipient: PointOfContact, clock: request.ClockAck, caveat: "Art. 9(1)(b)", cites: "Protocol Art. 9(1)(a)"},
		{name: "P2 world: before its entry into force", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeEmergencyDisclosure, date: "2026-05-31", allowed: false, in: p2, why: "enters into force only on 2026-06-01", cites: "2026-06-01"},
		{name: "P2 world: emergency MLA JP->RS under Art. 10", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeEmergencyMLA, date: today, allowed: true, in: p2, article: "Protocol Art. 10", recipient: CentralAuthority, clock: request.ClockAck, cites: "Protocol Art. 10(2)"},
		{name: "P2 world: emergency MLA JP->RS also Convention Art. 25(3)", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeEmergencyMLA, date: today, allowed: true, in: bud, article: "Art. 25(3)", recipient: CentralAuthority, clock: request.ClockAck, cites: "Art. 25(3)"},
		{name: "P2 world: subscriber information to a provider JP->RS", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeSubscriberDirect, date: today, addr: ToProvider, allowed: true, in: p2, article: "Protocol Art. 7", recipient: Provider, clock: request.ClockArt7, cites: "Protocol Art. 7(7)"},
		{name: "P2 world: Art. 7(5) notification to HU", w: protocolWorld, from: "JP", to: "HU", typ: request.TypeSubscriberDirect, date: today, addr: ToProvider, allowed: true, in: p2, article: "Protocol Art. 7", recipient: Provider, clock: request.ClockArt7, caveat: "Protocol Art. 7(5)", cites: "Art. 7(5)"},
		{name: "P2 world: Art. 7 to the authority is not the route", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeSubscriberDirect, date: today, addr: ToAuthority, allowed: false, in: p2, why: "goes to the provider, not to a authority", cites: "provider"},
		{name: "P2 world: production order JP->RS via the receiving authority", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeProductionOrder, date: today, addr: ToAuthority, allowed: true, in: p2, article: "Protocol Art. 8", recipient: CentralAuthority, clock: request.ClockArt8Serve, cites: "Protocol Art. 8(7)"},
		{name: "P2 world: production order to the provider is not Art. 8", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeProductionOrder, date: today, addr: ToProvider, allowed: false, in: p2, why: "not to a provider", cites: "central-authority"},
		{name: "P2 world: registrar JP->RS", w: protocolWorld, from: "JP", to: "RS", typ: request.TypeDomainRegistration, date: today, addr: ToRegistrar, allowed: true, in: p2, article: "Protocol Art. 6", recipient: Registrar, clock: request.ClockAck, cites: "Protocol Art. 6(1)"},
		{name: "P2 world: US only signed", w: protocolWorld, from: "JP", to: "US", typ: request.TypeSubscriberDirect, date: today, addr: ToProvider, allowed: false, in: p2, why: "US signed on 2022-05-12 but has not ratified", cites: "2022-05-12"},

		// EU Regulation 2023/1543: applies from 2026-08-18; DK not bound; IE bound.
		{name: "EU emergency FR->DE 2026-12-02 (issue 12)", w: starter, from: "FR", to: "DE", typ: request.TypeEmergencyDisclosure, date: today, allowed: true, in: eu, article: "Art. 10(4)", recipient: Provider, clock: request.ClockEUEmergency, cites: "8 hours"},
		{name: "EU emergency before the date of application", w: starter, from: "FR", to: "DE", typ: request.TypeEmergencyDisclosure, date: "2026-08-17", allowed: false, in: eu, why: "applies only from 2026-08-18", cites: "Art. 34(2)"},
		{name: "EU emergency from the date of application", w: starter, from: "FR", to: "DE", typ: request.TypeEmergencyDisclosure, date: "2026-08-18", allowed: true, in: eu, article: "Art. 10(4)", recipient: Provider, clock: request.ClockEUEmergency, cites: "Art. 10(4)"},
		{name: "EU emergency to DK: not bound", w: starter, from: "FR", to: "DK", typ: request.TypeEmergencyDisclosure, date: today, allowed: false, in: eu, why: "DK is an EU member state but not bound by Regulation 2023/1543", cites: "Protocol No 22"},
		{name: "EU emergency from IE: bound", w: starter, from: "IE", to: "FR", typ: request.TypeEmergencyDisclosure, date: today, allowed: true, in: eu, article: "Art. 10(4)", recipient: Provider, clock: request.ClockEUEmergency, cites: "Art. 10(4)"},
		{name: "EU preservation order FR->DE to a provider", w: starter, from: "FR", to: "DE", typ: request.TypePreserve, date: today, addr: ToProvider, allowed: true, in: eu, article: "Art. 6", recipient: Provider, clock: request.ClockPreservation, cites: "60 days, +30 days on extension (Reg. 2023/1543 Art. 11(1))"},
		{name: "EU preservation order FR->IE (IE bound)", w: starter, from: "FR", to: "IE", typ: request.TypePreserve, date: today, addr: ToProvider, allowed: true, in: eu, article: "Art. 6", recipient: Provider, clock: request.ClockPreservation, cites: "Art. 11(1)"},
		{name: "EU preservation order to DK: no route to a provider", w: starter, from: "FR", to: "DK", typ: request.TypePreserve, date: today, addr: ToProvider, allowed: false, in: eu, why: "DK is an EU member state but not bound", cites: "not bound"},
		{name: "EU preservation order from DK: not bound", w: starter, from: "DK", to: "FR", typ: request.TypePreserve, date: today, addr: ToProvider, allowed: false, in: eu, why: "DK is an EU member state but not bound", cites: "Protocol No 22"},
		{name: "EU preservation to an authority is the Convention", w: starter, from: "FR", to: "DE", typ: request.TypePreserve, date: today, addr: ToAuthority, allowed: true, in: bud, article: "Art. 29", recipient: PointOfContact, clock: request.ClockPreservation, not: eu, cites: "Art. 29"},
		{name: "EU production order FR->IT", w: starter, from: "FR", to: "IT", typ: request.TypeProductionOrder, date: today, allowed: true, in: eu, article: "Art. 5", recipient: Provider, clock: request.ClockEUProduction, cites: "Art. 10(2)"},
		{name: "EU production order before application", w: starter, from: "FR", to: "IT", typ: request.TypeProductionOrder, date: "2026-08-17", allowed: false, in: eu, why: "applies only from 2026-08-18", cites: "2026-08-18"},
		{name: "EU subscriber data FR->DE", w: starter, from: "FR", to: "DE", typ: request.TypeSubscriberDirect, date: today, addr: ToProvider, allowed: true, in: eu, article: "Art. 5", recipient: Provider, clock: request.ClockEUProduction, cites: "Art. 5"},
		// The EU certificates themselves (Annex I and II), sent to the provider.
		{name: "EPOC FR->DE to a provider", w: starter, from: "FR", to: "DE", typ: request.TypeEPOC, date: today, addr: ToProvider, allowed: true, in: eu, article: "Annex I", recipient: Provider, clock: request.ClockEUProduction, cites: "Art. 10(2), 10(4)"},
		{name: "EPOC FR->IE (IE bound)", w: starter, from: "FR", to: "IE", typ: request.TypeEPOC, date: today, allowed: true, in: eu, article: "Art. 5", recipient: Provider, clock: request.ClockEUProduction, cites: "Art. 8"},
		{name: "EPOC before the date of application", w: starter, from: "FR", to: "DE", typ: request.TypeEPOC, date: "2026-08-17", allowed: false, in: eu, why: "applies only from 2026-08-18", cites: "Art. 34(2)"},
		{name: "EPOC to DK: not bound", w: starter, from: "FR", to: "DK", typ: request.TypeEPOC, date: today, allowed: false, in: eu, why: "DK is an EU member state but not bound", cites: "not bound"},
		{name: "EPOC US->DE: US not a member", w: starter, from: "US", to: "DE", typ: request.TypeEPOC, date: today, allowed: false, in: eu, why: "US is not an EU member state", cites: "not an EU member"},
		{name: "EPOC to an authority is not its route", w: starter, from: "FR", to: "DE", typ: request.TypeEPOC, date: today, addr: ToAuthority, allowed: false, in: eu, why: "not to a authority", cites: "provider"},
		{name: "EPOC is no Convention request", w: starter, from: "FR", to: "DE", typ: request.TypeEPOC, date: today, allowed: true, in: eu, article: "Annex I", recipient: Provider, clock: request.ClockEUProduction, not: bud, cites: "Art. 5"},
		{name: "EPOC-PR FR->DE to a provider", w: starter, from: "FR", to: "DE", typ: request.TypeEPOCPR, date: today, addr: ToProvider, allowed: true, in: eu, article: "Annex II", recipient: Provider, clock: request.ClockPreservation, cites: "+30 days on extension (Annex VI)"},
		{name: "EPOC-PR IE->FR (IE bound)", w: starter, from: "IE", to: "FR", typ: request.TypeEPOCPR, date: today, allowed: true, in: eu, article: "Art. 6", recipient: Provider, clock: request.ClockPreservation, cites: "Art. 11(1)"},
		{name: "EPOC-PR from DK: not bound", w: starter, from: "DK", to: "FR", typ: request.TypeEPOCPR, date: today, allowed: false, in: eu, why: "DK is an EU member state but not bound", cites: "Protocol No 22"},
		{name: "EPOC-PR on the day of application", w: starter, from: "FR", to: "DE", typ: request.TypeEPOCPR, date: "2026-08-18", allowed: true, in: eu, article: "Annex II", recipient: Provider, clock: request.ClockPreservation, cites: "Art. 11(1)"},
		{name: "EPOC-PR JP->DE: no route", w: starter, from: "JP", to: "DE", typ: request.TypeEPOCPR, date: today, allowed: false, in: eu, why: "JP is not an EU member state", cites: "not an EU member"},
		{name: "EU order US->IT: US not a member", w: starter, from: "US", to: "IT", typ: request.TypeProductionOrder, date: today, allowed: false, in: eu, why: "US is not an EU member state", cites: "not an EU member"},

		// UN 2024: not in force.
		{name: "UN: US->CN preserve, no route", w: starter, from: "US", to: "CN", typ: request.TypePreserve, date: today, allowed: false, in: un, why: "CN signed 2025-10-25, but the Convention is not in force", cites: "40"},
		{name: "UN: BR->CN assistance, no route", w: starter, from: "BR", to: "CN", typ: request.TypeAssistance, date: today, allowed: false, in: un, why: "not in force", cites: "not in force"},
		{name: "UN world: BR->CN preserve under UN Art. 42", w: unWorld, from: "BR", to: "CN", typ: request.TypePreserve, date: today, allowed: true, in: un, article: "UN Art. 42", recipient: PointOfContact, clock: request.ClockPreservation, cites: "UN Art. 42"},

		// G7 24/7 network (issue 12: JP->US, US->IT, FR->DE).
		{name: "G7 JP->US", w: starter, from: "JP", to: "US", typ: request.TypePreserve, date: today, allowed: true, in: g7n, article: "G7", recipient: PointOfContact, clock: request.ClockPreservation, why: "US is a member of the G7 24/7 network", cites: "G7 24/7 network"},
		{name: "G7 US->IT", w: starter, from: "US", to: "IT", typ: request.TypePreserve, date: today, allowed: true, in: g7n, article: "G7", recipient: PointOfContact, clock: request.ClockPreservation, why: "IT is a member of the G7 24/7 network", cites: "G7 24/7 network"},
		{name: "G7 FR->DE", w: starter, from: "FR", to: "DE", typ: request.TypeAssistance, date: today, allowed: true, in: g7n, article: "G7", recipient: PointOfContact, clock: request.ClockAck, why: "DE is a member of the G7 24/7 network", cites: "G7 24/7 network"},
		{name: "G7 US->IN: not a Budapest party", w: starter, from: "US", to: "IN", typ: request.TypePreserve, date: today, allowed: true, in: g7n, recipient: PointOfContact, clock: request.ClockPreservation, not: bud, cites: "IN is a member of the G7 24/7 network"},
		{name: "G7 membership of CN not known", w: starter, from: "US", to: "CN", typ: request.TypeAssistance, date: today, allowed: false, in: g7n, why: "CN: G7 24/7 network membership not known", cites: "not known"},

		// A bilateral treaty entered by the secretariat.
		{name: "treaty BR->CN preserve", w: treatyWorld, from: "BR", to: "CN", typ: request.TypePreserve, date: today, allowed: true, in: bil, article: "Arts. 1, 7", recipient: CentralAuthority, clock: request.ClockPreservation, cites: "TEST-BR-CN"},
		{name: "treaty CN->BR emergency MLA", w: treatyWorld, from: "CN", to: "BR", typ: request.TypeEmergencyMLA, date: today, allowed: true, in: bil, recipient: CentralAuthority, clock: request.ClockAck, cites: "central authorities (Art. 2)"},
		{name: "treaty not yet in force", w: treatyWorld, from: "BR", to: "CN", typ: request.TypePreserve, date: "2025-12-31", allowed: false, in: bil, why: "enters into force only on 2026-01-01", cites: "2026-01-01"},
		{name: "treaty does not provide for registrars", w: treatyWorld, from: "BR", to: "CN", typ: request.TypeDomainRegistration, date: today, allowed: false, in: bil, why: "does not provide for domain-registration", cites: "TEST-BR-CN"},
		{name: "treaty: to a provider is not its route", w: treatyWorld, from: "BR", to: "CN", typ: request.TypePreserve, date: today, addr: ToProvider, allowed: false, in: bil, why: "not to a provider", cites: "central-authority"},
		{name: "no treaty entered between US and CN", w: treatyWorld, from: "US", to: "CN", typ: request.TypePreserve, date: today, allowed: false, in: bil, why: "no bilateral treaty between US and CN", cites: "entered in the directory"},
	}
	if len(cases) < 60 {
		t.Fatalf("%d cases; the matrix needs at least 60", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := DecideFor(tc.w(t), Question{From: tc.from, To: tc.to, Type: tc.typ, At: day(tc.date).Add(12 * time.Hour), Addressee: tc.addr})
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tc.allowed {
				t.Fatalf("allowed = %v, want %v\n%s", d.Allowed, tc.allowed, d.Explain())
			}
			var f *Finding
			for i := range d.Findings {
				if d.Findings[i].Instrument == tc.in && (f == nil || d.Findings[i].Applies) {
					f = &d.Findings[i]
				}
			}
			if f == nil {
				t.Fatalf("no finding for %s\n%s", tc.in, d.Explain())
			}
			if tc.allowed {
				if !f.Applies {
					t.Fatalf("%s does not apply\n%s", tc.in, d.Explain())
				}
				if !strings.Contains(f.Article, tc.article) || f.Recipient != tc.recipient || f.Clock != tc.clock {
					t.Errorf("%s: article %q recipient %s clock %s; want article containing %q, %s, %s", tc.in, f.Article, f.Recipient, f.Clock, tc.article, tc.recipient, tc.clock)
				}
				if f.Channel == "" || f.ClockNote == "" {
					t.Errorf("%s applies without channel or clock note: %+v", tc.in, f)
				}
			} else if f.Applies {
				t.Errorf("%s applies, want not", tc.in)
			}
			all := strings.Join(append(append([]string{f.Article, f.ClockNote, f.Channel, f.Name, f.Treaty}, f.Reasons...), f.Caveats...), "\n")
			if tc.why != "" && !strings.Contains(strings.Join(f.Reasons, "\n"), tc.why) {
				t.Errorf("reasons %q lack %q", f.Reasons, tc.why)
			}
			if tc.caveat != "" && !strings.Contains(strings.Join(f.Caveats, "\n"), tc.caveat) {
				t.Errorf("caveats %q lack %q", f.Caveats, tc.caveat)
			}
			if tc.cites == "" || !strings.Contains(all, tc.cites) {
				t.Errorf("the row cites %q, which the finding does not name:\n%s", tc.cites, all)
			}
			if tc.not != "" {
				for _, r := range d.Routes() {
					if r.Instrument == tc.not {
						t.Errorf("%s applies, want not\n%s", tc.not, d.Explain())
					}
				}
			}
		})
	}
}

// TestOnwardTransfer: chaining data received under the Convention alone to
// a third country asks for no Protocol Art. 14(10) authorisation (the
// Protocol is not in force between the parties); the Art. 28 conditions
// the originator set still bind. Where the Protocol binds both, Art. 14(10)
// applies.
func TestOnwardTransfer(t *testing.T) {
	at := day("2026-12-02")
	for _, tc := range []struct {
		name       string
		s          *directory.Snapshot
		origin     string
		handling   request.HandlingCode
		conditions []string
		need       bool
		basis      string
	}{
		{"Convention only, H0", starter(t), "US", request.H0, nil, false, "Art. 28"},
		{"Convention only, H2 is an Art. 28(2) condition", starter(t), "US", request.H2, nil, true, "Art. 28(2)"},
		{"Convention only, stated condition", starter(t), "US", request.H3, []string{"not to be passed to a third state"}, true, "Art. 28(2)"},
		{"Protocol in force between origin and holder", protocolWorld(t), "JP", request.H0, nil, true, "Protocol Art. 14(10)"},
		{"back to the originator", starter(t), "IT", request.H2, nil, false, "-"},
	} {
		holder := "RS"
		got := OnwardTransfer(tc.s, tc.origin, holder, "IT", tc.handling, tc.conditions, at)
		if got.NeedsAuthorisation != tc.need || got.Basis != tc.basis || got.Reason == "" {
			t.Errorf("%s: %+v, want needs=%v basis %s", tc.name, got, tc.need, tc.basis)
		}
	}
}
