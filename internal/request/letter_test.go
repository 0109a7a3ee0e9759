package request

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLetterEveryType(t *testing.T) {
	t.Parallel()
	for _, typ := range Types {
		t.Run(string(typ), func(t *testing.T) {
			r := loadFixture(t, typ)
			var b bytes.Buffer
			if err := RenderLetter(&b, r, LetterOptions{Now: testNow}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, want := range []string{"<!DOCTYPE html>", "@page", LetterTitle(typ, "en"), r.SenderRef, "Requesting authority", "Requested authority", "24 November 2026"} {
				if !strings.Contains(out, want) {
					t.Errorf("letter lacks %q", want)
				}
			}
		})
	}
}

func TestLetterForProviderWithholdsSupportingInfo(t *testing.T) {
	t.Parallel()
	r := loadFixture(t, TypeProductionOrder)
	secret := r.ProductionOrder.Supporting.Facts
	tests := []struct {
		name        string
		forProvider bool
		consent     bool
		shown       bool
	}{
		{"requested authority sees all", false, false, true},
		{"provider without consent", true, false, false},
		{"provider with consent", true, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.ProductionOrder.Consent = nil
			if tc.consent {
				r.ProductionOrder.Consent = &ProviderDisclosed{By: "Prosecutor Example"}
			}
			var b bytes.Buffer
			if err := RenderLetter(&b, r, LetterOptions{ForProvider: tc.forProvider}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(b.String(), secret); got != tc.shown {
				t.Errorf("supporting facts shown = %v, want %v", got, tc.shown)
			}
		})
	}
}

func TestLetterEscapesContent(t *testing.T) {
	t.Parallel()
	r := loadFixture(t, TypeAssistance)
	r.Assistance.Question = `<script>alert(1)</script>`
	var b bytes.Buffer
	if err := RenderLetter(&b, r, LetterOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script>") {
		t.Fatal("request content was not escaped")
	}
}

// TestLetterLegalBasisInWords (issue 12): the legal basis is said in
// words, not as the raw id "budapest", in English and in French.
func TestLetterLegalBasisInWords(t *testing.T) {
	r := loadFixture(t, TypePreserve)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{`lang="en"`, "Article 29 of the Convention on Cybercrime (ETS No. 185)", "1. Requesting authority", "Offence under investigation [Art. 29(2)(b)]", "Necessity of preservation [Art. 29(2)(e)]"}},
		{"fr", []string{`lang="fr"`, "Article 29 de la Convention sur la cybercriminalité (STE n° 185)", "1. Autorité requérante", "Infraction faisant l&#39;objet de l&#39;enquête [Art. 29(2)(b)]", LetterTitle(TypePreserve, "fr")}},
		{"fr-BE", []string{`lang="fr"`, "Base juridique"}},
		{"de", []string{`lang="en"`, "Article 29 of the Convention on Cybercrime"}}, // no German catalogue: English
	} {
		var b bytes.Buffer
		if err := RenderLetter(&b, r, LetterOptions{Now: testNow, Language: tc.lang}); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s letter lacks %q", tc.lang, w)
			}
		}
		if strings.Contains(b.String(), ">budapest<") || strings.Contains(b.String(), "budapest, Art.") {
			t.Errorf("%s letter shows the raw instrument id", tc.lang)
		}
	}
	// The request's own language chooses the catalogue.
	r.Language = "fr"
	var b bytes.Buffer
	if err := RenderLetter(&b, r, LetterOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Article 29 de la Convention sur la cybercriminalité") {
		t.Error("a request in French did not get a French letter")
	}
}

// TestCatalogues: English names every provision's basis and every type's
// title; French translates every English key; nothing falls back to a
// raw key.
func TestCatalogues(t *testing.T) {
	en, fr := catalogues["en"], catalogues["fr"]
	if en == nil || fr == nil {
		t.Fatalf("catalogues %v; want en and fr", LetterLanguages())
	}
	for _, p := range Provisions {
		if k := "basis." + string(p.Instrument) + "." + string(p.Type); en.Strings[k] == "" {
			t.Errorf("en.json lacks %s (%s)", k, p.Article)
		}
	}
	for _, typ := range Types {
		if en.Strings["title."+string(typ)] == "" {
			t.Errorf("en.json lacks title.%s", typ)
		}
	}
	for k := range en.Strings {
		if _, ok := fr.Strings[k]; !ok {
			t.Errorf("fr.json lacks %s", k)
		}
	}
}

// TestCatalogueAddedWithoutCode: a translator's new file is picked up by
// its name; a file whose language does not match its name, or with an
// empty string, is refused with the fix.
func TestCatalogueAddedWithoutCode(t *testing.T) {
	en, err := fs.ReadFile(catalogueFS, "letters/en.json")
	if err != nil {
		t.Fatal(err)
	}
	de := []byte(`{"language":"de","name":"Deutsch","strings":{"section.requesting":"1. Ersuchende Behörde"}}`)
	cs, err := readCatalogues(fstest.MapFS{"letters/en.json": {Data: en}, "letters/de.json": {Data: de}})
	if err != nil || cs["de"] == nil || cs["de"].T("section.requesting") != "1. Ersuchende Behörde" {
		t.Fatalf("a German catalogue was not read: %v", err)
	}
	for name, data := range map[string]string{
		"letters/it.json": `{"language":"de","name":"x","strings":{"a":"b"}}`,
		"letters/es.json": `{"language":"es","name":"x","strings":{"a":" "}}`,
		"letters/pt.json": `{"language":"PT","name":"x","strings":{"a":"b"}}`,
		"letters/nl.json": `not json`,
	} {
		if _, err := readCatalogues(fstest.MapFS{"letters/en.json": {Data: en}, name: {Data: []byte(data)}}); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func FuzzParseCatalogue(f *testing.F) {
	f.Add([]byte(`{"language":"fr","name":"Français","strings":{"a":"b"}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCatalogue(data)
		if err == nil && (c.Language == "" || len(c.Strings) == 0) {
			t.Fatalf("accepted %q", data)
		}
	})
}
