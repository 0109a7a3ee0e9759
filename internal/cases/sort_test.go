package cases

import (
	"testing"
	"time"

	"github.com/art35/art35/internal/request"
)

// TestSortByDue: what is due first comes first; cases without an open
// clock follow, the most recently updated first.
func TestSortByDue(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	due := func(d time.Duration) *request.Deadline { return &request.Deadline{Due: t0.Add(d)} }
	list := []Summary{
		{ID: "old-no-clock", Updated: t0.Add(-2 * time.Hour)},
		{ID: "in-24h", NextDue: due(24 * time.Hour)},
		{ID: "new-no-clock", Updated: t0},
		{ID: "in-15m", NextDue: due(15 * time.Minute)},
		{ID: "overdue", NextDue: due(-time.Hour)},
	}
	sortByDue(list)
	want := []string{"overdue", "in-15m", "in-24h", "new-no-clock", "old-no-clock"}
	for i, id := range want {
		if list[i].ID != id {
			t.Fatalf("position %d: %s, want %s (%v)", i, list[i].ID, id, list)
		}
	}
}
