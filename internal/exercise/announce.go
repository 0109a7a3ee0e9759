// Package exercise runs the network's desktop exercises (issue 14, build
// 5): the secretariat opens an exercise (name, period, participants and
// each participant's exercise contacts) with an announcement signed by
// the secretariat's key, the key every node already pins to check the
// directory; the participants' nodes store it and, while it is open, show
// an EXERCISE banner on every page. Envelopes, cases and pings of the
// exercise carry the envelope's exercise flag, and this package records
// which exercise each one belongs to (table exercise_messages), so the
// statistics report them apart and never with real work. Clocks run as
// for real, but notifications about exercise cases go to the exercise
// contacts only (notify.ForExercise). Closing the exercise, again by a
// signed announcement, archives its cases on every node.
//
// A scripted exercise (script.go) lists injects at given minutes (a
// preservation request, an emergency, a ping); the secretariat's node
// plays it against the participants.
//
// The format of announcements and scripts is in docs/exercises.md.
package exercise

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/strict"
)

// Actions of an announcement.
const (
	ActionOpen  = "open"
	ActionClose = "close"
)

// Subkind is the subkind of the directory-notice envelope that carries a
// signed exercise announcement from the secretariat's node.
const Subkind = "exercise"

// signatureLabel separates announcement signatures from every other use
// of the secretariat's key (the directory's signature has its own).
const signatureLabel = "art35-exercise-announcement-v1\n"

// Limits of an announcement (docs/exercises.md).
const (
	MaxAnnouncement = 64 << 10 // bytes of a signed announcement
	MaxParticipants = 200
	MaxContacts     = 10 // per participant
	MaxPeriod       = 31 * 24 * time.Hour
)

// Announcement is what the secretariat signs to open or close an
// exercise. The closing repeats the opening's fields with action close.
type Announcement struct {
	V            int           `json:"v"`
	Action       string        `json:"action"`
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Starts       time.Time     `json:"starts"`
	Ends         time.Time     `json:"ends"`
	Issued       time.Time     `json:"issued"`
	Participants []Participant `json:"participants"`
}

// Participant is an authority taking part, with the people its node
// notifies during the exercise instead of its roster.
type Participant struct {
	Authority string    `json:"authority"`
	Contacts  []Contact `json:"contacts"`
}

// Contact is an exercise contact (fictional in shipped data).
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Signed is the wire form of a signed announcement: the announcement's
// JSON bytes (base64url) and the Ed25519 signature of the secretariat's
// key over the label and those bytes.
type Signed struct {
	V         int    `json:"v"`
	Payload   string `json:"payload"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

var (
	idPattern        = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,39}$`)
	authorityPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)
)

func invalid(field, rule, fix string, args ...any) error {
	return apperr.Errorf(apperr.EInvalid, "exercise announcement: %s: "+rule+" (fix: %s)", append(append([]any{field}, args...), fix)...)
}

func wholeUTC(t time.Time) bool {
	return !t.IsZero() && t.Location() == time.UTC && t.Nanosecond() == 0
}

func cleanText(s string, max int) bool {
	if s == "" || len(s) > max || !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// Validate checks every rule of an announcement; the error names the
// field, the rule and the fix.
func (a *Announcement) Validate() error {
	if a.V != 1 {
		return invalid("v", "is %d; only version 1 is read", "sign a version 1 announcement", a.V)
	}
	if a.Action != ActionOpen && a.Action != ActionClose {
		return invalid("action", "%q is not open or close", "use open or close", a.Action)
	}
	if !idPattern.MatchString(a.ID) {
		return invalid("id", "%q is not 3-40 characters of A-Z, 0-9 and -, starting with a letter or digit", "choose an id like EX-2026-BLUE", a.ID)
	}
	if !cleanText(a.Name, 200) {
		return invalid("name", "must be 1-200 characters without control characters or surrounding spaces", "give the exercise a short name")
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"starts", a.Starts}, {"ends", a.Ends}, {"issued", a.Issued}} {
		if !wholeUTC(f.t) {
			return invalid(f.name, "must be a UTC time in whole seconds", "write it as 2026-12-03T09:00:00Z")
		}
	}
	if !a.Ends.After(a.Starts) {
		return invalid("ends", "must be after starts", "give a period that ends after it starts")
	}
	if a.Ends.Sub(a.Starts) > MaxPeriod {
		return invalid("ends", "the period is longer than %s", "split a longer programme into several exercises", MaxPeriod)
	}
	if len(a.Participants) == 0 || len(a.Participants) > MaxParticipants {
		return invalid("participants", "there are %d; an exercise has 1 to %d", "list the participating authorities", len(a.Participants), MaxParticipants)
	}
	seen := map[string]bool{}
	for i, p := range a.Participants {
		field := fmt.Sprintf("participants[%d]", i)
		if !authorityPattern.MatchString(p.Authority) {
			return invalid(field+".authority", "%q is not an authority id", "use the authority id of the directory, e.g. IT-247", p.Authority)
		}
		if seen[p.Authority] {
			return invalid(field+".authority", "%s is listed twice", "list each authority once", p.Authority)
		}
		seen[p.Authority] = true
		if len(p.Contacts) > MaxContacts {
			return invalid(field+".contacts", "there are %d; at most %d", "name fewer exercise contacts", len(p.Contacts), MaxContacts)
		}
		for j, c := range p.Contacts {
			cf := fmt.Sprintf("%s.contacts[%d]", field, j)
			if !cleanText(c.Name, 100) {
				return invalid(cf+".name", "must be 1-100 characters without control characters", "name the person")
			}
			if c.Email != "" && (!cleanText(c.Email, 254) || strings.Count(c.Email, "@") != 1 || strings.ContainsAny(c.Email, " <>,;")) {
				return invalid(cf+".email", "%q is not an e-mail address", "write it as name@example.org", c.Email)
			}
			if c.Phone != "" && (!cleanText(c.Phone, 40) || strings.Trim(c.Phone, "+0123456789 ") != "") {
				return invalid(cf+".phone", "%q is not a phone number in international form", "write it as +00 1 555 0100", c.Phone)
			}
		}
	}
	return nil
}

// Includes reports whether authority takes part.
func (a *Announcement) Includes(authority string) bool {
	_, ok := a.participant(authority)
	return ok
}

func (a *Announcement) participant(authority string) (Participant, bool) {
	for _, p := range a.Participants {
		if p.Authority == authority {
			return p, true
		}
	}
	return Participant{}, false
}

// Authorities lists the participants' authority ids in order.
func (a *Announcement) Authorities() []string {
	out := make([]string, len(a.Participants))
	for i, p := range a.Participants {
		out[i] = p.Authority
	}
	return out
}

// Sign validates a and signs it with the secretariat's key, returning the
// wire bytes of the signed announcement.
func Sign(a Announcement, key ed25519.PrivateKey) ([]byte, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	msg := append([]byte(signatureLabel), payload...)
	return json.Marshal(Signed{
		V:         1,
		Payload:   base64.RawURLEncoding.EncodeToString(payload),
		KeyID:     keys.ID(keys.FormatSigningPublic(key.Public().(ed25519.PublicKey))),
		Signature: base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, msg)),
	})
}

// Verify reads a signed announcement strictly and checks it against the
// pinned secretariat key (text form "ed25519:..."): anything not signed
// by that key is refused before its content is looked at. The error
// names the field, the rule and the fix; its code is apperr.EUnauthorized
// for a signature that is not the secretariat's and apperr.EInvalid for
// bytes that cannot be read.
func Verify(data []byte, secretariatKey string) (*Announcement, error) {
	if len(data) > MaxAnnouncement {
		return nil, invalid("(whole)", "has %d bytes; at most %d", "send a shorter announcement", len(data), MaxAnnouncement)
	}
	pub, err := keys.ParseSigningPublic(secretariatKey)
	if err != nil {
		return nil, apperr.Errorf(apperr.EUnauthorized, "exercise announcement: this node pins no valid secretariat key, so it cannot check who opened the exercise (fix: set secretariat_key in the node's configuration)")
	}
	var s Signed
	if err := strict.DecodeJSON(data, &s); err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "exercise announcement: not one JSON object with exactly v, payload, key_id and signature (fix: send what exercise.Sign writes)")
	}
	if s.V != 1 {
		return nil, invalid("v", "is %d; only version 1 is read", "send a version 1 announcement", s.V)
	}
	payload, err := base64.RawURLEncoding.Strict().DecodeString(s.Payload)
	if err != nil || len(payload) == 0 {
		return nil, invalid("payload", "is not unpadded base64url", "send what exercise.Sign writes")
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(s.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, invalid("signature", "is not a 64-byte Ed25519 signature in unpadded base64url", "send what exercise.Sign writes")
	}
	want := keys.ID(secretariatKey)
	if s.KeyID != want {
		return nil, apperr.Errorf(apperr.EUnauthorized, "exercise announcement: key_id %q is not the secretariat's pinned key %s: only the secretariat opens and closes exercises (fix: the secretariat signs with its directory key)", s.KeyID, want)
	}
	if !ed25519.Verify(pub, append([]byte(signatureLabel), payload...), sig) {
		return nil, apperr.Errorf(apperr.EUnauthorized, "exercise announcement: signature: does not verify with the secretariat's pinned key %s: only the secretariat opens and closes exercises (fix: nothing; it was forged or altered)", want)
	}
	var a Announcement
	if err := strict.DecodeJSON(payload, &a); err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "exercise announcement: payload: not the announcement object (fix: send what exercise.Sign writes)")
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &a, nil
}

// Plan is the file the secretariat writes to open an exercise ("art35
// exercise open FILE"): the announcement without its version, action and
// issue time, which Open fills.
type Plan struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Starts       time.Time     `json:"starts"`
	Ends         time.Time     `json:"ends"`
	Participants []Participant `json:"participants"`
}

// ReadPlan reads a plan strictly (no unknown field, one JSON object) and
// returns its announcement, checked against every rule.
func ReadPlan(data []byte) (Announcement, error) {
	if len(data) > MaxAnnouncement {
		return Announcement{}, invalid("(whole)", "has %d bytes; at most %d", "list fewer participants", len(data), MaxAnnouncement)
	}
	var p Plan
	if err := strict.DecodeJSON(data, &p); err != nil {
		return Announcement{}, apperr.Wrap(apperr.EInvalid, err, "exercise plan: %v (fix: one JSON object with id, name, starts, ends and participants [{authority, contacts [{name, email, phone}]}])", err)
	}
	a := Announcement{V: 1, Action: ActionOpen, ID: p.ID, Name: p.Name, Starts: p.Starts.UTC(), Ends: p.Ends.UTC(), Issued: p.Starts.UTC(), Participants: p.Participants}
	if a.Issued.IsZero() {
		a.Issued = time.Unix(0, 0).UTC()
	}
	return a, a.Validate()
}
