package request

import "testing"

func TestCheckLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		lang        string
		translation string
		accepted    []string
		wantField   string // "" means no warning
	}{
		{"accepted", "en", "", []string{"en", "it"}, ""},
		{"region variant accepted", "pt-BR", "", []string{"pt"}, ""},
		{"not accepted", "en", "", []string{"it"}, "language"},
		{"translation accepted", "en", "it", []string{"it"}, ""},
		{"translation also wrong", "en", "fr", []string{"it"}, "translation.language"},
		{"directory does not know", "en", "", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Request{Language: tc.lang, Requested: Authority{Party: "IT", Name: "Example Unit"}}
			if tc.translation != "" {
				r.Translation = &Attachment{Language: tc.translation, Filename: "t.pdf"}
			}
			ps := CheckLanguage(r, tc.accepted)
			if tc.wantField == "" {
				if len(ps) != 0 {
					t.Fatalf("want no warning, got %v", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Field != tc.wantField || ps[0].Rule != "language-accept" || ps[0].Severity != SeverityWarning {
				t.Fatalf("got %v", ps)
			}
		})
	}
}
