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
	d := &Diff{OldSerial: old.Serial, NewSerial: new.Serial}
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

	d.PartiesAdded, d.PartiesRemoved, d.PartiesChanged = diffEntries(partyMap(old), partyMap(new),
		func(p Party) map[string]string { return flatten(withoutAuthorities(p)) })
	d.AuthoritiesAdded, d.AuthoritiesRemoved, d.AuthoritiesChanged = diffEntries(authorityMap(old), authorityMap(new),
		func(a Authority) map[string]string { return flatten(a) })
	d.TreatiesAdded, d.TreatiesRemoved, d.TreatiesChanged = diffEntries(treatyMap(old), treatyMap(new),
		func(t Treaty) map[string]string { return flatten(t) })
	return d
}

// diffEntries compares two keyed sets of entries: the keys only in newM
// (added), only in oldM (removed), and, for keys in both, the fields that
// differ once each entry is flattened. The slices are never nil, so that the
// JSON form shows [] rather than null.
func diffEntries[V any](oldM, newM map[string]V, flat func(V) map[string]string) (added, removed []string, changed []EntryDiff) {
	added, removed, changed = []string{}, []string{}, []EntryDiff{}
	for _, key := range sortedKeys(oldM, newM) {
		o, inOld := oldM[key]
		n, inNew := newM[key]
		switch {
		case !inOld:
			added = append(added, key)
		case !inNew:
			removed = append(removed, key)
		default:
			if ch := compareFlat(flat(o), flat(n)); len(ch) > 0 {
				changed = append(changed, EntryDiff{Key: key, Changes: ch})
			}
		}
	}
	return added, removed, changed
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
