package directory

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Change is one field that differs between two snapshots. Path names the
// field as in the JSON form ("budapest.status", "people[Giulia Esempio].phone");
// Old is "" for a field that was added, New is "" for one that was removed.
type Change struct {
	Path string `json:"path"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// EntryDiff lists the changes of one party or authority.
type EntryDiff struct {
	Key     string   `json:"key"` // party code, or "CC/authority-id"
	Changes []Change `json:"changes"`
}

// Diff is what changed from one snapshot to the next: parties and
// authorities added, removed and changed, field by field. Serial and
// validity dates are shown once, not as changes, since they change every time.
type Diff struct {
	OldSerial          uint64      `json:"old_serial"`
	NewSerial          uint64      `json:"new_serial"`
	Snapshot           []Change    `json:"snapshot"` // as_of, source, instruments
	PartiesAdded       []string    `json:"parties_added"`
	PartiesRemoved     []string    `json:"parties_removed"`
	PartiesChanged     []EntryDiff `json:"parties_changed"`
	AuthoritiesAdded   []string    `json:"authorities_added"`
	AuthoritiesRemoved []string    `json:"authorities_removed"`
	AuthoritiesChanged []EntryDiff `json:"authorities_changed"`
	// Bilateral treaties entered by the secretariat (Snapshot.Treaties),
	// keyed by treaty id: a treaty opens or closes a route, so a change
	// to one is a legal change and must show in every review of a snapshot.
	TreatiesAdded   []string    `json:"treaties_added"`
	TreatiesRemoved []string    `json:"treaties_removed"`
	TreatiesChanged []EntryDiff `json:"treaties_changed"`
}

// Empty reports whether nothing but serial and validity changed.
func (d *Diff) Empty() bool {
	return len(d.Snapshot)+len(d.PartiesAdded)+len(d.PartiesRemoved)+len(d.PartiesChanged)+
		len(d.AuthoritiesAdded)+len(d.AuthoritiesRemoved)+len(d.AuthoritiesChanged)+
		len(d.TreatiesAdded)+len(d.TreatiesRemoved)+len(d.TreatiesChanged) == 0
}

// DiffSnapshots compares two snapshots.
func DiffSnapshots(old, new *Snapshot) *Diff {
	d := &Diff{OldSerial: old.Serial, NewSerial: new.Serial,
		Snapshot: []Change{}, PartiesAdded: []string{}, PartiesRemoved: []string{}, PartiesChanged: []EntryDiff{},
		AuthoritiesAdded: []string{}, AuthoritiesRemoved: []string{}, AuthoritiesChanged: []EntryDiff{},
		TreatiesAdded: []string{}, TreatiesRemoved: []string{}, TreatiesChanged: []EntryDiff{}}
	meta := func(s *Snapshot) map[string]string {
		return flatten(struct {
			Format      string           `json:"format"`
			AsOf        Date             `json:"as_of,omitzero"`
			Source      string           `json:"source"`
			SourceNotes []SourceNote     `json:"source_notes"`
			Instruments []InstrumentInfo `json:"instruments"`
		}{s.Format, s.AsOf, s.Source, s.SourceNotes, s.Instruments})
	}
	d.Snapshot = compareFlat(meta(old), meta(new))

	oldP, newP := partyMap(old), partyMap(new)
	for _, code := range sortedKeys(oldP, newP) {
		op, inOld := oldP[code]
		np, inNew := newP[code]
		switch {
		case !inOld:
			d.PartiesAdded = append(d.PartiesAdded, code)
		case !inNew:
			d.PartiesRemoved = append(d.PartiesRemoved, code)
		default:
			if ch := compareFlat(flatten(withoutAuthorities(op)), flatten(withoutAuthorities(np))); len(ch) > 0 {
				d.PartiesChanged = append(d.PartiesChanged, EntryDiff{Key: code, Changes: ch})
			}
		}
	}
	oldA, newA := authorityMap(old), authorityMap(new)
	for _, key := range sortedKeys(oldA, newA) {
		oa, inOld := oldA[key]
		na, inNew := newA[key]
		switch {
		case !inOld:
			d.AuthoritiesAdded = append(d.AuthoritiesAdded, key)
		case !inNew:
			d.AuthoritiesRemoved = append(d.AuthoritiesRemoved, key)
		default:
			if ch := compareFlat(flatten(oa), flatten(na)); len(ch) > 0 {
				d.AuthoritiesChanged = append(d.AuthoritiesChanged, EntryDiff{Key: key, Changes: ch})
			}
		}
	}
	oldT, newT := treatyMap(old), treatyMap(new)
	for _, id := range sortedKeys(oldT, newT) {
		ot, inOld := oldT[id]
		nt, inNew := newT[id]
		switch {
		case !inOld:
			d.TreatiesAdded = append(d.TreatiesAdded, id)
		case !inNew:
			d.TreatiesRemoved = append(d.TreatiesRemoved, id)
		default:
			if ch := compareFlat(flatten(ot), flatten(nt)); len(ch) > 0 {
				d.TreatiesChanged = append(d.TreatiesChanged, EntryDiff{Key: id, Changes: ch})
			}
		}
	}
	return d
}

// WriteText writes the diff for a person, one line per added or removed
// entry and one per changed field ("+", "-", "~").
func (d *Diff) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "serial %d -> %d\n", d.OldSerial, d.NewSerial)
	if d.Empty() {
		b.WriteString("no changes\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	changes := func(prefix string, cs []Change) {
		for _, c := range cs {
			fmt.Fprintf(&b, "%s%s: %q -> %q\n", prefix, c.Path, c.Old, c.New)
		}
	}
	section := func(what string, added, removed []string, changed []EntryDiff) {
		for _, k := range added {
			fmt.Fprintf(&b, "+ %s %s\n", what, k)
		}
		for _, k := range removed {
			fmt.Fprintf(&b, "- %s %s\n", what, k)
		}
		for _, e := range changed {
			fmt.Fprintf(&b, "~ %s %s\n", what, e.Key)
			changes("    ", e.Changes)
		}
	}
	changes("  snapshot ", d.Snapshot)
	section("party", d.PartiesAdded, d.PartiesRemoved, d.PartiesChanged)
	section("authority", d.AuthoritiesAdded, d.AuthoritiesRemoved, d.AuthoritiesChanged)
	section("treaty", d.TreatiesAdded, d.TreatiesRemoved, d.TreatiesChanged)
	_, err := io.WriteString(w, b.String())
	return err
}

func treatyMap(s *Snapshot) map[string]Treaty {
	m := map[string]Treaty{}
	for _, t := range s.Treaties {
		m[t.ID] = t
	}
	return m
}

func partyMap(s *Snapshot) map[string]Party {
	m := map[string]Party{}
	for _, p := range s.Parties {
		m[p.Code] = p
	}
	return m
}

func authorityMap(s *Snapshot) map[string]Authority {
	m := map[string]Authority{}
	for _, p := range s.Parties {
		for _, a := range p.Authorities {
			m[p.Code+"/"+a.ID] = a
		}
	}
	return m
}

func withoutAuthorities(p Party) Party {
	p.Authorities = nil
	return p
}

func sortedKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func compareFlat(a, b map[string]string) []Change {
	var out []Change
	for _, k := range sortedKeys(a, b) {
		if a[k] != b[k] {
			out = append(out, Change{Path: k, Old: a[k], New: b[k]})
		}
	}
	return out
}

// flatten turns a value into path -> text through its JSON form, so the
// paths are the field names people see in the files. List items that have
// an identity (id, kind, public key, name, field) are named by it rather
// than by position, so inserting one person does not "change" all others.
func flatten(v any) map[string]string {
	out := map[string]string{}
	b, err := json.Marshal(v)
	if err != nil {
		out[""] = "(cannot encode: " + err.Error() + ")"
		return out
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		out[""] = "(cannot decode: " + err.Error() + ")"
		return out
	}
	flattenInto(out, "", x)
	return out
}

func flattenInto(out map[string]string, path string, x any) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v := x.(type) {
	case map[string]any:
		for k, e := range v {
			flattenInto(out, join(k), e)
		}
	case []any:
		scalars := true
		for _, e := range v {
			if _, ok := e.(map[string]any); ok {
				scalars = false
			}
		}
		if scalars {
			parts := make([]string, len(v))
			for i, e := range v {
				parts[i] = fmt.Sprint(e)
			}
			out[path] = strings.Join(parts, ", ")
			return
		}
		for i, e := range v {
			flattenInto(out, fmt.Sprintf("%s[%s]", path, itemName(e, i)), e)
		}
	case nil:
	default:
		out[path] = fmt.Sprint(v)
	}
}

func itemName(e any, i int) string {
	if m, ok := e.(map[string]any); ok {
		for _, k := range []string{"id", "public", "kind", "name", "field"} {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return fmt.Sprint(i)
}
