package request

import (
	"fmt"
	"strings"
)

// CheckLanguage applies Protocol Art. 4: a request in a language the
// requested authority does not accept gets a warning, unless a translation
// into an accepted language is attached. accepted is the authority's list
// from the directory (BCP 47 tags, e.g. "en", "fr"); an empty list means
// the directory does not know it, and nothing is said rather than guessed.
// Languages match on their primary subtag ("pt-BR" is accepted by "pt").
func CheckLanguage(r *Request, accepted []string) []Problem {
	if r == nil || len(accepted) == 0 || r.Language == "" {
		return nil
	}
	if langIn(r.Language, accepted) {
		return nil
	}
	if r.Translation != nil && langIn(r.Translation.Language, accepted) {
		return nil
	}
	found := fmt.Sprintf("request in %q; %s accepts %s", r.Language, authorityLabel(r.Requested), strings.Join(accepted, ", "))
	field := "language"
	if r.Translation != nil {
		found += fmt.Sprintf("; the attached translation is in %q", r.Translation.Language)
		field = "translation.language"
	}
	return []Problem{{Field: field, Rule: "language-accept", Severity: SeverityWarning,
		Message: Rules["language-accept"].Message() + " (" + found + ")"}}
}

func langIn(lang string, list []string) bool {
	primary := func(s string) string {
		p, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "-")
		return p
	}
	for _, a := range list {
		if primary(a) == primary(lang) {
			return true
		}
	}
	return false
}

func authorityLabel(a Authority) string {
	switch {
	case a.Name != "" && a.Party != "":
		return a.Name + " (" + a.Party + ")"
	case a.Party != "":
		return a.Party
	}
	return "the requested authority"
}
