package web

import (
	"github.com/art35/art35/internal/testkit/chrome"

	"context"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/chromedp/chromedp"
)

// composeFromIP is what an officer does to send a preservation request
// for one IP address they hold, from the inbox: each element is one
// interaction (a click, or typing into one field).
func composeFromIP(pn *portalNet, ip, when string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(`a[href="/attribute"]`),
		chromedp.SendKeys(chromedp.ID("addresses"), ip+" "+when, chromedp.NodeVisible),
		chromedp.Click(chromedp.ID("attribute"), chromedp.NodeVisible),
		chromedp.Click(chromedp.ID("draft-IT"), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.ID("f-preserve-offence"), "unauthorised access (Art. 2)", chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.ID("f-preserve-facts"), "A company network was entered from this address.", chromedp.NodeVisible),
		chromedp.Click(chromedp.ID("check"), chromedp.NodeVisible),
		chrome.Tick("#confirm"),
		chrome.Press("#send"),
	}
}

// TestBrowserComposeFromIP: from one IP address and its time to a sent
// preservation request in at most 10 interactions: the address is
// attributed to IT with its operator and the legal route, the draft is
// prefilled (party, legal basis, identifier and time, custodian), the
// officer adds the offence and the facts, checks, confirms and sends; IT
// receives it with the address.
func TestBrowserComposeFromIP(t *testing.T) {
	t.Parallel()
	us := browser(t, "America/New_York")
	pn := startPortalNet(t, "US", "IT")
	pn.browserSignIn(t, us, "US")
	// Once, not for each request: the officer's phone in the profile.
	within(t, us, 60*time.Second, "profile",
		chromedp.Navigate(pn.url("US", "/profile")),
		chromedp.SendKeys(chromedp.ID("phone"), "+00 1 555 0100", chromedp.NodeVisible),
		chromedp.Click(chromedp.ID("save-profile")),
		chromedp.WaitVisible(chromedp.ID("flash")),
		chromedp.Navigate(pn.url("US", "/inbox")),
		chromedp.WaitVisible(chromedp.CSS("table.inbox")))
	steps := composeFromIP(pn, "79.20.0.1", "2026-11-20T14:02:07Z")
	start := time.Now()
	for i, s := range steps {
		within(t, us, 60*time.Second, "compose from IP, step "+string(rune('1'+i)), s)
		if i == 2 {
			// The attribution, before opening the draft.
			within(t, us, 30*time.Second, "attribution shown", chromedp.WaitVisible(`section[data-country="IT"]`))
			txt := evalString(t, us, `document.querySelector('section[data-country="IT"]').innerText`)
			if !strings.Contains(txt, "79.20.0.1") || !strings.Contains(txt, "Route:") || !strings.Contains(txt, "2026-11-20 14:02:07 UTC") {
				t.Errorf("attribution of 79.20.0.1: %q", txt)
			}
		}
		if i == 3 {
			within(t, us, 30*time.Second, "draft opened", chromedp.WaitVisible(chromedp.ID("f-preserve-offence")))
			v := evalString(t, us, `document.getElementById("f-preserve-data-0-identifiers-0-value").value + " " + document.getElementById("f-requested-party").value + " " + document.getElementById("f-legal_basis-instrument").value`)
			if v != "79.20.0.1 IT budapest" {
				t.Errorf("draft not prefilled: %q", v)
			}
		}
	}
	within(t, us, 60*time.Second, "sent", chromedp.WaitVisible(chromedp.ID("flash")))
	t.Logf("compose measure: %d interactions, %v from the inbox to sent", len(steps), time.Since(start).Round(100*time.Millisecond))
	if len(steps) > 10 {
		t.Errorf("%d interactions for one IP address; the target is at most 10", len(steps))
	}
	id := evalString(t, us, `document.getElementById("rid").textContent`)
	waitCase(t, pn.Node("IT"), id)
	c, err := pn.Node("IT").Cases.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ids := c.Request.Preserve.Data[0].Identifiers
	if c.Request.Type != request.TypePreserve || len(ids) != 1 || ids[0].Value != "79.20.0.1" || ids[0].Time.T.Format(time.RFC3339) != "2026-11-20T14:02:07Z" {
		t.Errorf("IT received %+v", c.Request.Preserve)
	}
	shot(t, us, "compose-from-ip-sent")
}
