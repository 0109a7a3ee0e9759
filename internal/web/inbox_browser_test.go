package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// submitPreserve sends the fixture preserve from US to IT under another id.
func (pn *portalNet) submitPreserve(t *testing.T, id, priority string) {
	t.Helper()
	doc := strings.NewReplacer(`"US-2026-000101"`, `"`+id+`"`, `"urgent"`, `"`+priority+`"`).Replace(preserveJSON)
	if _, problems, err := pn.Node("US").Cases.Submit(context.Background(), []byte(doc), pn.names["US"]); err != nil {
		t.Fatalf("submit %s: %v %v", id, err, problems)
	}
}

// TestBrowserInboxArrivals: an arrival announces itself (highlighted row,
// count in the title, an aria-live message, the sound and the desktop
// notification when the officer turned them on) and the officer's focus
// stays where it was: the inbox does not redraw anything while nothing
// changed, and when a row arrives the focused link is focused again.
func TestBrowserInboxArrivals(t *testing.T) {
	t.Parallel()
	it := browser(t, "Europe/Rome")
	pn := startPortalNet(t, "US", "IT")
	pn.submitPreserve(t, "US-2026-000201", "urgent")
	waitCase(t, pn.Node("IT"), "US-2026-000201")

	pn.browserSignIn(t, it, "IT")
	within(t, it, 30*time.Second, "first request listed", chromedp.WaitVisible(chromedp.ID("open-US-2026-000201")))
	// The officer turned sound and notifications on (the browser's own
	// permission prompt cannot be answered in a headless test, so the two
	// browser APIs are replaced by recorders).
	evalString(t, it, `
		localStorage.setItem("art35.sound", "on"); localStorage.setItem("art35.notify", "on");
		window.__notified = []; window.__beeps = 0;
		window.Notification = function (title, o) { window.__notified.push(title + ": " + o.body); };
		window.Notification.permission = "granted";
		window.AudioContext = function () { window.__beeps++; throw new Error("recorded"); };
		window.__polls = 0; window.__swaps = 0;
		document.body.addEventListener("htmx:afterRequest", function () { window.__polls++; });
		document.body.addEventListener("htmx:afterSwap", function () { window.__swaps++; });
		var a = document.getElementById("open-US-2026-000201"); a.__mine = true; a.focus(); "ok"`)

	// Nothing changes: several polls later, no swap and the very same
	// element still has the focus.
	waitJS(t, it, 30*time.Second, "three polls", `window.__polls >= 3`)
	if ok, _ := chromedp.Run(it, chromedp.Evaluate[bool](`window.__swaps === 0 && document.activeElement.__mine === true`)); !ok {
		swaps := evalString(t, it, `String(window.__swaps) + " swaps, focus on " + document.activeElement.tagName + "#" + document.activeElement.id`)
		t.Errorf("the inbox redrew itself with nothing new: %s", swaps)
	}
	title0 := evalString(t, it, `document.title`)

	pn.submitPreserve(t, "US-2026-000202", "emergency")
	waitJS(t, it, 45*time.Second, "new row highlighted", `!!document.querySelector('tr.new[data-id="US-2026-000202"]')`)
	if s := evalString(t, it, `document.title`); !strings.HasPrefix(s, "(1 new) ") || !strings.HasSuffix(s, title0) {
		t.Errorf("title after one arrival: %q (before: %q)", s, title0)
	}
	waitJS(t, it, 10*time.Second, "announcement", `document.getElementById("announcer").textContent.includes("US-2026-000202")`)
	if s := evalString(t, it, `document.getElementById("announcer").getAttribute("aria-live") + " | " + document.getElementById("announcer").textContent`); !strings.Contains(s, "polite | New: Preservation request US-2026-000202 from US, ‼ EMERGENCY") {
		t.Errorf("aria-live announcement: %q", s)
	}
	if s := evalString(t, it, `window.__notified.join(" / ") + " | beeps " + window.__beeps`); !strings.Contains(s, "art35 IT: New: Preservation request US-2026-000202") || !strings.HasSuffix(s, "beeps 1") {
		t.Errorf("desktop notification and sound: %q", s)
	}
	if s := evalString(t, it, `document.activeElement.id`); s != "open-US-2026-000201" {
		t.Errorf("focus after the arrival: #%s, want the link the officer was on", s)
	}
	if s := evalString(t, it, `document.querySelector('tr[data-id="US-2026-000201"]').className`); strings.Contains(s, "new") {
		t.Errorf("the older row is marked new: %q", s)
	}
	shot(t, it, "inbox-arrival")
}
