package notify_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/clockrun"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/notify/notifytest"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// Fictional people of IT-247: a night officer, a day officer and a
// supervisor, in Rome.
var (
	night = directory.Person{Name: "Nina Notte (fictional)", Role: directory.Primary, Order: 1, Email: "nina@it.example.org", Phone: "+00 39 555 0111"}
	day   = directory.Person{Name: "Dario Giorno (fictional)", Role: directory.Primary, Order: 2, Email: "dario@it.example.org", Phone: "+00 39 555 0112"}
	boss  = directory.Person{Name: "Sara Capo (fictional)", Role: directory.Supervisor, Order: 1, Email: "sara@it.example.org"}
)

func romeAuthority() *directory.Authority {
	return &directory.Authority{ID: "IT-247", TimeZone: "Europe/Rome", DutyHours: "24/7", People: []directory.Person{night, day, boss}}
}

// rome is a wall-clock time in Rome on the test day (winter: UTC+1).
func rome(hour int) time.Time {
	loc, _ := time.LoadLocation("Europe/Rome")
	return time.Date(2026, 11, 25, hour, 0, 0, 0, loc)
}

func names(ps []directory.Person) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, ",")
}

func adminChanges(t *testing.T, db *store.DB) []string {
	t.Helper()
	recs, err := auditlog.List(context.Background(), db, auditlog.Query{Kind: auditlog.AdminChange})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		out = append(out, recs[i].Details["change"]+":"+recs[i].Actor)
	}
	return out
}

// TestRosterSlots: the roster refuses a bad slot naming every field at
// once, keeps and audits additions, changes and removals, and says who is
// on duty at 03:00 and at 10:00 local time.
func TestRosterSlots(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(rome(3))
		r := &notify.Roster{DB: db, Clock: clk}
		own := romeAuthority()

		// Without a roster, the directory's people of the role.
		d, err := r.OnDuty(ctx, own, "primary", clk.Now())
		if err != nil || names(d.People) != night.Name+","+day.Name || d.Why != "directory" {
			t.Fatalf("no roster: %+v %v", d, err)
		}

		_, err = r.Save(ctx, own, notify.DutySlot{Person: "Nobody Known", Role: "cook", Hours: "Mon-Fri 25:00-06:00"}, "Sara Capo (fictional)")
		if !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("bad slot: %v, want EInvalid", err)
		}
		for _, want := range []string{"Person: \"Nobody Known\" is not on the directory roster", "Role: \"cook\"", "Hours:", "\"25:00\" is not a time of day"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if errs := notify.Check(own, notify.DutySlot{}); len(errs) != 3 || errs[0].Field != "person" || errs[1].Field != "role" || errs[2].Field != "hours" {
			t.Errorf("empty slot: %+v, want person, role and hours", errs)
		}

		ns, err := r.Save(ctx, own, notify.DutySlot{Person: night.Name, Role: directory.Primary, Hours: "Mon-Sun 22:00-08:00"}, "Sara Capo (fictional)")
		if err != nil {
			t.Fatal(err)
		}
		ds, err := r.Save(ctx, own, notify.DutySlot{Person: day.Name, Role: directory.Primary, Hours: "Mon-Sun 08:00-20:00"}, "Sara Capo (fictional)")
		if err != nil {
			t.Fatal(err)
		}
		// The day shift is lengthened to 22:00.
		ds.Hours = "Mon-Sun 08:00-22:00"
		if _, err := r.Save(ctx, own, ds, "Sara Capo (fictional)"); err != nil {
			t.Fatal(err)
		}
		list, err := r.List(ctx, "IT-247")
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %+v %v", list, err)
		}
		for _, tc := range []struct {
			at         time.Time
			role, want string
			why        string
		}{
			{rome(3), "primary", night.Name, "on duty"},
			{rome(10), "primary", day.Name, "on duty"},
			{rome(21), "primary", day.Name, "on duty"},
			{rome(23), "primary", night.Name, "on duty"},
			// No supervisor has a slot: whoever is on duty hears it.
			{rome(3), "supervisor", night.Name, "on duty (no supervisor on duty now)"},
		} {
			d, err := r.OnDuty(ctx, own, tc.role, tc.at)
			if err != nil || names(d.People) != tc.want || d.Why != tc.why {
				t.Errorf("%s at %s local: %q (%s) %v, want %q (%s)", tc.role, tc.at.Format("15:04"), names(d.People), d.Why, err, tc.want, tc.why)
			}
		}
		// The directory's contact details come with the person on duty.
		if d, _ := r.OnDuty(ctx, own, "primary", rome(3)); len(d.People) != 1 || d.People[0].Email != night.Email {
			t.Errorf("night officer's details: %+v", d.People)
		}

		// The night officer also supervises at night: told once as
		// primary, and the supervisor's alarm finds her too.
		sup, err := r.Save(ctx, own, notify.DutySlot{Person: night.Name, Role: directory.Supervisor, Hours: "Mon-Sun 00:00-06:00"}, "Sara Capo (fictional)")
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range []string{"primary", "supervisor"} {
			if d, _ := r.OnDuty(ctx, own, role, rome(3)); names(d.People) != night.Name || d.Why != "on duty" {
				t.Errorf("%s at 03:00 with two slots: %q (%s)", role, names(d.People), d.Why)
			}
		}
		if _, err := r.Remove(ctx, "IT-247", sup.ID, "Sara Capo (fictional)"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Remove(ctx, "IT-247", ns.ID, "Sara Capo (fictional)"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Remove(ctx, "IT-247", ns.ID, "Sara Capo (fictional)"); !apperr.Is(err, apperr.ENotFound) {
			t.Errorf("second removal: %v, want ENotFound", err)
		}
		// At 03:00 nobody is on duty now: the directory's primaries, so
		// the alarm is never silent.
		if d, _ := r.OnDuty(ctx, own, "primary", rome(3)); d.Why != "directory (nobody on duty now)" || len(d.People) != 2 {
			t.Errorf("nobody on duty: %+v", d)
		}
		got := strings.Join(adminChanges(t, db), "|")
		want := "duty slot added:Sara Capo (fictional)|duty slot added:Sara Capo (fictional)|duty slot changed:Sara Capo (fictional)|duty slot added:Sara Capo (fictional)|duty slot removed:Sara Capo (fictional)|duty slot removed:Sara Capo (fictional)"
		if got != want {
			t.Errorf("audit: %s\nwant %s", got, want)
		}
	})
}

// TestRosterDrivesAlarms: on two real nodes whose clock runners run on a
// manual clock, an emergency request reaching Italy at 03:00 Rome time
// wakes the night duty officer, and one reaching it at 10:00 tells the
// day officer: the roster, not the directory's order, decides.
func TestRosterDrivesAlarms(t *testing.T) {
	storetest.ForEachEngine(t, rosterDrivesAlarms)
}

func rosterDrivesAlarms(t *testing.T, backend string) {
	ctx := context.Background()
	clk := clock.NewManual(rome(3).UTC())
	srv := notifytest.StartSMTP(t)
	opt := testnet.Options{Parties: []string{"US", "IT"}, Clock: clk, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Setup: func(party string, n *node.Node) error {
			s := notify.Settings{SMTP: notify.SMTP{Addr: srv.Addr, From: "art35@" + strings.ToLower(party) + ".example.org"}}
			_, err := app.RegisterClocks(n, clockrun.Options{Interval: 20 * time.Millisecond, Settings: &s})
			return err
		}}
	net := testnet.StartTest(t, backend, opt)
	// The directory lists both officers as primaries, the day officer
	// second: the roster alone sends the 03:00 alarm to the night one.
	// (Republish signs for a day: the test runs from 03:00 to 10:00.)
	var own directory.Authority
	err := net.Republish(ctx, clk.Now(), func(snap *directory.Snapshot) {
		_, a, ok := snap.AuthorityByID("IT-247")
		if !ok {
			return
		}
		day1 := day
		day1.Order = 1
		night2 := night
		night2.Order = 2
		a.People, a.TimeZone = []directory.Person{day1, night2, boss}, "Europe/Rome"
		own = *a
	})
	if err != nil {
		t.Fatal(err)
	}
	if own.ID == "" {
		t.Fatal("no IT-247 in the test directory")
	}
	r := &notify.Roster{DB: net.Node("IT").DB, Clock: clk}
	for _, s := range []notify.DutySlot{
		{Person: night.Name, Role: directory.Primary, Hours: "Mon-Sun 22:00-08:00"},
		{Person: day.Name, Role: directory.Primary, Hours: "Mon-Sun 08:00-22:00"},
	} {
		if _, err := r.Save(ctx, &own, s, "Sara Capo (fictional)"); err != nil {
			t.Fatal(err)
		}
	}

	doc, err := os.ReadFile("testdata/emergency-disclosure.json")
	if err != nil {
		t.Fatal(err)
	}
	us, it := net.Node("US").Cases, net.Node("IT").Cases
	send := func(n int) string {
		t.Helper()
		// A new id, and times just before the clock's now.
		d := strings.ReplaceAll(string(doc), "000201", "00030"+string(rune('0'+n)))
		d = strings.ReplaceAll(d, "2026-11-24T10:00:00Z", clk.Now().Add(-time.Minute).Format(time.RFC3339))
		d = strings.ReplaceAll(d, "2026-11-24T09:55:00Z", clk.Now().Add(-5*time.Minute).Format(time.RFC3339))
		c, _, err := us.Submit(ctx, []byte(d), "Alex Example (fictional)")
		if err != nil {
			t.Fatal(err)
		}
		return c.Request.ID
	}
	mails := func(to, id string) int {
		n := 0
		for _, m := range srv.Messages() {
			if m.To == to && strings.Contains(m.Subject, id) {
				n++
			}
		}
		return n
	}

	// 03:00 in Rome.
	first := send(1)
	testkit.Eventually(t, "the night officer's e-mail at 03:00", func() bool { return mails(night.Email, first) == 1 })
	if n := mails(day.Email, first); n != 0 {
		t.Fatalf("the day officer was mailed %d times at 03:00", n)
	}
	if _, err := it.Act(ctx, first, request.Step{To: request.StateAcknowledged, By: night.Name}, nil); err != nil {
		t.Fatal(err)
	}

	// 10:00 in Rome.
	clk.Set(rome(10).UTC())
	second := send(2)
	testkit.Eventually(t, "the day officer's e-mail at 10:00", func() bool { return mails(day.Email, second) == 1 })
	if n := mails(night.Email, second); n != 0 {
		t.Fatalf("the night officer was mailed %d times at 10:00", n)
	}
	list, err := notify.List(ctx, net.Node("IT").DB, second)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Person != day.Name || list[0].Action != request.ActionNotify {
		t.Errorf("notifications of %s: %+v, want one notify to %s", second, list, day.Name)
	}
}
