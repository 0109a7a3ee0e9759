package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
)

var directoryCmd = &command{
	name:  "directory",
	short: "show, sign, verify, merge and compare the directory of the network",
	usage: "directory <show|list|export|import|keygen|sign|verify|merge|diff> [arguments]",
	long: `The directory lists the parties of the network, their status under each
instrument (Budapest Convention, Second Protocol, UN 2024 Convention, EU
Regulation 2023/1543), their authorities, contact channels, duty hours, keys
and legal profiles. The secretariat signs it; nodes verify it against the
secretariat's pinned key. See docs/directory.md.

show and list read the snapshot shipped with art35 unless given a signed file
with --snapshot FILE and the secretariat key with --pubkey (or
ART35_SECRETARIAT_KEY).

Examples:
	art35 directory show IT
	art35 directory show CN --json
	art35 directory list --instrument protocol2
	art35 directory keygen --out secretariat.key
	art35 directory export > snapshot.json
	art35 directory import parties.csv > snapshot.json
	art35 directory sign --key secretariat.key --serial 1 snapshot.json > directory.signed.json
	art35 directory verify --pubkey ed25519:... --held-serial 0 directory.signed.json
	art35 directory merge g8-list.csv coe-list.csv --resolutions resolutions.csv
	art35 directory diff old.signed.json new.signed.json`,
}

func runDirectory(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, directoryCmd, []subcommand{
		{"show", "one party: status under each instrument, authorities, who is on duty, legal profile", dirShow},
		{"list", "the parties, optionally those of one instrument", dirList},
		{"export", "write a snapshot as editable JSON (the input of sign)", dirExport},
		{"import", "build a snapshot from a corrected parties list (the parties.csv layout)", dirImport},
		{"keygen", "create the secretariat's Ed25519 signing key", dirKeygen},
		{"sign", "number, date and sign a snapshot with the secretariat key", dirSign},
		{"verify", "check a signed snapshot as a node would accept it", dirVerify},
		{"merge", "merge two source contact lists and report every conflict", dirMerge},
		{"diff", "what changed between two snapshots, field by field", dirDiff},
	}, args)
}

// dirSource is the --snapshot/--pubkey pair of show, list and export.
type dirSource struct {
	snapshot, pubkey string
}

func (s *dirSource) bind(fs *flag.FlagSet) {
	fs.StringVar(&s.snapshot, "snapshot", "", "signed snapshot file to read instead of the shipped one")
	fs.StringVar(&s.pubkey, "pubkey", "", "the secretariat's public key (ed25519:...) to verify --snapshot (or ART35_SECRETARIAT_KEY)")
}

// load returns the shipped starter snapshot, or the signed file after
// verifying it against the pinned key at the current time.
func (s *dirSource) load(e *env) (*directory.Snapshot, string, error) {
	if s.snapshot == "" {
		snap, err := directory.Starter()
		if err != nil {
			return nil, "", apperr.Wrap(apperr.EInternal, err, "load the shipped directory")
		}
		return snap, "the starter snapshot shipped with art35 (unsigned, serial 0)", nil
	}
	pub, err := dirPinnedKey(e, s.pubkey)
	if err != nil {
		return nil, "", err
	}
	data, err := dirReadFile(s.snapshot)
	if err != nil {
		return nil, "", err
	}
	sf, err := directory.Verify(data, pub, 0, e.clock.Now())
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", s.snapshot, err)
	}
	return sf.Snapshot, fmt.Sprintf("signed snapshot %s (serial %d, key %s)", s.snapshot, sf.Serial(), sf.KeyID), nil
}

func dirPinnedKey(e *env, flagValue string) ([]byte, error) {
	k := flagValue
	if k == "" {
		k = e.getenv("ART35_SECRETARIAT_KEY")
	}
	if k == "" {
		return nil, usagef("--pubkey ed25519:... is required (the secretariat's published key), or set ART35_SECRETARIAT_KEY")
	}
	pub, err := keys.ParseSigningPublic(k)
	if err != nil {
		return nil, fmt.Errorf("--pubkey: %w", err)
	}
	return pub, nil
}

func dirReadFile(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, apperr.Errorf(apperr.ENotFound, "file %s does not exist", name)
		}
		return nil, apperr.Wrap(apperr.EInvalid, err, "read %s", name)
	}
	return data, nil
}

func dirWriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// dirOnDuty is what show says about one authority's duty at a moment.
type dirOnDuty struct {
	Authority string `json:"authority"`
	OnDuty    *bool  `json:"on_duty"` // null when it cannot be known
	LocalTime string `json:"local_time,omitempty"`
	TimeZone  string `json:"time_zone,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

func dirDuty(a directory.Authority, now time.Time) dirOnDuty {
	d := dirOnDuty{Authority: a.ID, TimeZone: a.TimeZone}
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

// dirShowJSON is the JSON answer of "directory show".
type dirShowJSON struct {
	Party       directory.Party               `json:"party"`
	InForceNow  map[directory.Instrument]bool `json:"in_force_now"`
	Instruments []directory.InstrumentInfo    `json:"instruments"`
	Duty        []dirOnDuty                   `json:"duty"`
	Now         time.Time                     `json:"now"`
	Snapshot    dirSnapshotInfo               `json:"snapshot"`
}

type dirSnapshotInfo struct {
	Serial     uint64                 `json:"serial"`
	AsOf       directory.Date         `json:"as_of,omitzero"`
	IssuedAt   time.Time              `json:"issued_at,omitzero"`
	ValidUntil time.Time              `json:"valid_until,omitzero"`
	Source     string                 `json:"source"`
	Notes      []directory.SourceNote `json:"source_notes,omitempty"`
	From       string                 `json:"from"`
}

func dirInfo(s *directory.Snapshot, from string) dirSnapshotInfo {
	return dirSnapshotInfo{Serial: s.Serial, AsOf: s.AsOf, IssuedAt: s.IssuedAt, ValidUntil: s.ValidUntil, Source: s.Source, Notes: s.SourceNotes, From: from}
}

func dirShow(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "show")
	var src dirSource
	src.bind(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("show needs one party code, e.g. art35 directory show IT")
	}
	snap, from, err := src.load(e)
	if err != nil {
		return err
	}
	p, ok := snap.Party(pos[0])
	if !ok {
		hint := ""
		if code, found := directory.LookupCountry(pos[0]); found {
			hint = fmt.Sprintf(" (did you mean %s?)", code)
		}
		return apperr.Errorf(apperr.ENotFound, "party %q is not in the directory%s; 'art35 directory list' shows the parties", pos[0], hint)
	}
	now := e.clock.Now()
	out := dirShowJSON{Party: *p, InForceNow: map[directory.Instrument]bool{}, Instruments: snap.Instruments, Now: now, Snapshot: dirInfo(snap, from), Duty: []dirOnDuty{}}
	for _, in := range directory.Instruments {
		out.InForceNow[in] = p.InForce(in, now)
	}
	for _, a := range p.Authorities {
		out.Duty = append(out.Duty, dirDuty(a, now))
	}
	if *asJSON {
		return dirWriteJSON(e.stdout, out)
	}
	dirPrintParty(e.stdout, snap, out)
	return nil
}

var instrumentTitles = map[directory.Instrument]string{
	directory.Budapest:  "Budapest Convention (ETS 185)",
	directory.Protocol2: "Second Additional Protocol (CETS 224)",
	directory.UN2024:    "UN Convention against Cybercrime (2024)",
	directory.EU:        "EU Regulation 2023/1543",
}

func dirStatusLine(snap *directory.Snapshot, in directory.Instrument, st directory.InstrumentStatus, inForceNow bool) string {
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

func dirPrintParty(w io.Writer, snap *directory.Snapshot, v dirShowJSON) {
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
		fmt.Fprintf(w, "  %-40s %s\n", instrumentTitles[in]+":", dirStatusLine(snap, in, st, v.InForceNow[in]))
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

func dirList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "list")
	var src dirSource
	src.bind(fs)
	instr := fs.String("instrument", "", "only parties that signed or are parties to: budapest, protocol2, un2024 or eu")
	inForce := fs.Bool("in-force", false, "only parties the instrument binds now")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("list takes no arguments (got %q)", pos[0])
	}
	var in directory.Instrument
	if *instr != "" {
		if in, err = directory.ParseInstrument(*instr); err != nil {
			return usagef("--instrument: %v", err)
		}
	}
	if *inForce && in == "" {
		return usagef("--in-force needs --instrument")
	}
	snap, from, err := src.load(e)
	if err != nil {
		return err
	}
	now := e.clock.Now()
	var parties []directory.Party
	for _, p := range snap.Parties {
		st := p.Status(in)
		switch {
		case in == "":
		case *inForce && !p.InForce(in, now):
			continue
		case st.Status != directory.StatusParty && st.Status != directory.StatusSignatory:
			continue
		}
		parties = append(parties, p)
	}
	if *asJSON {
		if parties == nil {
			parties = []directory.Party{}
		}
		return dirWriteJSON(e.stdout, struct {
			Instrument directory.Instrument `json:"instrument,omitempty"`
			Count      int                  `json:"count"`
			Parties    []directory.Party    `json:"parties"`
			Snapshot   dirSnapshotInfo      `json:"snapshot"`
		}{in, len(parties), parties, dirInfo(snap, from)})
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
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
			dirShort(p.Budapest, p.InForce(directory.Budapest, now)), dirShort(p.Protocol2, p.InForce(directory.Protocol2, now)),
			dirShort(p.UN2024, p.InForce(directory.UN2024, now)), eu, p.Confidence)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "\n%d parties; directory: %s; data as of %s\n", len(parties), from, snap.AsOf)
	return nil
}

func dirShort(st directory.InstrumentStatus, bound bool) string {
	s := string(st.Status)
	if !st.Signed.IsZero() && st.Status == directory.StatusSignatory {
		s += " " + st.Signed.String()
	}
	if bound {
		s += " (in force)"
	}
	return s
}

func dirExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "export")
	var src dirSource
	src.bind(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("export takes no arguments (got %q)", pos[0])
	}
	snap, _, err := src.load(e)
	if err != nil {
		return err
	}
	b, err := directory.Export(snap)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(b)
	return err
}

func dirImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "import")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("import needs one PARTIES.csv (columns iso2,name,budapest,budapest_note,protocol2_signed,protocol2_ratified,un2024_signed,eu,confidence)")
	}
	data, err := dirReadFile(pos[0])
	if err != nil {
		return err
	}
	snap, err := directory.ReadPartiesCSV(pos[0], data)
	if err != nil {
		return err
	}
	b, err := directory.Export(snap)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(b)
	return err
}

func dirKeygen(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "keygen")
	out := fs.String("out", "", "file to write the private key to (created with mode 0600; never overwritten)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) != 0 {
		return usagef("keygen needs --out FILE and no arguments")
	}
	pub, priv, err := keys.GenerateSigning()
	if err != nil {
		return err
	}
	if err := keys.WritePrivate(*out, priv); err != nil {
		return err
	}
	text := keys.FormatSigningPublic(pub)
	fmt.Fprintf(e.stderr, "wrote the secretariat signing key to %s; publish the public key below and have every node pin it (secretariat_key)\n", *out)
	fmt.Fprintf(e.stdout, "%s\nkey id %s\n", text, keys.ID(text))
	return nil
}

func dirSign(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "sign")
	keyFile := fs.String("key", "", "the secretariat's private key file (from 'directory keygen')")
	serial := fs.Uint64("serial", 0, "serial number of this snapshot (default: the input's serial + 1)")
	validFor := fs.Duration("valid-for", 30*24*time.Hour, "how long nodes accept the snapshot")
	out := fs.String("out", "", "write the signed file here instead of standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *keyFile == "" || len(pos) != 1 {
		return usagef("sign needs --key FILE and one SNAPSHOT.json (from 'art35 directory export')")
	}
	priv, err := keys.LoadSigning(*keyFile)
	if err != nil {
		return err
	}
	snap, err := dirReadSnapshot(pos[0], "")
	if err != nil {
		return err
	}
	n := *serial
	if n == 0 {
		n = snap.Serial + 1
	}
	data, err := directory.Sign(snap, priv, n, e.clock.Now(), *validFor)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := os.WriteFile(*out, data, 0o644); err != nil {
			return apperr.Wrap(apperr.EInvalid, err, "write %s", *out)
		}
	} else if _, err := e.stdout.Write(data); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "signed snapshot serial %d, %d parties, valid until %s\n", snap.Serial, len(snap.Parties), snap.ValidUntil.Format(time.RFC3339))
	return nil
}

// dirReadSnapshot reads "starter", an unsigned snapshot JSON, or a signed
// file. A signed file's signature is checked when pubkey is given.
func dirReadSnapshot(name, pubkey string) (*directory.Snapshot, error) {
	if name == "starter" {
		return directory.Starter()
	}
	data, err := dirReadFile(name)
	if err != nil {
		return nil, err
	}
	if !directory.IsSignedFile(data) {
		return directory.ReadSnapshotJSON(name, data)
	}
	sf, err := directory.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if pubkey != "" {
		pub, err := keys.ParseSigningPublic(pubkey)
		if err != nil {
			return nil, fmt.Errorf("--pubkey: %w", err)
		}
		if err := sf.CheckSignature(pub); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return sf.Snapshot, nil
}

func dirVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "verify")
	pubkey := fs.String("pubkey", "", "the secretariat's public key, ed25519:... (or ART35_SECRETARIAT_KEY)")
	held := fs.Uint64("held-serial", 0, "serial of the snapshot this node holds; the new one must be higher")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("verify needs one signed FILE")
	}
	pub, err := dirPinnedKey(e, *pubkey)
	if err != nil {
		return err
	}
	data, err := dirReadFile(pos[0])
	if err != nil {
		return err
	}
	sf, err := directory.Verify(data, pub, *held, e.clock.Now())
	if err != nil {
		return fmt.Errorf("%s refused: %w", pos[0], err)
	}
	s := sf.Snapshot
	fmt.Fprintf(e.stdout, "%s: OK: serial %d signed by key %s, issued %s, valid until %s, %d parties, data as of %s\n",
		pos[0], s.Serial, sf.KeyID, s.IssuedAt.Format(time.RFC3339), s.ValidUntil.Format(time.RFC3339), len(s.Parties), s.AsOf)
	return nil
}

func dirMerge(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "merge")
	resFile := fs.String("resolutions", "", "CSV of explicit choices: conflict,choose,value (choose a, b or value)")
	asJSON := fs.Bool("json", false, "print the merge result as JSON")
	base := fs.String("base", "starter", "snapshot to apply the merged authorities to with --out (JSON file or \"starter\")")
	out := fs.String("out", "", "when every conflict is resolved, write the base snapshot with the merged authorities here, ready for 'directory sign'")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("merge needs two source lists A and B")
	}
	var lists [2]*directory.SourceList
	for i, name := range pos {
		data, err := dirReadFile(name)
		if err != nil {
			return err
		}
		if lists[i], err = directory.ReadSourceList(name, data); err != nil {
			return err
		}
	}
	res := directory.Merge(lists[0], lists[1], directory.MergeOptions{Now: e.clock.Now()})
	if *resFile != "" {
		data, err := dirReadFile(*resFile)
		if err != nil {
			return err
		}
		rs, err := directory.ReadResolutions(*resFile, data)
		if err != nil {
			return err
		}
		if err := res.Resolve(rs); err != nil {
			return err
		}
	}
	if *asJSON {
		if err := dirWriteJSON(e.stdout, res); err != nil {
			return err
		}
	} else {
		dirPrintMerge(e.stdout, res)
	}
	open := res.Unresolved()
	if len(open) > 0 {
		return apperr.Errorf(apperr.EConflict, "%d of %d conflicts unresolved; write a resolutions file (conflict,choose,value) and run merge again with --resolutions", len(open), len(res.Conflicts))
	}
	if *out != "" {
		snap, err := dirReadSnapshot(*base, "")
		if err != nil {
			return err
		}
		if err := res.Apply(snap); err != nil {
			return err
		}
		b, err := directory.Export(snap)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			return apperr.Wrap(apperr.EInvalid, err, "write %s", *out)
		}
		fmt.Fprintf(e.stderr, "wrote %s: %s with %d merged authorities; sign it with 'art35 directory sign'\n", *out, *base, len(res.Entries))
	}
	return nil
}

func dirPrintMerge(w io.Writer, r *directory.MergeResult) {
	fmt.Fprintf(w, "Merged %s (a) and %s (b): %d entries, %d conflicts (%d unresolved)\n\n", r.A, r.B, len(r.Entries), len(r.Conflicts), len(r.Unresolved()))
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTY\tROLE\tAUTHORITY\tPHONE\tE-MAIL\tPERSON\tAS OF\tFROM")
	for _, m := range r.Entries {
		from := map[string]string{"both": "a+b", r.A: "a only", r.B: "b only"}[m.From]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Code, m.Role, dirOrOpen(m.Agency, m.Unresolved), dirOrOpen(m.Phone, m.Unresolved),
			dirOrOpen(m.Email, m.Unresolved), dirOrOpen(m.Person, m.Unresolved), m.AsOf, from)
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

func dirOrOpen(v string, open []string) string {
	if v == "" && len(open) > 0 {
		return "?"
	}
	if v == "" {
		return "-"
	}
	return v
}

func dirDiff(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, directoryCmd, "diff")
	pubkey := fs.String("pubkey", "", "check the signatures of signed files against this key (ed25519:...)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("diff needs OLD and NEW (signed files, snapshot JSON, or \"starter\")")
	}
	old, err := dirReadSnapshot(pos[0], *pubkey)
	if err != nil {
		return err
	}
	new, err := dirReadSnapshot(pos[1], *pubkey)
	if err != nil {
		return err
	}
	d := directory.DiffSnapshots(old, new)
	if *asJSON {
		return dirWriteJSON(e.stdout, d)
	}
	return d.WriteText(e.stdout)
}
