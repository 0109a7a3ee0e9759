package stats_test

import (
	"context"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store/storetest"
)

// TestOffenceClasses classifies cases of the history on the US node and
// reads the figures by offence class: a case of two classes counts in
// each, the rest is unclassified, the totals count each case once, and
// the share carries the classes.
func TestOffenceClasses(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		h := statstest.Start(t, backend, statstest.Options{})
		h.Play(t)
		ctx := context.Background()
		us := h.Net.Node("US")
		cl := stats.Classifier{DB: us.DB}
		if err := cl.Classify(ctx, statstest.IDA, []string{"illegal-access", "computer-related-fraud"}, "Alex Example", h.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := cl.Classify(ctx, statstest.IDB, []string{"system-interference"}, "Alex Example", h.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		// Reclassifying replaces.
		if err := cl.Classify(ctx, statstest.IDB, []string{"illegal-access"}, "Alex Example", h.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := cl.Classify(ctx, statstest.IDC, []string{"hacking"}, "Alex Example", h.Clock.Now()); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "illegal-access") {
			t.Errorf("unknown class: %v", err)
		}
		if err := cl.Classify(ctx, "US-2026-999999", []string{"illegal-access"}, "Alex Example", h.Clock.Now()); !apperr.Is(err, apperr.ENotFound) {
			t.Errorf("unknown case: %v", err)
		}
		r, err := stats.New(us.DB, h.Clock).Compute(ctx, stats.Query{By: stats.ByOffence})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, row := range r.Rows {
			got[row.Key] = row.Requests
		}
		if len(got) != 3 || got["illegal-access"] != 2 || got["computer-related-fraud"] != 1 || got[stats.Unclassified] != 2 || r.Sent.Requests != 4 {
			t.Errorf("by offence = %v, total %d", got, r.Sent.Requests)
		}
		sh, err := stats.New(us.DB, h.Clock).NewShare(ctx, "US-247", "US", statstest.T0.AddDate(0, 0, -1), statstest.T0.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(sh.Offences) != 3 {
			t.Errorf("share offences = %+v", sh.Offences)
		}
	})
}
