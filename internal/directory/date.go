package directory

import (
	"fmt"
	"sync"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// Date is a calendar date with no time of day (a signature, a deposit, an
// entry into force). It is kept as UTC midnight; treaty dates are calendar
// dates, so comparing them to an instant in UTC is accurate to the day.
// The zero Date means "not known".
type Date struct{ t time.Time }

// DateLayout is how a Date is written everywhere: ISO 8601, 2006-01-02.
const DateLayout = "2006-01-02"

// NewDate returns the date y-m-d (normalised like time.Date).
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the UTC calendar date of the instant t.
func DateOf(t time.Time) Date {
	t = t.UTC()
	return NewDate(t.Year(), t.Month(), t.Day())
}

// ParseDate parses "YYYY-MM-DD"; the empty string is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, apperr.Errorf(apperr.EInvalid, "date %q is not a calendar date in the form YYYY-MM-DD (e.g. 2022-05-12)", s)
	}
	return Date{t}, nil
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns the date as UTC midnight.
func (d Date) Time() time.Time { return d.t }

// String returns "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(DateLayout)
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.t.After(o.t) }

// MarshalText writes the date as "YYYY-MM-DD" (JSON string).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "YYYY-MM-DD"; "" is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// zones caches time zones by name: time.LoadLocation reads the zone
// database (from disk or the embedded copy) on every call, and validating
// a directory asks for the same few dozen zones again and again.
var zones sync.Map // string -> *time.Location

// loadZone is time.LoadLocation with a cache. "" and "Local" are refused:
// an authority's zone must be named, never this machine's.
func loadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q: name an IANA zone such as Europe/Rome", name)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}
