package clockrun_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/clockrun"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// TestTickFollowsWhatIsDue checks that a tick looks only at the cases due
// by now or changed since the last look (table clock_due), that each
// case's stored next due time is the deadline cases.Clocks shows (the one
// clock computation), that an evidence makes its case looked at again, and
// that the escalation still fires once when its time comes.
func TestTickFollowsWhatIsDue(t *testing.T) {
	storetest.ForEachEngine(t, tickFollowsWhatIsDue)
}

func tickFollowsWhatIsDue(t *testing.T, backend string) {
	ctx := context.Background()
	clk := clock.NewManual(t0)
	net := startNet(t, backend, clk, "US", "IT")
	doc, err := os.ReadFile("testdata/preserve.json") // urgent: acknowledged within 2 hours
	if err != nil {
		t.Fatal(err)
	}
	it := net.Node("IT")
	var ids []string
	for i := range 3 {
		d := bytes.Replace(doc, []byte("US-2026-000301"), fmt.Appendf(nil, "US-2026-8%05d", i), 1)
		c, _, err := net.Node("US").Cases.Submit(ctx, d, "Alex Example (fictional)")
		if err != nil {
			t.Fatal(err)
		}
		waitCaseState(t, clk, it.Cases, c.Request.ID, request.StateDelivered)
		ids = append(ids, c.Request.ID)
	}
	runner, err := app.Clocks(it, clockrun.Options{Settings: &notify.Settings{}, SweepEvery: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tick := func(what string, examined, performed int) clockrun.Report {
		t.Helper()
		rep, err := runner.Tick(ctx)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if rep.Examined != examined || len(rep.Performed) != performed {
			t.Fatalf("%s: examined %d cases and performed %d actions (%+v), want %d and %d", what, rep.Examined, len(rep.Performed), rep.Performed, examined, performed)
		}
		return rep
	}
	dueAt := func(id string) (string, bool) {
		t.Helper()
		var at string
		err := it.DB.QueryRowContext(ctx, `SELECT due_at FROM clock_due WHERE request_id = $1`, id).Scan(&at)
		found, err := store.Found(err)
		if err != nil {
			t.Fatal(err)
		}
		return at, found
	}

	if rep := tick("first tick", 3, 3); !rep.Swept {
		t.Error("the first tick of a runner did not look at every open case")
	}
	var last time.Time
	for _, id := range ids {
		c, err := it.Cases.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ag, _, err := it.Cases.Clocks(ctx, c, request.DefaultPolicy(), clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		var ack time.Time
		for _, d := range ag.Deadlines {
			if d.Clock == request.ClockAck {
				ack = d.Due
			}
		}
		// The next action is the escalation to the backup, one
		// acknowledgement period after delivery: the ack deadline.
		if got, _ := dueAt(id); ack.IsZero() || got != store.FormatTime(ack) {
			t.Errorf("%s: stored next due %q, want the acknowledgement deadline %s that cases.Clocks shows", id, got, store.FormatTime(ack))
		}
		if ack.After(last) {
			last = ack
		}
	}
	tick("second tick at the same time", 0, 0)
	clk.Advance(30 * time.Minute)
	tick("half an hour later (nothing due)", 0, 0)

	if _, err := it.Cases.Act(ctx, ids[0], request.Step{To: request.StateAcknowledged, By: "Paola Primo (fictional)"}, nil); err != nil {
		t.Fatal(err)
	}
	tick("after an acknowledgement", 1, 0)
	if at, ok := dueAt(ids[0]); ok {
		t.Errorf("%s acknowledged and not yet preserved: still due at %q, want nothing ahead", ids[0], at)
	}

	clk.Set(last)
	rep := tick("at the acknowledgement deadline", 2, 4) // backup told and negative evidence, for each unacknowledged case
	kinds := map[string]int{}
	for _, p := range rep.Performed {
		kinds[p.Kind]++
	}
	if kinds[request.ActionEscalate] != 2 || kinds[request.ActionNegative] != 2 {
		t.Errorf("performed %v, want 2 escalations and 2 negative evidences", kinds)
	}
	tick("again at the deadline", 0, 0)
	clk.Advance(24 * time.Hour)
	// A day later the sweep looks at the 3 open cases; the supervisor rung
	// (two periods after delivery) fired on the 2 unacknowledged ones.
	rep = tick("a day later: the safety sweep", 3, 2)
	for _, p := range rep.Performed {
		if !rep.Swept || p.Kind != request.ActionEscalate || p.To != "supervisor" {
			t.Errorf("a day later: swept %v, performed %+v; want a sweep and the supervisors told", rep.Swept, p)
		}
	}
	for _, id := range ids[1:] {
		if n := len(notes(t, it.Cases, id, request.NoteEscalated)); n != 3 {
			t.Errorf("%s: %d escalation notes, want 3 (primary, backup, supervisor), each once", id, n)
		}
	}
}
