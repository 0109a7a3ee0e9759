package directory

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/art35/art35/internal/apperr"
)

// Merge defaults: how much older one side's entry must be to be called
// stale next to the other's, and how old a one-sided entry must be.
const (
	DefaultStaleGap   = 365 * 24 * time.Hour
	DefaultStaleAfter = 2 * 365 * 24 * time.Hour
)

// MergeOptions tunes Merge. The zero value uses the defaults and reports
// no one-sided stale entries (that needs Now).
type MergeOptions struct {
	Now        time.Time
	StaleGap   time.Duration
	StaleAfter time.Duration
}

// Merged fields, in the order they are compared and shown.
var mergeFields = []string{"agency", "kind", "phone", "email", "person", "languages", "duty_hours", "time_zone"}

// ContactFields are what a source list says of an authority and a merge
// compares, field by field (mergeFields names them). In JSON they stand
// among the entry's own fields.
type ContactFields struct {
	Kind      AuthorityKind `json:"kind,omitempty"`
	Agency    string        `json:"agency,omitempty"`
	Phone     string        `json:"phone,omitempty"`
	Email     string        `json:"email,omitempty"`
	Person    string        `json:"person,omitempty"`
	Languages []string      `json:"languages,omitempty"`
	DutyHours string        `json:"duty_hours,omitempty"`
	TimeZone  string        `json:"time_zone,omitempty"`
}

// MergedEntry is one authority of the merged directory.
type MergedEntry struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	ContactFields
	AsOf  Date     `json:"as_of,omitzero"` // the newer of the two sides
	From  string   `json:"from"`           // "both", or the one list it came from
	Where []string `json:"where"`          // file:line of each source row
	// Unresolved lists the conflicts still open on this entry; their
	// fields are empty until a resolution chooses a value.
	Unresolved []string `json:"unresolved,omitempty"`
}

// Key is the entry's match key, "CC:role".
func (m MergedEntry) Key() string { return m.Code + ":" + string(m.Role) }

// Conflict is one field on which the two lists disagree, with both values.
type Conflict struct {
	ID     string `json:"id"` // "CC:role:field", what a resolution names
	Code   string `json:"code"`
	Role   Role   `json:"role"`
	Field  string `json:"field"`
	A      string `json:"a"`
	B      string `json:"b"`
	AAsOf  Date   `json:"a_as_of,omitzero"`
	BAsOf  Date   `json:"b_as_of,omitzero"`
	AWhere string `json:"a_where"`
	BWhere string `json:"b_where"`
	// Stale names the side ("a" or "b") whose entry is older than the
	// other's by more than the stale gap, if one is.
	Stale string `json:"stale,omitempty"`
	// Suggest is the newer side; a person still has to choose.
	Suggest  string `json:"suggest,omitempty"`
	Resolved string `json:"resolved,omitempty"` // "a", "b" or "value" once resolved
	Value    string `json:"value,omitempty"`    // the chosen value once resolved
}

// StaleNote reports an entry older than the options allow.
type StaleNote struct {
	Key   string `json:"key"`
	Side  string `json:"side"` // "a" or "b"
	AsOf  Date   `json:"as_of"`
	Other Date   `json:"other_as_of,omitzero"`
	Where string `json:"where"`
}

// MergeResult is the outcome of Merge: every entry of both lists (none is
// dropped), the conflicts between them and what was kept from one side.
type MergeResult struct {
	A         string        `json:"a"`
	B         string        `json:"b"`
	Entries   []MergedEntry `json:"entries"`
	Conflicts []Conflict    `json:"conflicts"`
	OnlyA     []string      `json:"only_a"` // keys kept from list A alone
	OnlyB     []string      `json:"only_b"` // keys kept from list B alone
	Stale     []StaleNote   `json:"stale,omitempty"`
}

// Merge matches the entries of two source lists by party (ISO code, after
// name normalisation) and authority role, keeps one entry per match, and
// reports every field on which they differ with both values. A value given
// on one side only is taken; values that differ only in spelling (phone
// punctuation, e-mail case, language names) are not conflicts. Entries on
// one side only are kept and listed in OnlyA/OnlyB. Conflicting fields stay
// empty until Resolve chooses.
func Merge(a, b *SourceList, opt MergeOptions) *MergeResult {
	if opt.StaleGap == 0 {
		opt.StaleGap = DefaultStaleGap
	}
	if opt.StaleAfter == 0 {
		opt.StaleAfter = DefaultStaleAfter
	}
	res := &MergeResult{A: a.Name, B: b.Name, Conflicts: []Conflict{}, OnlyA: []string{}, OnlyB: []string{}}
	bByKey := map[string]SourceEntry{}
	for _, e := range b.Entries {
		bByKey[e.key()] = e
	}
	matched := map[string]bool{}
	for _, ea := range a.Entries {
		eb, ok := bByKey[ea.key()]
		if !ok {
			res.Entries = append(res.Entries, fromOne(ea, a.Name))
			res.OnlyA = append(res.OnlyA, ea.key())
			res.staleOneSide(ea, "a", opt)
			continue
		}
		matched[ea.key()] = true
		m, cs := mergePair(ea, eb, opt)
		res.Entries = append(res.Entries, m)
		res.Conflicts = append(res.Conflicts, cs...)
		if side := staleSide(ea, eb, opt); side != "" {
			e, other := ea, eb
			if side == "b" {
				e, other = eb, ea
			}
			res.Stale = append(res.Stale, StaleNote{Key: ea.key(), Side: side, AsOf: e.AsOf, Other: other.AsOf, Where: e.Where})
		}
	}
	for _, eb := range b.Entries {
		if !matched[eb.key()] {
			res.Entries = append(res.Entries, fromOne(eb, b.Name))
			res.OnlyB = append(res.OnlyB, eb.key())
			res.staleOneSide(eb, "b", opt)
		}
	}
	slices.SortFunc(res.Entries, func(x, y MergedEntry) int { return strings.Compare(x.Key(), y.Key()) })
	slices.SortFunc(res.Conflicts, func(x, y Conflict) int { return strings.Compare(x.ID, y.ID) })
	slices.Sort(res.OnlyA)
	slices.Sort(res.OnlyB)
	return res
}

func (r *MergeResult) staleOneSide(e SourceEntry, side string, opt MergeOptions) {
	if !opt.Now.IsZero() && !e.AsOf.IsZero() && e.AsOf.Time().Before(opt.Now.Add(-opt.StaleAfter)) {
		r.Stale = append(r.Stale, StaleNote{Key: e.key(), Side: side, AsOf: e.AsOf, Where: e.Where})
	}
}

func staleSide(a, b SourceEntry, opt MergeOptions) string {
	if a.AsOf.IsZero() || b.AsOf.IsZero() {
		return ""
	}
	switch gap := b.AsOf.Time().Sub(a.AsOf.Time()); {
	case gap > opt.StaleGap:
		return "a"
	case -gap > opt.StaleGap:
		return "b"
	}
	return ""
}

func fromOne(e SourceEntry, list string) MergedEntry {
	name, _ := ISOName(e.Code)
	return MergedEntry{
		Code: e.Code, Name: name, Role: e.Role, ContactFields: e.ContactFields,
		AsOf: e.AsOf, From: list, Where: []string{e.Where},
	}
}

// fieldValue returns a field as text (languages joined by ",").
func (e ContactFields) fieldValue(f string) string {
	switch f {
	case "agency":
		return e.Agency
	case "kind":
		return string(e.Kind)
	case "phone":
		return e.Phone
	case "email":
		return e.Email
	case "person":
		return e.Person
	case "languages":
		return strings.Join(e.Languages, ",")
	case "duty_hours":
		return e.DutyHours
	case "time_zone":
		return e.TimeZone
	}
	return ""
}

// set stores a field's text value.
func (m *ContactFields) set(f, v string) {
	switch f {
	case "agency":
		m.Agency = v
	case "kind":
		m.Kind = AuthorityKind(v)
	case "phone":
		m.Phone = v
	case "email":
		m.Email = v
	case "person":
		m.Person = v
	case "languages":
		m.Languages = parseLanguages(v)
	case "duty_hours":
		m.DutyHours = v
	case "time_zone":
		m.TimeZone = v
	}
}

// sameValue compares two spellings of a field by what they mean.
func sameValue(f, a, b string) bool {
	switch f {
	case "phone":
		return phoneDigits(a) == phoneDigits(b)
	case "email", "kind", "time_zone":
		return strings.EqualFold(a, b)
	case "duty_hours":
		return strings.Join(strings.Fields(strings.ToLower(a)), " ") == strings.Join(strings.Fields(strings.ToLower(b)), " ")
	}
	return NormalizeName(a) == NormalizeName(b)
}

// phoneDigits keeps the leading "+" and the digits: "+00 1 (202) 555-0100"
// and "+00 1 202 555 0100" are the same number.
func phoneDigits(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		if unicode.IsDigit(r) || (i == 0 && r == '+') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mergePair(a, b SourceEntry, opt MergeOptions) (MergedEntry, []Conflict) {
	name, _ := ISOName(a.Code)
	m := MergedEntry{Code: a.Code, Name: name, Role: a.Role, From: "both", Where: []string{a.Where, b.Where}, AsOf: a.AsOf}
	newer := "a"
	if b.AsOf.After(a.AsOf) {
		newer, m.AsOf = "b", b.AsOf
	}
	stale := staleSide(a, b, opt)
	var cs []Conflict
	for _, f := range mergeFields {
		va, vb := a.fieldValue(f), b.fieldValue(f)
		switch {
		case vb == "" || sameValue(f, va, vb) && newer == "a":
			m.set(f, va)
		case va == "" || sameValue(f, va, vb):
			m.set(f, vb)
		default:
			c := Conflict{
				ID: m.Key() + ":" + f, Code: a.Code, Role: a.Role, Field: f, A: va, B: vb,
				AAsOf: a.AsOf, BAsOf: b.AsOf, AWhere: a.Where, BWhere: b.Where, Stale: stale,
			}
			if a.AsOf != b.AsOf {
				c.Suggest = newer
			}
			cs = append(cs, c)
			m.Unresolved = append(m.Unresolved, c.ID)
		}
	}
	return m, cs
}

// Resolution is one explicit choice for a conflict.
type Resolution struct {
	Conflict string `json:"conflict"` // Conflict.ID
	Choose   string `json:"choose"`   // "a", "b" or "value"
	Value    string `json:"value,omitempty"`
	Where    string `json:"where,omitempty"` // file:line
}

// ReadResolutions reads a resolutions file: CSV with the header
// "conflict,choose,value", one line per conflict, "#" starts a comment.
//
//	conflict,choose,value
//	TR:24/7:phone,b,
//	DE:24/7:agency,value,Federal Cybercrime Centre
func ReadResolutions(name string, data []byte) ([]Resolution, error) {
	tab, err := readTable(name, data, []string{"conflict", "choose"}, []string{"value"})
	if err != nil {
		return nil, err
	}
	var out []Resolution
	seen := map[string]int{}
	for _, r := range tab.rows {
		res := Resolution{Conflict: r.get("conflict"), Choose: strings.ToLower(r.get("choose")), Value: r.get("value"), Where: fmt.Sprintf("%s:%d", name, r.line)}
		switch res.Choose {
		case "a", "b":
			if res.Value != "" {
				return nil, r.errf("value", "choose %q takes no value; leave value blank, or choose \"value\" to write your own", res.Choose)
			}
		case "value":
			if res.Value == "" {
				return nil, r.errf("value", "choose \"value\" needs the value to use")
			}
		default:
			return nil, r.errf("choose", "%q is not a choice; write a (first list), b (second list) or value", res.Choose)
		}
		if first, dup := seen[res.Conflict]; dup {
			return nil, r.errf("conflict", "conflict %s is resolved twice (first on line %d); keep one choice", res.Conflict, first)
		}
		seen[res.Conflict] = r.line
		out = append(out, res)
	}
	return out, nil
}

// Resolve applies explicit choices to the merge. A resolution that names no
// conflict of this merge is an error: the lists changed since it was
// written, and a stale choice must not be applied to something else.
func (r *MergeResult) Resolve(res []Resolution) error {
	idx := map[string]int{}
	for i, c := range r.Conflicts {
		idx[c.ID] = i
	}
	for _, x := range res {
		i, ok := idx[x.Conflict]
		if !ok {
			return apperr.Errorf(apperr.EInvalid, "%s: conflict %q is not in this merge of %s and %s; the lists have changed or the id is misspelt: remove or correct the line", x.Where, x.Conflict, r.A, r.B)
		}
		c := &r.Conflicts[i]
		v := x.Value
		switch x.Choose {
		case "a":
			v = c.A
		case "b":
			v = c.B
		}
		if c.Field == "duty_hours" {
			if _, err := ParseDutyHours(v); err != nil {
				return fmt.Errorf("%s: %w", x.Where, err)
			}
		}
		c.Resolved, c.Value = x.Choose, v
		for j := range r.Entries {
			e := &r.Entries[j]
			if e.Code == c.Code && e.Role == c.Role {
				e.set(c.Field, v)
				e.Unresolved = slices.DeleteFunc(e.Unresolved, func(id string) bool { return id == c.ID })
			}
		}
	}
	return nil
}

// Unresolved returns the conflicts that no resolution has chosen for.
func (r *MergeResult) Unresolved() []Conflict {
	var out []Conflict
	for _, c := range r.Conflicts {
		if c.Resolved == "" {
			out = append(out, c)
		}
	}
	return out
}

// roleIDSuffix gives authority ids their stable form, e.g. IT-247, IT-CA.
var roleIDSuffix = map[Role]string{
	RolePointOfContact: "247", RoleCentralAuthority: "CA", RoleExtradition: "EXT", RoleNotification: "NOT",
	RoleSending: "P2S", RoleReceiving: "P2R", RoleConsultation: "P2C", RoleEUEnforcing: "EUE",
}

// Apply writes the merged authorities into a snapshot (replacing an
// authority of the same role), so the secretariat can sign the result. It
// refuses while conflicts are unresolved, and refuses an entry whose party
// the snapshot lacks rather than inventing the party's treaty status.
func (r *MergeResult) Apply(s *Snapshot) error {
	if open := r.Unresolved(); len(open) > 0 {
		return apperr.Errorf(apperr.EConflict, "%d conflicts are unresolved (first: %s); write a resolutions file and merge again", len(open), open[0].ID)
	}
	// Work on a copy so that a refusal leaves s exactly as it was.
	c, err := s.Clone()
	if err != nil {
		return err
	}
	for _, e := range r.Entries {
		p, ok := c.Party(e.Code)
		if !ok {
			return apperr.Errorf(apperr.ENotFound, "party %s (%s, from %s) is not in the snapshot; add the party with its treaty status first", e.Code, e.Name, strings.Join(e.Where, ", "))
		}
		a := Authority{
			ID: e.Code + "-" + roleIDSuffix[e.Role], Role: e.Role, Kind: e.Kind, Name: e.Agency,
			Languages: e.Languages, TimeZone: e.TimeZone, DutyHours: e.DutyHours, Phone: e.Phone,
			Email: e.Email, ContactKnown: e.Phone != "" || e.Email != "", AsOf: e.AsOf,
			Source: "merged from " + strings.Join(e.Where, ", "),
		}
		if a.TimeZone == "" {
			a.TimeZone, _ = CountryZone(e.Code)
		}
		if e.Person != "" {
			a.People = []Person{{Name: e.Person, Role: Primary, Order: 1}}
		}
		if i := slices.IndexFunc(p.Authorities, func(x Authority) bool { return x.Role == e.Role }); i >= 0 {
			a.Since = p.Authorities[i].Since
			p.Authorities[i] = a
		} else {
			p.Authorities = append(p.Authorities, a)
		}
	}
	if err := c.Complete(); err != nil {
		return err
	}
	*s = *c
	return nil
}
