package directory

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// partiesCSV is the reference list of parties shipped with art35 (see
// data/README.md for its sources, as-of dates and confidence flags).
//
//go:embed data/parties.csv
var partiesCSV []byte

// StarterAsOf is the newest as-of date of the shipped reference list (the
// UN 2024 signatures of 2025-10-25); older columns are described in the
// snapshot's SourceNotes.
var StarterAsOf = NewDate(2025, time.October, 25)

// partiesColumns are the columns of parties.csv, all required.
var partiesColumns = []string{"iso2", "name", "budapest", "budapest_note", "protocol2_signed", "protocol2_ratified", "un2024_signed", "eu", "confidence"}

// Starter returns the directory snapshot built from the embedded reference
// list. It is unsigned (serial 0): a node uses it until it accepts a signed
// snapshot from the secretariat.
func Starter() (*Snapshot, error) {
	s, err := ReadPartiesCSV("data/parties.csv", partiesCSV)
	if err != nil {
		return nil, fmt.Errorf("embedded starter directory: %w", err)
	}
	return s, nil
}

var (
	reDeposit  = regexp.MustCompile(`\bdeposit ([^\s;,]+)`)
	reInForce  = regexp.MustCompile(`\bin force ([^\s;,]+)`)
	reDesig247 = regexp.MustCompile(`\b24/7 designation filed ([^\s;,]+)`)
)

// ReadPartiesCSV builds a snapshot from a list in the parties.csv layout
// (columns iso2,name,budapest,budapest_note,protocol2_signed,
// protocol2_ratified,un2024_signed,eu,confidence). The secretariat corrects
// a row there and rebuilds. Blanks mean "not known": a blank Protocol or
// UN 2024 cell gives status "unknown", never "none", because the source
// lists are partial. Deposit and in-force dates are read from the
// budapest_note column ("deposit 2024-06-20; in force 2024-11-01"); a
// given in-force date must agree with the Convention's rule.
func ReadPartiesCSV(file string, data []byte) (*Snapshot, error) {
	tab, err := readTable(file, data, partiesColumns, nil)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{
		Format: FormatVersion,
		AsOf:   StarterAsOf,
		Source: "art35 reference list " + file + " (see internal/directory/data/README.md); contacts are not included and must be added by the secretariat",
		SourceNotes: []SourceNote{
			{Field: "budapest", AsOf: "late 2024", Note: "76 parties then; Ecuador probably since"},
			{Field: "protocol2", AsOf: "mid-2025", Note: "the list stops alphabetically at R for some states: blanks mean not known"},
			{Field: "un2024", AsOf: "2025-10-25", Note: "72 signatories in all, only some listed: blanks mean not known"},
			{Field: "eu", AsOf: "2025", Note: "EU membership; Denmark is not bound by Regulation 2023/1543"},
		},
		Instruments: DefaultInstruments(),
	}
	budapest, _ := s.Instrument(Budapest)
	seen := map[string]int{}
	for _, r := range tab.rows {
		p, err := partyFromRow(r, budapest)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[p.Code]; dup {
			return nil, r.errf("iso2", "%s appears twice (first on line %d); keep one row per party and merge the two", p.Code, first)
		}
		seen[p.Code] = r.line
		s.Parties = append(s.Parties, p)
	}
	if len(s.Parties) == 0 {
		return nil, apperr.Errorf(apperr.EInvalid, "%s: no parties: the file has a header but no rows; add one row per party", file)
	}
	slices.SortFunc(s.Parties, func(a, b Party) int { return strings.Compare(a.Code, b.Code) })
	if err := s.Complete(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}

func partyFromRow(r row, budapest InstrumentInfo) (Party, error) {
	var p Party
	code := r.get("iso2")
	if code != strings.ToUpper(code) || len(code) != 2 {
		return p, r.errf("iso2", "%q is not an ISO 3166-1 alpha-2 code; write two capital letters, e.g. IT", code)
	}
	if _, ok := ISOName(code); !ok {
		return p, r.errf("iso2", "%q is not an assigned ISO 3166-1 alpha-2 code; check the code (e.g. GB for the United Kingdom, not UK)", code)
	}
	p.Code = code
	if p.Name = r.get("name"); p.Name == "" {
		return p, r.errf("name", "the name is empty; write the party's name")
	}
	if p.Confidence = r.get("confidence"); p.Confidence == "" {
		return p, r.errf("confidence", "the confidence flag is empty; say how sure the row is (e.g. confirmed, party status unconfirmed)")
	}

	// Budapest Convention.
	st := Status(r.get("budapest"))
	if !st.Valid() || st == StatusUnknown {
		return p, r.errf("budapest", "%q is not a status; use party, signatory, invited or none", st)
	}
	note := r.get("budapest_note")
	p.Budapest = InstrumentStatus{Status: st, Note: note}
	if m := reDeposit.FindStringSubmatch(note); m != nil {
		dep, err := ParseDate(m[1])
		if err != nil {
			return p, r.errf("budapest_note", "deposit date %q is not a date; write \"deposit YYYY-MM-DD\"", m[1])
		}
		p.Budapest.Deposited = dep
	}
	if strings.Contains(strings.ToLower(note), "accession") {
		p.Budapest.DepositKind = Accession
	}
	if m := reInForce.FindStringSubmatch(note); m != nil {
		given, err := ParseDate(m[1])
		if err != nil {
			return p, r.errf("budapest_note", "in-force date %q is not a date; write \"in force YYYY-MM-DD\"", m[1])
		}
		if want, ok := EntryIntoForce(budapest, p.Budapest.Deposited); ok && want != given {
			return p, r.errf("budapest_note", "in force %s disagrees with deposit %s: by Art. 36(4)/37(2) it is %s; correct one of the two dates", given, p.Budapest.Deposited, want)
		}
		p.Budapest.InForce = given
	}
	if st != StatusParty && !p.Budapest.Deposited.IsZero() {
		return p, r.errf("budapest", "status %q but the note gives a deposit date; a state that deposited is a party", st)
	}
	if st == StatusParty && p.Budapest.Deposited.IsZero() && p.Budapest.InForce.IsZero() {
		// Listed as a party by the source, date not known to us.
		p.Budapest.InForceUndated = true
	}

	// Second Additional Protocol.
	signed, err := r.date("protocol2_signed")
	if err != nil {
		return p, err
	}
	ratified, err := r.date("protocol2_ratified")
	if err != nil {
		return p, err
	}
	switch {
	case !ratified.IsZero():
		p.Protocol2 = InstrumentStatus{Status: StatusParty, Signed: signed, Deposited: ratified, DepositKind: Ratification}
	case !signed.IsZero():
		p.Protocol2 = InstrumentStatus{Status: StatusSignatory, Signed: signed}
	case st != StatusParty:
		p.Protocol2 = InstrumentStatus{Status: StatusNone, Note: "the Protocol is open only to parties to the Convention"}
	default:
		p.Protocol2 = InstrumentStatus{Status: StatusUnknown, Note: "not known: the source list of Protocol signatures is incomplete"}
	}
	if !signed.IsZero() && !ratified.IsZero() && ratified.Before(signed) {
		return p, r.errf("protocol2_ratified", "ratified %s before it signed %s; check both dates", ratified, signed)
	}
	if st != StatusParty && (!signed.IsZero() || !ratified.IsZero()) {
		return p, r.errf("protocol2_signed", "a Protocol date for a state that is not a party to the Convention (%s); the Protocol is open only to parties", st)
	}

	// UN Convention against Cybercrime.
	un, err := r.date("un2024_signed")
	if err != nil {
		return p, err
	}
	if un.IsZero() {
		p.UN2024 = InstrumentStatus{Status: StatusUnknown, Note: "not known: the source list of UN 2024 signatories is partial"}
	} else {
		p.UN2024 = InstrumentStatus{Status: StatusSignatory, Signed: un}
	}

	// EU and Regulation 2023/1543.
	switch eu := r.get("eu"); {
	case eu == "":
	case eu == "EU":
		p.EU = EUStatus{Member: true, BoundBy20231543: true}
	case strings.HasPrefix(eu, "EU") && strings.Contains(eu, "not bound"):
		p.EU = EUStatus{Member: true, BoundBy20231543: false, Note: strings.Trim(strings.TrimPrefix(eu, "EU"), " ()")}
	default:
		return p, r.errf("eu", "%q is not understood; write EU, \"EU (not bound by Regulation 2023/1543)\" or leave it blank", eu)
	}

	// Every party to the Convention has an Art. 35 point of contact; we
	// know that it exists, not who it is.
	if st == StatusParty {
		a := Authority{
			ID:     code + "-247",
			Role:   RolePointOfContact,
			Source: "Budapest Convention Art. 35 (every party designates one)",
			Note:   "contact details not in the shipped data; the secretariat must add them",
		}
		if m := reDesig247.FindStringSubmatch(note); m != nil {
			since, err := ParseDate(m[1])
			if err != nil {
				return p, r.errf("budapest_note", "designation date %q is not a date; write \"24/7 designation filed YYYY-MM-DD\"", m[1])
			}
			a.Since = since
		}
		if z, ok := CountryZone(code); ok {
			a.TimeZone = z // the country has one time zone (tzdata zone.tab)
		}
		p.Authorities = append(p.Authorities, a)
	}
	return p, nil
}
