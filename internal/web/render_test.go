package web

import (
	"strings"
	"testing"
	"time"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCountdown(t *testing.T) {
	t.Parallel()
	now := mustTime("2026-11-26T03:00:00Z")
	tests := []struct {
		due  time.Time
		want string
	}{
		{now.Add(15 * time.Minute), "in 15m 00s"},
		{now.Add(2*time.Hour + 5*time.Minute), "in 2h 05m"},
		{now.Add(61 * 24 * time.Hour), "in 61d 0h"},
		{now.Add(-90 * time.Second), "OVERDUE by 1m 30s"},
		{time.Time{}, ""},
	}
	// French: "dans 2 h 05 min", "EN RETARD de 1 min 30 s".
	for due, want := range map[time.Time]string{now.Add(2*time.Hour + 5*time.Minute): "dans 2 h 05 min", now.Add(-90 * time.Second): "EN RETARD de 1 min 30 s", now.Add(61 * 24 * time.Hour): "dans 61 j 0 h"} {
		if got := countdown("fr", due, now); got != want {
			t.Errorf("fr countdown(%v) = %q, want %q", due.Sub(now), got, want)
		}
	}
	for _, tc := range tests {
		if got := countdown("en", tc.due, now); got != tc.want {
			t.Errorf("countdown(%v) = %q, want %q", tc.due.Sub(now), got, tc.want)
		}
	}
}

func TestShowTimes(t *testing.T) {
	t.Parallel()
	at := mustTime("2026-11-26T03:00:00Z")
	rome, _ := time.LoadLocation("Europe/Rome")
	tests := []struct {
		name   string
		viewer *time.Location
		sender string
		want   []string
		not    []string
	}{
		{"UTC viewer, sender in New York", time.UTC, "America/New_York", []string{"2026-11-26 03:00:00 UTC", "2026-11-25 22:00 EST (sender, America/New_York)"}, []string{"(you)"}},
		{"viewer in Rome, no sender zone", rome, "", []string{"03:00:00 UTC", "04:00 CET (you)"}, []string{"sender"}},
		{"viewer and sender both in Rome", rome, "Europe/Rome", []string{"04:00 CET (you)"}, []string{"sender"}},
		{"bad sender zone", time.UTC, "Mars/Olympus", []string{"UTC"}, []string{"sender"}},
	}
	for _, tc := range tests {
		got := string(showTimes("en", at, tc.viewer, tc.sender))
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q has %q", tc.name, got, n)
			}
		}
	}
}

// TestShowTimesFrench: the same times, written the French way.
func TestShowTimesFrench(t *testing.T) {
	t.Parallel()
	at := mustTime("2026-11-26T03:00:00Z")
	rome, _ := time.LoadLocation("Europe/Rome")
	got := string(showTimes("fr", at, rome, "America/New_York"))
	for _, w := range []string{"26/11/2026 03:00:00 UTC", "26/11/2026 04:00 CET (vous)", "25/11/2026 22:00 EST (expéditeur, America/New_York)"} {
		if !strings.Contains(got, w) {
			t.Errorf("%q lacks %q", got, w)
		}
	}
}
