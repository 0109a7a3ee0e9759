package auditlog

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 123456000, time.UTC)

const sampleDigest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func sampleRecord() Record {
	return Record{
		Kind: DataRead, Time: t0, Actor: "officer-17", Case: "IT-2026-0042",
		MessageID: "msg-0001", Digest: sampleDigest, Purpose: "identify the account holder",
		Details: map[string]string{"rows": "3", "item": "subscriber-data"},
	}
}

const sampleLeaf = `art35-audit-record v1
kind: data-read
time: 2026-11-25T03:00:00.123456Z
actor: officer-17
case: IT-2026-0042
message: msg-0001
digest: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
purpose: identify the account holder
detail.item: subscriber-data
detail.rows: 3
`

func TestEncodeGolden(t *testing.T) {
	t.Parallel()
	got, err := sampleRecord().Encode()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sampleLeaf {
		t.Fatalf("leaf:\n%s\nwant:\n%s", got, sampleLeaf)
	}
	// Empty fields are written as "name:" with nothing after.
	r := Record{Kind: SignIn, Time: t0, Actor: "officer-17"}
	got, err = r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := "art35-audit-record v1\nkind: sign-in\ntime: 2026-11-25T03:00:00.123456Z\nactor: officer-17\ncase:\nmessage:\ndigest:\npurpose:\n"
	if string(got) != want {
		t.Fatalf("leaf %q, want %q", got, want)
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, r := range []Record{
		sampleRecord(),
		{Kind: SignIn, Time: t0, Actor: "officer-17"},
		{Kind: "future-kind", Time: t0, Actor: "x", Details: map[string]string{"a": "é ü ✓"}},
	} {
		leaf, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(leaf)
		if err != nil {
			t.Fatalf("Decode(%q): %v", leaf, err)
		}
		again, _ := back.Encode()
		if !bytes.Equal(again, leaf) {
			t.Fatalf("round trip changed the leaf:\n%s\n%s", leaf, again)
		}
		if !back.Time.Equal(r.Time) || back.Actor != r.Actor || len(back.Details) != len(r.Details) {
			t.Fatalf("decoded %+v, want %+v", back, r)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ leaf, want string }{
		"empty":            {"", "end with a newline"},
		"no final newline": {strings.TrimSuffix(sampleLeaf, "\n"), "end with a newline"},
		"other version":    {strings.Replace(sampleLeaf, "v1", "v2", 1), "header"},
		"missing field":    {strings.Replace(sampleLeaf, "case: IT-2026-0042\n", "", 1), `"case:"`},
		"two spaces":       {strings.Replace(sampleLeaf, "actor: officer", "actor:  officer", 1), "leading or trailing space"},
		"space, no value":  {"art35-audit-record v1\nkind: sign-in\ntime: 2026-11-25T03:00:00.123456Z\nactor: a\ncase: \nmessage:\ndigest:\npurpose:\n", `"case:"`},
		"bad time":         {strings.Replace(sampleLeaf, "03:00:00.123456Z", "03:00:00Z", 1), "time"},
		"details unsorted": {strings.Replace(sampleLeaf, "detail.item: subscriber-data\ndetail.rows: 3\n", "detail.rows: 3\ndetail.item: subscriber-data\n", 1), "out of order"},
		"detail repeated":  {sampleLeaf + "detail.rows: 4\n", "out of order"},
		"not a detail":     {sampleLeaf + "note: x\n", "detail.KEY"},
		"bad digest":       {strings.Replace(sampleLeaf, "sha256:9f", "sha256:9F", 1), "digest"},
		"control char":     {strings.Replace(sampleLeaf, "officer-17", "officer\t17", 1), "control character"},
		"bad utf8":         {strings.Replace(sampleLeaf, "officer-17", "officer\xff17", 1), "UTF-8"},
		"bad kind":         {strings.Replace(sampleLeaf, "data-read", "Data Read", 1), "kind"},
		"bad detail key":   {strings.Replace(sampleLeaf, "detail.item", "detail.Item", 1), "detail key"},
		"empty detail key": {sampleLeaf + "detail.: x\n", "detail"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode([]byte(tc.leaf))
			if err == nil {
				t.Fatalf("Decode accepted %q", tc.leaf)
			}
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want EInvalid mentioning %q", err, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxField+1)
	many := map[string]string{}
	for i := 0; i <= MaxDetails; i++ {
		many[string(rune('a'+i%26))+strings.Repeat("b", i)] = "1"
	}
	for name, tc := range map[string]struct {
		edit func(r *Record)
		want string // "" means valid
	}{
		"sample":                  {func(r *Record) {}, ""},
		"unknown kind":            {func(r *Record) { r.Kind = "data-peek" }, "unknown; use one of"},
		"no time":                 {func(r *Record) { r.Time = time.Time{} }, "time: missing"},
		"no actor":                {func(r *Record) { r.Actor = "" }, "actor: missing"},
		"read without purpose":    {func(r *Record) { r.Purpose = "" }, "case and purpose are required"},
		"export without case":     {func(r *Record) { r.Kind, r.Case = DataExport, "" }, "case and purpose are required"},
		"envelope without digest": {func(r *Record) { r.Kind, r.Digest = EnvelopeSent, "" }, "message id and digest"},
		"envelope complete":       {func(r *Record) { r.Kind = EnvelopeReceived }, ""},
		"sign-in needs little":    {func(r *Record) { *r = Record{Kind: SignIn, Time: t0, Actor: "a"} }, ""},
		"too long":                {func(r *Record) { r.Purpose = long }, "at most 1024"},
		"newline":                 {func(r *Record) { r.Case = "a\nb" }, "control character"},
		"too many details":        {func(r *Record) { r.Details = many }, "details"},
		"detail value newline":    {func(r *Record) { r.Details = map[string]string{"a": "x\ny"} }, "detail a"},
		"year out of range":       {func(r *Record) { r.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "year"},
	} {
		t.Run(name, func(t *testing.T) {
			r := sampleRecord()
			tc.edit(&r)
			err := r.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want EInvalid containing %q", err, tc.want)
			}
		})
	}
}

// FuzzDecode checks that Decode never panics and accepts only canonical
// leaves: whatever it accepts encodes back to exactly the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(sampleLeaf))
	f.Add([]byte("art35-audit-record v1\nkind: sign-in\ntime: 2026-11-25T03:00:00.123456Z\nactor: a\ncase:\nmessage:\ndigest:\npurpose:\n"))
	f.Add([]byte(""))
	f.Add([]byte("art35-audit-record v1\n"))
	f.Add([]byte(sampleLeaf + "detail.z: \n"))
	f.Fuzz(func(t *testing.T, leaf []byte) {
		r, err := Decode(leaf)
		if err != nil {
			return
		}
		again, err := r.Encode()
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if !bytes.Equal(again, leaf) {
			t.Fatalf("Decode accepted a non-canonical leaf:\n%q\nre-encodes as\n%q", leaf, again)
		}
	})
}
