package exercise_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/clockrun"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// exNet is a test network whose nodes run the exercise and ping services;
// FR's node is the secretariat's (it holds the secretariat key).
type exNet struct {
	*testnet.Net
	ex   map[string]*exercise.Service
	ping map[string]*ping.Service
	clk  *clock.Manual
}

func startNet(t *testing.T, backend string) *exNet {
	t.Helper()
	en := &exNet{ex: map[string]*exercise.Service{}, ping: map[string]*ping.Service{}, clk: clock.NewManual(t0)}
	var mu sync.Mutex
	en.Net = testnet.StartTest(t, backend, testnet.Options{Parties: []string{"FR", "US", "IT"}, Clock: en.clk,
		Setup: func(party string, n *node.Node) error {
			mu.Lock()
			defer mu.Unlock()
			en.ping[party] = app.RegisterPing(n)
			en.ex[party] = app.RegisterExercise(n, nil)
			return nil
		}})
	en.ex["FR"].Signer = en.SecretariatKey
	return en
}

func blue() exercise.Announcement {
	return exercise.Announcement{ID: "EX-2026-BLUE", Name: "Blue Lagoon desktop exercise",
		Starts: t0, Ends: t0.Add(8 * time.Hour),
		Participants: []exercise.Participant{
			{Authority: "US-247", Contacts: []exercise.Contact{{Name: "Una Exercise (fictional)", Email: "una.exercise@example.org"}}},
			{Authority: "IT-247", Contacts: []exercise.Contact{{Name: "Ivo Esercizio (fictional)", Email: "ivo.esercizio@example.org"}}},
		}}
}

func TestExerciseOnNetwork(t *testing.T) {
	storetest.ForEachEngine(t, testExercise)
}

func testExercise(t *testing.T, backend string) {
	ctx := context.Background()
	en := startNet(t, backend)
	fr, us, it := en.Node("FR"), en.Node("US"), en.Node("IT")

	// Only the secretariat opens an exercise: US has no secretariat key,
	// and a US key is not the secretariat's.
	if _, err := en.ex["US"].Open(ctx, blue(), "Sam Sample"); !apperr.Is(err, apperr.EUnauthorized) {
		t.Fatalf("US opened an exercise: %v", err)
	}
	en.ex["US"].Signer = us.Signing
	if _, err := en.ex["US"].Open(ctx, blue(), "Sam Sample"); !apperr.Is(err, apperr.EUnauthorized) {
		t.Fatalf("US opened an exercise with its own key: %v", err)
	}
	en.ex["US"].Signer = nil

	// A forged announcement (signed by US's node key, sent by US to IT):
	// IT refuses it before storing anything.
	a := blue()
	a.V, a.Action, a.Issued = 1, exercise.ActionOpen, t0
	forged, err := exercise.Sign(a, us.Signing)
	if err != nil {
		t.Fatal(err)
	}
	env, err := us.Send(ctx, envelope.Header{IdempotencyKey: "forged-exercise", Kind: envelope.KindDirectoryNotice,
		Subkind: exercise.Subkind, Recipient: "IT-247", CaseRef: a.ID, Exercise: true}, forged, nil)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "IT to refuse the forged announcement", func() bool {
		var code string
		err := it.DB.QueryRowContext(ctx, `SELECT code FROM inbox_rejections WHERE message_id = $1`, env.Header.ID).Scan(&code)
		return err == nil && code == "not_admitted"
	})
	var n int
	if err := it.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound_envelopes WHERE message_id = $1`, env.Header.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the forged announcement was stored on IT: %d %v", n, err)
	}
	if l, err := en.ex["IT"].List(ctx); err != nil || len(l) != 0 {
		t.Fatalf("IT knows exercises after a forged announcement: %+v %v", l, err)
	}

	// The secretariat opens it; both participants learn it.
	ex, err := en.ex["FR"].Open(ctx, blue(), "Sabine Secretariat (fictional)")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Role != exercise.RoleControl || ex.State != exercise.StateOpen {
		t.Fatalf("opened: %+v", ex)
	}
	for _, p := range []string{"US", "IT"} {
		testkit.Eventually(t, p+" to take part in the exercise", func() bool {
			cur, err := en.ex[p].Current(ctx)
			return err == nil && cur != nil && cur.ID == "EX-2026-BLUE" && cur.Role == exercise.RoleParticipant
		})
	}

	// Real work goes on meanwhile: US sends IT a real preservation.
	if _, _, err := us.Cases.Submit(ctx, testnet.RequestDoc("preserve", "US-2026-000900", "US", "IT", en.clk.Now()), "Sam Sample"); err != nil {
		t.Fatal(err)
	}

	// The script: a preservation to IT, an emergency to US, a ping to IT.
	sc, err := exercise.ParseScript([]byte(exercise.ScriptHeader + "\nexercise EX-2026-BLUE\nat 0 preserve IT-247\nat 5 emergency US-247\nat 12 ping IT-247 window=15m\n"))
	if err != nil {
		t.Fatal(err)
	}
	var waited []time.Time
	played, err := en.ex["FR"].Play(ctx, sc, exercise.PlayOptions{By: "Exercise Control (fictional)",
		Wait: func(_ context.Context, until time.Time) error {
			waited = append(waited, until)
			if until.After(en.clk.Now()) {
				en.clk.Set(until)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(played) != 3 || len(waited) != 3 || waited[1].Sub(waited[0]) != 5*time.Minute || waited[2].Sub(waited[0]) != 12*time.Minute {
		t.Fatalf("played %+v at %v", played, waited)
	}
	itCase, usCase := played[0].CaseID, played[1].CaseID
	testkit.Eventually(t, "the injects to arrive", func() bool {
		_, e1 := it.Cases.Get(ctx, itCase)
		_, e2 := us.Cases.Get(ctx, usCase)
		_, e3 := it.Cases.Get(ctx, "US-2026-000900")
		return e1 == nil && e2 == nil && e3 == nil
	})
	for _, c := range []struct {
		party, id string
		want      bool
	}{{"IT", itCase, true}, {"US", usCase, true}, {"FR", itCase, true}, {"IT", "US-2026-000900", false}} {
		got, flagged, _, err := en.ex[c.party].OfCase(ctx, c.id)
		if err != nil || flagged != c.want || (c.want && (got == nil || got.ID != "EX-2026-BLUE")) {
			t.Errorf("%s %s: exercise %+v flagged %v (want %v) %v", c.party, c.id, got, flagged, c.want, err)
		}
	}

	// IT acknowledges its exercise case and answers the exercise ping: the
	// evidence and the answer are exercise envelopes without anyone
	// saying so, and FR files them under the exercise.
	en.clk.Advance(time.Minute)
	if _, err := it.Cases.Act(ctx, itCase, request.Step{To: request.StateAcknowledged, By: "Paola Esempio"}, nil); err != nil {
		t.Fatal(err)
	}
	var challenge string
	testkit.Eventually(t, "the exercise ping to reach IT", func() bool {
		l, err := en.ping["IT"].Challenges(ctx, false)
		if err == nil && len(l) == 1 {
			challenge = l[0].ID
		}
		return challenge != ""
	})
	if _, err := en.ping["IT"].Answer(ctx, challenge, "Paola Esempio"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "FR to file the acknowledgement and the ping answer under the exercise", func() bool {
		var n int
		err := fr.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM exercise_messages WHERE exercise_id = 'EX-2026-BLUE' AND direction = 'in' AND kind IN ('evidence', 'ping')`).Scan(&n)
		return err == nil && n >= 2
	})
	testkit.Eventually(t, "FR to see the ping answered", func() bool {
		rs, err := en.ping["FR"].Results(ctx, ping.Filter{})
		return err == nil && len(rs) == 1 && rs[0].Passed()
	})
	// It is in its campaign's results, not in the real responsiveness table.
	if rows, err := en.ping["FR"].Table(ctx, 90); err != nil || len(rows) != 0 {
		t.Errorf("FR's responsiveness table counts the exercise ping: %+v %v", rows, err)
	}

	// The clocks run as for real: US's emergency inject is not
	// acknowledged in 15 minutes; the escalation goes to US's exercise
	// contact, never to its roster. A real emergency to US at the same
	// time goes to the roster.
	if _, _, err := it.Cases.Submit(ctx, testnet.RequestDoc("emergency-disclosure", "IT-2026-000901", "IT", "US", en.clk.Now()), "Paola Esempio"); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the real emergency to reach US", func() bool {
		_, err := us.Cases.Get(ctx, "IT-2026-000901")
		return err == nil
	})
	en.clk.Advance(20 * time.Minute)
	runner, err := app.Clocks(us, clockrun.Options{Settings: &notify.Settings{}})
	if err != nil {
		t.Fatal(err)
	}
	runner.Exercise = en.ex["US"]
	_, _ = runner.Tick(ctx) // deliveries fail (no mail server): the rows say whom
	drill, err := notify.List(ctx, us.DB, usCase)
	if err != nil || len(drill) == 0 {
		t.Fatalf("no notification about the exercise emergency: %v %v", drill, err)
	}
	for _, x := range drill {
		if x.Person != "Una Exercise (fictional)" || x.Address != "una.exercise@example.org" || !strings.HasPrefix(x.Role, "exercise ") {
			t.Errorf("exercise emergency told %+v, not only the exercise contact", x)
		}
	}
	real, err := notify.List(ctx, us.DB, "IT-2026-000901")
	if err != nil || len(real) == 0 {
		t.Fatalf("no notification about the real emergency: %v %v", real, err)
	}
	for _, x := range real {
		if strings.Contains(x.Person, "Exercise") || strings.HasPrefix(x.Role, "exercise ") {
			t.Errorf("real emergency told an exercise contact: %+v", x)
		}
	}

	// Statistics: the exercise is absent from real figures and present in
	// its own, on every node.
	check := func(party string, q stats.Query, sent, received, pingsSent, pingsReceived int) {
		t.Helper()
		n := en.Node(party)
		r, err := stats.New(n.DB, n.Clock).Compute(ctx, q)
		if err != nil {
			t.Fatalf("%s %+v: %v", party, q, err)
		}
		ps, pr := 0, 0
		for _, p := range r.Pings {
			if p.Direction == stats.Sent {
				ps += p.Pings
			} else {
				pr += p.Pings
			}
		}
		if r.Sent.Requests != sent || r.Received.Requests != received || ps != pingsSent || pr != pingsReceived {
			t.Errorf("%s scope %s exercise %q: sent %d received %d pings %d/%d; want %d %d %d/%d", party, q.Scope, q.Exercise,
				r.Sent.Requests, r.Received.Requests, ps, pr, sent, received, pingsSent, pingsReceived)
		}
	}
	real2 := stats.Query{Scope: stats.ScopeReal}
	own := stats.Query{Exercise: "EX-2026-BLUE"}
	check("IT", real2, 1, 1, 0, 0) // the real emergency it sent, the real preservation it received
	check("IT", own, 0, 1, 0, 1)   // the injected preservation, the exercise ping
	check("US", real2, 1, 1, 0, 0)
	check("US", own, 0, 1, 0, 0)
	check("FR", real2, 0, 0, 0, 0)
	check("FR", own, 2, 0, 1, 0)
	check("FR", stats.Query{Exercise: "EX-2026-GREEN"}, 0, 0, 0, 0)

	// Closing archives the exercise's cases everywhere: out of the inbox
	// and the clocks, still readable, audited. Real cases stay.
	if _, err := en.ex["US"].Close(ctx, "EX-2026-BLUE", "Sam Sample"); !apperr.Is(err, apperr.EUnauthorized) {
		t.Fatalf("US closed the exercise: %v", err)
	}
	closed, err := en.ex["FR"].Close(ctx, "EX-2026-BLUE", "Sabine Secretariat (fictional)")
	if err != nil || closed.State != exercise.StateClosed {
		t.Fatalf("close: %+v %v", closed, err)
	}
	for _, p := range []string{"US", "IT"} {
		testkit.Eventually(t, p+" to close the exercise", func() bool {
			cur, err := en.ex[p].Current(ctx)
			return err == nil && cur == nil
		})
	}
	for _, c := range []struct {
		n          *node.Node
		archived   string
		stillThere string
	}{{it, itCase, "US-2026-000900"}, {us, usCase, "IT-2026-000901"}, {fr, itCase, ""}} {
		list, err := c.n.Cases.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, s := range list {
			ids[s.ID] = true
		}
		if ids[c.archived] || (c.stillThere != "" && !ids[c.stillThere]) {
			t.Errorf("%s case list after closing: %v", c.n.Config.Party, ids)
		}
		open, err := c.n.Cases.Open(ctx)
		if err != nil || contains(open, c.archived) {
			t.Errorf("%s clocks still run for %s: %v %v", c.n.Config.Party, c.archived, open, err)
		}
		if _, err := c.n.Cases.Get(ctx, c.archived); err != nil {
			t.Errorf("%s: archived case %s no longer readable: %v", c.n.Config.Party, c.archived, err)
		}
		f, err := c.n.Cases.ExerciseFactsOf(ctx, c.archived)
		if err != nil || f.Archived.IsZero() {
			t.Errorf("%s: %s not archived: %+v %v", c.n.Config.Party, c.archived, f, err)
		}
		testkit.Eventually(t, "the archiving audited on "+c.n.Config.Party, func() bool {
			recs, err := auditlog.List(ctx, c.n.DB, auditlog.Query{Case: c.archived, Kind: auditlog.AdminChange})
			if err != nil {
				return false
			}
			for _, r := range recs {
				if r.Details["change"] == "exercise case archived" && r.Details["exercise"] == "EX-2026-BLUE" {
					return true
				}
			}
			return false
		})
	}
	// The exercise's own figures survive the archiving.
	check("IT", own, 0, 1, 0, 1)
	// A closed exercise is not reopened, and nothing more can be played.
	if _, err := en.ex["FR"].Play(ctx, sc, exercise.PlayOptions{By: "Exercise Control (fictional)"}); !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("played a closed exercise: %v", err)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
