package request

import (
	"bytes"
	"strings"
	"testing"
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
			for _, want := range []string{"<!DOCTYPE html>", "@page", letterTitles[typ], r.SenderRef, "Requesting authority", "Requested authority", "24 November 2026"} {
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
