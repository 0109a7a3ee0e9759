package web

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/watch"
	"github.com/chromedp/chromedp"
)

// watchIPDB attributes the test addresses: a Spanish operator with its
// law-enforcement desk. Fictional operator, documentation-style data.
func watchIPDB(t *testing.T) *ipdb.DB {
	t.Helper()
	b := ipdb.NewBuilder(ipdb.Source{Name: "test-overlay", Label: "test", Kind: ipdb.KindOverlay, AsOf: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err := b.AddPrefix(netip.MustParsePrefix("80.58.61.0/24"), ipdb.Record{Country: "ES", ASN: 64500, Operator: "Ejemplo Telecom (fictional)", Desk: "lea-desk@ejemplo.example.org"}); err != nil {
		t.Fatal(err)
	}
	l, _ := b.Build()
	return ipdb.New(l)
}

// startWatchNet is startPortalNet with the watch relay on every node and
// the portal showing its events, as internal/app mounts them.
func startWatchNet(t *testing.T, parties ...string) (*portalNet, map[string]*watch.Service) {
	t.Helper()
	db := watchIPDB(t)
	svcs := map[string]*watch.Service{}
	pn := startPortalNetWith(t, clock.System{}, func(party string, n *node.Node) (Deps, error) {
		ws := (&watch.Service{DB: n.DB, Clock: n.Clock, Log: n.Log, Party: n.Config.Party, Authority: n.Config.Authority,
			Send: n.Send, Directory: n.Directory, Cases: n.Cases, IPDB: db}).Register(n)
		svcs[party] = ws
		d := testDeps(n)
		d.Watches = ws
		return d, nil
	}, parties...)
	return pn, svcs
}

// realtimeDoc is a realtime-traffic request from the US to GB whose
// watch period runs around now (fictional account and court order).
func realtimeDoc(now time.Time) string {
	f := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	return fmt.Sprintf(`{"id": "US-2026-000901", "type": "realtime-traffic", "sender_ref": "US-WATCH-0901", "created_at": %q,
 "requesting": {"party": "US", "name": "Example National 24/7 Unit (fictional)", "office_hours": "24/7", "time_zone": "America/New_York"},
 "requested": {"party": "GB", "name": "Example UK 24/7 Contact Point (fictional)"},
 "priority": "emergency", "legal_basis": {"instrument": "budapest", "article": "33"}, "language": "en", "handling": {"code": "H0"},
 "realtime_traffic": {"communications": [{"kind": "email", "value": "fugitive-2026@mail.example.org"}],
  "period": {"from": %q, "to": %q}, "domestic_basis": "Example court order 2026/77 (fictional)", "offence": "armed robbery of a bank"}}`,
		f(now.Add(-time.Minute)), f(now.Add(-time.Hour)), f(now.Add(7*24*time.Hour)))
}

// pageChecks runs the accessibility checks of TestBrowserEveryPage on
// the page the browser shows, at 1366 and 390 px: no serious or critical
// axe-core violation, one h1 and no heading level skipped, no sideways
// scrolling.
func pageChecks(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	for _, width := range []int64{1366, 390} {
		c, cancel := context.WithTimeout(ctx, 60*time.Second)
		if err := chromedp.Do(c, chromedp.EmulateViewport(width, 900)); err != nil {
			cancel()
			t.Fatal(err)
		}
		at := fmt.Sprintf("%s at %d px", where, width)
		vs, err := axeRun(c)
		if err != nil {
			t.Errorf("%s: %v", at, err)
		}
		for _, v := range vs {
			t.Errorf("%s: axe %s (%s): %s %v", at, v.ID, v.Impact, v.Help, v.Nodes)
		}
		if bad, err := chromedp.Run(c, chromedp.Evaluate[string](`(function () {
			var d = document.documentElement, bad = [];
			if (d.scrollWidth > d.clientWidth + 1) { bad.push("scrolls sideways: " + d.scrollWidth + " > " + d.clientWidth); }
			var hs = document.querySelectorAll("h1, h2, h3, h4, h5, h6"), last = 0, ones = 0;
			hs.forEach(function (h) { var l = +h.tagName[1]; if (l === 1) { ones++; } if (l > last + 1) { bad.push("heading skips: " + h.tagName + " " + h.textContent.trim().slice(0, 40)); } last = l; });
			if (ones !== 1) { bad.push(ones + " h1"); } return bad.join("; "); })()`)); err != nil || bad != "" {
			t.Errorf("%s: %s %v", at, bad, err)
		}
		cancel()
	}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = chromedp.Do(c, chromedp.EmulateViewport(1280, 900))
}

// TestBrowserWatchEventsLive is story 2 on the requester's desk: the US
// asked GB for a realtime-traffic watch; the US officer keeps the watch
// page open, and when GB's provider reports a login, the event appears
// there by itself, highlighted and announced, with each hop and its time.
// The page is redrawn only when something changed (204 otherwise).
func TestBrowserWatchEventsLive(t *testing.T) {
	t.Parallel()
	b := browser(t, "America/New_York")
	pn, ws := startWatchNet(t, "US", "GB")
	ctx := context.Background()
	c, problems, err := pn.Node("US").Cases.Submit(ctx, []byte(realtimeDoc(time.Now())), pn.names["US"])
	if err != nil {
		t.Fatal(err, problems)
	}
	id := c.Request.ID
	waitCase(t, pn.Node("GB"), id)
	for _, to := range []request.State{request.StateAcknowledged, request.StateInProgress} {
		if _, err := pn.Node("GB").Cases.Act(ctx, id, request.Step{To: to, By: pn.names["GB"]}, nil); err != nil {
			t.Fatal(err)
		}
	}
	waitState(t, pn.Node("US"), id, request.StateInProgress)

	// The list names the watch; the page's poll gets 204 while nothing changed.
	us := pn.signIn(t, "US")
	code, body, _ := get(t, us, pn.url("US", "/watches"))
	if code != http.StatusOK || !strings.Contains(body, `<a href="/watches/`+id+`">`) {
		t.Fatalf("watches list: %d %.300s", code, body)
	}
	code, body, _ = get(t, us, pn.url("US", "/watches/"+id))
	if code != http.StatusOK || !strings.Contains(body, `id="no-events"`) {
		t.Fatalf("watch page: %d", code)
	}
	v := body[strings.Index(body, "/watches/"+id+"?v=")+len("/watches/"+id+"?v="):]
	v = v[:strings.IndexAny(v, "&\"")]
	req, _ := http.NewRequest(http.MethodGet, pn.url("US", "/watches/"+id+"?v="+v+"&seen=0"), nil)
	req.Header.Set("HX-Request", "true")
	if resp, err := us.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("poll while nothing changed: %v %v, want 204", resp.Status, err)
	} else {
		resp.Body.Close()
	}
	if code, _, _ := get(t, us, pn.url("US", "/watches/US-2026-999999")); code != http.StatusNotFound {
		t.Errorf("unknown watch: %d, want 404", code)
	}

	// The request view links to the watch.
	if _, view, _ := get(t, us, pn.url("US", "/requests/"+id)); !strings.Contains(view, `<a href="/watches/`+id+`" id="watch-link">`) {
		t.Error("the request view does not link to its watch")
	}
	pn.browserSignIn(t, b, "US")
	within(t, b, 60*time.Second, "open the watch from the list",
		chromedp.Navigate(pn.url("US", "/watches")),
		chromedp.Click(`a[href="/watches/`+id+`"]`),
		chromedp.WaitVisible("#no-events"))
	pageChecks(t, b, "watch page, no events")

	// GB's provider reports a login; the US page shows it by itself.
	login := watch.Login{Address: "80.58.61.250", Port: 51234, Time: time.Now().Add(-time.Minute).Truncate(time.Second)}
	if _, err := ws["GB"].Push(ctx, id, login); err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, 60*time.Second, "the event on the open page", `!!document.querySelector("article.watch-event.new")`)
	news := evalString(t, b, `document.getElementById("watch-news").textContent`)
	if !strings.Contains(news, "New login: 80.58.61.250 port 51234 in ES") {
		t.Errorf("announcement %q", news)
	}
	hops := evalString(t, b, `Array.from(document.querySelectorAll("article.watch-event ol.hops li")).map(function (l) { return l.textContent.trim(); }).join(" | ")`)
	for _, want := range []string{"GB-247 received from provider", "GB-247 attributed and relayed", "US-247 received"} {
		if !strings.Contains(hops, want) {
			t.Errorf("hops %q lack %q", hops, want)
		}
	}
	if strings.Count(hops, " ms")+strings.Count(hops, " s") < 2 {
		t.Errorf("hops %q do not say how long each took", hops)
	}
	if e2e := evalString(t, b, `document.querySelector("article.watch-event .end-to-end").textContent`); !strings.HasSuffix(strings.TrimSpace(e2e), "ms") && !strings.HasSuffix(strings.TrimSpace(e2e), " s") {
		t.Errorf("end to end %q", e2e)
	}
	pageChecks(t, b, "watch page with an event")
	testkit.Eventually(t, "the list counts the event", func() bool {
		_, body, _ := get(t, us, pn.url("US", "/watches"))
		return strings.Contains(body, `<td data-label="Logins">1</td>`)
	})
}
