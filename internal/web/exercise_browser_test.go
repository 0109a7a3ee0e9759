package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/node"
)

// startExerciseNet is startPortalNetClock with the exercise service on
// every node and the portal's EXERCISE banner wired to it (as
// app.Portal does; web cannot import app).
func startExerciseNet(t *testing.T, clk clock.Clock, parties ...string) (*portalNet, map[string]*exercise.Service) {
	t.Helper()
	xs := map[string]*exercise.Service{}
	pn := startPortalNetWith(t, clk, func(party string, n *node.Node) (Deps, error) {
		x := (&exercise.Service{DB: n.DB, Clock: n.Clock, Log: n.Log, Send: n.Send, Directory: n.Directory, Cases: n.Cases,
			Party: n.Config.Party, Authority: n.Config.Authority, SecretariatKey: n.Config.SecretariatKey}).Register(n)
		xs[party] = x
		d := testDeps(n)
		d.Exercise = func(ctx context.Context, caseID string) (ExerciseInfo, bool, error) {
			b, ok, err := x.Banner(ctx, caseID)
			return ExerciseInfo(b), ok, err
		}
		return d, nil
	}, parties...)
	return pn, xs
}

// TestBrowserExerciseBanner: while US takes part in an open exercise,
// every page of its portal (the page list of TestBrowserEveryPage, plus
// an exercise case, its letter and the exercise's statistics) shows the
// EXERCISE banner in Chromium; before the exercise, none does. GB's node
// holds the secretariat key and plays one inject to US.
func TestBrowserExerciseBanner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC))
	pn, xs := startExerciseNet(t, clk, "US", "IT", "GB")
	everyPageSetup(t, pn, clk)

	// Before any exercise: no banner.
	c := pn.signIn(t, "US")
	resp, err := c.Get(pn.url("US", "/inbox"))
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "exercise-banner") {
		t.Fatalf("inbox before the exercise: %d, banner shown: %v", resp.StatusCode, strings.Contains(body, "exercise-banner"))
	}

	xs["GB"].Signer = pn.SecretariatKey
	now := clk.Now()
	if _, err := xs["GB"].Open(ctx, exercise.Announcement{ID: "EX-2026-BLUE", Name: "Blue Lagoon", Starts: now, Ends: now.Add(8 * time.Hour),
		Participants: []exercise.Participant{{Authority: "US-247"}, {Authority: "IT-247"}}}, "Sam Sample"); err != nil {
		t.Fatal(err)
	}
	sc, err := exercise.ParseScript([]byte(exercise.ScriptHeader + "\nexercise EX-2026-BLUE\nat 0 preserve US-247\n"))
	if err != nil {
		t.Fatal(err)
	}
	played, err := xs["GB"].Play(ctx, sc, exercise.PlayOptions{By: "Exercise Control (fictional)", Wait: func(context.Context, time.Time) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	drill := played[0].CaseID
	waitCase(t, pn.Node("US"), drill)

	// The inbox marks the drill's row, and no real one.
	resp, err = c.Get(pn.url("US", "/inbox"))
	if err != nil {
		t.Fatal(err)
	}
	body = readAll(t, resp)
	if !strings.Contains(body, `id="open-`+drill+`">`+drill+`</a> <span class="exercise-tag">EXERCISE</span>`) ||
		strings.Count(body, `class="exercise-tag"`) != 1 {
		t.Errorf("the inbox does not mark the exercise case alone (%d marks)", strings.Count(body, `class="exercise-tag"`))
	}

	pages, signedIn := everyPage(pn)
	signedIn = append(signedIn,
		portalPage{name: "exercise-case", path: "/requests/" + drill, ready: "#timeline"},
		portalPage{name: "exercise-stats", path: "/stats?exercise=EX-2026-BLUE&from=2026-11-01&to=2026-11-30", ready: "main h1"},
	)
	b := browser(t, "America/New_York")
	check := func(p portalPage, wantCase bool) {
		t.Helper()
		c, cancel := context.WithTimeout(b, 90*time.Second)
		defer cancel()
		if err := p.visit(c, pn); err != nil {
			t.Errorf("%s: %v", p.name, err)
			return
		}
		text, err := chromedp.Run(c, chromedp.Evaluate[string](`(function () { var b = document.getElementById("exercise-banner");
			if (!b) { return "none"; } var r = b.getBoundingClientRect(); return (r.height > 0 && r.width > 0 ? "" : "hidden: ") + b.textContent; })()`))
		if err != nil {
			t.Errorf("%s: %v", p.name, err)
			return
		}
		if !strings.Contains(text, "EXERCISE") || !strings.Contains(text, "EX-2026-BLUE") || strings.HasPrefix(text, "hidden") {
			t.Errorf("%s: no visible EXERCISE banner: %q", p.name, text)
		}
		if wantCase != strings.Contains(text, "this case is a drill") {
			t.Errorf("%s: banner %q; the case's own banner expected: %v", p.name, text, wantCase)
		}
	}
	for _, p := range pages {
		check(p, false)
	}
	pn.browserSignIn(t, b, "US")
	for _, p := range signedIn {
		check(p, p.name == "exercise-case")
	}
	// The exercise case's letter carries the banner too; a real case's
	// letter does not.
	for id, want := range map[string]bool{drill: true, "US-2026-000101": false} {
		text, err := chromedp.Run(b, chromedp.Evaluate[string](`(function () { var r = new XMLHttpRequest(); r.open("GET", "/requests/`+id+`/letter", false); r.send(); return r.responseText; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(text, `id="exercise-banner"`) && strings.Contains(text, "EXERCISE EX-2026-BLUE"); got != want {
			t.Errorf("letter of %s: exercise banner %v, want %v", id, got, want)
		}
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
