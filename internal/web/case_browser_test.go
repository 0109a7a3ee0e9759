package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/chromedp/chromedp"
)

// waitJS waits (generously: the machine may be loaded) until a script
// returns true in the page.
func waitJS(t *testing.T, ctx context.Context, d time.Duration, what, js string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			shot(t, ctx, "failed-"+strings.ReplaceAll(what, " ", "-"))
			text, _ := chromedp.Run(ctx, chromedp.Text("main"))
			t.Fatalf("%s: still false after %v (%v): %.800s", what, d, err, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return s
}

// TestBrowserCaseView: the receiving officer sees what is asked (the IP
// address with its port and time, the provider, the offence, the facts
// and whom to call back) on the request view itself, identifiers first
// with a copy button; the view updates by itself on both sides when the
// other side (or a colleague) takes a step, without a reload, keeping the
// reader's focus, what they typed and where they had scrolled.
func TestBrowserCaseView(t *testing.T) {
	t.Parallel()
	us, it := browser(t, "America/New_York"), browser(t, "Europe/Rome")
	pn := startPortalNet(t, "US", "IT")
	ctx := context.Background()
	const id = "US-2026-000101"
	if _, problems, err := pn.Node("US").Cases.Submit(ctx, []byte(preserveJSON), pn.names["US"]); err != nil {
		t.Fatal(err, problems)
	}
	waitCase(t, pn.Node("IT"), id)
	waitState(t, pn.Node("US"), id, request.StateDelivered)

	pn.browserSignIn(t, it, "IT")
	within(t, it, 60*time.Second, "IT request view", chromedp.Navigate(pn.url("IT", "/requests/"+id)), chromedp.WaitVisible(chromedp.ID("identifiers")))
	asked := evalString(t, it, `document.querySelector("section[aria-labelledby=asked-h]").innerText`)
	for _, want := range []string{"121.16.109.40", "51234", "2026-11-20 14:02:07 UTC", "2026-11-20 15:02 CET (you)",
		"Example Hosting (fictional), Milan", "unauthorised access (Art. 2)", "A company network was entered from abroad",
		"logs are erased after 30 days", "+00 1 555 0100", "Alex Example", "Person to call back to confirm"} {
		if !strings.Contains(asked, want) {
			t.Errorf("what is asked lacks %q:\n%s", want, asked)
		}
	}
	for _, bad := range []string{"mla_will_follow", "preserve.", "confirmation_contact"} {
		if strings.Contains(asked, bad) {
			t.Errorf("what is asked shows the field path %q", bad)
		}
	}
	// Identifiers come first, each with a copy button that names it.
	first := evalString(t, it, `document.querySelector("section[aria-labelledby=asked-h] h2").nextElementSibling.id`)
	if first != "identifiers" {
		t.Errorf("first thing under 'What is asked' is #%s, want the identifiers", first)
	}
	if n := evalString(t, it, `String(document.querySelectorAll('#identifiers button.copy[data-copy="121.16.109.40"]').length)`); n != "1" {
		t.Errorf("copy buttons for the IP address: %s", n)
	}
	next := evalString(t, it, `document.getElementById("next").innerText + " | " + document.querySelector(".due").innerText`)
	if !strings.Contains(next, "acknowledge") || !strings.Contains(next, "in 1h 5") {
		t.Errorf("next step and its deadline: %q", next)
	}

	// US has the request open, is typing a note in the Close form, and has
	// scrolled down a little.
	pn.browserSignIn(t, us, "US")
	within(t, us, 60*time.Second, "US request view", chromedp.Navigate(pn.url("US", "/requests/"+id)), chromedp.WaitVisible(chromedp.ID("details-closed")))
	evalString(t, us, `window.__same = true; window.scrollTo(0, 150); "ok"`)
	within(t, us, 30*time.Second, "US types a note",
		chromedp.Focus(chromedp.ID("details-closed")),
		chromedp.SendKeys(chromedp.ID("details-closed"), "no longer needed"))
	y0 := evalString(t, us, `String(window.scrollY)`)

	// IT acknowledges in its browser and is told it is done; its view now
	// shows how long execution has been running.
	within(t, it, 60*time.Second, "IT acknowledges",
		chromedp.Click(chromedp.ID("act-acknowledged")),
		chromedp.WaitVisible(chromedp.ID("flash")))
	if s := evalString(t, it, `document.getElementById("flash").innerText`); !strings.Contains(s, "acknowledged") {
		t.Errorf("IT's success message: %q", s)
	}
	if s := evalString(t, it, `(document.querySelector(".countup")||{}).innerText||""`); s == "" {
		t.Error("after Acknowledge no clock says how long execution has been running")
	}

	// US: the view changes by itself.
	waitJS(t, us, 45*time.Second, "US view shows the acknowledgement", `document.getElementById("state").dataset.state === "acknowledged" && document.getElementById("timeline").innerText.includes("Acknowledged by `+pn.names["IT"]+`")`)
	if ok, _ := chromedp.Run(us, chromedp.Evaluate[bool](`window.__same === true`)); !ok {
		t.Error("the US page was reloaded, not updated in place")
	}
	if a := evalString(t, us, `document.activeElement.id + "=" + document.activeElement.value`); a != "details-closed=no longer needed" {
		t.Errorf("focus and typed text after the live update: %q", a)
	}
	if y := evalString(t, us, `String(window.scrollY)`); y != y0 {
		t.Errorf("scroll moved from %s to %s", y0, y)
	}
	shot(t, us, "case-us-acknowledged-live")

	// IT: a colleague (or the command line) starts execution; IT's open
	// view follows too.
	if _, err := pn.Node("IT").Cases.Act(ctx, id, request.Step{To: request.StateInProgress, By: "Marco Esempio"}, nil); err != nil {
		t.Fatal(err)
	}
	waitJS(t, it, 45*time.Second, "IT view shows execution started", `document.getElementById("state").dataset.state === "in-progress" && !!document.getElementById("act-preserved")`)
	shot(t, it, "case-it-in-progress-live")
}
