package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadRefuses: a line without "=", a key outside its file's name and a
// key defined twice are refused with the file and line named.
func TestLoadRefuses(t *testing.T) {
	for name, tc := range map[string]struct{ files, want string }{
		"no equals":     {"en/inbox.txt:inbox.title Inbox", "en/inbox.txt line 1: write key = text"},
		"foreign key":   {"en/inbox.txt:search.title = Search", `key "search.title" must start with "inbox."`},
		"defined twice": {"en/inbox.txt:inbox.a = A\ninbox.a = B", `key "inbox.a" is already defined in en/inbox.txt line 1`},
	} {
		path, body, _ := strings.Cut(tc.files, ":")
		_, err := Load(fstest.MapFS{path: {Data: []byte(body)}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

func TestTextsAndPlurals(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"en/x.txt": {Data: []byte("# comment\n\nx.hello = Hello {1}, {2} and {1}\nx.n.one = {n} item of {1}\nx.n.other = {n} items of {1}\nx.only = English only\n")},
		"fr/x.txt": {Data: []byte("x.hello = Bonjour {2} et {1}\nx.n.one = {n} élément de {1}\nx.n.other = {n} éléments de {1}\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ got, want string }{
		{c.T("en", "x.hello", "Ann", "Bo"), "Hello Ann, Bo and Ann"},
		{c.T("fr", "x.hello", "Ann", "Bo"), "Bonjour Bo et Ann"},
		{c.T("fr", "x.hello", "Ann"), "Bonjour {2} et Ann"}, // a missing argument stays visible
		{c.T("fr", "x.only"), "English only"},               // falls back to English
		{c.T("fr", "x.missing"), "x.missing"},               // then to the key
		{c.N("en", "x.n", 0, "IT"), "0 items of IT"},
		{c.N("fr", "x.n", 0, "IT"), "0 élément de IT"}, // French: 0 is singular
		{c.N("fr", "x.n", 1, "IT"), "1 élément de IT"},
		{c.N("fr", "x.n", 2, "IT"), "2 éléments de IT"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if p := Placeholders("a {2} b {n} {1} {x}"); strings.Join(p, "") != "{1}{2}{n}" {
		t.Errorf("placeholders: %v", p)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	for h, want := range map[string]string{
		"": "en", "fr": "fr", "fr-CA,fr;q=0.9,en;q=0.5": "fr", "de-DE,de;q=0.9": "en", "en-GB,fr;q=0.3": "en",
		"de,fr;q=0.5": "fr", "*": "en", ";;;q=x": "en", strings.Repeat("fr,", 400): "en",
	} {
		if got := FromAcceptLanguage(h); got != want {
			t.Errorf("%q: %s, want %s", h, got, want)
		}
	}
}

// FuzzFromAcceptLanguage: any header gives one of the portal's languages
// and never panics.
func FuzzFromAcceptLanguage(f *testing.F) {
	for _, s := range []string{"fr-CA,fr;q=0.9", "en", "", "*;q=0", "zz-ZZ-x-private", "fr;q=1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got := FromAcceptLanguage(h); got != "en" && got != "fr" {
			t.Fatalf("%q gave %q", h, got)
		}
	})
}
