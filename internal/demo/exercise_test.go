package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/demo"
)

// TestDemoExercise plays the demo's exercise story alone on the demo
// network: the exercise opens on FR, US and IT, its injects arrive, and
// it is absent from IT's real statistics and present in its own (the
// story checks the figures and fails otherwise).
func TestDemoExercise(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w, err := demo.Start(ctx, t.TempDir(), clock.NewManual(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Net.Close()
	var story demo.Story
	for _, s := range demo.Stories() {
		if strings.HasPrefix(s.Title, "exercise") {
			story = s
		}
	}
	if story.Play == nil {
		t.Fatal("the demo has no exercise story")
	}
	res := demo.Play(ctx, w, []demo.Story{story})
	if res[0].Err != nil {
		t.Fatalf("exercise story: %v\n%s", res[0].Err, strings.Join(res[0].Lines, "\n"))
	}
	out := strings.Join(res[0].Lines, "\n")
	for _, want := range []string{"opened exercise EX-2026-DEMO", "inject at minute 0: preserve to IT-247", "inject at minute 4: ping to IT-247",
		"leaves the exercise out (1)", "exercise EX-2026-DEMO counts its own: 1 request, 1 ping"} {
		if !strings.Contains(out, want) {
			t.Errorf("story lacks %q:\n%s", want, out)
		}
	}
	for _, p := range []string{"FR", "US", "IT"} {
		b, ok, err := w.Services[p].Exercise.Banner(ctx, "")
		if err != nil || !ok || b.ID != demo.DemoExercise {
			t.Errorf("%s shows no exercise banner: %+v %v %v", p, b, ok, err)
		}
	}
	if _, ok, _ := w.Services["GB"].Exercise.Banner(ctx, ""); ok {
		t.Error("GB, not a participant, shows the exercise banner")
	}
}
