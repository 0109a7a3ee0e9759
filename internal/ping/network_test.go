package ping_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// t0 is a Wednesday, 03:00 UTC: night in Europe, so office hours differ.
var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	// The tests sweep explicitly after moving the clock; the background
	// sweep must not race them for the counts.
	ping.SweepInterval = time.Hour
	os.Exit(m.Run())
}

// pingNet is a test network whose nodes run the ping service.
type pingNet struct {
	*testnet.Net
	svc map[string]*ping.Service
	clk *clock.Manual
}

func startNet(t *testing.T, backend string, parties ...string) *pingNet {
	t.Helper()
	pn := &pingNet{svc: map[string]*ping.Service{}, clk: clock.NewManual(t0)}
	var mu sync.Mutex
	opt := testnet.Options{Parties: parties, Clock: pn.clk,
		Setup: func(party string, n *node.Node) error {
			mu.Lock()
			defer mu.Unlock()
			pn.svc[party] = app.RegisterPing(n)
			return nil
		}}
	n := testnet.StartTest(t, backend, opt)
	pn.Net = n
	return pn
}

// publish gives authorities duty hours and rosters and makes every node
// accept the new directory, as the secretariat would.
func (pn *pingNet) publish(t *testing.T, edit func(s *directory.Snapshot)) {
	t.Helper()
	ctx := context.Background()
	var any *node.Node
	for _, n := range pn.Nodes {
		any = n
		break
	}
	cur, err := any.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(cur)
	var snap directory.Snapshot
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	edit(&snap)
	pn.Serial++
	signed, err := directory.Sign(&snap, pn.SecretariatKey, pn.Serial, pn.clk.Now(), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for party, n := range pn.Nodes {
		if _, err := n.AcceptSnapshot(ctx, signed); err != nil {
			t.Fatalf("%s: accept directory: %v", party, err)
		}
	}
}

func roster(s *directory.Snapshot, code, hours string, people ...directory.Person) {
	p, _ := s.Party(code)
	for i := range p.Authorities {
		if p.Authorities[i].Role == directory.RolePointOfContact {
			p.Authorities[i].DutyHours = hours
			p.Authorities[i].People = people
		}
	}
}

func resultsByParty(t *testing.T, s *ping.Service, campaign string) map[string]ping.Result {
	t.Helper()
	rs, err := s.Results(context.Background(), ping.Filter{Campaign: campaign})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ping.Result{}
	for _, r := range rs {
		out[r.Party] = r
	}
	return out
}

func pendingFrom(t *testing.T, s *ping.Service) []ping.Challenge {
	t.Helper()
	cs, err := s.Challenges(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestPingCampaign runs SPEC 8 on a four-node network: the US pings every
// point of contact that lists a node; Italy answers in 5 minutes (passed),
// France answers after 40 minutes (late: failed, with its answer time
// kept), Germany never answers (failed and escalated to its backup
// contact). Every target's machine receipt is collected.
func TestPingCampaign(t *testing.T) {
	storetest.ForEachEngine(t, testPingCampaign)
}

func testPingCampaign(t *testing.T, backend string) {
	ctx := context.Background()
	pn := startNet(t, backend, "US", "IT", "FR", "DE")
	pn.publish(t, func(s *directory.Snapshot) {
		roster(s, "IT", "24/7",
			directory.Person{Name: "Paola Esempio", Role: directory.Primary, Order: 1, Phone: "+00 39 0000 0001"},
			directory.Person{Name: "Marco Prova", Role: directory.Backup, Order: 1, Phone: "+00 39 0000 0002"})
		roster(s, "FR", "Mon-Fri 08:00-18:00",
			directory.Person{Name: "Claire Exemple", Role: directory.Primary, Order: 1},
			directory.Person{Name: "Luc Essai", Role: directory.Backup, Order: 1, Phone: "+00 33 0000 0002"})
		roster(s, "DE", "",
			directory.Person{Name: "Jonas Beispiel", Role: directory.Primary, Order: 1},
			directory.Person{Name: "Greta Muster", Role: directory.Backup, Order: 1, Phone: "+00 49 0000 0002"})
	})
	us, it, fr, de := pn.svc["US"], pn.svc["IT"], pn.svc["FR"], pn.svc["DE"]

	c, err := us.StartCampaign(ctx, ping.CampaignOptions{By: "Sam Sample"})
	if err != nil {
		t.Fatal(err)
	}
	office := map[string]string{}
	for _, p := range c.Pings {
		office[p.Party] = p.OfficeHours
	}
	want := map[string]string{"IT": ping.OfficeInside, "FR": ping.OfficeOutside, "DE": ping.OfficeUnknown}
	if len(office) != len(want) {
		t.Fatalf("campaign pinged %v, want exactly %v (the nodes of the network but not the US itself)", office, want)
	}
	for p, w := range want {
		if office[p] != w {
			t.Errorf("%s office hours = %q, want %q", p, office[p], w)
		}
	}

	// Machine receipts come back at once; each challenge is raised to the
	// person on duty on its side.
	testkit.Eventually(t, "receipts from IT, FR and DE", func() bool {
		rs := resultsByParty(t, us, c.ID)
		return rs["IT"].Reachable && rs["FR"].Reachable && rs["DE"].Reachable
	})
	for party, s := range map[string]*ping.Service{"IT": it, "FR": fr, "DE": de} {
		testkit.Eventually(t, party+" challenge pending", func() bool { return len(pendingFrom(t, s)) == 1 })
	}
	itc := pendingFrom(t, it)[0]
	if !strings.Contains(itc.RaisedTo, "Paola Esempio") || itc.From != "US-247" {
		t.Errorf("IT challenge raised to %q from %q, want Paola Esempio from US-247", itc.RaisedTo, itc.From)
	}
	if rs := resultsByParty(t, us, c.ID); rs["IT"].State != ping.StateWaiting {
		t.Fatalf("IT state before any answer = %q, want waiting: a receipt alone must not pass a ping", rs["IT"].State)
	}

	// Italy answers after 5 minutes.
	pn.clk.Advance(5 * time.Minute)
	if _, err := it.Answer(ctx, itc.ID, "Paola Esempio"); err != nil {
		t.Fatal(err)
	}
	if _, err := it.Answer(ctx, itc.ID, "Paola Esempio"); !apperr.Is(err, apperr.EConflict) {
		t.Errorf("second answer: err %v, want EConflict", err)
	}
	if _, err := it.Answer(ctx, strings.Repeat("0", 32), "Paola Esempio"); !apperr.Is(err, apperr.ENotFound) {
		t.Errorf("answer to an unknown challenge: err %v, want ENotFound", err)
	}
	if _, err := it.Answer(ctx, itc.ID, "  "); !apperr.Is(err, apperr.EInvalid) {
		t.Errorf("answer without a name: err %v, want EInvalid", err)
	}
	testkit.Eventually(t, "IT answer at the US", func() bool { return resultsByParty(t, us, c.ID)["IT"].State == ping.StatePassed })
	if r := resultsByParty(t, us, c.ID)["IT"]; r.AnswerSeconds != 300 || r.AnsweredBy != "Paola Esempio" {
		t.Errorf("IT answered in %vs by %q, want 300s by Paola Esempio", r.AnswerSeconds, r.AnsweredBy)
	}

	// The window closes at 30 minutes: FR and DE fail and are escalated
	// to their backups, on the US side and on their own.
	pn.clk.Advance(26 * time.Minute)
	sw, err := us.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sw.Failed != 2 {
		t.Errorf("US sweep failed %d pings, want 2 (FR, DE)", sw.Failed)
	}
	for party, s := range map[string]*ping.Service{"FR": fr, "DE": de, "IT": it} {
		sw, err := s.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantEsc := 1
		if party == "IT" {
			wantEsc = 0 // answered in time
		}
		if sw.Escalated != wantEsc {
			t.Errorf("%s sweep escalated %d challenges, want %d", party, sw.Escalated, wantEsc)
		}
	}
	if cs := pendingFrom(t, fr); len(cs) != 1 || !strings.Contains(cs[0].EscalatedTo, "Luc Essai") {
		t.Errorf("FR pending after the window = %+v, want one escalated to Luc Essai", cs)
	}

	// France answers late, at 40 minutes.
	pn.clk.Advance(9 * time.Minute)
	if _, err := fr.Answer(ctx, pendingFrom(t, fr)[0].ID, "Luc Essai"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "FR late answer at the US", func() bool { return resultsByParty(t, us, c.ID)["FR"].State == ping.StateLate })

	rs := resultsByParty(t, us, c.ID)
	if r := rs["FR"]; r.AnswerSeconds != 40*60 || !strings.Contains(r.EscalatedTo, "Luc Essai") {
		t.Errorf("FR result = %+v, want answered after 2400s and escalated to Luc Essai", r)
	}
	if r := rs["DE"]; r.State != ping.StateFailed || r.AnswerSeconds != -1 || !strings.Contains(r.EscalatedTo, "Greta Muster (backup, +00 49 0000 0002)") {
		t.Errorf("DE result = %+v, want failed, unanswered, escalated to Greta Muster with her phone", r)
	}

	table, err := us.Table(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ping.CountryRow{}
	for _, row := range table {
		got[row.Party] = row
	}
	wantRows := map[string]ping.CountryRow{
		"DE": {Party: "DE", Pings: 1, Reachable: 1, Failed: 1, PassRate: 0, MedianSeconds: -1, P90Seconds: -1},
		"FR": {Party: "FR", Pings: 1, Reachable: 1, Late: 1, PassRate: 0, MedianSeconds: 2400, P90Seconds: 2400, OutsideHours: 1},
		"IT": {Party: "IT", Pings: 1, Reachable: 1, Passed: 1, PassRate: 1, MedianSeconds: 300, P90Seconds: 300},
	}
	for p, w := range wantRows {
		if got[p] != w {
			t.Errorf("table row %s = %+v, want %+v", p, got[p], w)
		}
	}
	if len(got) != len(wantRows) {
		t.Errorf("table has %d rows, want %d", len(got), len(wantRows))
	}
	// 91 days later the campaign falls out of the table.
	pn.clk.Advance(91 * 24 * time.Hour)
	if table, err := us.Table(ctx, 0); err != nil || len(table) != 0 {
		t.Errorf("table 91 days later = %+v, %v; want empty", table, err)
	}
}

// TestCampaignChoosesTargets checks --to: named parties only, the node's
// own party and parties without a node skipped with a reason, unknown
// codes refused before anything is sent.
func TestCampaignChoosesTargets(t *testing.T) {
	ctx := context.Background()
	pn := startNet(t, store.SQLite, "US", "IT")
	us := pn.svc["US"]
	c, err := us.StartCampaign(ctx, ping.CampaignOptions{To: []string{"it", "US", "FR"}, By: "Sam Sample", Window: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Pings) != 1 || c.Pings[0].Party != "IT" || !c.Pings[0].Deadline.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("pings = %+v, want one to IT with a 10-minute window", c.Pings)
	}
	skipped := map[string]string{}
	for _, s := range c.Skipped {
		skipped[s.Party] = s.Reason
	}
	if !strings.Contains(skipped["US"], "own party") || !strings.Contains(skipped["FR"], "lists no node") {
		t.Errorf("skipped = %v, want US (own party) and FR (no node)", skipped)
	}
	for _, tc := range []struct {
		name string
		opt  ping.CampaignOptions
		want string
	}{
		{"unknown party", ping.CampaignOptions{To: []string{"XX"}, By: "Sam"}, `party "XX" is not in directory`},
		{"no name", ping.CampaignOptions{To: []string{"IT"}}, "name who starts"},
		{"window too short", ping.CampaignOptions{By: "Sam", Window: time.Second}, "between 1m"},
		{"window too long", ping.CampaignOptions{By: "Sam", Window: 48 * time.Hour}, "between 1m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := us.StartCampaign(ctx, tc.opt)
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EInvalid containing %q", err, tc.want)
			}
		})
	}
	latest, err := us.LatestCampaign(ctx)
	if err != nil || latest != c.ID {
		t.Errorf("latest campaign = %q, %v; want %q", latest, err, c.ID)
	}
}

// TestCampaignQueuedInOneTransaction checks that a campaign is queued as
// one transaction: every challenge has its row, its envelope in the outbox
// and its audit record; and when one challenge cannot be sealed (Germany's
// encryption key revoked), nothing of the campaign is stored, not even
// the challenges that could be.
func TestCampaignQueuedInOneTransaction(t *testing.T) {
	storetest.ForEachEngine(t, testCampaignQueuedInOneTransaction)
}

func testCampaignQueuedInOneTransaction(t *testing.T, backend string) {
	ctx := context.Background()
	pn := startNet(t, backend, "US", "IT", "FR", "DE")
	us, db := pn.svc["US"], pn.Node("US").DB
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	c, err := us.StartCampaign(ctx, ping.CampaignOptions{By: "Sam Sample"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Pings) != 3 {
		t.Fatalf("pings = %d, want 3 (IT, FR, DE)", len(c.Pings))
	}
	for _, p := range c.Pings {
		if n := count(`SELECT COUNT(*) FROM pings_out WHERE message_id = $1 AND campaign_id = $2`, p.MessageID, c.ID); n != 1 {
			t.Errorf("%s: %d challenge rows, want 1", p.Party, n)
		}
		if n := count(`SELECT COUNT(*) FROM outbound_envelopes WHERE message_id = $1 AND recipient = $2 AND kind = 'ping'`, p.MessageID, p.Authority); n != 1 {
			t.Errorf("%s: %d queued envelopes, want 1", p.Party, n)
		}
		recs, err := auditlog.List(ctx, db, auditlog.Query{MessageID: p.MessageID, Kind: auditlog.EnvelopeSent})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 {
			t.Errorf("%s: %d audit records of the sent envelope, want 1", p.Party, len(recs))
		}
	}

	pn.publish(t, func(s *directory.Snapshot) {
		p, _ := s.Party("DE")
		for i := range p.Authorities {
			for k := range p.Authorities[i].Keys {
				if p.Authorities[i].Keys[k].Use == directory.UseEncryption {
					p.Authorities[i].Keys[k].Revoked = t0.Add(-time.Hour)
				}
			}
		}
	})
	pn.clk.Advance(2 * time.Second) // a new campaign id (one-second stamp)
	campaigns, pings, envs := count(`SELECT COUNT(*) FROM ping_campaigns`), count(`SELECT COUNT(*) FROM pings_out`), count(`SELECT COUNT(*) FROM outbound_envelopes`)
	if _, err := us.StartCampaign(ctx, ping.CampaignOptions{By: "Sam Sample"}); err == nil || !strings.Contains(err.Error(), "DE") {
		t.Fatalf("campaign with Germany's key revoked: err = %v, want an error naming DE", err)
	}
	if got := []int{count(`SELECT COUNT(*) FROM ping_campaigns`), count(`SELECT COUNT(*) FROM pings_out`), count(`SELECT COUNT(*) FROM outbound_envelopes`)}; got[0] != campaigns || got[1] != pings || got[2] != envs {
		t.Errorf("after the failed campaign: campaigns, challenges, envelopes = %v, want unchanged %v", got, []int{campaigns, pings, envs})
	}
}
