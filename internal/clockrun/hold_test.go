package clockrun_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/clockrun"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testnet"
)

func startNet(t *testing.T, backend string, clk clock.Clock, parties ...string) *testnet.Net {
	t.Helper()
	opt := testnet.Options{Parties: parties, Dir: t.TempDir(), Clock: clk}
	if backend == store.Postgres {
		dsns := map[string]string{}
		for _, p := range parties {
			dsns[p] = storetest.DSN(t, backend)
		}
		opt.Database = func(p string) (string, error) { return dsns[p], nil }
	}
	net, err := testnet.Start(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	return net
}

// waitCaseState waits for a case to reach a state. When it has not after a
// second, it moves the manual clock on by a second per poll: a delivery
// that failed once (a node still starting) is retried at a later time of
// the node's clock, which a manual clock only reaches when moved.
func waitCaseState(t *testing.T, clk *clock.Manual, svc *cases.Service, id string, want request.State) *cases.Case {
	t.Helper()
	start := time.Now()
	for {
		c, err := svc.Get(context.Background(), id)
		if err == nil && c.Lifecycle.State == want {
			return c
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("request %s never reached %s (%v)", id, want, err)
		}
		if time.Since(start) > time.Second {
			clk.Advance(time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// preserved sends fixture doc from one node to the other and has the
// requested side preserve it.
func preserved(t *testing.T, clk *clock.Manual, net *testnet.Net, from, to string, doc []byte) *cases.Case {
	t.Helper()
	ctx := context.Background()
	c, problems, err := net.Node(from).Cases.Submit(ctx, doc, "Alex Example (fictional)")
	if err != nil {
		t.Fatal(err, problems)
	}
	rq := net.Node(to).Cases
	waitCaseState(t, clk, rq, c.Request.ID, request.StateDelivered)
	for _, st := range []request.Step{
		{To: request.StateAcknowledged, By: "Paola Prova (fictional)"},
		{To: request.StateInProgress, By: "Paola Prova (fictional)"},
		{To: request.StatePreserved, By: "Paola Prova (fictional)", ProviderRef: "ISP-1"},
	} {
		if _, err := rq.Act(ctx, c.Request.ID, st, nil); err != nil {
			t.Fatal(err)
		}
	}
	waitCaseState(t, clk, net.Node(from).Cases, c.Request.ID, request.StatePreserved)
	return c
}

func preservationDeadline(t *testing.T, a request.Agenda) request.Deadline {
	t.Helper()
	for _, d := range a.Deadlines {
		if d.Clock == request.ClockPreservation {
			return d
		}
	}
	t.Fatalf("no preservation clock in %+v", a.Deadlines)
	return request.Deadline{}
}

// TestMLAHoldSameEverywhere (issue 12, SPEC section 6): a preserved request
// whose MLA follow-up reached the requested party is "held until the MLA
// is decided" in the one clock computation (cases.Clocks) that the CLI's
// case show and the portal read, in the case list, and for the clock
// runner, which therefore neither reminds nor lapses it after 60 days;
// the same on both sides and both engines.
func TestMLAHoldSameEverywhere(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, backend string) {
		clk := clock.NewManual(t0)
		net := startNet(t, backend, clk, "US", "IT")
		ctx := context.Background()
		doc, err := os.ReadFile("../cases/testdata/preserve.json")
		if err != nil {
			t.Fatal(err)
		}
		c := preserved(t, clk, net, "US", "IT", doc)

		// Before the MLA request: the preservation ends 60 days after execution.
		itc, err := net.Node("IT").Cases.Get(ctx, c.Request.ID)
		if err != nil {
			t.Fatal(err)
		}
		ag, _, err := net.Node("IT").Cases.Clocks(ctx, itc, request.DefaultPolicy(), clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if d := preservationDeadline(t, ag); d.Status != request.DeadlinePending || d.Due.IsZero() {
			t.Fatalf("before the MLA: %+v", d)
		}

		// The central authority's MLA follow-up reaches Italy.
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "preserve")
		m["id"], m["type"], m["sender_ref"] = "US-2026-000102", "mla-followup", "MLA-2026-77"
		m["mla_followup"] = map[string]any{"preservation_id": c.Request.ID, "mla_date": "2026-11-25T02:00:00Z", "ticket": "MLA-2026-77",
			"channel": "central-authority", "requesting_authority": "Example Ministry of Justice (fictional)", "executing_authority": "Example Ministry of Justice IT (fictional)"}
		mdoc, _ := json.Marshal(m)
		mla, problems, err := net.Node("US").Cases.Submit(ctx, mdoc, "Alex Example (fictional)")
		if err != nil {
			t.Fatal(err, problems)
		}
		waitCaseState(t, clk, net.Node("IT").Cases, mla.Request.ID, request.StateDelivered)
		waitCaseState(t, clk, net.Node("US").Cases, mla.Request.ID, request.StateDelivered)

		// 70 days later, on both sides.
		clk.Advance(70 * 24 * time.Hour)
		for _, side := range []string{"US", "IT"} {
			svc := net.Node(side).Cases
			cc, err := svc.Get(ctx, c.Request.ID)
			if err != nil {
				t.Fatal(err)
			}
			ag, _, err := svc.Clocks(ctx, cc, request.DefaultPolicy(), clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			d := preservationDeadline(t, ag)
			if d.Status != request.DeadlineSuspended || !strings.HasPrefix(d.Note, request.HeldForMLA) {
				t.Errorf("%s: preservation clock %+v, want held", side, d)
			}
			for _, a := range ag.Actions {
				if a.Clock == request.ClockPreservation {
					t.Errorf("%s: action %+v due on a held preservation", side, a)
				}
			}
			list, err := svc.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range list {
				if s.ID == c.Request.ID && s.Held != request.HeldForMLA {
					t.Errorf("%s: case list shows %+v, want held", side, s)
				}
			}
			r, err := app.Clocks(net.Node(side), clockrun.Options{Settings: &notify.Settings{}})
			if err != nil {
				t.Fatal(err)
			}
			rep, _ := r.Tick(ctx) // delivery errors (no mail server) do not matter here
			for _, p := range rep.Performed {
				if p.Request == c.Request.ID && (p.Kind == request.ActionLapsed || p.Kind == request.ActionRemind) {
					t.Errorf("%s: the runner performed %+v on a held preservation", side, p)
				}
			}
		}
	})
}

// TestEUExtensionAppliedToOriginal: an extension of a European
// Preservation Order, sent as a new linked request, extends the original
// by 30 days once it reaches the addressee (Reg. 2023/1543 Art. 11(1)):
// 60 + 30 days from execution.
func TestEUExtensionAppliedToOriginal(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, backend string) {
		clk := clock.NewManual(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
		net := startNet(t, backend, clk, "FR", "DE")
		ctx := context.Background()
		raw, err := os.ReadFile("../cases/testdata/preserve.json")
		if err != nil {
			t.Fatal(err)
		}
		doc := []byte(strings.NewReplacer(`"party": "US"`, `"party": "FR"`, `"party": "IT"`, `"party": "DE"`, "US-2026-000101", "FR-2026-000101",
			`"instrument": "budapest"`, `"instrument": "eu-2023-1543"`, "America/New_York", "Europe/Paris").Replace(string(raw)))
		c := preserved(t, clk, net, "FR", "DE", doc)
		de := net.Node("DE").Cases
		cc, _ := de.Get(ctx, c.Request.ID)
		ag, f, err := de.Clocks(ctx, cc, request.DefaultPolicy(), clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		pres, _ := cc.Lifecycle.First("transition", request.StatePreserved)
		want60 := pres.At.In(f.Zone).AddDate(0, 0, 60).UTC()
		if d := preservationDeadline(t, ag); !d.Due.Equal(want60) {
			t.Fatalf("EU preservation ends %s, want %s (60 days)", d.Due, want60)
		}
		ext, err := request.Extend(c.Request, "FR-2026-000102", clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		edoc, _ := json.Marshal(ext)
		e, problems, err := net.Node("FR").Cases.Submit(ctx, edoc, "Camille Exemple (fictional)")
		if err != nil {
			t.Fatal(err, problems)
		}
		waitCaseState(t, clk, de, e.Request.ID, request.StateDelivered)
		waitCaseState(t, clk, net.Node("FR").Cases, e.Request.ID, request.StateDelivered)
		want90 := pres.At.In(f.Zone).AddDate(0, 0, 90).UTC()
		for _, side := range []string{"FR", "DE"} {
			svc := net.Node(side).Cases
			cc, _ := svc.Get(ctx, c.Request.ID)
			ag, _, err := svc.Clocks(ctx, cc, request.DefaultPolicy(), clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			if d := preservationDeadline(t, ag); !d.Due.Equal(want90) || !strings.Contains(d.Source, "30 days") {
				t.Errorf("%s: after the extension %+v, want %s (60 + 30 days)", side, d, want90)
			}
		}
	})
}
