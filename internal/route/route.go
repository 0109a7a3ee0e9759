// Package route answers the routing question of the 24/7 network: given a
// requesting party, a requested party, a request type and a date, which
// legal instrument allows the request, and when none does, why not and
// what remains. The answer comes from an explicit decision table (Table),
// evaluated against the directory snapshot; every instrument is reported
// with the reason it applies or does not, in words a contact-point officer
// can repeat on the phone. Routing proposes; a person decides (Protocol
// Art. 14(6)).
package route

import (
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
)

// Condition is one named test of the decision table. The set is small and
// fixed; each is explained in words in every answer.
type Condition string

// Conditions.
const (
	// InstrumentInForce: the instrument itself is in force on the date
	// (enough ratifications; for the EU Regulation, its date of application).
	InstrumentInForce Condition = "instrument-in-force"
	// BothBound: the instrument binds the requesting and the requested
	// party on the date.
	BothBound Condition = "both-bound"
	// BothG7: both parties are members of the G7 24/7 network.
	BothG7 Condition = "both-g7"
	// TreatyInForce: a bilateral treaty between the two parties, entered
	// by the secretariat in the directory, is in force and provides for
	// the request type.
	TreatyInForce Condition = "treaty-in-force"
)

// Effect of a declaration or reservation on a route.
type Effect string

// Effects.
const (
	Excludes Effect = "excludes" // the route is closed
	Limits   Effect = "limits"   // the route is open with a condition the officer must respect
)

// Exclusion is a declaration or reservation of the requested party that
// closes or limits a route for one request type.
type Exclusion struct {
	Type        request.Type
	Reservation directory.ReservationKind
	Effect      Effect
	Text        string
}

// Row is one line of the decision table: an instrument, the request types
// it provides for (from request.Provisions), the conditions that must all
// hold, the declarations that close or limit it, and who is contacted.
type Row struct {
	Instrument request.Instrument
	Name       string // as shown to users
	Conditions []Condition
	Exclusions []Exclusion
	Channel    string
	Source     string
}

// EUApplies is the date Regulation (EU) 2023/1543 applies from (its
// Art. 34(2)); before it, no European order can be issued.
var EUApplies = directory.EUApplication.Time()

// Table is the decision table, in order of preference. It is data: adding
// an instrument or a declaration is a new line here, not a new code path.
var Table = []Row{
	{
		Instrument: request.InstrumentBudapest, Name: "Budapest Convention",
		Conditions: []Condition{InstrumentInForce, BothBound},
		Exclusions: []Exclusion{
			{request.TypePreserve, directory.DualCriminality, Limits, "the requested party holds the Art. 29(4) reservation: it may refuse preservation where dual criminality is absent (except for offences under Art. 2-11)"},
			{request.TypeMLAFollowup, directory.CentralAuthorityOnly, Limits, "the requested party declared under Art. 27(9)(e) that requests go through its central authority"},
		},
		Channel: "24/7 point of contact (Art. 35)",
		Source:  "ETS 185 Art. 25-35",
	},
	{
		Instrument: request.InstrumentProtocol2, Name: "Second Additional Protocol",
		Conditions: []Condition{InstrumentInForce, BothBound},
		Exclusions: []Exclusion{
			{request.TypeEmergencyDisclosure, directory.NoEmergencySubscriberOnly, Limits, "the requested party declared under Protocol Art. 9(1)(b) that it will not execute emergency requests for subscriber information alone"},
			{request.TypeSubscriberDirect, directory.NotificationRequired, Limits, "the requested party requires notification under Protocol Art. 7(5): send a copy of the order to its notification authority, which may stop disclosure"},
		},
		Channel: "24/7 point of contact (Art. 9, 10), the provider directly (Art. 7), the registrar (Art. 6) or the receiving authority (Art. 8)",
		Source:  "CETS 224 Art. 6-10",
	},
	{
		Instrument: request.InstrumentUN2024, Name: "UN 2024 Convention",
		Conditions: []Condition{InstrumentInForce, BothBound},
		Channel:    "24/7 network point of contact (UN Art. 41)",
		Source:     "UN Convention against Cybercrime, Art. 41-43 (as SPEC section 5 numbers them)",
	},
	{
		Instrument: request.InstrumentEU, Name: "EU Regulation 2023/1543",
		Conditions: []Condition{InstrumentInForce, BothBound},
		Channel:    "the provider's designated establishment or legal representative (European Preservation or Production Order)",
		Source:     "Regulation (EU) 2023/1543 Art. 5, 6, 34",
	},
	{
		Instrument: request.InstrumentBilateral, Name: "Bilateral treaty",
		Conditions: []Condition{TreatyInForce},
		Channel:    "central authorities, as the treaty provides",
		Source:     "the bilateral treaties entered by the secretariat in the directory (Snapshot.Treaties)",
	},
	{
		Instrument: request.InstrumentG7, Name: "G7 24/7 network",
		Conditions: []Condition{BothG7},
		Channel:    "G7 24/7 point of contact (informal, practice-based)",
		Source:     "G7 (formerly G8) 24/7 network practice since 1997",
	},
}

// Remaining is what is left when no instrument applies (SPEC section 9).
var Remaining = []string{
	"a bilateral mutual legal assistance treaty, if one exists between the two states",
	"the INTERPOL channel (National Central Bureaus) for police-to-police information",
	"letters rogatory through diplomatic channels (slow; months)",
}

// dirInstrument maps a request instrument to the directory's.
func dirInstrument(in request.Instrument) (directory.Instrument, bool) {
	switch in {
	case request.InstrumentBudapest:
		return directory.Budapest, true
	case request.InstrumentProtocol2:
		return directory.Protocol2, true
	case request.InstrumentUN2024:
		return directory.UN2024, true
	case request.InstrumentEU:
		return directory.EU, true
	}
	return "", false
}

// Finding is what one row of the table says for a question.
type Finding struct {
	Instrument request.Instrument `json:"instrument"`
	Name       string             `json:"name"`
	Article    string             `json:"article,omitempty"`
	Applies    bool               `json:"applies"`
	Reasons    []string           `json:"reasons"`
	Caveats    []string           `json:"caveats,omitempty"`
	Channel    string             `json:"channel,omitempty"`
	// Recipient is the kind of body the request goes to under this
	// instrument; Clock names the clock it starts (a request.Clock* name)
	// and ClockNote says it in words with its article.
	Recipient Recipient `json:"recipient,omitempty"`
	Clock     string    `json:"clock,omitempty"`
	ClockNote string    `json:"clock_note,omitempty"`
	// Treaty is the id of the bilateral treaty of a bilateral finding.
	Treaty string `json:"treaty,omitempty"`
	// DateUnknown is set when the route rests on a party listed as bound
	// whose date of entry into force is not known.
	DateUnknown bool `json:"date_unknown,omitempty"`
}

// Decision is the answer to a routing question.
type Decision struct {
	From      string       `json:"from"`
	To        string       `json:"to"`
	Type      request.Type `json:"type"`
	Addressee Addressee    `json:"addressee,omitempty"`
	Date      string       `json:"date"`
	Allowed   bool         `json:"allowed"`
	Summary   string       `json:"summary"`
	Findings  []Finding    `json:"findings"`
	Remaining []string     `json:"remaining,omitempty"`
	AsOf      string       `json:"directory_as_of,omitempty"`
}

// Routes returns the findings that apply, in order of preference.
func (d Decision) Routes() []Finding {
	var out []Finding
	for _, f := range d.Findings {
		if f.Applies {
			out = append(out, f)
		}
	}
	return out
}

// Decide evaluates the decision table for a request of type t from party
// from to party to on date at, against snapshot s, for any addressee.
func Decide(s *directory.Snapshot, from, to string, t request.Type, at time.Time) (Decision, error) {
	return DecideFor(s, Question{From: from, To: to, Type: t, At: at})
}

// DecideFor answers a routing question: it is the one decision that the
// route command, attribution, the portal's compose preview and the
// provider's admission (Admit) read.
func DecideFor(s *directory.Snapshot, q Question) (Decision, error) {
	from, to, t, at := strings.ToUpper(strings.TrimSpace(q.From)), strings.ToUpper(strings.TrimSpace(q.To)), q.Type, q.At
	if _, err := ParseAddressee(string(q.Addressee)); err != nil {
		return Decision{}, apperr.Errorf(apperr.EInvalid, "%v", err)
	}
	if !t.Valid() {
		var names []string
		for _, x := range request.Types {
			names = append(names, string(x))
		}
		return Decision{}, apperr.Errorf(apperr.EInvalid, "request type %q is not known; use one of %s", t, strings.Join(names, ", "))
	}
	if from == to {
		return Decision{}, apperr.Errorf(apperr.EInvalid, "FROM and TO are both %s; a request goes to another party", from)
	}
	pf, ok := s.Party(from)
	if !ok {
		return Decision{}, apperr.Errorf(apperr.ENotFound, "party %q is not in the directory (as of %s); give an ISO 3166-1 alpha-2 code such as US, or add the party", from, s.AsOf)
	}
	pt, ok := s.Party(to)
	if !ok {
		return Decision{}, apperr.Errorf(apperr.ENotFound, "party %q is not in the directory (as of %s); give an ISO 3166-1 alpha-2 code such as IT, or add the party", to, s.AsOf)
	}
	d := Decision{From: from, To: to, Type: t, Addressee: q.Addressee, Date: at.UTC().Format("2006-01-02"), AsOf: s.AsOf.String()}
	for _, row := range Table {
		var fs []Finding
		if row.Instrument == request.InstrumentBilateral {
			fs = bilateralFindings(s, row, pf, pt, t, at)
		} else {
			fs = []Finding{evaluate(s, row, pf, pt, t, at)}
		}
		for _, f := range fs {
			if f.Applies && !q.Addressee.accepts(f.Recipient) {
				f.Applies = false
				f.Reasons = append(f.Reasons, fmt.Sprintf("under the %s a %s request goes to the %s, not to a %s", f.Name, t, f.Recipient, q.Addressee))
				f.Channel = ""
			}
			d.Findings = append(d.Findings, f)
		}
	}
	routes := d.Routes()
	d.Allowed = len(routes) > 0
	if d.Allowed {
		var names []string
		for _, f := range routes {
			names = append(names, f.Name+" ("+f.Article+")")
		}
		d.Summary = fmt.Sprintf("%s may send %s to %s under %s.", from, t, to, strings.Join(names, "; "))
	} else {
		d.Summary = fmt.Sprintf("No route: no instrument allows %s from %s to %s on %s.", t, from, to, d.Date)
		d.Remaining = Remaining
	}
	return d, nil
}

func evaluate(s *directory.Snapshot, row Row, from, to *directory.Party, t request.Type, at time.Time) Finding {
	f := Finding{Instrument: row.Instrument, Name: row.Name, Channel: row.Channel, Applies: true}
	prov, ok := request.ProvisionFor(row.Instrument, t)
	if !ok {
		f.Applies = false
		f.Channel = ""
		f.Reasons = append(f.Reasons, fmt.Sprintf("the %s does not provide for %s requests", row.Name, t))
		return f
	}
	f.Article = prov.Article
	e := entryFor(row.Instrument, t, row.Channel)
	f.Recipient, f.Channel, f.Clock, f.ClockNote = e.Recipient, e.Channel, e.Clock, e.ClockNote
	for _, c := range row.Conditions {
		ok, reasons, undated := check(s, row, c, from, to, at)
		f.Reasons = append(f.Reasons, reasons...)
		f.DateUnknown = f.DateUnknown || undated
		if !ok {
			f.Applies = false
			// Later conditions would only repeat the same parties'
			// statuses; the first failing one is the reason.
			break
		}
	}
	if f.Applies {
		f.Reasons = append(f.Reasons, fmt.Sprintf("%s provides for %s", prov.Article, t))
		for _, ex := range row.Exclusions {
			if ex.Type == t && to.Has(ex.Reservation) {
				if ex.Effect == Excludes {
					f.Applies = false
					f.Reasons = append(f.Reasons, "excluded: "+ex.Text)
				} else {
					f.Caveats = append(f.Caveats, ex.Text)
				}
			}
		}
	} else {
		f.Channel = ""
	}
	if f.Applies && row.Instrument == request.InstrumentBudapest && t == request.TypeEmergencyMLA {
		f.Caveats = append(f.Caveats, "Art. 27(9) applies where no mutual assistance treaty is in force between the two parties (Art. 27(1)); otherwise that treaty's urgent channel, Art. 25(3) expedited means still apply")
	}
	if f.Applies && row.Instrument == request.InstrumentBudapest && t == request.TypeEmergencyMLA && to.Has(directory.CentralAuthorityOnly) {
		f.Caveats = append(f.Caveats, "the requested party declared under Art. 27(9)(e) that requests go through its central authority: not directly to judicial authorities")
	}
	return f
}

// check evaluates one condition and explains it.
func check(s *directory.Snapshot, row Row, c Condition, from, to *directory.Party, at time.Time) (ok bool, reasons []string, undated bool) {
	switch c {
	case InstrumentInForce:
		return instrumentInForce(s, row, from, to, at)
	case BothBound:
		din, _ := dirInstrument(row.Instrument)
		okF, rf, uf := bound(s, din, from, at)
		okT, rt, ut := bound(s, din, to, at)
		return okF && okT, []string{rf, rt}, uf || ut
	case BothG7:
		var rs []string
		ok := true
		for _, p := range []*directory.Party{from, to} {
			switch {
			case p.G7Network == nil:
				ok = false
				rs = append(rs, fmt.Sprintf("%s: G7 24/7 network membership not known in the directory", p.Code))
			case !*p.G7Network:
				ok = false
				rs = append(rs, fmt.Sprintf("%s is not a member of the G7 24/7 network", p.Code))
			default:
				rs = append(rs, fmt.Sprintf("%s is a member of the G7 24/7 network", p.Code))
			}
		}
		return ok, rs, false
	}
	return false, []string{fmt.Sprintf("unknown condition %q in the decision table", c)}, false
}

func instrumentInForce(s *directory.Snapshot, row Row, from, to *directory.Party, at time.Time) (bool, []string, bool) {
	din, _ := dirInstrument(row.Instrument)
	if din == directory.EU {
		if at.Before(EUApplies) {
			return false, []string{fmt.Sprintf("the Regulation applies only from %s (Art. 34(2))", EUApplies.Format("2006-01-02"))}, false
		}
		return true, nil, false
	}
	info, _ := s.Instrument(din)
	if !info.InForce.IsZero() && !at.Before(info.InForce.Time()) {
		return true, nil, false
	}
	// Not in force: say where each party stands, then why.
	var parts []string
	for _, p := range []*directory.Party{from, to} {
		if st := standing(p.Status(din)); st != "" {
			parts = append(parts, p.Code+" "+st)
		}
	}
	why := "the " + shortName(row) + " is not in force"
	switch {
	case info.Ratifications > 0 && info.RatificationsNeeded > 0:
		why += fmt.Sprintf(" (%d of %d ratifications)", info.Ratifications, info.RatificationsNeeded)
	case info.RatificationsNeeded > 0:
		why += fmt.Sprintf(" (needs %d ratifications)", info.RatificationsNeeded)
	}
	if !info.InForce.IsZero() {
		why = fmt.Sprintf("the %s enters into force only on %s", shortName(row), info.InForce)
	}
	if len(parts) > 0 {
		return false, []string{strings.Join(parts, ", ") + ", but " + why}, false
	}
	return false, []string{capitalize(why)}, false
}

func shortName(row Row) string {
	switch row.Instrument {
	case request.InstrumentUN2024:
		return "Convention"
	case request.InstrumentProtocol2:
		return "Protocol"
	case request.InstrumentBudapest:
		return "Convention"
	}
	return row.Name
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// standing describes a status briefly ("signed 2025-10-25"), or "" when
// nothing is known.
func standing(st directory.InstrumentStatus) string {
	switch st.Status {
	case directory.StatusSignatory:
		if !st.Signed.IsZero() {
			return "signed " + st.Signed.String()
		}
		return "signed"
	case directory.StatusParty:
		if !st.Deposited.IsZero() {
			return "ratified " + st.Deposited.String()
		}
		return "is a party"
	}
	return ""
}

// bound says whether instrument in binds party p at at, in words.
func bound(s *directory.Snapshot, in directory.Instrument, p *directory.Party, at time.Time) (bool, string, bool) {
	st := p.Status(in)
	day := at.UTC().Format("2006-01-02")
	if in == directory.EU {
		switch {
		case p.EU.BoundBy20231543:
			return true, fmt.Sprintf("%s is an EU member state bound by Regulation 2023/1543", p.Code), false
		case p.EU.Member:
			return false, fmt.Sprintf("%s is an EU member state but not bound by Regulation 2023/1543%s", p.Code, paren(p.EU.Note)), false
		}
		return false, fmt.Sprintf("%s is not an EU member state", p.Code), false
	}
	if st.BoundAt(at) {
		if st.InForceUndated {
			return true, fmt.Sprintf("%s is listed as a party (date of entry into force not known; counted as in force, confidence: %s)", p.Code, p.Confidence), true
		}
		return true, fmt.Sprintf("%s is a party, in force for it since %s", p.Code, st.InForce), false
	}
	switch st.Status {
	case directory.StatusParty:
		if !st.InForce.IsZero() {
			return false, fmt.Sprintf("%s deposited on %s, but it is in force for it only from %s (after %s)", p.Code, st.Deposited, st.InForce, day), false
		}
		return false, fmt.Sprintf("%s ratified%s, but the date it binds %s is not known (the instrument is not known to be in force)", p.Code, prefixed(" on ", st.Deposited.String()), p.Code), false
	case directory.StatusSignatory:
		return false, fmt.Sprintf("%s signed%s but has not ratified", p.Code, prefixed(" on ", st.Signed.String())), false
	case directory.StatusInvited:
		return false, fmt.Sprintf("%s is invited to accede but is not a party", p.Code), false
	case directory.StatusNone:
		return false, fmt.Sprintf("%s is not a party", p.Code), false
	}
	return false, fmt.Sprintf("%s: status not known (the source list is partial%s)", p.Code, prefixed("; ", st.Note)), false
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// Explain writes the decision in words, one instrument per paragraph.
func (d Decision) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s, %s, on %s (directory as of %s)\n\n", d.From, d.To, d.Type, d.Date, d.AsOf)
	fmt.Fprintf(&b, "%s\n\n", d.Summary)
	for _, f := range d.Findings {
		verdict := "does not apply"
		if f.Applies {
			verdict = "APPLIES"
		}
		fmt.Fprintf(&b, "%s: %s", f.Name, verdict)
		if f.Article != "" {
			fmt.Fprintf(&b, " [%s]", f.Article)
		}
		b.WriteString("\n")
		if f.Applies {
			fmt.Fprintf(&b, "  recipient: %s\n", f.Recipient)
			if f.ClockNote != "" {
				fmt.Fprintf(&b, "  clock: %s\n", f.ClockNote)
			}
		}
		for _, r := range f.Reasons {
			fmt.Fprintf(&b, "  - %s\n", r)
		}
		for _, c := range f.Caveats {
			fmt.Fprintf(&b, "  ! %s\n", c)
		}
		if f.Applies && f.Channel != "" {
			fmt.Fprintf(&b, "  contact: %s\n", f.Channel)
		}
	}
	if len(d.Remaining) > 0 {
		b.WriteString("\nWhat remains:\n")
		for _, r := range d.Remaining {
			fmt.Fprintf(&b, "  - %s\n", r)
		}
	}
	b.WriteString("\nRouting proposes; a person confirms before anything is sent (Protocol Art. 14(6)).\n")
	return b.String()
}
