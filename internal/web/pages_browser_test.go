package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/users"
)

// axeSource is axe-core, vendored for the tests only (testdata/README.md).
//
//go:embed testdata/axe.min.js
var axeSource string

// axeViolation is one serious or critical finding of axe-core.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun checks the page in the browser with axe-core and returns its
// serious and critical violations.
func axeRun(ctx context.Context) ([]axeViolation, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		return nil, fmt.Errorf("load axe: %w", err)
	}
	js := `axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
		return JSON.stringify(r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
			.map(function (v) { return {id: v.id, impact: v.impact, help: v.help,
				nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(" ") + " " + (n.failureSummary || "").slice(0, 160); })}; }));
	})`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe: %w", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		return nil, err
	}
	return vs, nil
}

// portalPage is one page to check: where it is and what shows it is drawn.
type portalPage struct {
	name, path, ready string
	// click, when set, reaches the page by pressing this button (an
	// element id) on the page at path, after setting the fields of fill
	// (element id -> value): pages that answer a POST.
	click string
	fill  map[string]string
}

// visit opens the page on US in the browser and waits until it is drawn.
func (p portalPage) visit(ctx context.Context, pn *portalNet) error {
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(pn.url("US", p.path))}
	if p.click != "" {
		steps = append(steps, chromedp.WaitVisible(chromedp.ID(p.click)))
		for id, v := range p.fill {
			steps = append(steps, chromedp.SetValue(chromedp.ID(id), v))
		}
		steps = append(steps, chromedp.Click(chromedp.ID(p.click)))
	}
	return chromedp.Do(ctx, append(steps, chromedp.WaitVisible(p.ready))...)
}

// TestBrowserEveryPage opens every page of the portal at 1366 and 390 px
// in Chromium: axe-core must find no serious or critical violation,
// headings must not skip a level, and nothing may scroll sideways. With
// ART35_PORTAL_SCREENSHOTS=DIR it also writes a picture of each page at
// both widths into DIR (docs/portal.md links to how to make them).
func TestBrowserEveryPage(t *testing.T) {
	t.Parallel()
	out := os.Getenv("ART35_PORTAL_SCREENSHOTS")
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Each language on a network and in a browser of its own, side by
	// side: the officer's language is stored in the node's database.
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			everyPageIn(t, lang, out)
		})
	}
}

// everyPageIn is TestBrowserEveryPage in one language: the sign-in page
// by the browser's Accept-Language, the others by the officer's choice on
// the profile page (stored as the form stores it). Pictures go to out
// when it is not empty.
func everyPageIn(t *testing.T, lang, out string) {
	clk := clock.NewManual(time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC))
	pn := startPortalNetClock(t, clk, "US", "IT", "GB")
	everyPageSetup(t, pn, clk)

	b := browser(t, "America/New_York")
	// The checker itself works: an image without a text alternative on
	// the sign-in page is found.
	within(t, b, 60*time.Second, "axe self-check page", chromedp.Navigate(pn.url("US", "/signin")), chromedp.WaitVisible("#signin"))
	evalString(t, b, `var i = document.createElement("img"); i.src = "/static/none.png"; document.body.appendChild(i); "ok"`)
	if vs, err := axeRun(b); err != nil || len(vs) == 0 || vs[0].ID != "image-alt" {
		t.Fatalf("axe does not find an image without alt: %+v %v", vs, err)
	}
	pages, signedIn := everyPage(pn)
	// A supervisor, for the supervisor's page.
	ctx := context.Background()
	us := pn.Node("US")
	chief := addAccount(t, us, clk, users.Account{Username: "chief", Name: "Robin Example", Role: users.Supervisor})
	check := func(p portalPage, width int64) {
		t.Helper()
		c, cancel := context.WithTimeout(b, 90*time.Second)
		defer cancel()
		if err := chromedp.Do(c, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		if err := p.visit(c, pn); err != nil {
			shot(t, b, "failed-page-"+p.name+"-"+lang)
			t.Errorf("%s at %d px: %v", p.name, width, err)
			return
		}
		where := fmt.Sprintf("%s (%s) at %d px", p.name, lang, width)
		// The page speaks the language chosen, and says so.
		if got, err := chromedp.Run(c, chromedp.Evaluate[string](`document.documentElement.lang + " " + (document.body.innerText.match(/\{[1-9n]\}/) || [""])[0]`)); err != nil || got != lang+" " {
			t.Errorf("%s: <html lang> and left-over placeholders: %q, %v", where, got, err)
		}
		vs, err := axeRun(c)
		if err != nil {
			t.Errorf("%s: %v", where, err)
		}
		for _, v := range vs {
			t.Errorf("%s: axe %s (%s): %s %v", where, v.ID, v.Impact, v.Help, v.Nodes)
		}
		// No sideways scrolling.
		if over, err := chromedp.Run(c, chromedp.Evaluate[string](`(function () {
			var d = document.documentElement; if (d.scrollWidth <= d.clientWidth + 1) { return ""; }
			var wide = []; document.querySelectorAll("body *").forEach(function (e) { var r = e.getBoundingClientRect(); if (r.right > d.clientWidth + 1 && wide.length < 4) { wide.push(e.tagName + (e.id ? "#" + e.id : "") + "." + e.className); } });
			return d.scrollWidth + " > " + d.clientWidth + ": " + wide.join(", "); })()`)); err != nil || over != "" {
			t.Errorf("%s scrolls sideways: %s %v", where, over, err)
		}
		// Headings in order: one h1, no level skipped going down.
		if skip, err := chromedp.Run(c, chromedp.Evaluate[string](`(function () {
			var hs = document.querySelectorAll("h1, h2, h3, h4, h5, h6"), last = 0, bad = [], ones = 0;
			hs.forEach(function (h) { var l = +h.tagName[1]; if (l === 1) { ones++; } if (l > last + 1) { bad.push(h.tagName + " " + h.textContent.trim().slice(0, 40)); } last = l; });
			if (ones !== 1) { bad.push(ones + " h1"); } return bad.join("; "); })()`)); err != nil || skip != "" {
			t.Errorf("%s: headings out of order: %s %v", where, skip, err)
		}
		if out != "" {
			png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
			if err != nil {
				t.Errorf("%s: screenshot: %v", where, err)
				return
			}
			if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("%s-%s-%d.png", p.name, lang, width)), png, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
	within(t, b, 30*time.Second, "browser language "+lang, chromedp.EmulateViewport(1280, 900),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
			return err
		}))
	for _, w := range []int64{1366, 390} {
		for _, p := range pages {
			check(p, w)
		}
	}
	if err := saveProfile(ctx, us.DB, "officer", profile{Language: lang}, store.FormatTime(clk.Now())); err != nil {
		t.Fatal(err)
	}
	within(t, b, 30*time.Second, "restore viewport", chromedp.EmulateViewport(1280, 900))
	pn.browserSignIn(t, b, "US")
	for _, w := range []int64{1366, 390} {
		for _, p := range signedIn {
			check(p, w)
		}
	}
	signOut := func() {
		within(t, b, 30*time.Second, "sign out", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(pn.url("US", "/profile")), chromedp.WaitVisible("#save-profile"),
			chromedp.Click(`form[action="/signout"] button`), chromedp.WaitVisible("#signin"))
	}
	signOut()
	// The supervisor's page, as a supervisor.
	if err := saveProfile(ctx, us.DB, "chief", profile{Language: lang}, store.FormatTime(clk.Now())); err != nil {
		t.Fatal(err)
	}
	clk.Advance(users.TOTPPeriod) // a fresh code for this sign-in
	code, err := users.TOTPCode(chief, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	within(t, b, 60*time.Second, "sign in as supervisor", chromedp.Navigate(pn.url("US", "/signin")), chromedp.WaitVisible("#signin"),
		chromedp.SendKeys(chromedp.ID("username"), "chief"), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(chromedp.ID("signin")), chromedp.WaitVisible(chromedp.CSS("table.inbox")))
	for _, w := range []int64{1366, 390} {
		check(portalPage{name: "supervisor", path: "/supervisor", ready: "#duty-h"}, w)
	}
	signOut()
}

// everyPageSetup gives the US node of a US-IT-GB portal network what its
// pages show in TestBrowserEveryPage: a preserved request to IT, an
// overdue emergency to GB, a ping from IT waiting for an answer.
func everyPageSetup(t *testing.T, pn *portalNet, clk *clock.Manual) {
	t.Helper()
	sendAndPreserve(t, pn, clk)
	if _, err := statstest.PingService(pn.Node("IT")).StartCampaign(context.Background(), ping.CampaignOptions{To: []string{"US"}, Window: time.Hour, By: pn.names["IT"]}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(20 * time.Minute) // the emergency to GB is now overdue
}

// sendAndPreserve has the US node of a US-IT-GB portal network send an
// urgent preserve to IT (US-2026-000101), which IT acknowledges and
// preserves, and an emergency to GB (US-2026-000102), as the portal's
// pages and the documentation's pictures show them.
func sendAndPreserve(t *testing.T, pn *portalNet, clk *clock.Manual) {
	t.Helper()
	ctx := context.Background()
	us, it := pn.Node("US"), pn.Node("IT")
	send := func(id, to, priority string) {
		doc := strings.NewReplacer(`"US-2026-000101"`, `"`+id+`"`, `"party": "IT"`, `"party": "`+to+`"`, `"urgent"`, `"`+priority+`"`,
			`"created_at": "2026-11-24T10:00:00Z"`, `"created_at": "2026-11-26T02:00:00Z"`).Replace(preserveJSON)
		if _, problems, err := us.Cases.Submit(ctx, []byte(doc), pn.names["US"]); err != nil {
			t.Fatalf("submit %s: %v %v", id, err, problems)
		}
	}
	send("US-2026-000101", "IT", "urgent")
	send("US-2026-000102", "GB", "emergency")
	waitCase(t, it, "US-2026-000101")
	for _, st := range []request.Step{
		{To: request.StateAcknowledged, By: pn.names["IT"]},
		{To: request.StateInProgress, By: pn.names["IT"], Details: "order sent to Example Hosting (fictional)"},
		{To: request.StatePreserved, By: pn.names["IT"], ProviderRef: "EXH-PRES-0412", Until: clk.Now().Add(90 * 24 * time.Hour)},
	} {
		clk.Advance(3 * time.Minute)
		if _, err := it.Cases.Act(ctx, "US-2026-000101", st, nil); err != nil {
			t.Fatal(err)
		}
		waitState(t, us, "US-2026-000101", st.To)
	}
}

// everyPage lists every page of the portal on US after everyPageSetup:
// the public ones, then those that need a session (TestBrowserEveryPage,
// and the exercise banner's test).
func everyPage(pn *portalNet) (pages, signedIn []portalPage) {
	pages = []portalPage{
		{name: "signin", path: "/signin", ready: "#signin"},
	}
	signedIn = []portalPage{
		{name: "inbox", path: "/inbox", ready: "table.inbox"},
		{name: "inbox-empty-filter", path: "/inbox?state=closed", ready: "td.empty"},
		{name: "request-preserved", path: "/requests/US-2026-000101", ready: "#timeline"},
		{name: "request-overdue", path: "/requests/US-2026-000102", ready: "#timeline"},
		{name: "confirm-close", path: "/requests/US-2026-000101", ready: "#consequence", click: "act-closed"},
		{name: "compose-index", path: "/compose", ready: "main h1"},
		{name: "compose-preserve", path: "/compose/preserve", ready: "#check"},
		{name: "compose-errors", path: "/compose/preserve", ready: "#error-summary", click: "check"},
		// The compose form opened with every value given (as a request
		// view's follow-up link does), checked: the preview.
		{name: "preview", path: "/compose/preserve?" + preserveForm.Encode(), ready: "#confirm", click: "check"},
		{name: "directory", path: "/directory", ready: "table.dir"},
		{name: "directory-empty-search", path: "/directory?q=zzzz", ready: "td.empty"},
		{name: "party", path: "/directory/IT", ready: "main h1"},
		{name: "pings", path: "/pings", ready: "#pending-h"},
		{name: "search", path: "/search?q=121.16.109.40", ready: "table.results"},
		{name: "search-nothing", path: "/search?q=198.51.100.7", ready: "#no-hits"},
		{name: "profile", path: "/profile", ready: "#save-profile"},
		{name: "roster", path: "/roster", ready: "table.duty"},
		{name: "watches", path: "/watches", ready: "table.watches"},
		{name: "transfers", path: "/transfers", ready: "table.transfers"},
		{name: "transfers-case", path: "/requests/US-2026-000101/transfers", ready: "table.asks"},
		{name: "audit", path: "/requests/US-2026-000101/audit", ready: "table.audit"},
		{name: "attribute", path: "/attribute", ready: "#attribute"},
		{name: "attribute-result", path: "/attribute", ready: "#result", click: "attribute",
			fill: map[string]string{"addresses": "79.20.0.1 2026-11-20T14:02:07Z\n81.2.69.142 2026-11-20T14:05:00Z\n121.16.109.40 2026-11-20T14:06:00Z"}},
		{name: "sources", path: "/sources", ready: "main h1"},
		{name: "stats", path: "/stats", ready: "#stats-sent"},
		{name: "not-found", path: "/requests/US-2026-999999", ready: "main h1"},
	}
	return pages, signedIn
}
