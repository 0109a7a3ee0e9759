package demo

import (
	"context"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
)

// TestStory2Live: after story 2 is played, the running demo keeps
// reporting logins of the fugitive, and each reaches Norway, where the
// watches page shows it arrive. The clock is fixed, as in
// TestScenariosOnly, so nothing depends on the day the test runs.
func TestStory2Live(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := Start(ctx, t.TempDir(), clock.NewManual(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Net.Close()
	lines, err := playStory2(ctx, w)
	if err != nil {
		t.Fatalf("story 2: %v\n%q", err, lines)
	}
	no, err := w.Services["NO"].Watch.Events(ctx, "")
	if err != nil || len(no) != 1 {
		t.Fatalf("NO holds %d events after the story (%v), want 1", len(no), err)
	}
	go story2Live(ctx, w, 50*time.Millisecond)
	if err := waitFor(ctx, "two more logins at NO", 30*time.Second, func() (bool, error) {
		es, err := w.Services["NO"].Watch.Events(ctx, "")
		return len(es) >= 3, err
	}); err != nil {
		t.Fatal(err)
	}
}
