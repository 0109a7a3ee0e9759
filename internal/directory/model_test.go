package directory

import (
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestFirstDayAfterThreeMonths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ deposit, want string }{
		{"2024-11-30", "2025-03-01"}, // period ends 28 Feb, not "2 March"
		{"2024-06-20", "2024-10-01"}, // Benin, Fiji, Kiribati
		{"2024-07-29", "2024-11-01"}, // Côte d'Ivoire, as its source row says
		{"2024-04-19", "2024-08-01"}, // Sierra Leone
		{"2006-09-29", "2007-01-01"}, // year wraps (United States)
		{"2012-07-03", "2012-11-01"}, // Japan
		{"2024-05-31", "2024-09-01"},
		{"2023-10-31", "2024-02-01"},
		{"2024-01-01", "2024-05-01"},
		{"2023-12-31", "2024-04-01"},
	} {
		if got := FirstDayAfterThreeMonths(d(tc.deposit)); got.String() != tc.want {
			t.Errorf("deposit %s: got %s, want %s", tc.deposit, got, tc.want)
		}
	}
}

func TestEntryIntoForce(t *testing.T) {
	t.Parallel()
	inst := map[Instrument]InstrumentInfo{}
	for _, i := range DefaultInstruments() {
		inst[i.ID] = i
	}
	for _, tc := range []struct {
		name    string
		info    InstrumentInfo
		deposit string
		want    string // "" = not computable
	}{
		{"budapest later party", inst[Budapest], "2024-11-30", "2025-03-01"},
		{"budapest early ratifier waits for the treaty", inst[Budapest], "2002-01-15", "2004-07-01"},
		{"no deposit date", inst[Budapest], "", ""},
		{"protocol not known in force", inst[Protocol2], "2023-08-10", ""},
		{"UN 2024 not in force", inst[UN2024], "2026-01-10", ""},
		{"UN 2024 once in force: 30th day", InstrumentInfo{ID: UN2024, InForce: d("2026-01-01")}, "2026-03-01", "2026-03-31"},
	} {
		got, ok := EntryIntoForce(tc.info, d(tc.deposit))
		if tc.want == "" {
			if ok {
				t.Errorf("%s: got %s, want not computable", tc.name, got)
			}
			continue
		}
		if !ok || got.String() != tc.want {
			t.Errorf("%s: got %s (%v), want %s", tc.name, got, ok, tc.want)
		}
	}
}

func TestBoundAt(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 9, 30, 23, 59, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		s    InstrumentStatus
		at   time.Time
		want bool
	}{
		{"before entry into force", InstrumentStatus{Status: StatusParty, InForce: d("2024-10-01")}, at, false},
		{"on the day", InstrumentStatus{Status: StatusParty, InForce: d("2024-10-01")}, at.Add(time.Minute), true},
		{"undated party", InstrumentStatus{Status: StatusParty, InForceUndated: true}, at, true},
		{"party, date unknown, instrument not in force", InstrumentStatus{Status: StatusParty}, at, false},
		{"signatory", InstrumentStatus{Status: StatusSignatory, Signed: d("2022-05-12"), InForceUndated: true}, at, false},
	} {
		if got := tc.s.BoundAt(tc.at); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"2024-13-01", "2024-02-30", "12/05/2022", "2024-5-1"} {
		if _, err := ParseDate(bad); !apperr.Is(err, apperr.EInvalid) {
			t.Errorf("%q: got %v, want invalid", bad, err)
		}
	}
	if z, err := ParseDate(""); err != nil || !z.IsZero() {
		t.Errorf("empty: %v %v", z, err)
	}
}

func TestOnDuty(t *testing.T) {
	t.Parallel()
	// 2026-11-25 is a Wednesday.
	wed0700Z := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC) // 08:00 in Rome, 16:00 in Tokyo
	for _, tc := range []struct {
		name      string
		tz, hours string
		at        time.Time
		want      bool
		wantLocal string
		wantErr   string
	}{
		{"24/7", "Europe/Rome", "24/7", wed0700Z, true, "08:00", ""},
		{"office hours open at 08:00 local", "Europe/Rome", "Mon-Fri 08:00-18:00", wed0700Z, true, "08:00", ""},
		{"a minute before opening", "Europe/Rome", "Mon-Fri 08:00-18:00", wed0700Z.Add(-time.Minute), false, "07:59", ""},
		{"closed at the end minute", "Asia/Tokyo", "Mon-Fri 09:00-16:00", wed0700Z, false, "16:00", ""},
		{"weekend only", "Europe/Rome", "Sat,Sun 10:00-14:00", wed0700Z.Add(3*time.Hour + 72*time.Hour), true, "11:00", ""},
		{"night shift, morning part on the next day", "America/New_York", "Tue 22:00-06:00", wed0700Z, true, "02:00", ""},
		{"night shift, not the day after a day without shift", "America/New_York", "Wed 22:00-06:00", wed0700Z, false, "02:00", ""},
		{"wrapping day range Fri-Mon excludes Wed", "Europe/Rome", "Fri-Mon 00:00-24:00", wed0700Z, false, "08:00", ""},
		{"no zone", "", "24/7", wed0700Z, false, "", "time zone not known"},
		{"bad zone", "Mars/Olympus", "24/7", wed0700Z, false, "", "not an IANA zone"},
		{"no hours", "Europe/Rome", "", wed0700Z, false, "", "duty hours not known"},
		{"bad hours", "Europe/Rome", "Mon-Fri 8-18", wed0700Z, false, "", "not a time of day"},
	} {
		a := Authority{ID: "XX-247", TimeZone: tc.tz, DutyHours: tc.hours}
		got, local, err := a.OnDuty(tc.at)
		if tc.wantErr != "" {
			if err == nil || !contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want || local.Format("15:04") != tc.wantLocal {
			t.Errorf("%s: got %v at %s (%v), want %v at %s", tc.name, got, local.Format("15:04"), err, tc.want, tc.wantLocal)
		}
	}
}

func TestParseDutyHoursErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Mon-Fri", "no time range"},
		{"Mon-Fri 08:00", "no \"-\""},
		{"Mo-Fr 08:00-18:00", "\"Mo\" is not a day"},
		{"Mon 25:00-26:00", "not a time of day"},
		{"Mon 24:00-06:00", "not a time of day"},
		{"Mon 08:00-08:00", "same time"},
		{";;", "no window"},
		{"", "empty"},
	} {
		_, err := ParseDutyHours(tc.in)
		if !apperr.Is(err, apperr.EInvalid) || !contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want invalid with %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseDutyHours(f *testing.F) {
	for _, s := range []string{"24/7", "Mon-Fri 08:00-18:00; Sat,Sun 10:00-14:00", "Fri-Mon 22:00-06:00", "Mon 00:00-24:00", "x", ";"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sch, err := ParseDutyHours(s)
		if err != nil {
			return
		}
		// A parsed schedule must answer for every minute of a week without panicking.
		for m := 0; m < 7*24*60; m += 37 {
			sch.Covers(time.Date(2026, 11, 23, 0, m, 0, 0, time.UTC))
		}
	})
}

func TestEscalationOrder(t *testing.T) {
	t.Parallel()
	a := Authority{People: []Person{
		{Name: "S", Role: Supervisor, Order: 1},
		{Name: "B2", Role: Backup, Order: 2},
		{Name: "P", Role: Primary, Order: 1},
		{Name: "B1", Role: Backup, Order: 1},
	}}
	var got string
	for _, p := range a.Escalation() {
		got += p.Name + " "
	}
	if got != "P B1 B2 S " {
		t.Fatalf("escalation %q", got)
	}
}

func TestKeyValidAt(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := Key{ValidFrom: t0, ValidUntil: t0.AddDate(1, 0, 0), Revoked: t0.AddDate(0, 6, 0)}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{{t0.Add(-time.Second), false}, {t0, true}, {t0.AddDate(0, 6, 0).Add(-time.Second), true}, {t0.AddDate(0, 6, 0), false}} {
		if got := k.ValidAt(tc.at); got != tc.want {
			t.Errorf("%s: got %v want %v", tc.at, got, tc.want)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
