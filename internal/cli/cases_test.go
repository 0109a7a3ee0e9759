package cli

import (
	"testing"
	"time"
)

func TestRelative(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now, "now (2026-11-25T03:00:00Z)"},
		{now.Add(15 * time.Minute), "in 0h 15m (2026-11-25T03:15:00Z)"},
		{now.Add(-26 * time.Hour), "1d 2h ago (2026-11-24T01:00:00Z)"},
		{now.Add(95*24*time.Hour + 21*time.Hour), "in 95d 21h (2027-03-01T00:00:00Z)"},
	} {
		if got := relative(tc.at, now); got != tc.want {
			t.Errorf("relative(%s) = %q, want %q", tc.at, got, tc.want)
		}
	}
}
