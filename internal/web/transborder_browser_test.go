package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/chromedp/chromedp"
)

// TestBrowserTransborder: the Art. 32 / Art. 34 page in Chromium. axe-core
// finds no serious or critical violation on the page, on its error state
// and after a record; a refused access moves focus to the error summary,
// whose link leads to the field; a renewal shows on the interception.
func TestBrowserTransborder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pn, clk := startWithSent(t, interceptionJSON(t))
	it := pn.Node("IT")
	clk.Advance(time.Minute)
	if _, err := it.Cases.Act(ctx, "US-2026-000101", request.Step{To: request.StateAcknowledged, By: pn.names["IT"]}, nil); err != nil {
		t.Fatal(err)
	}
	b := browser(t, "Europe/Rome")
	pn.browserSignIn(t, b, "IT")
	axe := func(where string) {
		t.Helper()
		c, cancel := context.WithTimeout(b, 60*time.Second)
		defer cancel()
		vs, err := axeRun(c)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		for _, v := range vs {
			t.Errorf("%s: axe %s (%s): %s %v", where, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	within(t, b, 60*time.Second, "open the page", chromedp.Navigate(pn.url("IT", "/transborder")), chromedp.WaitVisible(chromedp.ID("record-access")))
	axe("transborder page")

	// A consent without who consented: refused, focus on the summary.
	within(t, b, 60*time.Second, "submit an incomplete consent",
		chromedp.Click(chromedp.CSS(`input[name=ground][value=consent]`)),
		chromedp.SendKeys(chromedp.ID("what"), "mailbox of user-4711"),
		chromedp.SendKeys(chromedp.ID("source"), "mail.example.org"),
		chromedp.SetValue(chromedp.ID("accessed_at"), "2026-11-25T22:00"),
		chromedp.Click(chromedp.ID("record")),
		chromedp.WaitVisible(chromedp.ID("error-summary")))
	axe("transborder error state")
	if focused := evalString(t, b, `document.activeElement.id`); focused != "error-summary" {
		t.Errorf("focus is on %q after the refusal, want the error summary", focused)
	}
	if got := evalString(t, b, `document.querySelector("#error-summary a").getAttribute("href")`); got != "#consent_by" {
		t.Errorf("the summary links to %q", got)
	}

	within(t, b, 60*time.Second, "complete the consent",
		chromedp.SendKeys(chromedp.ID("consent_by"), "Kim Beispiel (fictional)"),
		chromedp.SendKeys(chromedp.ID("consent_authority"), "account holder, consented in writing"),
		chromedp.Click(chromedp.ID("record")),
		chromedp.WaitVisible(chromedp.ID("flash")))
	if row := evalString(t, b, `document.querySelector("table.transborder tbody tr").textContent`); !strings.Contains(row, "Consent (Art. 32(b))") || !strings.Contains(row, "21:00:00 UTC") || !strings.Contains(row, "22:00 CET") {
		t.Errorf("the recorded access reads %q (22:00 typed in Rome is 21:00 UTC, shown in both)", row)
	}
	within(t, b, 60*time.Second, "renew the interception",
		chromedp.Navigate(pn.url("IT", "/transborder")), chromedp.WaitVisible(chromedp.ID("renew-US-2026-000101")),
		chromedp.SetValue(chromedp.ID("until-US-2026-000101"), "2027-01-25T00:00"),
		chromedp.SendKeys(chromedp.ID("details-US-2026-000101"), "court order 13/2026-R1 (fictional)"),
		chromedp.Click(chromedp.ID("renew-US-2026-000101")),
		chromedp.WaitVisible(chromedp.ID("flash")))
	axe("transborder after a renewal")
	if row := evalString(t, b, `document.getElementById("interception-US-2026-000101").textContent`); !strings.Contains(row, "by "+pn.names["IT"]+", until") {
		t.Errorf("the renewal is not shown: %q", row)
	}
}
