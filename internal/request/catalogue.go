package request

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Letter catalogues: the words of the formal letter in each language, one
// JSON file per language in letters/ (en.json, fr.json, ...), so that a
// translator adds or corrects a language without touching code. English
// is complete and is the fallback for any key a catalogue lacks.

//go:embed letters/*.json
var catalogueFS embed.FS

// Catalogue is one language's letter strings.
type Catalogue struct {
	Language string            `json:"language"` // BCP 47 primary tag, e.g. "fr"
	Name     string            `json:"name"`     // the language's own name, e.g. "Français"
	Note     string            `json:"note,omitempty"`
	Strings  map[string]string `json:"strings"`
}

var catalogues = mustCatalogues(catalogueFS)

func mustCatalogues(fsys fs.FS) map[string]*Catalogue {
	cs, err := readCatalogues(fsys)
	if err != nil {
		panic(err) // the embedded files are checked by TestCatalogues
	}
	return cs
}

// readCatalogues reads every letters/*.json; the file name must be the
// catalogue's language, and English must be there.
func readCatalogues(fsys fs.FS) (map[string]*Catalogue, error) {
	names, err := fs.Glob(fsys, "letters/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]*Catalogue{}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		c, err := ParseCatalogue(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if want := strings.TrimSuffix(path.Base(n), ".json"); c.Language != want {
			return nil, fmt.Errorf("%s: language %q does not match the file name; name the file %s.json", n, c.Language, c.Language)
		}
		out[c.Language] = c
	}
	if out["en"] == nil {
		return nil, fmt.Errorf("letters/en.json is missing: English is every catalogue's fallback")
	}
	return out, nil
}

// ParseCatalogue reads a catalogue file, refusing an empty language, a
// language that is not a primary tag, and empty strings.
func ParseCatalogue(data []byte) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("not a catalogue (JSON with language, name and strings): %w", err)
	}
	if len(c.Language) < 2 || len(c.Language) > 3 || strings.ToLower(c.Language) != c.Language {
		return nil, fmt.Errorf("language %q: give the lower-case primary language tag, e.g. fr", c.Language)
	}
	if len(c.Strings) == 0 {
		return nil, fmt.Errorf("strings: empty; copy en.json and translate its values")
	}
	for k, v := range c.Strings {
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("strings[%q]: empty; translate it or delete the key to fall back to English", k)
		}
	}
	return &c, nil
}

// LetterLanguages lists the languages a letter can be printed in.
func LetterLanguages() []string {
	var out []string
	for l := range catalogues {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// letterLanguage picks the catalogue for a request's language tag
// ("fr", "fr-BE"): its primary tag if a catalogue exists, else English.
func letterLanguage(tag string) *Catalogue {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	if c := catalogues[primary]; c != nil {
		return c
	}
	return catalogues["en"]
}

// T returns the string for key, falling back to English, then to the key
// itself (which a test forbids for the shipped catalogues). {name}
// placeholders are replaced from pairs ("name", value, ...).
func (c *Catalogue) T(key string, pairs ...string) string {
	s, ok := c.Strings[key]
	if !ok {
		if s, ok = catalogues["en"].Strings[key]; !ok {
			s = key
		}
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, "{"+pairs[i]+"}", pairs[i+1])
	}
	return s
}

// has reports whether the catalogue or English has key.
func (c *Catalogue) has(key string) bool {
	_, ok := c.Strings[key]
	_, en := catalogues["en"].Strings[key]
	return ok || en
}

// LegalBasisWords says the legal basis of r in words in the catalogue's
// language, e.g. "Article 29 of the Convention on Cybercrime (ETS No.
// 185)". An article the request names itself is said with the
// instrument's name.
func (c *Catalogue) LegalBasisWords(r *Request) string {
	in := string(r.LegalBasis.Instrument)
	var s string
	switch {
	case r.LegalBasis.Article != "":
		s = c.T("basis.custom", "article", r.LegalBasis.Article, "instrument", c.T("instrument."+in))
	case c.has("basis." + in + "." + string(r.Type)):
		s = c.T("basis." + in + "." + string(r.Type))
	case c.has("instrument." + in):
		s = c.T("instrument." + in)
		s = strings.ToUpper(s[:1]) + s[1:]
	default:
		s = in
	}
	if r.LegalBasis.Text != "" {
		s += " (" + r.LegalBasis.Text + ")"
	}
	return s
}
