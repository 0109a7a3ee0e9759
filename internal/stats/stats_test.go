package stats_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store/storetest"
)

func secs(d time.Duration) float64 { return d.Seconds() }

func wantDur(t *testing.T, what string, got stats.Durations, count int, median, p90, max time.Duration) {
	t.Helper()
	if got.Count != count || got.MedianSeconds != secs(median) || got.P90Seconds != secs(p90) || got.MaxSeconds != secs(max) {
		t.Errorf("%s = %+v, want count %d, median %s, p90 %s, max %s", what, got, count, median, p90, max)
	}
}

// checkCasework checks the figures of the history's four real requests
// (A, the MLA follow-up, B, C) as either side sees them: both nodes share
// the manual clock, so the durations are the timeline's.
func checkCasework(t *testing.T, side string, f stats.Figures) {
	t.Helper()
	if f.Requests != 4 || f.Open != 4 {
		t.Errorf("%s: %d requests, %d open; want 4 and 4", side, f.Requests, f.Open)
	}
	// Receipts: A, MLA and B at once, C when Italy came back.
	wantDur(t, side+" to receipt", f.ToReceipt, 4, 0, statstest.ReceiptC, statstest.ReceiptC)
	// Acknowledgements: A 10 min, C 30 min, B 40 min (nearest rank of 3).
	wantDur(t, side+" to acknowledgement", f.ToAcknowledgement, 3, statstest.AckC, statstest.AckB, statstest.AckB)
	wantDur(t, side+" to preservation", f.ToPreservation, 1, statstest.PreservedA, statstest.PreservedA, statstest.PreservedA)
	wantDur(t, side+" to disclosure", f.ToDisclosure, 1, statstest.DiscloseC, statstest.DiscloseC, statstest.DiscloseC)
	// A (urgent, 2 h) and C (routine, 24 h) in time; B (emergency, 15
	// min) late; the MLA follow-up's 24 h clock still runs.
	if f.AckDecided != 3 || f.AckInTime != 2 || f.AckInTimeShare != 2.0/3 {
		t.Errorf("%s: ack clock decided %d, in time %d, share %v; want 3, 2, 2/3", side, f.AckDecided, f.AckInTime, f.AckInTimeShare)
	}
	if f.Preserved != 1 || f.FollowedByMLA != 1 || f.MLAShare != 1 {
		t.Errorf("%s: preserved %d, followed by MLA %d, share %v; want 1, 1, 1", side, f.Preserved, f.FollowedByMLA, f.MLAShare)
	}
	if f.Declined != 1 || len(f.DeclinesByCode) != 1 || f.DeclinesByCode[string(statstest.DeclineCode)] != 1 {
		t.Errorf("%s: declined %d by code %v; want 1 %s", side, f.Declined, f.DeclinesByCode, statstest.DeclineCode)
	}
}

// TestStatisticsOfAHistory plays a known history between two real nodes
// and checks each node's figures against its timeline, per country, type
// and priority, over a part of the period, with the exercise kept apart,
// and that no name or reference leaks into them.
func TestStatisticsOfAHistory(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		h := statstest.Start(t, backend, statstest.Options{})
		h.Play(t)
		ctx := context.Background()
		us := stats.New(h.Net.Node("US").DB, h.Clock)
		it := stats.New(h.Net.Node("IT").DB, h.Clock)

		r, err := us.Compute(ctx, stats.Query{})
		if err != nil {
			t.Fatal(err)
		}
		checkCasework(t, "US sent", r.Sent)
		if r.Received.Requests != 0 {
			t.Errorf("US received %d, want 0", r.Received.Requests)
		}
		if len(r.Rows) != 1 || r.Rows[0].Key != "IT" || r.Rows[0].Direction != stats.Sent {
			t.Fatalf("US rows by country = %+v, want one: IT sent", r.Rows)
		}
		checkCasework(t, "US sent to IT", r.Rows[0].Figures)
		if len(r.Pings) != 1 {
			t.Fatalf("US pings = %+v", r.Pings)
		}
		p := r.Pings[0]
		if p.Key != "IT" || p.Direction != stats.Sent || p.Pings != 1 || p.Reachable != 1 || p.Answered != 1 || p.InTime != 1 {
			t.Errorf("US ping row = %+v", p)
		}
		wantDur(t, "US ping answer", p.Answer, 1, statstest.PingAnswer, statstest.PingAnswer, statstest.PingAnswer)

		// Italy received the same four, and an exercise it must not count.
		ri, err := it.Compute(ctx, stats.Query{By: stats.ByType})
		if err != nil {
			t.Fatal(err)
		}
		checkCasework(t, "IT received", ri.Received)
		if ri.Excluded.Exercises != 1 {
			t.Errorf("IT excluded %d exercises, want 1 (D)", ri.Excluded.Exercises)
		}
		if len(ri.Rows) != 2 || ri.Rows[0].Key != "mla-followup" || ri.Rows[0].Requests != 1 || ri.Rows[1].Key != "preserve" || ri.Rows[1].Requests != 3 {
			t.Errorf("IT rows by type = %+v", ri.Rows)
		}
		if len(ri.Pings) != 1 || ri.Pings[0].Key != "US-247" || ri.Pings[0].Direction != stats.Received || ri.Pings[0].InTime != 1 {
			t.Errorf("IT ping rows = %+v", ri.Pings)
		} else {
			wantDur(t, "IT ping answer", ri.Pings[0].Answer, 1, statstest.PingAnswer, statstest.PingAnswer, statstest.PingAnswer)
		}
		ex, err := it.Compute(ctx, stats.Query{Scope: stats.ScopeExercise})
		if err != nil {
			t.Fatal(err)
		}
		if ex.Received.Requests != 1 || ex.Excluded.RealWork != 4 || len(ex.Pings) != 0 {
			t.Errorf("IT exercise report: received %d, real work left out %d, pings %d; want 1, 4, 0", ex.Received.Requests, ex.Excluded.RealWork, len(ex.Pings))
		}

		byPrio, err := us.Compute(ctx, stats.Query{By: stats.ByPriority})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, row := range byPrio.Rows {
			got[row.Key] = row.Requests
		}
		if len(got) != 3 || got["emergency"] != 1 || got["urgent"] != 1 || got["routine"] != 2 {
			t.Errorf("US by priority = %v, want emergency 1, urgent 1, routine 2", got)
		}

		// A period that starts after B was sent holds C alone, and the ping.
		part, err := us.Compute(ctx, stats.Query{From: statstest.T0.Add(statstest.BAt + time.Minute), To: statstest.T0.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if part.Sent.Requests != 1 || part.Sent.ToReceipt.MaxSeconds != secs(statstest.ReceiptC) || part.Sent.ToDisclosure.Count != 1 || len(part.Pings) != 1 {
			t.Errorf("US from B+1m: %+v, pings %d", part.Sent, len(part.Pings))
		}
		before, err := us.Compute(ctx, stats.Query{From: statstest.T0, To: statstest.T0})
		if err == nil {
			t.Errorf("a period that ends where it starts was accepted: %+v", before)
		}

		for _, rep := range []*stats.Report{r, ri, ex, byPrio} {
			b, _ := json.Marshal(rep)
			for _, s := range append(append([]string{}, statstest.Officers...), statstest.SenderRefs...) {
				if strings.Contains(string(b), s) {
					t.Errorf("a statistic contains %q: %s", s, b)
				}
			}
		}
	})
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in                    []float64
		count                 int
		median, p90, maxValue float64
	}{
		{nil, 0, 0, 0, 0},
		{[]float64{5}, 1, 5, 5, 5},
		{[]float64{4, 1, 3, 2}, 4, 2, 4, 4},
		{[]float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}, 10, 5, 9, 10},
	} {
		got := stats.Summarize(c.in)
		if got.Count != c.count || got.MedianSeconds != c.median || got.P90Seconds != c.p90 || got.MaxSeconds != c.maxValue {
			t.Errorf("Summarize(%v) = %+v", c.in, got)
		}
	}
}

func TestParseDimension(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]stats.Dimension{"": stats.ByCountry, "country": stats.ByCountry, "type": stats.ByType, "priority": stats.ByPriority} {
		if got, err := stats.ParseDimension(in); err != nil || got != want {
			t.Errorf("ParseDimension(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := stats.ParseDimension("person"); err == nil || !strings.Contains(err.Error(), "country, type, priority or offence") {
		t.Errorf("ParseDimension(person) = %v", err)
	}
}
