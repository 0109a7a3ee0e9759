package cli

import (
	"strings"
	"time"
)

// ParseBound reads a period bound of the command line: "" is none, a date is midnight UTC
// (the next midnight for an end, so that the day is included), anything
// else must be RFC 3339.
func ParseBound(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, UsageError{Msg: "give a date like 2026-01-31 or a time like 2026-01-31T12:00:00Z, not " + quoteShort(s)}
	}
	return t.UTC(), nil
}

// quoteShort quotes s, cut to 40 characters.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return `"` + s + `"`
}

// Period reads a required --from and --to (as ParseBound does, the end
// day included).
func Period(from, to string) (time.Time, time.Time, error) {
	if from == "" || to == "" {
		return time.Time{}, time.Time{}, Usagef("--from and --to are required: a share is for a period, e.g. --from 2026-01-01 --to 2026-12-31")
	}
	f, err := ParseBound(from, false)
	if err != nil {
		return f, f, Usagef("--from: %v", err)
	}
	t, err := ParseBound(to, true)
	if err != nil {
		return f, t, Usagef("--to: %v", err)
	}
	if !t.After(f) {
		return f, t, Usagef("--to must be after --from")
	}
	return f, t, nil
}

// SplitList splits a comma-separated flag value, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for x := range strings.SplitSeq(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
