package request

import (
	"encoding/json"
	"strings"
	"time"
)

// Timestamp is a point in time read from outside data. It keeps the raw
// text so that validation, not decoding, reports a bad time together with
// every other problem, and so that a time without a zone is refused rather
// than guessed: encoding/json's time.Time would reject it with one opaque
// error and stop. A valid Timestamp is stored in UTC.
type Timestamp struct {
	T   time.Time // the instant, in UTC; zero unless Raw parsed
	Raw string    // the text as received
	bad string    // rule id when Raw did not parse: "time-zone" or "time-syntax"
}

// NewTimestamp returns a valid Timestamp for t.
func NewTimestamp(t time.Time) Timestamp {
	t = t.UTC()
	return Timestamp{T: t, Raw: t.Format(time.RFC3339)}
}

// IsZero reports whether no time was given (used by `omitzero`).
func (ts Timestamp) IsZero() bool { return ts.Raw == "" && ts.T.IsZero() }

// Valid reports whether the timestamp parsed.
func (ts Timestamp) Valid() bool { return ts.Raw != "" && ts.bad == "" }

// layouts accepted, all with a zone. Fractional seconds are allowed by
// RFC3339 parsing in Go.
var zonedLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05Z07:00"}

// zonelessLayouts recognise a time that is well-formed but has no zone, so
// that the error can say exactly that.
var zonelessLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"}

// ParseTimestamp parses s. It never guesses a zone: "2026-11-20T14:02:07"
// yields a Timestamp whose problem is "time-zone".
func ParseTimestamp(s string) Timestamp {
	ts := Timestamp{Raw: s}
	st := strings.TrimSpace(s)
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, st); err == nil {
			ts.T = t.UTC()
			return ts
		}
	}
	ts.bad = "time-syntax"
	for _, l := range zonelessLayouts {
		if _, err := time.Parse(l, st); err == nil {
			ts.bad = "time-zone"
			break
		}
	}
	return ts
}

// UnmarshalJSON keeps the raw string; it fails only when the JSON value is
// not a string, which is a type error of the document.
func (ts *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*ts = Timestamp{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*ts = ParseTimestamp(s)
	return nil
}

// MarshalJSON writes a valid time in UTC (RFC 3339), and an invalid one as
// it was received so that a round trip does not hide the problem.
func (ts Timestamp) MarshalJSON() ([]byte, error) {
	if ts.Valid() {
		return json.Marshal(ts.T.UTC().Format(time.RFC3339Nano))
	}
	return json.Marshal(ts.Raw)
}

// String returns the time in UTC, or the raw text when it is invalid.
func (ts Timestamp) String() string {
	if ts.Valid() {
		return ts.T.Format(time.RFC3339)
	}
	return ts.Raw
}
