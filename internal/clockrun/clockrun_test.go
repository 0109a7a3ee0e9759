package clockrun_test

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
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

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

// roster publishes a directory in which IT-247 has a primary and a
// backup with e-mail, a supervisor reached by pager only, and the Rome
// time zone; US-247 has a primary with e-mail.
func roster(t *testing.T, net *testnet.Net, clk clock.Clock) {
	t.Helper()
	ctx := context.Background()
	d, err := net.Node("IT").Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.Clone()
	if err != nil {
		t.Fatal(err)
	}
	set := func(id string, tz string, people []directory.Person) {
		_, a, ok := s.AuthorityByID(id)
		if !ok {
			t.Fatalf("no %s in the test directory", id)
		}
		a.People, a.TimeZone = people, tz
	}
	set("IT-247", "Europe/Rome", []directory.Person{
		{Name: "Paola Primo (fictional)", Role: directory.Primary, Order: 1, Email: "paola@it.example.org", Phone: "+00 39 555 0101"},
		{Name: "Bruno Esempio (fictional)", Role: directory.Backup, Order: 1, Email: "bruno@it.example.org"},
		{Name: "Sara Capo (fictional)", Role: directory.Supervisor, Order: 1},
	})
	set("US-247", "America/New_York", []directory.Person{
		{Name: "Alex Example (fictional)", Role: directory.Primary, Order: 1, Email: "alex@us.example.org"},
	})
	signed, err := directory.Sign(s, net.SecretariatKey, net.Serial+1, clk.Now(), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	net.Serial++
	for _, p := range []string{"US", "IT"} {
		if _, err := net.Node(p).AcceptSnapshot(ctx, signed); err != nil {
			t.Fatal(err)
		}
	}
}

func mailTo(srv *notifytest.SMTP, addr string) []notifytest.Mail {
	var out []notifytest.Mail
	for _, m := range srv.Messages() {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

func notes(t *testing.T, svc *cases.Service, id, kind string) []request.Evidence {
	t.Helper()
	c, err := svc.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Lifecycle.All(kind)
}

// TestEmergencyEscalation is the acceptance scenario of issue 3 item 4 on
// two real nodes whose clock runners run as node workers: an emergency
// disclosure request reaches Italy; the primary is e-mailed at once; 15
// minutes later, unacknowledged, it escalates to the backup (e-mail
// received by the SMTP server) and the US receives a negative evidence,
// whose arrival e-mails the US primary; 15 minutes more and the
// supervisor is paged by a signed webhook. Every action happens once
// however many times the runners tick, and acknowledging stops the ladder.
func TestEmergencyEscalation(t *testing.T) {
	storetest.ForEachEngine(t, emergencyEscalation)
}

func emergencyEscalation(t *testing.T, backend string) {
	clk := clock.NewManual(t0)
	srv := notifytest.StartSMTP(t)
	hook := notifytest.StartHook(t, nil, clk.Now)
	settings := func(party string) *notify.Settings {
		s := notify.Settings{SMTP: notify.SMTP{Addr: srv.Addr, From: "art35@" + strings.ToLower(party) + ".example.org"}}
		if party == "IT" {
			s.Webhooks = []notify.Webhook{{URL: hook.URL, Role: "supervisor"}}
		}
		return &s
	}
	opt := testnet.Options{Parties: []string{"US", "IT"}, Clock: clk, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Setup: func(party string, n *node.Node) error {
			_, err := app.RegisterClocks(n, clockrun.Options{Interval: 20 * time.Millisecond, Settings: settings(party)})
			return err
		}}
	net := testnet.StartTest(t, backend, opt)
	hook.Pub = net.Node("IT").Signing.Public().(ed25519.PublicKey)
	roster(t, net, clk)
	ctx := context.Background()
	us, it := net.Node("US").Cases, net.Node("IT").Cases

	doc, err := os.ReadFile("testdata/emergency-disclosure.json")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := us.Submit(ctx, doc, "Alex Example (fictional)")
	if err != nil {
		t.Fatal(err)
	}
	id := c.Request.ID
	testkit.Eventually(t, "the primary's e-mail", func() bool { return len(mailTo(srv, "paola@it.example.org")) == 1 })
	if m := mailTo(srv, "paola@it.example.org")[0]; !strings.Contains(m.Subject, id) || !strings.Contains(m.Body, "art35 case ack "+id) {
		t.Fatalf("primary's mail: %q\n%s", m.Subject, m.Body)
	}
	if len(mailTo(srv, "bruno@it.example.org")) != 0 {
		t.Fatal("the backup was mailed before the deadline")
	}

	clk.Advance(15 * time.Minute)
	testkit.Eventually(t, "the backup's e-mail", func() bool { return len(mailTo(srv, "bruno@it.example.org")) == 1 })
	if m := mailTo(srv, "bruno@it.example.org")[0]; !strings.Contains(m.Subject, "ESCALATED to backup") {
		t.Fatalf("backup's mail subject %q", m.Subject)
	}
	testkit.Eventually(t, "the negative evidence at the requester", func() bool { return len(notes(t, us, id, request.NoteNegativeAck)) == 1 })
	testkit.Eventually(t, "the US primary's e-mail", func() bool { return len(mailTo(srv, "alex@us.example.org")) == 1 })
	if len(hook.Calls()) != 0 {
		t.Fatal("the supervisor was paged at the first deadline")
	}

	clk.Advance(15 * time.Minute)
	testkit.Eventually(t, "the supervisor's page", func() bool { return len(hook.Calls()) == 1 })
	if call := hook.Calls()[0]; call.Err != nil || !strings.Contains(string(call.Body), id) {
		t.Fatalf("page: %+v", call)
	}

	// Italy acknowledges; more time passes and the runners keep ticking:
	// nothing more is sent and nothing was done twice.
	if _, err := it.Act(ctx, id, request.Step{To: request.StateAcknowledged, By: "Bruno Esempio (fictional)"}, nil); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	time.Sleep(200 * time.Millisecond) // let the 20 ms runners tick several times
	esc := notes(t, it, id, request.NoteEscalated)
	var roles []string
	for _, e := range esc {
		roles = append(roles, e.Details)
	}
	if strings.Join(roles, ",") != "primary,backup,supervisor" {
		t.Fatalf("escalation notes at IT: %v", roles)
	}
	if n := len(notes(t, it, id, request.NoteNegativeAck)); n != 1 {
		t.Fatalf("%d negative-ack notes at IT", n)
	}
	if len(srv.Messages()) != 3 || len(hook.Calls()) != 1 {
		t.Fatalf("%d mails and %d pages, want 3 and 1", len(srv.Messages()), len(hook.Calls()))
	}
	list, err := notify.List(ctx, net.Node("IT").DB, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if n.Status != notify.StatusSent {
			t.Errorf("notification %s to %s by %s: %s (%s)", n.Action, n.Person, n.Channel, n.Status, n.LastError)
		}
	}
}

// TestReminderAcrossDST: a preservation executed in Rome in winter ends 60
// calendar days later in summer time; the 14-day reminder (still winter
// time) falls at 10:00 Rome time, 09:00 UTC, not at 08:00 UTC as 24-hour
// arithmetic from the end would give. Then the 3-day reminder and the
// lapse, each once, each mailed to the requesting side's primary.
func TestReminderAcrossDST(t *testing.T) {
	clk := clock.NewManual(t0)
	srv := notifytest.StartSMTP(t)
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"US", "IT"}, Clock: clk})
	roster(t, net, clk)
	ctx := context.Background()
	us, it := net.Node("US").Cases, net.Node("IT").Cases
	runner, err := app.Clocks(net.Node("US"), clockrun.Options{Settings: &notify.Settings{SMTP: notify.SMTP{Addr: srv.Addr, From: "art35@us.example.org"}}})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile("testdata/preserve.json")
	c, _, err := us.Submit(ctx, doc, "Alex Example (fictional)")
	if err != nil {
		t.Fatal(err)
	}
	id := c.Request.ID
	testkit.Eventually(t, "delivery in Italy", func() bool { _, err := it.Get(ctx, id); return err == nil })
	for _, st := range []request.Step{
		{To: request.StateAcknowledged, By: "Paola Primo (fictional)"},
		{To: request.StateInProgress, By: "Paola Primo (fictional)"},
	} {
		clk.Advance(time.Minute)
		if _, err := it.Act(ctx, id, st, nil); err != nil {
			t.Fatal(err)
		}
		// Wait for the evidence to reach the US before the clock jumps
		// (an envelope left undelivered for weeks would expire).
		testkit.Eventually(t, string(st.To)+" in the US", func() bool {
			c, err := us.Get(ctx, id)
			return err == nil && c.Lifecycle.State == st.To
		})
	}
	// Preserved on Thursday 4 February 2027, 10:00 in Rome (CET, UTC+1).
	clk.Set(time.Date(2027, 2, 4, 9, 0, 0, 0, time.UTC))
	if _, err := it.Act(ctx, id, request.Step{To: request.StatePreserved, By: "Paola Primo (fictional)", ProviderRef: "EXH-1"}, nil); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the preserved evidence in the US", func() bool {
		c, err := us.Get(ctx, id)
		return err == nil && c.Lifecycle.State == request.StatePreserved
	})
	// Ends Monday 5 April 2027, 10:00 in Rome (CEST, UTC+2) = 08:00 UTC.
	steps := []struct {
		at       time.Time
		wantKind string // "" = nothing due
		details  string
	}{
		{time.Date(2027, 3, 22, 8, 30, 0, 0, time.UTC), "", ""},
		{time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC), request.ActionRemind, "14 days"},
		{time.Date(2027, 3, 25, 9, 0, 0, 0, time.UTC), "", ""},
		{time.Date(2027, 4, 2, 7, 59, 0, 0, time.UTC), "", ""},
		{time.Date(2027, 4, 2, 8, 0, 0, 0, time.UTC), request.ActionRemind, "3 days"},
		{time.Date(2027, 4, 5, 7, 59, 0, 0, time.UTC), "", ""},
		{time.Date(2027, 4, 5, 8, 0, 0, 0, time.UTC), request.ActionLapsed, ""},
		{time.Date(2027, 4, 6, 8, 0, 0, 0, time.UTC), "", ""},
	}
	mails := 0
	for _, s := range steps {
		clk.Set(s.at)
		rep, err := runner.Tick(ctx)
		if err != nil {
			t.Fatalf("%s: %v", s.at, err)
		}
		var kinds []string
		for _, p := range rep.Performed {
			kinds = append(kinds, p.Kind)
		}
		if strings.Join(kinds, ",") != s.wantKind {
			t.Fatalf("at %s performed %v, want %q", s.at.Format(time.RFC3339), kinds, s.wantKind)
		}
		if s.wantKind != "" {
			mails++
		}
		if got := len(mailTo(srv, "alex@us.example.org")); got != mails {
			t.Fatalf("at %s: %d mails to the US primary, want %d", s.at.Format(time.RFC3339), got, mails)
		}
		if s.details != "" {
			rs := notes(t, us, id, request.NoteReminder)
			if rs[len(rs)-1].Details != s.details {
				t.Fatalf("reminder note %q, want %q", rs[len(rs)-1].Details, s.details)
			}
		}
	}
	if n := len(notes(t, us, id, request.NoteLapsed)); n != 1 {
		t.Fatalf("%d lapsed notes", n)
	}

	// A node whose notify.toml is wrong does not start its clocks
	// silently without channels: New names the file and the field.
	bad := filepath.Join(net.Config("US").DataDir, notify.SettingsFile)
	if err := os.WriteFile(bad, []byte("[smtp]\naddr = \"nohost\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Clocks(net.Node("US"), clockrun.Options{}); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "smtp.addr") {
		t.Fatalf("New with a bad %s: %v", notify.SettingsFile, err)
	}
}

// TestRequesterToldWhenPeerSilent: when the requested party's node is
// down, no negative evidence can arrive; the requesting node's own clock
// tells its primary to phone, once.
func TestRequesterToldWhenPeerSilent(t *testing.T) {
	clk := clock.NewManual(t0)
	srv := notifytest.StartSMTP(t)
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"US", "IT"}, Clock: clk})
	roster(t, net, clk)
	if err := net.Stop("IT"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	runner, err := app.Clocks(net.Node("US"), clockrun.Options{Settings: &notify.Settings{SMTP: notify.SMTP{Addr: srv.Addr, From: "art35@us.example.org"}}})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile("testdata/emergency-disclosure.json")
	if _, _, err := net.Node("US").Cases.Submit(ctx, doc, "Alex Example (fictional)"); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{
		{0, ""},
		{14 * time.Minute, ""},
		{time.Minute, "not-acknowledged"},
		{time.Hour, ""},
	} {
		clk.Advance(step.advance)
		rep, err := runner.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, p := range rep.Performed {
			kinds = append(kinds, p.Kind)
		}
		if strings.Join(kinds, ",") != step.want {
			t.Fatalf("at %s performed %v, want %q", clk.Now().Format(time.RFC3339), kinds, step.want)
		}
	}
	mails := mailTo(srv, "alex@us.example.org")
	if len(mails) != 1 || !strings.Contains(mails[0].Body, "by this node's clock") {
		t.Fatalf("mails to the US primary: %+v", mails)
	}
}
