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
// It is kept for its notes (the starter is built from parties-v2.csv).
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
	s, err := ReadPartiesCSV("data/parties-v2.csv", partiesV2CSV)
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
//
// A list in the second-edition layout (parties-v2.csv: budapest_deposit,
// budapest_in_force, g7_247_member, sources, ...) is recognised by its
// header and read by readPartiesV2.
func ReadPartiesCSV(file string, data []byte) (*Snapshot, error) {
	tab, err := readTable(file, data, []string{"iso2"}, union(partiesColumns, partiesV2Columns))
	if err != nil {
		return nil, err
	}
	required := partiesColumns
	if isV2(tab) {
		required = partiesV2Columns
	}
	for _, h := range required {
		if _, ok := tab.cols[h]; !ok {
			return nil, apperr.Errorf(apperr.EInvalid, "%s: line 1: the header has no column %q; it needs %s", file, h, strings.Join(required, ","))
		}
	}
	for _, h := range tab.header {
		if !slices.Contains(required, h) {
			return nil, apperr.Errorf(apperr.EInvalid, "%s: line 1: column %q belongs to the other layout; a parties list has either the columns %s or %s", file, h, strings.Join(partiesColumns, ","), strings.Join(partiesV2Columns, ","))
		}
	}
	if isV2(tab) {
		s, err := readPartiesV2(file, tab)
		if err != nil {
			return nil, err
		}
		return finishParties(file, s)
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
	if s.Parties, err = partiesOf(tab, budapest, partyFromRow); err != nil {
		return nil, err
	}
	return finishParties(file, s)
}

// partiesOf reads one party a row with read (the layout's row reader),
// refusing a party listed twice.
func partiesOf(tab *table, budapest InstrumentInfo, read func(row, InstrumentInfo) (Party, error)) ([]Party, error) {
	var out []Party
	seen := map[string]int{}
	for _, r := range tab.rows {
		p, err := read(r, budapest)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[p.Code]; dup {
			return nil, r.errf("iso2", "%s appears twice (first on line %d); keep one row per party and merge the two", p.Code, first)
		}
		seen[p.Code] = r.line
		out = append(out, p)
	}
	return out, nil
}

// partyIdentity reads the columns both layouts share: the ISO code, the
// name and the confidence flag (confidenceHint says what to write in it).
func partyIdentity(r row, confidenceHint string) (Party, error) {
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
		return p, r.errf("confidence", "the confidence flag is empty; say how sure the row is (%s)", confidenceHint)
	}
	return p, nil
}

// pointOfContact is the Art. 35 point of contact every party to the
// Convention designates: we know that it exists, not who it is.
func pointOfContact(code string) Authority {
	a := Authority{
		ID:     code + "-247",
		Role:   RolePointOfContact,
		Source: "Budapest Convention Art. 35 (every party designates one)",
		Note:   "contact details not in the shipped data; the secretariat must add them",
	}
	if z, ok := CountryZone(code); ok {
		a.TimeZone = z // the country has one time zone (tzdata zone.tab)
	}
	return a
}

// union returns the names in a, then those of b not in a.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// finishParties sorts the parties, computes what follows from the dates
// and validates the snapshot.
func finishParties(file string, s *Snapshot) (*Snapshot, error) {
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
	p, err := partyIdentity(r, "e.g. confirmed, party status unconfirmed")
	if err != nil {
		return p, err
	}
	code := p.Code

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

	if st == StatusParty {
		a := pointOfContact(code)
		if m := reDesig247.FindStringSubmatch(note); m != nil {
			since, err := ParseDate(m[1])
			if err != nil {
				return p, r.errf("budapest_note", "designation date %q is not a date; write \"24/7 designation filed YYYY-MM-DD\"", m[1])
			}
			a.Since = since
		}
		p.Authorities = append(p.Authorities, a)
	}
	return p, nil
}
