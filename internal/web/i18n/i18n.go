// Package i18n is the portal's message catalogue: every word the portal
// shows a person, in English and French (the Council of Europe's official
// languages), kept in plain text files a translator edits without touching
// code.
//
// The catalogue is a folder per language (en/, fr/) holding one file per
// page or theme (inbox.txt, signin.txt, ...). Each line is
//
//	key = text
//
// where every key of a file starts with the file's name and a dot (the keys
// of inbox.txt are inbox.*), so two people adding pages never edit the
// same file. Lines starting with # are comments. In the text, {1}, {2}, ...
// are the arguments in the order the code gives them (a translator may
// move them), and {n} is the count of a plural message, whose forms are two
// keys, KEY.one and KEY.other. The files are embedded in the binary.
package i18n

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

//go:embed en/*.txt fr/*.txt
var files embed.FS

// Languages are the portal's languages, the first the default.
var Languages = []string{"en", "fr"}

// Default is the language when nothing else says which.
const Default = "en"

// Catalogue is the loaded messages: language -> key -> text.
type Catalogue struct {
	msgs map[string]map[string]string
	// where says which file defined a key (for error messages).
	where map[string]string
}

var std, stdErr = Load(files)

// Check reports whether the embedded catalogue loaded; the portal refuses
// to start without it.
func Check() error { return stdErr }

// Load reads a catalogue from a file system laid out as LANG/NAME.txt.
func Load(fsys fs.FS) (*Catalogue, error) {
	c := &Catalogue{msgs: map[string]map[string]string{}, where: map[string]string{}}
	for _, lang := range Languages {
		c.msgs[lang] = map[string]string{}
		names, err := fs.Glob(fsys, lang+"/*.txt")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if err := c.loadFile(fsys, lang, name); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func (c *Catalogue) loadFile(fsys fs.FS, lang, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	prefix := strings.TrimSuffix(path.Base(name), ".txt") + "."
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, text, ok := strings.Cut(line, "=")
		key, text = strings.TrimSpace(key), strings.TrimSpace(text)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return fmt.Errorf("i18n: %s line %d: write key = text (got %q)", name, n, line)
		}
		if !strings.HasPrefix(key, prefix) {
			return fmt.Errorf("i18n: %s line %d: key %q must start with %q, the file's name, so each page keeps its own file", name, n, key, prefix)
		}
		if prev, dup := c.where[lang+":"+key]; dup {
			return fmt.Errorf("i18n: %s line %d: key %q is already defined in %s", name, n, key, prev)
		}
		c.where[lang+":"+key] = fmt.Sprintf("%s line %d", name, n)
		c.msgs[lang][key] = text
	}
	return sc.Err()
}

// Has reports whether lang defines key.
func (c *Catalogue) Has(lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// Keys lists the keys of a language, sorted.
func (c *Catalogue) Keys(lang string) []string {
	out := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Text is the raw text of key in lang ("" and false when missing).
func (c *Catalogue) Text(lang, key string) (string, bool) {
	s, ok := c.msgs[lang][key]
	return s, ok
}

// Std is the embedded catalogue.
func Std() *Catalogue { return std }

// Supported returns lang when the portal speaks it, else Default.
func Supported(lang string) string {
	for _, l := range Languages {
		if l == lang {
			return l
		}
	}
	return Default
}

// T is the text of key in lang with its arguments put in. A key missing in
// lang falls back to English, then to the key itself (the catalogue test
// makes sure neither happens).
func T(lang, key string, args ...any) string {
	return std.T(lang, key, args...)
}

// N is a plural message: KEY.one or KEY.other by n and the language's rule
// (French counts 0 and 1 as singular), with {n} the count.
func N(lang, key string, n int, args ...any) string {
	return std.N(lang, key, n, args...)
}

// Lookup is T, also saying whether the key exists (in lang or English),
// for words made from data (a state, a type) that fall back to the slug.
func Lookup(lang, key string, args ...any) (string, bool) {
	if std == nil {
		return key, false
	}
	s, ok := std.text(lang, key)
	if !ok {
		return key, false
	}
	return fill(s, "", args), true
}

// T is the catalogue's T.
func (c *Catalogue) T(lang, key string, args ...any) string {
	if c == nil {
		return key
	}
	s, ok := c.text(lang, key)
	if !ok {
		return key
	}
	return fill(s, "", args)
}

// N is the catalogue's N.
func (c *Catalogue) N(lang, key string, n int, args ...any) string {
	if c == nil {
		return key
	}
	form := ".other"
	if n == 1 || (lang == "fr" && n == 0) {
		form = ".one"
	}
	s, ok := c.text(lang, key+form)
	if !ok {
		return key
	}
	return fill(s, strconv.Itoa(n), args)
}

func (c *Catalogue) text(lang, key string) (string, bool) {
	if s, ok := c.msgs[lang][key]; ok {
		return s, true
	}
	s, ok := c.msgs[Default][key]
	return s, ok
}

// fill puts the arguments into {1}..{9} and the count into {n}.
func fill(s, n string, args []any) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 || i+2 >= len(s) || s[i+2] != '}' {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		switch ch := s[i+1]; {
		case ch == 'n' && n != "":
			b.WriteString(n)
		case ch >= '1' && ch <= '9' && int(ch-'1') < len(args):
			b.WriteString(fmt.Sprint(args[ch-'1']))
		default:
			b.WriteString(s[i : i+3])
		}
		s = s[i+3:]
	}
}

// Placeholders lists the placeholders a text uses ({1}, {n}, ...), sorted,
// so a test can check that a translation keeps them all.
func Placeholders(s string) []string {
	var out []string
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '{' && s[i+2] == '}' && (s[i+1] == 'n' || (s[i+1] >= '1' && s[i+1] <= '9')) {
			out = append(out, s[i:i+3])
		}
	}
	sort.Strings(out)
	return out
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.French})

// FromAcceptLanguage picks the portal language for a browser's
// Accept-Language header (fr-CA and fr;q=0.9 give French; anything the
// portal does not speak gives English).
func FromAcceptLanguage(header string) string {
	if header == "" || len(header) > 1000 {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i]
}
