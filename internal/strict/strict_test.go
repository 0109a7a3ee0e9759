package strict_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/strict"
)

type body struct {
	ID   string `json:"id"`
	Size int    `json:"size"`
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	var b body
	if err := strict.DecodeJSON([]byte(" {\"id\":\"a\",\"size\":2}\n"), &b); err != nil || b.ID != "a" || b.Size != 2 {
		t.Fatalf("good body: %+v, %v", b, err)
	}
	tests := []struct {
		name, in string
		check    func(error) bool
	}{
		{"unknown field", `{"id":"a","extra":1}`, func(err error) bool { return strings.Contains(err.Error(), "extra") }},
		{"trailing object", `{"id":"a"}{"id":"b"}`, func(err error) bool { return errors.Is(err, strict.ErrTrailing) }},
		{"trailing garbage", `{"id":"a"} x`, func(err error) bool { return errors.Is(err, strict.ErrTrailing) }},
		{"syntax", `{"id":`, func(err error) bool { return err != nil && !errors.Is(err, strict.ErrTrailing) }},
		{"type", `{"size":"two"}`, func(err error) bool {
			var te *json.UnmarshalTypeError
			return errors.As(err, &te) && te.Field == "size"
		}},
		{"empty", ``, func(err error) bool { return err != nil }},
	}
	for _, tc := range tests {
		var b body
		if err := strict.DecodeJSON([]byte(tc.in), &b); err == nil || !tc.check(err) {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
}

func TestReadJSONLimit(t *testing.T) {
	t.Parallel()
	var b body
	in := `{"id":"abc"}`
	if err := strict.ReadJSON(strings.NewReader(in), len(in), &b); err != nil || b.ID != "abc" {
		t.Fatalf("at the limit: %+v, %v", b, err)
	}
	if err := strict.ReadJSON(strings.NewReader(in), len(in)-1, &b); !errors.Is(err, strict.ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
}

func TestLowerHex(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"0a9f": true, "0A9F": false, "0a9": false, "0a9g": false, "": false} {
		if got := strict.LowerHex(s, 4); got != want {
			t.Errorf("LowerHex(%q, 4) = %v, want %v", s, got, want)
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"id":"a","size":1}`, `{}`, `[]`, `{"id":1}`, `{} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b body
		err := strict.DecodeJSON(data, &b)
		if err == nil && !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
	})
}

func TestObjectNamesTheFault(t *testing.T) {
	t.Parallel()
	var b body
	if err := strict.Object("ping body", []byte(`{"id":"a"}`), 100, "{...}", &b); err != nil || b.ID != "a" {
		t.Fatalf("good object: %+v, %v", b, err)
	}
	tests := []struct{ name, in, want string }{
		{"too large", strings.Repeat(" ", 101), "ping body: 101 bytes, at most 100 allowed"},
		{"trailing", `{"id":"a"} {}`, "ping body: data after the JSON object (fix: send exactly one object)"},
		{"unknown field", `{"idx":"a"}`, "ping body: not a JSON object of that kind (fix: send {...})"},
	}
	for _, tc := range tests {
		err := strict.Object("ping body", []byte(tc.in), 100, "{...}", &body{})
		if !apperr.Is(err, apperr.EInvalid) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q (EInvalid)", tc.name, err, tc.want)
		}
	}
}
