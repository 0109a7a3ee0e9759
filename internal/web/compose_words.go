package web

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/web/i18n"
)

// The labels and hints of the compose form are in the message catalogue:
// path.txt labels the common fields by full path (requested.party: "Send
// to"), field.txt by the field's JSON name, hint.txt gives the hints
// written for officers (by path or name), doc.txt the request format's own
// doc text by path without list indices.

// e164 is a phone number in international form: "+", a country code and
// 6 to 15 digits in all, spaces allowed between them.
var e164 = regexp.MustCompile(`^\+[0-9](?: ?[0-9]){5,14}$`)

// phoneProblems checks every phone field of the form (the checklist asks
// for the international form in words only; a call-back number that
// cannot be dialled from abroad is useless at 3 a.m.).
func phoneProblems(lang string, fields []Field) []request.Problem {
	var out []request.Problem
	for _, f := range fields {
		if !strings.HasSuffix(f.Path, ".phone") || f.Value == "" || e164.MatchString(f.Value) {
			continue
		}
		out = append(out, request.Problem{Field: f.Path, Rule: "phone-e164", Severity: request.SeverityError,
			Message: i18n.T(lang, "compose.phone-e164", f.Value)})
	}
	return out
}

const localInput = "2006-01-02T15:04:05"

// zonedTimes turns the date-times the officer typed (in their zone, as a
// datetime-local input sends them) into RFC 3339 UTC. Values already in
// RFC 3339 (from a link, an older form or the API) are kept.
func zonedTimes(fields []Field, zone *time.Location) {
	for i := range fields {
		f := &fields[i]
		if f.Kind != "datetime" || f.Value == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339, f.Value); err == nil {
			continue
		}
		for _, layout := range []string{localInput, "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, f.Value, zone); err == nil {
				f.Value = t.UTC().Format(time.RFC3339)
				break
			}
		}
	}
}

// inputTime shows an RFC 3339 value in the officer's zone for a
// datetime-local input; anything else is shown as it is.
func inputTime(v string, zone *time.Location) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return v
	}
	return t.In(zone).Format(localInput)
}

// optionWords shows an enum value of the form in words.
func optionWords(lang, path, v string) string {
	switch {
	case strings.HasSuffix(path, "instrument"):
		return word(lang, "instrument", v)
	case path == "priority":
		return word(lang, "compose.priority", v)
	case strings.HasSuffix(path, "handling.code"):
		return word(lang, "handling", v)
	}
	return word(lang, "enum", v)
}

// listIndex matches the list indices of a path ("[0]").
var listIndex = regexp.MustCompile(`\[\d+\]`)

// localized returns a copy of the form's fields with labels and hints in
// lang (FormFields gives them in English; the document is always built
// from the English fields, whose hints mark list inputs).
func localized(lang string, fields []Field) []Field {
	out := slices.Clone(fields)
	if lang == i18n.Default {
		return out
	}
	for i := range out {
		f := &out[i]
		generic := listIndex.ReplaceAllString(f.Path, "")
		name := generic[strings.LastIndexByte(generic, '.')+1:]
		list := strings.HasSuffix(f.Doc, "(one per line)")
		if f.Kind == "legend" && strings.HasSuffix(f.Path, "]") && f.Path != generic+"[0]" {
			// An added element of a list: "Identifier 2".
			if n := elementNumber(f.Path); n > 0 {
				f.Label = i18n.T(lang, "compose.element."+elementKind(name), n)
			}
			continue
		}
		if s, ok := i18n.Lookup(lang, "path."+f.Path); ok {
			f.Label = s
		} else if s, ok := i18n.Lookup(lang, "field."+name); ok {
			f.Label = s
		}
		switch {
		case i18n.Std().Has(lang, "hint."+f.Path):
			f.Doc = i18n.T(lang, "hint."+f.Path)
		case i18n.Std().Has(lang, "hint."+name):
			f.Doc = i18n.T(lang, "hint."+name)
		case i18n.Std().Has(lang, "doc."+generic):
			f.Doc = i18n.T(lang, "doc."+generic)
		}
		if list {
			f.Doc = strings.TrimSpace(f.Doc + " " + i18n.T(lang, "compose.one-per-line"))
		}
	}
	return out
}

// elementKind names the element of a list for compose.element.*.
func elementKind(list string) string {
	switch list {
	case "identifiers", "communications":
		return "identifier"
	case "data":
		return "data"
	}
	return "other"
}

// elementNumber is the 1-based number of the last list index of a path.
func elementNumber(path string) int {
	i := strings.LastIndexByte(path, '[')
	n, err := strconv.Atoi(strings.TrimSuffix(path[i+1:], "]"))
	if err != nil {
		return 0
	}
	return n + 1
}

// problemText is a checklist problem in lang: the rule's words from the
// catalogue (rule.txt, which follows request.Rules) with what was found
// after them; a message no rule explains is shown as it came.
func problemText(lang string, p request.Problem) string {
	if lang != i18n.Default {
		if rule, ok := request.Rules[p.Rule]; ok {
			if rest, ok := strings.CutPrefix(p.Message, rule.Message()); ok {
				if s, ok := i18n.Lookup(lang, "rule."+p.Rule); ok {
					return plainError(s + rest)
				}
			}
		}
	}
	return plainError(p.Message)
}
