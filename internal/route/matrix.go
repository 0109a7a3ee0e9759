package route

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// Recipient is the kind of body a request goes to under an instrument.
type Recipient string

// Recipient kinds.
const (
	// PointOfContact: the requested party's 24/7 point of contact
	// (Budapest Art. 35; Protocol Art. 9(1); UN Art. 41; G7 network).
	PointOfContact Recipient = "point-of-contact"
	// CentralAuthority: the authority responsible for mutual assistance
	// (Budapest Art. 27(2); Protocol Art. 8 receiving and Art. 10
	// authorities; a bilateral treaty's central authority).
	CentralAuthority Recipient = "central-authority"
	// Provider: a service provider directly (Protocol Art. 7; the EU
	// Regulation's designated establishment or legal representative).
	Provider Recipient = "provider"
	// Registrar: a domain name registration service directly (Protocol Art. 6).
	Registrar Recipient = "registrar"
)

// Addressee is who the officer means to send to: an authority of the
// requested party, or a provider or registrar there directly. "" leaves
// it open: every route is shown.
type Addressee string

// Addressees of a question.
const (
	AnyAddressee       Addressee = ""
	ToAuthority        Addressee = "authority"
	ToProvider         Addressee = "provider"
	ToRegistrar        Addressee = "registrar"
	addresseeFlagUsage           = "authority, provider or registrar"
)

// ParseAddressee accepts an addressee as typed on a command line.
func ParseAddressee(s string) (Addressee, error) {
	switch a := Addressee(strings.ToLower(strings.TrimSpace(s))); a {
	case AnyAddressee, ToAuthority, ToProvider, ToRegistrar:
		return a, nil
	}
	return "", fmt.Errorf("recipient %q is not known; use %s", s, addresseeFlagUsage)
}

// accepts reports whether a route to recipient kind r fits the addressee.
func (a Addressee) accepts(r Recipient) bool {
	switch a {
	case AnyAddressee:
		return true
	case ToAuthority:
		return r == PointOfContact || r == CentralAuthority
	case ToProvider:
		return r == Provider
	case ToRegistrar:
		return r == Registrar
	}
	return false
}

// Question is a routing question as an officer asks it.
type Question struct {
	From, To  string
	Type      request.Type
	At        time.Time
	Addressee Addressee
}

// Entry is what the law says, for one instrument and one request type,
// about whom the request goes to and which clock it starts. With
// request.Provisions (which article provides for the type) it is the legal
// matrix; each entry names the article it rests on.
type Entry struct {
	Recipient Recipient
	Channel   string
	Clock     string // a request.Clock* name
	ClockNote string // the clock in words, with its article
}

// ack names the acknowledgement clock every request to a person starts.
const ackNote = "acknowledge by a person: emergency 15 min, urgent 2 h, routine 24 h (network policy, SPEC section 6)"

// Matrix is the recipient and clock of each (instrument, request type)
// that request.Provisions provides for. A pair missing here goes to the
// point of contact and starts the acknowledgement clock.
var Matrix = map[request.Instrument]map[request.Type]Entry{
	request.InstrumentBudapest: {
		request.TypePreserve:        {PointOfContact, "24/7 point of contact (Art. 35(1)(c))", request.ClockPreservation, "preserved at least 60 days (Art. 29(7)); held while the MLA request is decided"},
		request.TypeTrafficPath:     {PointOfContact, "24/7 point of contact (Art. 35(1)(c))", request.ClockAck, ackNote},
		request.TypeMLAFollowup:     {CentralAuthority, "central authority (Art. 27(2)(a)); urgent: directly between judicial authorities (Art. 27(9))", request.ClockAck, "keeps the preservation alive until the MLA request is decided (Art. 29(7))"},
		request.TypeRealtimeTraffic: {PointOfContact, "24/7 point of contact (Art. 35(1)), executed under the requested party's law (Art. 33)", request.ClockAck, ackNote},
		request.TypeInterception:    {CentralAuthority, "central authority (Art. 27(2)); mutual assistance under Art. 34, content never flows through art35", request.ClockAck, ackNote},
		request.TypeSpontaneousInfo: {PointOfContact, "24/7 point of contact (Art. 35)", request.ClockAck, ackNote},
		request.TypeAssistance:      {PointOfContact, "24/7 point of contact (Art. 35(1)(a))", request.ClockAck, ackNote},
		request.TypePing:            {PointOfContact, "24/7 point of contact (Art. 35)", request.ClockAck, ackNote},
		request.TypeEmergencyMLA:    {CentralAuthority, "by expedited means (Art. 25(3)); directly between judicial authorities with a copy to the central authority, or through INTERPOL (Art. 27(9)(a)-(b))", request.ClockAck, "urgent: acknowledge within 15 min (emergency); answered by expedited means (Art. 25(3))"},
	},
	request.InstrumentProtocol2: {
		request.TypeEmergencyDisclosure: {PointOfContact, "24/7 point of contact (Protocol Art. 9(1)(a), Convention Art. 35)", request.ClockAck, "emergency: acknowledge within 15 min; disclose on a rapidly expedited basis (Protocol Art. 9(4))"},
		request.TypeEmergencyMLA:        {CentralAuthority, "central authority, on a rapidly expedited basis (Protocol Art. 10(2)-(3))", request.ClockAck, "emergency: acknowledge within 15 min (Protocol Art. 10(2))"},
		request.TypeSubscriberDirect:    {Provider, "the provider directly (Protocol Art. 7(1)); a copy to the notification authority where the provider's party requires it (Art. 7(5))", request.ClockArt7, "30 days for the data, then Art. 8 or mutual assistance (Protocol Art. 7(7))"},
		request.TypeProductionOrder:     {CentralAuthority, "the requested party's Art. 8 receiving authority (Protocol Art. 8(1), 8(10))", request.ClockArt8Serve, "served on the provider within 45 days; data within 20 days (subscriber) or 45 days (traffic) (Protocol Art. 8(7))"},
		request.TypeDomainRegistration:  {Registrar, "the registrar directly (Protocol Art. 6(1))", request.ClockAck, ackNote},
	},
	request.InstrumentUN2024: {
		request.TypePreserve:    {PointOfContact, "24/7 network point of contact (UN Art. 41)", request.ClockPreservation, "preserved at least 60 days (UN Art. 42)"},
		request.TypeTrafficPath: {PointOfContact, "24/7 network point of contact (UN Art. 41)", request.ClockAck, ackNote},
		request.TypeMLAFollowup: {CentralAuthority, "central authority", request.ClockAck, ackNote},
		request.TypeAssistance:  {PointOfContact, "24/7 network point of contact (UN Art. 41)", request.ClockAck, ackNote},
		request.TypePing:        {PointOfContact, "24/7 network point of contact (UN Art. 41)", request.ClockAck, ackNote},
	},
	request.InstrumentEU: {
		request.TypePreserve:            {Provider, "the provider's designated establishment or legal representative (Reg. 2023/1543 Art. 7), by EPOC-PR (Annex II)", request.ClockPreservation, "preserved 60 days, +30 days on extension (Reg. 2023/1543 Art. 11(1))"},
		request.TypeProductionOrder:     {Provider, "the provider's designated establishment or legal representative (Reg. 2023/1543 Art. 7), by EPOC (Annex I)", request.ClockEUProduction, "data within 10 days of receipt of the EPOC (Reg. 2023/1543 Art. 10(2))"},
		request.TypeSubscriberDirect:    {Provider, "the provider's designated establishment or legal representative (Reg. 2023/1543 Art. 7), by EPOC (Annex I)", request.ClockEUProduction, "data within 10 days of receipt of the EPOC (Reg. 2023/1543 Art. 10(2))"},
		request.TypeEmergencyDisclosure: {Provider, "the provider's designated establishment or legal representative (Reg. 2023/1543 Art. 7), by EPOC (Annex I), emergency case; the enforcing authority is notified (Art. 8)", request.ClockEUEmergency, "data within 8 hours of receipt of the EPOC (Reg. 2023/1543 Art. 10(4))"},
		request.TypeEPOC:                {Provider, "the provider's designated establishment or legal representative (Reg. 2023/1543 Art. 7); for traffic or content data a copy to the enforcing authority at the same time (Art. 8)", request.ClockEUProduction, "data within 10 days of receipt of the EPOC, 8 hours in an emergency case (Reg. 2023/1543 Art. 10(2), 10(4))"},
		request.TypeEPOCPR:              {Provider, "the provider's designated establishment or legal representative (Reg. 2023/1543 Art. 7)", request.ClockPreservation, "preserved 60 days, +30 days on extension (Annex VI), or until production once a subsequent request is confirmed (Annex V) (Reg. 2023/1543 Art. 11(1))"},
	},
	request.InstrumentG7: {
		request.TypePreserve:   {PointOfContact, "G7 24/7 network point of contact (practice)", request.ClockPreservation, "preserved under the requested state's law; practice follows the 60 days of Art. 29(7) where it applies"},
		request.TypeAssistance: {PointOfContact, "G7 24/7 network point of contact (practice)", request.ClockAck, ackNote},
		request.TypePing:       {PointOfContact, "G7 24/7 network point of contact (practice)", request.ClockAck, ackNote},
	},
	request.InstrumentBilateral: {},
}

// entryFor returns the matrix entry of an instrument and type, with the
// point of contact and the acknowledgement clock as the default.
func entryFor(in request.Instrument, t request.Type, fallback string) Entry {
	if e, ok := Matrix[in][t]; ok {
		return e
	}
	return Entry{Recipient: PointOfContact, Channel: fallback, Clock: request.ClockAck, ClockNote: ackNote}
}

// bilateralFindings evaluates the bilateral treaties the secretariat has
// entered in the directory: one finding per treaty between the two
// parties, or one saying none is known.
func bilateralFindings(s *directory.Snapshot, row Row, from, to *directory.Party, t request.Type, at time.Time) []Finding {
	var out []Finding
	for _, tr := range s.Treaties {
		if !slices.Contains(tr.Parties, from.Code) || !slices.Contains(tr.Parties, to.Code) {
			continue
		}
		f := Finding{Instrument: row.Instrument, Name: tr.Title, Treaty: tr.ID, Article: tr.Article, Recipient: CentralAuthority,
			Clock: request.ClockAck, ClockNote: ackNote}
		channel := tr.Channel
		if channel == "" {
			channel = "central authorities (" + tr.Title + ")"
		}
		switch {
		case !slices.Contains(tr.Types, string(t)):
			f.Reasons = append(f.Reasons, fmt.Sprintf("%s (%s) does not provide for %s requests (it provides for %s)", tr.Title, tr.ID, t, strings.Join(tr.Types, ", ")))
		case !tr.Between(from.Code, to.Code, at):
			f.Reasons = append(f.Reasons, fmt.Sprintf("%s (%s) enters into force only on %s", tr.Title, tr.ID, tr.InForce))
		default:
			f.Applies = true
			f.Channel = channel
			f.Reasons = append(f.Reasons, fmt.Sprintf("%s (%s) between %s and %s, in force since %s, provides for %s (%s; entered by the secretariat%s)",
				tr.Title, tr.ID, tr.Parties[0], tr.Parties[1], tr.InForce, t, orDash(tr.Article), prefixed(", source: ", tr.Source)))
			if t == request.TypePreserve {
				f.Clock, f.ClockNote = request.ClockPreservation, "as the treaty provides; the Convention's 60 days (Art. 29(7)) where it also applies"
			}
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		out = append(out, Finding{Instrument: row.Instrument, Name: row.Name,
			Reasons: []string{fmt.Sprintf("no bilateral treaty between %s and %s is entered in the directory (one may still exist: ask the central authority)", from.Code, to.Code)}})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "article not entered"
	}
	return s
}

// Transfer is the answer to "may data received from Origin be passed on
// to To, and on what condition" (SPEC section 7).
type Transfer struct {
	// NeedsAuthorisation: the originating party's prior authorisation is
	// required before the data leaves.
	NeedsAuthorisation bool   `json:"needs_authorisation"`
	Basis              string `json:"basis"` // the article the answer rests on
	Reason             string `json:"reason"`
}

// OnwardTransfer decides what passing data on from holder to party to
// requires, when the data came from origin with the given handling code
// and use conditions. Under the Second Protocol (in force between origin
// and holder at the instant at) personal data go on only with origin's
// prior authorisation (Protocol Art. 14(10)). Under the Convention alone
// there is no such rule: the conditions origin set under Art. 28(2) (or
// Art. 26(3) for spontaneous information) bind, and handling code H2
// ("not to be passed on without permission") is such a condition.
func OnwardTransfer(s *directory.Snapshot, origin, holder, to string, handling request.HandlingCode, conditions []string, at time.Time) Transfer {
	if strings.EqualFold(origin, to) {
		return Transfer{Basis: "-", Reason: "the data go back to the party they came from"}
	}
	if s != nil {
		po, okO := s.Party(origin)
		ph, okH := s.Party(holder)
		if okO && okH && po.InForce(directory.Protocol2, at) && ph.InForce(directory.Protocol2, at) {
			return Transfer{NeedsAuthorisation: true, Basis: "Protocol Art. 14(10)",
				Reason: fmt.Sprintf("the Second Protocol binds %s and %s: data received under it go to another state only with %s's prior authorisation (Protocol Art. 14(10))", po.Code, ph.Code, po.Code)}
		}
	}
	if handling == request.H2 {
		return Transfer{NeedsAuthorisation: true, Basis: "Art. 28(2)",
			Reason: fmt.Sprintf("%s sent the data with handling code H2 (not to be passed on without permission), a condition under Art. 28(2) / 26(3) of the Convention: ask %s first", strings.ToUpper(origin), strings.ToUpper(origin))}
	}
	for _, c := range conditions {
		lc := strings.ToLower(c)
		if strings.Contains(lc, "not be passed") || strings.Contains(lc, "not to be passed") || strings.Contains(lc, "onward") || strings.Contains(lc, "third") {
			return Transfer{NeedsAuthorisation: true, Basis: "Art. 28(2)",
				Reason: fmt.Sprintf("%s set the condition %q under Art. 28(2) / 26(3) of the Convention: ask %s first", strings.ToUpper(origin), c, strings.ToUpper(origin))}
		}
	}
	return Transfer{Basis: "Art. 28",
		Reason: fmt.Sprintf("the Second Protocol does not bind %s and %s (it is not in force between them): Art. 14(10) does not apply; the conditions %s set under Art. 28(2), if any, still bind (confidentiality, use for the named investigation only)", strings.ToUpper(origin), strings.ToUpper(holder), strings.ToUpper(origin))}
}
