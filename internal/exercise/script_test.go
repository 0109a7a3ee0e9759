package exercise_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/keys"
)

const goodScript = `# Blue Lagoon, the morning part
art35-exercise-script v1
exercise EX-2026-BLUE

at 12 ping IT-247 window=15m
at 0  preserve   IT-247
at 5	emergency US-247
at 5 preserve FR-247 priority=routine
`

func TestParseScript(t *testing.T) {
	s, err := exercise.ParseScript([]byte(goodScript))
	if err != nil {
		t.Fatal(err)
	}
	want := []exercise.Inject{
		{Line: 6, Minute: 0, Kind: "preserve", Target: "IT-247", Priority: "urgent"},
		{Line: 7, Minute: 5, Kind: "emergency", Target: "US-247"},
		{Line: 8, Minute: 5, Kind: "preserve", Target: "FR-247", Priority: "routine"},
		{Line: 5, Minute: 12, Kind: "ping", Target: "IT-247", Window: 15 * time.Minute},
	}
	if s.Exercise != "EX-2026-BLUE" || !reflect.DeepEqual(s.Injects, want) {
		t.Fatalf("got %+v", s)
	}
	for _, c := range []struct{ name, text, want string }{
		{"empty", "", "empty"},
		{"no header", "exercise EX-1\nat 0 ping IT-247\n", "line 1: header"},
		{"other version", "art35-exercise-script v2\n", "line 1: header"},
		{"no exercise", exercise.ScriptHeader + "\nat 0 ping IT-247\n", "exercise: missing"},
		{"two exercises", exercise.ScriptHeader + "\nexercise EX-1\nexercise EX-2\n", "line 3: exercise: is given twice"},
		{"bad id", exercise.ScriptHeader + "\nexercise ex-1\n", "line 2: exercise"},
		{"no inject", exercise.ScriptHeader + "\nexercise EX-1\n", "no inject"},
		{"negative minute", exercise.ScriptHeader + "\nexercise EX-1\nat -1 ping IT-247\n", "line 3: minute"},
		{"padded minute", exercise.ScriptHeader + "\nexercise EX-1\nat 05 ping IT-247\n", "line 3: minute"},
		{"late minute", exercise.ScriptHeader + "\nexercise EX-1\nat 10081 ping IT-247\n", "line 3: minute"},
		{"unknown kind", exercise.ScriptHeader + "\nexercise EX-1\nat 1 phone IT-247\n", "line 3: kind"},
		{"bad target", exercise.ScriptHeader + "\nexercise EX-1\nat 1 ping IT 247\n", "line 3: option"},
		{"short", exercise.ScriptHeader + "\nexercise EX-1\nat 1 ping\n", "line 3: at"},
		{"option of another kind", exercise.ScriptHeader + "\nexercise EX-1\nat 1 ping IT-247 priority=urgent\n", "line 3: option"},
		{"emergency priority", exercise.ScriptHeader + "\nexercise EX-1\nat 1 preserve IT-247 priority=emergency\n", "line 3: priority"},
		{"window too long", exercise.ScriptHeader + "\nexercise EX-1\nat 1 ping IT-247 window=25h\n", "line 3: window"},
		{"window seconds", exercise.ScriptHeader + "\nexercise EX-1\nat 1 ping IT-247 window=90s\n", "line 3: window"},
		{"option twice", exercise.ScriptHeader + "\nexercise EX-1\nat 1 ping IT-247 window=5m window=6m\n", "line 3: window: is given twice"},
		{"unknown line", exercise.ScriptHeader + "\nexercise EX-1\nsay hello\n", "line 3: line"},
		{"control character", exercise.ScriptHeader + "\nexercise EX-1\x00\n", "line 2: line"},
		{"not UTF-8", exercise.ScriptHeader + "\nexercise \xff\n", "UTF-8"},
		{"long line", exercise.ScriptHeader + "\n#" + strings.Repeat("x", 600) + "\n", "line 2"},
		{"exercise after inject", exercise.ScriptHeader + "\nat 1 ping IT-247\nexercise EX-1\n", "line 3: exercise: comes after an inject"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := exercise.ParseScript([]byte(c.text))
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an invalid error with %q", err, c.want)
			}
			if !strings.Contains(err.Error(), "fix:") {
				t.Errorf("the error names no fix: %v", err)
			}
		})
	}
}

// FuzzParseScript: the parser never panics, refuses with EInvalid, and
// what it accepts writes back to a script it reads the same.
func FuzzParseScript(f *testing.F) {
	f.Add([]byte(goodScript))
	f.Add([]byte(exercise.ScriptHeader + "\nexercise EX-1\nat 0 ping IT-247 window=1m\n"))
	f.Add([]byte("art35-exercise-script v1\r\nexercise AB1\r\nat 10080 preserve X priority=routine\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := exercise.ParseScript(data)
		if err != nil {
			if !apperr.Is(err, apperr.EInvalid) {
				t.Fatalf("refused without EInvalid: %v", err)
			}
			return
		}
		again, err := exercise.ParseScript([]byte(s.String()))
		if err != nil {
			t.Fatalf("written back %q: %v", s.String(), err)
		}
		if again.Exercise != s.Exercise || len(again.Injects) != len(s.Injects) {
			t.Fatalf("round trip: %+v != %+v", again, s)
		}
		for i := range s.Injects {
			a, b := s.Injects[i], again.Injects[i]
			a.Line, b.Line = 0, 0
			if a != b {
				t.Fatalf("inject %d: %+v != %+v", i, a, b)
			}
		}
	})
}

func announcement() exercise.Announcement {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	return exercise.Announcement{V: 1, Action: exercise.ActionOpen, ID: "EX-2026-BLUE", Name: "Blue Lagoon", Starts: t0, Ends: t0.Add(8 * time.Hour), Issued: t0,
		Participants: []exercise.Participant{{Authority: "IT-247", Contacts: []exercise.Contact{{Name: "Ivo Esercizio (fictional)", Email: "ivo@example.org", Phone: "+00 39 555 0100"}}}}}
}

func TestVerifyAnnouncement(t *testing.T) {
	pub, sec, _ := keys.GenerateSigning()
	_, other, _ := keys.GenerateSigning()
	pin := keys.FormatSigningPublic(pub)
	signed, err := exercise.Sign(announcement(), sec)
	if err != nil {
		t.Fatal(err)
	}
	a, err := exercise.Verify(signed, pin)
	if err != nil || a.ID != "EX-2026-BLUE" || !a.Includes("IT-247") || a.Includes("US-247") {
		t.Fatalf("verify: %+v %v", a, err)
	}
	forged, _ := exercise.Sign(announcement(), other)
	if _, err := exercise.Verify(forged, pin); !apperr.Is(err, apperr.EUnauthorized) || !strings.Contains(err.Error(), "key_id") {
		t.Fatalf("another key's announcement: %v", err)
	}
	// The secretariat's key id on a signature by another key.
	var w exercise.Signed
	_ = json.Unmarshal(forged, &w)
	w.KeyID = keys.ID(pin)
	relabelled, _ := json.Marshal(w)
	if _, err := exercise.Verify(relabelled, pin); !apperr.Is(err, apperr.EUnauthorized) || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("relabelled forgery: %v", err)
	}
	// An altered payload.
	_ = json.Unmarshal(signed, &w)
	a2 := announcement()
	a2.Participants[0].Authority = "XX-247"
	p, _ := json.Marshal(a2)
	w.Payload = encode(p)
	altered, _ := json.Marshal(w)
	if _, err := exercise.Verify(altered, pin); !apperr.Is(err, apperr.EUnauthorized) {
		t.Fatalf("altered payload: %v", err)
	}
	for _, c := range []struct{ name, data, want string }{
		{"not json", "{", "not one JSON object"},
		{"unknown field", `{"v":1,"payload":"","key_id":"","signature":"","x":1}`, "not one JSON object"},
		{"version", `{"v":2,"payload":"","key_id":"","signature":""}`, "v: is 2"},
		{"payload", `{"v":1,"payload":"a=","key_id":"","signature":""}`, "payload"},
	} {
		if _, err := exercise.Verify([]byte(c.data), pin); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Rules of the content, checked before signing.
	for _, c := range []struct {
		name string
		edit func(a *exercise.Announcement)
		want string
	}{
		{"id", func(a *exercise.Announcement) { a.ID = "x" }, "id:"},
		{"name", func(a *exercise.Announcement) { a.Name = " padded" }, "name:"},
		{"period", func(a *exercise.Announcement) { a.Ends = a.Starts }, "ends:"},
		{"long", func(a *exercise.Announcement) { a.Ends = a.Starts.Add(32 * 24 * time.Hour) }, "ends:"},
		{"fraction", func(a *exercise.Announcement) { a.Starts = a.Starts.Add(time.Millisecond) }, "starts:"},
		{"nobody", func(a *exercise.Announcement) { a.Participants = nil }, "participants:"},
		{"twice", func(a *exercise.Announcement) { a.Participants = append(a.Participants, a.Participants[0]) }, "listed twice"},
		{"email", func(a *exercise.Announcement) { a.Participants[0].Contacts[0].Email = "nobody" }, "email:"},
		{"phone", func(a *exercise.Announcement) { a.Participants[0].Contacts[0].Phone = "call me" }, "phone:"},
		{"action", func(a *exercise.Announcement) { a.Action = "pause" }, "action:"},
	} {
		a := announcement()
		c.edit(&a)
		if _, err := exercise.Sign(a, sec); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// FuzzVerify: a signed announcement from outside never panics the reader,
// and nothing but the secretariat's signature passes.
func FuzzVerify(f *testing.F) {
	seed := ed25519.NewKeyFromSeed(make([]byte, 32))
	pin := keys.FormatSigningPublic(seed.Public().(ed25519.PublicKey))
	signed, _ := exercise.Sign(announcement(), seed)
	f.Add(signed)
	f.Add([]byte(`{"v":1,"payload":"e30","key_id":"0000000000000000","signature":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := exercise.Verify(data, pin)
		if err != nil {
			if apperr.Code(err) != apperr.EInvalid && apperr.Code(err) != apperr.EUnauthorized {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("accepted an invalid announcement: %v", err)
		}
	})
}

func encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
