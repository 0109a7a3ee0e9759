package request

import (
	"bytes"
	"strings"
	"testing"
)

// TestLetterExerciseBanner: a letter of an exercise case carries the
// EXERCISE banner at its top and bottom, in the letter's language; a
// letter of real work carries none.
func TestLetterExerciseBanner(t *testing.T) {
	t.Parallel()
	r := loadFixture(t, TypePreserve)
	for _, c := range []struct{ lang, word string }{{"en", "EXERCISE EX-2026-BLUE"}, {"fr", "EXERCICE EX-2026-BLUE"}} {
		var b bytes.Buffer
		if err := RenderLetter(&b, r, LetterOptions{Now: testNow, Exercise: "EX-2026-BLUE", Language: c.lang}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.Count(out, c.word) != 2 || !strings.Contains(out, `id="exercise-banner"`) {
			t.Errorf("%s letter: banner %q found %d times", c.lang, c.word, strings.Count(out, c.word))
		}
		if strings.Index(out, `id="exercise-banner"`) > strings.Index(out, "<h1>") {
			t.Errorf("%s letter: the banner is not above the title", c.lang)
		}
	}
	var b bytes.Buffer
	if err := RenderLetter(&b, r, LetterOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "EXERCISE") || strings.Contains(b.String(), "exercise-banner") {
		t.Error("a real request's letter shows an exercise banner")
	}
}
