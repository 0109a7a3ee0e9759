package directory

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// SourceEntry is one authority as a source contact list gives it, before
// merging. Country is kept as the list spelled it; Code is the ISO code it
// was matched to.
type SourceEntry struct {
	Code    string `json:"code"`
	Country string `json:"country"`
	Role    Role   `json:"role"`
	ContactFields
	AsOf  Date   `json:"as_of,omitzero"`
	Where string `json:"where"` // "file:line"
}

// key is what entries are matched on across lists: one authority role of
// one party.
func (e SourceEntry) key() string { return e.Code + ":" + string(e.Role) }

// SourceList is a contact list read from one file.
type SourceList struct {
	Name    string        `json:"name"`
	Layout  string        `json:"layout"`
	Entries []SourceEntry `json:"entries"`
}

// sourceLayout describes one historical list format: which header holds
// which field, the separator and how dates are written.
type sourceLayout struct {
	name       string
	comma      rune
	dateLayout string
	dateHint   string
	cols       map[string]string // field -> header (lower case)
	required   []string          // fields that must be present
	role       Role              // role of every entry when the list has no role column
}

// sourceLayouts are the list formats art35 reads. "g8" is the layout of
// the G8 24/7 network list (points of contact only, ISO dates); "coe" the
// Council of Europe list (";"-separated, several designations per party,
// dates DD/MM/YYYY). The layout is recognised from the header line.
var sourceLayouts = []sourceLayout{
	{
		name: "g8", comma: ',', dateLayout: "2006-01-02", dateHint: "YYYY-MM-DD",
		cols: map[string]string{
			"country": "country", "agency": "agency", "kind": "type", "phone": "phone (24/7)",
			"email": "e-mail", "person": "contact", "languages": "languages", "hours": "hours",
			"zone": "time zone", "asof": "updated",
		},
		required: []string{"country", "agency", "phone", "asof"},
		role:     RolePointOfContact,
	},
	{
		name: "coe", comma: ';', dateLayout: "02/01/2006", dateHint: "DD/MM/YYYY",
		cols: map[string]string{
			"asof": "last confirmed", "country": "party", "code": "iso code", "role": "designation",
			"agency": "authority", "phone": "telephone", "email": "email", "person": "officer on duty",
			"languages": "working languages", "hours": "availability",
		},
		required: []string{"country", "role", "agency", "phone", "asof"},
	},
}

// ReadSourceList reads a contact list in one of the known layouts, chosen
// by its header line. Every country must be recognised (name, alias or
// ISO code) and every (country, role) must appear once; errors name file,
// line and column.
func ReadSourceList(name string, data []byte) (*SourceList, error) {
	first, _, _ := bytes.Cut(bytes.TrimPrefix(data, []byte("\ufeff")), []byte("\n"))
	var lay *sourceLayout
	for i := range sourceLayouts {
		l := &sourceLayouts[i]
		heads := map[string]bool{}
		for h := range strings.SplitSeq(string(first), string(l.comma)) {
			heads[strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`))] = true
		}
		ok := true
		for _, f := range l.required {
			ok = ok && heads[l.cols[f]]
		}
		if ok {
			lay = l
			break
		}
	}
	if lay == nil {
		return nil, apperr.Errorf(apperr.EInvalid, "%s: line 1: the header matches no known list layout; a G8 list needs the columns Country,Agency,Phone (24/7),Updated and a Council of Europe list Last confirmed;Party;Designation;Authority;Telephone (see docs/directory.md)", name)
	}
	var required, optional []string
	for f, h := range lay.cols {
		if slices.Contains(lay.required, f) {
			required = append(required, h)
		} else {
			optional = append(optional, h)
		}
	}
	slices.Sort(required)
	slices.Sort(optional)
	tab, err := readTableSep(name, data, lay.comma, required, optional)
	if err != nil {
		return nil, err
	}
	list := &SourceList{Name: name, Layout: lay.name}
	seen := map[string]int{}
	for _, r := range tab.rows {
		e, err := sourceEntry(lay, r)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[e.key()]; dup {
			return nil, r.errf(lay.cols["country"], "%s (%s) %s appears twice (first on line %d); keep one row per party and designation", e.Country, e.Code, e.Role, first)
		}
		seen[e.key()] = r.line
		list.Entries = append(list.Entries, e)
	}
	return list, nil
}

func sourceEntry(lay *sourceLayout, r row) (SourceEntry, error) {
	get := func(f string) string { return r.get(lay.cols[f]) }
	col := func(f string) string { return lay.cols[f] }
	e := SourceEntry{
		Country: get("country"), ContactFields: ContactFields{Agency: get("agency"), Phone: get("phone"), Email: get("email"),
			Person: get("person"), DutyHours: get("hours"), TimeZone: get("zone")},
		Where: fmt.Sprintf("%s:%d", r.t.file, r.line),
	}
	code, ok := LookupCountry(e.Country)
	if given := strings.ToUpper(get("code")); given != "" {
		if _, known := ISOName(given); !known {
			return e, r.errf(col("code"), "%q is not an assigned ISO 3166-1 alpha-2 code; check the code", given)
		}
		if ok && code != given {
			return e, r.errf(col("code"), "code %s but %q is %s; correct one of the two", given, e.Country, code)
		}
		code, ok = given, true
	}
	if !ok {
		return e, r.errf(col("country"), "%q is not a country art35 knows; write its ISO 3166-1 name or code (e.g. Czechia or CZ)", e.Country)
	}
	e.Code = code
	e.Role = lay.role
	if lay.role == "" {
		role, err := parseRoleText(get("role"))
		if err != nil {
			return e, r.errf(col("role"), "%v", err)
		}
		e.Role = role
	}
	if k := strings.ToLower(get("kind")); k != "" {
		e.Kind = AuthorityKind(k)
		if !e.Kind.Valid() {
			return e, r.errf(col("kind"), "%q is not a kind of authority; use police, prosecution, ministry, court or other", k)
		}
	}
	if e.Agency == "" {
		return e, r.errf(col("agency"), "the authority's name is empty; every entry names its authority")
	}
	if e.TimeZone != "" {
		if _, err := loadZone(e.TimeZone); err != nil {
			return e, r.errf(col("zone"), "%q is not an IANA time zone; write e.g. Europe/Rome", e.TimeZone)
		}
	}
	if e.DutyHours != "" {
		if _, err := ParseDutyHours(e.DutyHours); err != nil {
			return e, r.errf(col("hours"), "%v", err)
		}
	}
	e.Languages = parseLanguages(get("languages"))
	asof := get("asof")
	t, err := time.Parse(lay.dateLayout, asof)
	if err != nil {
		return e, r.errf(col("asof"), "%q is not a date in this list's form %s", asof, lay.dateHint)
	}
	e.AsOf = DateOf(t)
	return e, nil
}

// parseRoleText reads a designation as source lists word it.
func parseRoleText(s string) (Role, error) {
	n := NormalizeName(s)
	switch {
	case Role(s).Valid():
		return Role(s), nil
	case strings.Contains(n, "24 7") || strings.Contains(n, "point of contact"):
		return RolePointOfContact, nil
	case strings.Contains(n, "central authority"):
		return RoleCentralAuthority, nil
	case strings.Contains(n, "extradition"):
		return RoleExtradition, nil
	case strings.Contains(n, "enforcing"):
		return RoleEUEnforcing, nil
	case strings.Contains(n, "notification"):
		return RoleNotification, nil
	case strings.Contains(n, "sending"):
		return RoleSending, nil
	case strings.Contains(n, "receiving"):
		return RoleReceiving, nil
	case strings.Contains(n, "consultation"):
		return RoleConsultation, nil
	}
	return "", fmt.Errorf("designation %q is not known; write e.g. \"24/7 point of contact\" or \"Central authority\"", s)
}

// languageNames maps English language names used in contact lists to
// ISO 639-1 codes, so that "Italian, English" and "it;en" compare equal.
var languageNames = map[string]string{
	"arabic": "ar", "bulgarian": "bg", "chinese": "zh", "croatian": "hr", "czech": "cs", "danish": "da",
	"dutch": "nl", "english": "en", "estonian": "et", "finnish": "fi", "french": "fr", "georgian": "ka",
	"german": "de", "greek": "el", "hungarian": "hu", "italian": "it", "japanese": "ja", "korean": "ko",
	"latvian": "lv", "lithuanian": "lt", "norwegian": "no", "polish": "pl", "portuguese": "pt",
	"romanian": "ro", "russian": "ru", "serbian": "sr", "slovak": "sk", "slovenian": "sl", "spanish": "es",
	"swedish": "sv", "turkish": "tr", "ukrainian": "uk", "armenian": "hy", "albanian": "sq",
}

// parseLanguages reads "it;en", "Italian, English" or "it en" into sorted,
// de-duplicated lower-case codes; names it does not know are kept as words.
func parseLanguages(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '/' }) {
		f = strings.ToLower(f)
		if c, ok := languageNames[f]; ok {
			f = c
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}
