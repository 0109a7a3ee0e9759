package directory

import (
	_ "embed"
	"regexp"
	"slices"
	"strings"
	"time"
)

// partiesV2CSV is the second edition of the reference list: deposit and
// entry-into-force dates for every Budapest party from the Council of
// Europe chart, the Protocol's ratifications, UN 2024 signatures, EU
// membership and G7 24/7 network membership, each row with its sources
// (data/SOURCES-parties.md says what each source tag is and how current).
//
//go:embed data/parties-v2.csv
var partiesV2CSV []byte

// partiesV2Columns are the columns of parties-v2.csv, all required.
var partiesV2Columns = []string{"iso2", "name", "budapest", "budapest_signed", "budapest_deposit", "budapest_in_force",
	"protocol2_signed", "protocol2_deposit", "protocol2_in_force", "un2024_signed", "un2024_deposit", "eu", "g7_247_member", "sources", "confidence"}

// StarterV2AsOf is the as-of date of the newest complete column of
// parties-v2.csv: the Council of Europe chart of ETS 185, "status as of
// 25/04/2026". The other columns' as-of dates are in SourceNotes.
var StarterV2AsOf = NewDate(2026, time.April, 25)

// EUApplication is the date Regulation (EU) 2023/1543 applies from (its
// Art. 34(2)); it entered into force on 2023-08-17 but no European order
// can be issued before this date.
var EUApplication = NewDate(2026, time.August, 18)

// v2SourceNotes say how current each column of parties-v2.csv is (from
// data/SOURCES-parties.md).
var v2SourceNotes = []SourceNote{
	{Field: "budapest", AsOf: "2026-04-25", Note: "Council of Europe Treaty Office chart of ETS 185 (status as of 25/04/2026): 81 ratifications or accessions [CoE-chart-ETS185-2026-04-25]"},
	{Field: "protocol2", AsOf: "on or after 2026-02-05 (UA, GB, US: on or after 2025-11-14)", Note: "Netherlands Treaty Database, CETS 224; not in force: 3 ratifications (RS 2023-02-09, JP 2023-08-10, HU 2026-02-05) of the 5 needed (Protocol Art. 16); a blank means not known"},
	{Field: "un2024", AsOf: "2025-10-25 to 2026-07", Note: "UN Treaty Collection XVIII.16 (72 signatories, listed A to Jamaica) and secondary press; no ratification found; not in force (40 needed); a blank means not known, \"(not listed)\" means not on the UNTC list"},
	{Field: "eu", AsOf: "2020 (EU-27, no change since)", Note: "Denmark is a member but not bound by Regulation 2023/1543 (Protocol No 22); Ireland takes part (Protocol No 21); the Regulation applies from 2026-08-18 (Art. 34(2))"},
	{Field: "g7", AsOf: "no single date", Note: "G7 states per the US DoJ release of 1998-12-15 and a G7 24/7 network glossary; India per CoE Octopus (archived 2025-08-14); a blank means not known, not \"not a member\""},
}

// reDayNotStated finds a signature the sources report without its day,
// e.g. "(signed Hanoi 25/26 Oct 2025, day n/s)".
var reDayNotStated = regexp.MustCompile(`\((signed[^)]*), day n/s\)`)

// isV2 reports whether a parties list is in the second-edition layout.
func isV2(t *table) bool { _, ok := t.cols["budapest_deposit"]; return ok }

// readPartiesV2 builds a snapshot from a list in the parties-v2.csv layout.
// A blank is "not known", never "no": a blank G7 cell leaves membership
// unknown; a blank UN cell is "unknown" unless the sources say the state is
// not on the UN Treaty Collection list ("(not listed)") or was reported as
// not having signed. Entry-into-force dates given in the file must agree
// with the Convention's rule (Art. 36(4), 37(2)).
func readPartiesV2(file string, tab *table) (*Snapshot, error) {
	s := &Snapshot{
		Format:      FormatVersion,
		AsOf:        StarterV2AsOf,
		Source:      "art35 reference list " + file + " (second edition; sources and as-of dates per column in internal/directory/data/SOURCES-parties.md); contacts are not included and must be added by the secretariat",
		SourceNotes: slices.Clone(v2SourceNotes),
		Instruments: DefaultInstruments(),
	}
	budapest, _ := s.Instrument(Budapest)
	var err error
	if s.Parties, err = partiesOf(tab, budapest, partyFromV2Row); err != nil {
		return nil, err
	}
	return s, nil
}

func partyFromV2Row(r row, budapest InstrumentInfo) (Party, error) {
	p, err := partyIdentity(r, "confirmed or secondary")
	if err != nil {
		return p, err
	}
	code := p.Code
	sources := r.get("sources")
	for _, s := range strings.Split(sources, ";") {
		if s = strings.TrimSpace(s); s != "" {
			p.Sources = append(p.Sources, s)
		}
	}
	dates := map[string]Date{}
	for _, col := range []string{"budapest_signed", "budapest_deposit", "budapest_in_force", "protocol2_signed", "protocol2_deposit", "protocol2_in_force", "un2024_signed", "un2024_deposit"} {
		d, err := r.date(col)
		if err != nil {
			return p, err
		}
		dates[col] = d
	}

	// Budapest Convention.
	st := Status(r.get("budapest"))
	if !st.Valid() || st == StatusUnknown {
		return p, r.errf("budapest", "%q is not a status; use party, signatory, invited or none", st)
	}
	p.Budapest = InstrumentStatus{Status: st, Signed: dates["budapest_signed"], Deposited: dates["budapest_deposit"]}
	if st != StatusParty && !p.Budapest.Deposited.IsZero() {
		return p, r.errf("budapest", "status %q but a deposit date is given; a state that deposited is a party", st)
	}
	if !p.Budapest.Deposited.IsZero() {
		p.Budapest.DepositKind = Ratification
		if p.Budapest.Signed.IsZero() {
			p.Budapest.DepositKind = Accession // accession has no signature (Art. 37)
		}
	}
	if given := dates["budapest_in_force"]; !given.IsZero() {
		if want, ok := EntryIntoForce(budapest, p.Budapest.Deposited); ok && want != given {
			return p, r.errf("budapest_in_force", "in force %s disagrees with deposit %s: by Art. 36(4)/37(2) it is %s; correct one of the two dates", given, p.Budapest.Deposited, want)
		}
		if st != StatusParty {
			return p, r.errf("budapest_in_force", "an entry-into-force date for a state whose status is %q; only a party has one", st)
		}
		p.Budapest.InForce = given
	}
	if st == StatusParty && p.Budapest.Deposited.IsZero() && p.Budapest.InForce.IsZero() {
		p.Budapest.InForceUndated = true // listed as a party, date not known to us
	}
	if st == StatusInvited {
		p.Budapest.Note = "invited to accede (Art. 37)"
	}

	// Second Additional Protocol: not in force (3 of 5 ratifications), so
	// no party is bound whatever its deposit date; an in-force date in the
	// file is kept as given.
	p2s, p2d, p2f := dates["protocol2_signed"], dates["protocol2_deposit"], dates["protocol2_in_force"]
	switch {
	case !p2d.IsZero():
		p.Protocol2 = InstrumentStatus{Status: StatusParty, Signed: p2s, Deposited: p2d, DepositKind: Ratification, InForce: p2f}
	case !p2s.IsZero():
		p.Protocol2 = InstrumentStatus{Status: StatusSignatory, Signed: p2s}
	case st != StatusParty:
		p.Protocol2 = InstrumentStatus{Status: StatusNone, Note: "the Protocol is open only to parties to the Convention"}
	default:
		p.Protocol2 = InstrumentStatus{Status: StatusUnknown, Note: "not known: no signature in the sources"}
	}
	if !p2f.IsZero() && p2d.IsZero() {
		return p, r.errf("protocol2_in_force", "an entry-into-force date without a deposit date; give protocol2_deposit")
	}
	if !p2s.IsZero() && !p2d.IsZero() && p2d.Before(p2s) {
		return p, r.errf("protocol2_deposit", "deposited %s before it signed %s; check both dates", p2d, p2s)
	}
	if st != StatusParty && (!p2s.IsZero() || !p2d.IsZero()) {
		return p, r.errf("protocol2_signed", "a Protocol date for a state that is not a party to the Convention (%s); the Protocol is open only to parties", st)
	}

	// UN Convention against Cybercrime.
	uns, und := dates["un2024_signed"], dates["un2024_deposit"]
	switch {
	case !und.IsZero():
		p.UN2024 = InstrumentStatus{Status: StatusParty, Signed: uns, Deposited: und, DepositKind: Ratification}
	case !uns.IsZero():
		p.UN2024 = InstrumentStatus{Status: StatusSignatory, Signed: uns}
	case reDayNotStated.MatchString(sources):
		m := reDayNotStated.FindStringSubmatch(sources)
		p.UN2024 = InstrumentStatus{Status: StatusSignatory, Note: m[1] + "; the day is not stated by the source"}
	case strings.Contains(sources, "UNTC-XVIII-16-72sig (not listed)"):
		p.UN2024 = InstrumentStatus{Status: StatusNone, Note: "not among the 72 signatories of the UN Treaty Collection list (as of late 2025)"}
	case strings.Contains(sources, "(not signed then)"):
		p.UN2024 = InstrumentStatus{Status: StatusNone, Note: "reported as not having signed at the Hanoi ceremony of 2025-10-25 (secondary source); later signature not known"}
	default:
		p.UN2024 = InstrumentStatus{Status: StatusUnknown, Note: "not known: the sources do not say"}
	}
	if strings.Contains(sources, "unverified") && p.UN2024.Status == StatusSignatory {
		p.UN2024.Note = "a secondary source says it ratified by April 2026, with no date (unverified)"
	}

	// EU and Regulation 2023/1543.
	switch eu := r.get("eu"); eu {
	case "":
	case "EU":
		p.EU = EUStatus{Member: true, BoundBy20231543: true}
		switch code {
		case "DK":
			p.EU = EUStatus{Member: true, Note: "Denmark does not take part: Protocol No 22 to the Treaties"}
		case "IE":
			p.EU.Note = "Ireland takes part in Regulation 2023/1543 (Protocol No 21 to the Treaties)"
		}
	default:
		return p, r.errf("eu", "%q is not understood; write EU or leave it blank", eu)
	}

	// G7 24/7 network: "yes" is a member a source names; blank is not known.
	switch g7 := strings.ToLower(r.get("g7_247_member")); g7 {
	case "":
	case "yes":
		yes := true
		p.G7Network = &yes
	case "no":
		no := false
		p.G7Network = &no
	default:
		return p, r.errf("g7_247_member", "%q is not understood; write yes, no or leave it blank (not known)", g7)
	}

	if st == StatusParty {
		p.Authorities = append(p.Authorities, pointOfContact(code))
	}
	return p, nil
}
