package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/directory"
)

// OnDuty is what show says about one authority's duty at a moment.
type OnDuty struct {
	Authority string `json:"authority"`
	OnDuty    *bool  `json:"on_duty"` // null when it cannot be known
	LocalTime string `json:"local_time,omitempty"`
	TimeZone  string `json:"time_zone,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

func duty(a directory.Authority, now time.Time) OnDuty {
	d := OnDuty{Authority: a.ID, TimeZone: a.TimeZone}
	on, local, err := a.OnDuty(now)
	if a.TimeZone != "" && !local.IsZero() {
		d.LocalTime = local.Format("2006-01-02 15:04 MST (Mon)")
	}
	if err != nil {
		d.Reason = err.Error()
		return d
	}
	d.OnDuty = &on
	return d
}

// PartyView is the JSON answer of "directory show".
type PartyView struct {
	Party       directory.Party               `json:"party"`
	InForceNow  map[directory.Instrument]bool `json:"in_force_now"`
	Instruments []directory.InstrumentInfo    `json:"instruments"`
	Duty        []OnDuty                      `json:"duty"`
	Now         time.Time                     `json:"now"`
	Snapshot    SnapshotInfo                  `json:"snapshot"`
}

// SnapshotInfo says which directory snapshot an answer comes from.
type SnapshotInfo struct {
	Serial     uint64                 `json:"serial"`
	AsOf       directory.Date         `json:"as_of,omitzero"`
	IssuedAt   time.Time              `json:"issued_at,omitzero"`
	ValidUntil time.Time              `json:"valid_until,omitzero"`
	Source     string                 `json:"source"`
	Notes      []directory.SourceNote `json:"source_notes,omitempty"`
	From       string                 `json:"from"`
}

// Info is the SnapshotInfo of s, read from from (a file, or the shipped
// starter).
func Info(s *directory.Snapshot, from string) SnapshotInfo {
	return SnapshotInfo{Serial: s.Serial, AsOf: s.AsOf, IssuedAt: s.IssuedAt, ValidUntil: s.ValidUntil, Source: s.Source, Notes: s.SourceNotes, From: from}
}

var instrumentTitles = map[directory.Instrument]string{
	directory.Budapest:  "Budapest Convention (ETS 185)",
	directory.Protocol2: "Second Additional Protocol (CETS 224)",
	directory.UN2024:    "UN Convention against Cybercrime (2024)",
	directory.EU:        "EU Regulation 2023/1543",
}

func statusLine(snap *directory.Snapshot, in directory.Instrument, st directory.InstrumentStatus, inForceNow bool) string {
	var parts []string
	parts = append(parts, string(st.Status))
	if !st.Signed.IsZero() {
		parts = append(parts, "signed "+st.Signed.String())
	}
	if !st.Deposited.IsZero() {
		kind := "deposited"
		if st.DepositKind != "" {
			kind = string(st.DepositKind) + " deposited"
		}
		parts = append(parts, kind+" "+st.Deposited.String())
	}
	switch {
	case !st.InForce.IsZero():
		parts = append(parts, "in force for it since "+st.InForce.String())
	case st.Status == directory.StatusParty && st.InForceUndated:
		parts = append(parts, "in force (date not known)")
	}
	if info, ok := snap.Instrument(in); ok && info.InForce.IsZero() && in != directory.EU {
		state := info.State
		if state == "" {
			state = "not in force"
		}
		parts = append(parts, "the instrument itself is "+state)
	}
	if inForceNow {
		parts = append(parts, "BINDS NOW")
	} else {
		parts = append(parts, "does not bind now")
	}
	line := strings.Join(parts, "; ")
	if st.Note != "" {
		line += " (" + st.Note + ")"
	}
	return line
}

// NewPartyView is what "directory show" says of party p at now.
func NewPartyView(snap *directory.Snapshot, p *directory.Party, from string, now time.Time) PartyView {
	out := PartyView{Party: *p, InForceNow: map[directory.Instrument]bool{}, Instruments: snap.Instruments, Now: now, Snapshot: Info(snap, from), Duty: []OnDuty{}}
	for _, in := range directory.Instruments {
		out.InForceNow[in] = p.InForce(in, now)
	}
	for _, a := range p.Authorities {
		out.Duty = append(out.Duty, duty(a, now))
	}
	return out
}

// PrintParty prints a party for a person: its status under each
// instrument, its authorities and who is on duty, its legal profile.
func PrintParty(w io.Writer, snap *directory.Snapshot, v PartyView) {
	p := v.Party
	fmt.Fprintf(w, "%s (%s)    confidence: %s\n\n", p.Name, p.Code, p.Confidence)
	for _, in := range directory.Instruments {
		st := p.Status(in)
		if in == directory.EU {
			eu := "not a member"
			if p.EU.Member {
				eu = "member, not bound by Regulation 2023/1543"
				if p.EU.BoundBy20231543 {
					eu = "member, bound from " + directory.EUApplication.String() + " (Art. 34(2))"
					if v.InForceNow[in] {
						eu += "; BINDS NOW"
					}
				}
				if p.EU.Note != "" {
					eu += " (" + p.EU.Note + ")"
				}
			}
			fmt.Fprintf(w, "  %-40s %s\n", instrumentTitles[in]+":", eu)
			continue
		}
		fmt.Fprintf(w, "  %-40s %s\n", instrumentTitles[in]+":", statusLine(snap, in, st, v.InForceNow[in]))
	}
	g7 := "not known"
	if p.G7Network != nil {
		g7 = map[bool]string{true: "member", false: "not a member"}[*p.G7Network]
	}
	fmt.Fprintf(w, "  %-40s %s\n", "G7 24/7 network:", g7)
	if len(p.Sources) > 0 {
		fmt.Fprintf(w, "  %-40s %s\n", "Sources:", strings.Join(p.Sources, "; "))
	}
	if len(p.Reservations) == 0 {
		fmt.Fprintf(w, "  %-40s %s\n", "Reservations and declarations:", "none known")
	}
	for _, r := range p.Reservations {
		fmt.Fprintf(w, "  reservation %s", r.Kind)
		if !r.Since.IsZero() {
			fmt.Fprintf(w, " since %s", r.Since)
		}
		if r.Text != "" {
			fmt.Fprintf(w, ": %s", r.Text)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nAuthorities (now %s UTC):\n", v.Now.UTC().Format("2006-01-02 15:04"))
	if len(p.Authorities) == 0 {
		fmt.Fprintln(w, "  none in the directory")
	}
	for i, a := range p.Authorities {
		name := a.Name
		if name == "" {
			name = "name not known"
		}
		fmt.Fprintf(w, "  %s  %s  %s", a.ID, a.Role, name)
		if a.Kind != "" {
			fmt.Fprintf(w, " (%s)", a.Kind)
		}
		fmt.Fprintln(w)
		d := v.Duty[i]
		switch {
		case d.OnDuty == nil:
			fmt.Fprintf(w, "      on duty: not known: %s\n", d.Reason)
			if d.LocalTime != "" {
				fmt.Fprintf(w, "      local time: %s (%s)\n", d.LocalTime, d.TimeZone)
			}
		case *d.OnDuty:
			fmt.Fprintf(w, "      on duty NOW (%s, local time %s, %s)\n", a.DutyHours, d.LocalTime, d.TimeZone)
		default:
			fmt.Fprintf(w, "      off duty now (%s, local time %s, %s)\n", a.DutyHours, d.LocalTime, d.TimeZone)
		}
		if !a.ContactKnown {
			fmt.Fprintln(w, "      contact: not known")
		}
		for _, kv := range [][2]string{{"phone", a.Phone}, {"e-mail", a.Email}, {"endpoint", a.Endpoint}, {"languages", strings.Join(a.Languages, ", ")}, {"since", a.Since.String()}, {"as of", a.AsOf.String()}, {"note", a.Note}} {
			if kv[1] != "" {
				fmt.Fprintf(w, "      %s: %s\n", kv[0], kv[1])
			}
		}
		for _, k := range a.Keys {
			state := "valid now"
			if !k.ValidAt(v.Now) {
				state = "NOT valid now"
			}
			fmt.Fprintf(w, "      key %s %s (id %s, %s)\n", k.Use, k.Public, k.ID, state)
		}
		for _, pe := range a.Escalation() {
			fmt.Fprintf(w, "      roster: %s %d %s", pe.Role, pe.Order, pe.Name)
			for _, c := range []string{pe.Phone, pe.Email} {
				if c != "" {
					fmt.Fprintf(w, ", %s", c)
				}
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w, "\nLegal profile:")
	if p.Legal.IsZero() {
		fmt.Fprintln(w, "  not known (the party has not answered the network's questionnaire in this directory)")
	} else {
		l := p.Legal
		ans := func(a directory.Answer) string {
			if a.Value == "" {
				return "not known"
			}
			s := a.Value
			if a.Basis != "" {
				s += " (by " + a.Basis + ")"
			}
			if a.Note != "" {
				s += "; " + a.Note
			}
			return s
		}
		for _, kv := range [][2]string{
			{"preserves on a foreign request alone", ans(l.PreserveOnForeignRequest)},
			{"can obtain and share internationally", ans(l.ObtainAndShare)},
			{"hacking a foreign computer is a crime", ans(l.ForeignHackingIsCrime)},
			{"intelligence or evidence", l.IntelligenceOrEvidence},
			{"minimum facts for its own case", l.MinimumFactsForCase},
			{"time to preserve", l.TimeToPreserve},
			{"time to disclose", l.TimeToDisclose},
			{"with a domestic offence", l.TimeWithDomesticOffence},
			{"without a domestic offence", l.TimeWithoutDomestic},
		} {
			if kv[1] != "" {
				fmt.Fprintf(w, "  %s: %s\n", kv[0], kv[1])
			}
		}
		for _, r := range l.Retention {
			fmt.Fprintf(w, "  retention, %s: %s\n", r.Data, r.Period)
		}
	}
	fmt.Fprintf(w, "\nDirectory: %s; data as of %s\n", v.Snapshot.From, snap.AsOf)
}

func shortStatus(st directory.InstrumentStatus, bound bool) string {
	s := string(st.Status)
	if !st.Signed.IsZero() && st.Status == directory.StatusSignatory {
		s += " " + st.Signed.String()
	}
	if bound {
		s += " (in force)"
	}
	return s
}

// PrintMerge prints the merge of two source lists: the merged entries,
// every conflict and how to resolve those still open.
func PrintMerge(w io.Writer, r *directory.MergeResult) {
	fmt.Fprintf(w, "Merged %s (a) and %s (b): %d entries, %d conflicts (%d unresolved)\n\n", r.A, r.B, len(r.Entries), len(r.Conflicts), len(r.Unresolved()))
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTY\tROLE\tAUTHORITY\tPHONE\tE-MAIL\tPERSON\tAS OF\tFROM")
	for _, m := range r.Entries {
		from := map[string]string{"both": "a+b", r.A: "a only", r.B: "b only"}[m.From]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Code, m.Role, orOpen(m.Agency, m.Unresolved), orOpen(m.Phone, m.Unresolved),
			orOpen(m.Email, m.Unresolved), orOpen(m.Person, m.Unresolved), m.AsOf, from)
	}
	tw.Flush()
	if len(r.Conflicts) > 0 {
		fmt.Fprintln(w, "\nConflicts:")
	}
	for _, c := range r.Conflicts {
		state := "UNRESOLVED"
		if c.Resolved != "" {
			state = fmt.Sprintf("resolved: %s -> %q", c.Resolved, c.Value)
		}
		fmt.Fprintf(w, "  %s  %s\n", c.ID, state)
		fmt.Fprintf(w, "      a: %-40q as of %s (%s)\n", c.A, c.AAsOf, c.AWhere)
		fmt.Fprintf(w, "      b: %-40q as of %s (%s)\n", c.B, c.BAsOf, c.BWhere)
		if c.Stale != "" {
			fmt.Fprintf(w, "      the %s entry is stale (much older than the other)\n", c.Stale)
		}
		if c.Suggest != "" && c.Resolved == "" {
			fmt.Fprintf(w, "      newer: %s\n", c.Suggest)
		}
	}
	if len(r.OnlyA) > 0 || len(r.OnlyB) > 0 {
		fmt.Fprintln(w, "\nKept from one list only:")
		for _, k := range r.OnlyA {
			fmt.Fprintf(w, "  %s  only in a (%s)\n", k, r.A)
		}
		for _, k := range r.OnlyB {
			fmt.Fprintf(w, "  %s  only in b (%s)\n", k, r.B)
		}
	}
	if len(r.Stale) > 0 {
		fmt.Fprintln(w, "\nStale entries:")
		for _, s := range r.Stale {
			fmt.Fprintf(w, "  %s  %s as of %s (%s)", s.Key, s.Side, s.AsOf, s.Where)
			if !s.Other.IsZero() {
				fmt.Fprintf(w, ", the other list has %s", s.Other)
			}
			fmt.Fprintln(w)
		}
	}
	if open := r.Unresolved(); len(open) > 0 {
		fmt.Fprintln(w, "\nTo resolve, write a file like this and pass it with --resolutions:")
		fmt.Fprintln(w, "  conflict,choose,value")
		for _, c := range open {
			choice := c.Suggest
			if choice == "" {
				choice = "a"
			}
			fmt.Fprintf(w, "  %s,%s,\n", c.ID, choice)
		}
	}
}

func orOpen(v string, open []string) string {
	if v == "" && len(open) > 0 {
		return "?"
	}
	if v == "" {
		return "-"
	}
	return v
}

// PartyFilter chooses the parties "directory list" shows.
type PartyFilter struct {
	Instrument directory.Instrument // "" for every party
	InForce    bool                 // only those the instrument binds at Now
	Now        time.Time
}

// FilterParties returns the parties of snap that f keeps.
func FilterParties(snap *directory.Snapshot, f PartyFilter) []directory.Party {
	parties := []directory.Party{}
	for _, p := range snap.Parties {
		st := p.Status(f.Instrument)
		switch {
		case f.Instrument == "":
		case f.InForce && !p.InForce(f.Instrument, f.Now):
			continue
		case st.Status != directory.StatusParty && st.Status != directory.StatusSignatory:
			continue
		}
		parties = append(parties, p)
	}
	return parties
}

// PartyList is the JSON answer of "directory list".
type PartyList struct {
	Instrument directory.Instrument `json:"instrument,omitempty"`
	Count      int                  `json:"count"`
	Parties    []directory.Party    `json:"parties"`
	Snapshot   SnapshotInfo         `json:"snapshot"`
}

// PrintPartyList prints the parties as a table, one a line.
func PrintPartyList(w io.Writer, snap *directory.Snapshot, parties []directory.Party, from string, now time.Time) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tBUDAPEST\tPROTOCOL2\tUN2024\tEU\tCONFIDENCE")
	for _, p := range parties {
		eu := "-"
		if p.EU.Member {
			eu = "member"
			if p.EU.BoundBy20231543 {
				eu += "+2023/1543"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Code, p.Name,
			shortStatus(p.Budapest, p.InForce(directory.Budapest, now)), shortStatus(p.Protocol2, p.InForce(directory.Protocol2, now)),
			shortStatus(p.UN2024, p.InForce(directory.UN2024, now)), eu, p.Confidence)
	}
	tw.Flush()
	_, err := fmt.Fprintf(w, "\n%d parties; directory: %s; data as of %s\n", len(parties), from, snap.AsOf)
	return err
}

// PrintVerified prints the one line "directory verify" gives for the
// signed file name that a node would accept.
func PrintVerified(w io.Writer, name string, sf *directory.Signed) {
	s := sf.Snapshot
	fmt.Fprintf(w, "%s: OK: serial %d signed by key %s, issued %s, valid until %s, %d parties, data as of %s\n",
		name, s.Serial, sf.KeyID, s.IssuedAt.Format(time.RFC3339), s.ValidUntil.Format(time.RFC3339), len(s.Parties), s.AsOf)
}
