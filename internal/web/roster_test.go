package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/users"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// rosterNet is a US-IT network whose IT-247 lists two primaries in Rome
// (fictional), with a supervisor account on IT next to the officer.
func rosterNet(t *testing.T, clk *clock.Manual) (*portalNet, *http.Client) {
	t.Helper()
	ctx := context.Background()
	pn := startPortalNetClock(t, clk, "US", "IT")
	err := pn.Republish(ctx, clk.Now(), func(d *directory.Snapshot) {
		_, a, ok := d.AuthorityByID("IT-247")
		if !ok {
			t.Fatal("no IT-247")
		}
		a.TimeZone = "Europe/Rome"
		a.People = []directory.Person{
			{Name: "Nina Notte (fictional)", Role: directory.Primary, Order: 1, Email: "nina@it.example.org", Phone: "+00 39 555 0111"},
			{Name: "Dario Giorno (fictional)", Role: directory.Primary, Order: 2, Email: "dario@it.example.org", Phone: "+00 39 555 0112"},
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(users.TOTPPeriod) // a step of its own, apart from the officer's
	sup := pn.signInNew(t, "IT", users.Account{Username: "chief", Name: "Sara Capo", Role: users.Supervisor})
	return pn, sup
}

// TestRosterPageEdits: a supervisor adds duty slots on the roster page
// (every problem named beside its field, what was typed kept), changes
// one, and removes one only after a confirmation that names the
// consequence; the page says who the alarms go to now; an officer reads
// but may not change; every change is in the audit log with the name.
func TestRosterPageEdits(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Europe/Rome")
	clk := clock.NewManual(time.Date(2027, 1, 6, 3, 0, 0, 0, loc).UTC()) // 03:00 in Rome
	pn, sup := rosterNet(t, clk)
	officer := pn.signIn(t, "IT")

	code, body, _ := get(t, sup, pn.url("IT", "/roster"))
	if code != http.StatusOK || !strings.Contains(body, `id="no-slots"`) || !strings.Contains(body, `id="add-slot"`) {
		t.Fatalf("roster page: %d", code)
	}
	if _, body, _ := get(t, officer, pn.url("IT", "/roster")); strings.Contains(body, `id="add-slot"`) {
		t.Error("an officer is offered the form")
	}
	if code, _, _ := post(t, officer, pn.url("IT", "/roster/slots"), url.Values{"person": {"Nina Notte (fictional)"}, "role": {"primary"}, "hours": {"24/7"}}, nil); code != http.StatusUnauthorized {
		t.Errorf("officer adding a slot: %d, want 401", code)
	}

	code, body, _ = post(t, sup, pn.url("IT", "/roster/slots"), url.Values{"person": {""}, "role": {"cook"}, "hours": {"Mon-Sun 22:00-30:00"}}, nil)
	body = html.UnescapeString(body)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "3 things need fixing") ||
		!strings.Contains(body, `data-field="person">✖ Person: choose who is on duty`) ||
		!strings.Contains(body, `data-field="role">✖ Role: "cook" is not a role`) ||
		!strings.Contains(body, `data-field="hours">✖ Hours:`) || !strings.Contains(body, `value="Mon-Sun 22:00-30:00"`) {
		t.Fatalf("bad slot: %d, want 422 naming the three fields and keeping the hours: %.1500s", code, body)
	}

	add := func(person, hours string) {
		t.Helper()
		code, _, h := post(t, sup, pn.url("IT", "/roster/slots"), url.Values{"person": {person}, "role": {"primary"}, "hours": {hours}}, nil)
		if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=") {
			t.Fatalf("add %s: %d", person, code)
		}
	}
	add("Nina Notte (fictional)", "Mon-Sun 22:00-08:00")
	add("Dario Giorno (fictional)", "Mon-Sun 08:00-20:00")
	_, body, _ = get(t, sup, pn.url("IT", "/roster"))
	if !regexp.MustCompile(`id="alarm-now"><strong>Nina Notte \(fictional\)</strong>\s*<small>\(on duty now`).MatchString(body) {
		t.Errorf("at 03:00 the alarms should go to the night officer: %.300s", body[strings.Index(body, "alarm-h"):])
	}
	// The duty table follows the roster too, as the supervisor page does.
	if on := dutyNow(t, body); on["Nina Notte (fictional)"] != "on" || on["Dario Giorno (fictional)"] != "off" {
		t.Errorf("duty table at 03:00 in Rome: %v, want Nina on and Dario off", on)
	}
	ids := regexp.MustCompile(`data-slot="(duty-[0-9a-f]+)"`).FindAllStringSubmatch(body, -1)
	if len(ids) != 2 {
		t.Fatalf("%d slots listed", len(ids))
	}
	var night, day string
	for _, m := range ids {
		row := body[strings.Index(body, m[0]):]
		row = row[:strings.Index(row, "</tr>")]
		if strings.Contains(row, "Nina") {
			night = m[1]
		} else {
			day = m[1]
		}
	}
	// Change the day shift to end at 22:00.
	code, _, _ = post(t, sup, pn.url("IT", "/roster/slots/"+day), url.Values{"person": {"Dario Giorno (fictional)"}, "role": {"primary"}, "hours": {"Mon-Sun 08:00-22:00"}}, nil)
	if code != http.StatusSeeOther {
		t.Fatalf("change: %d", code)
	}
	// Removal asks first, naming the consequence.
	code, body, _ = post(t, sup, pn.url("IT", "/roster/slots/"+night+"/remove"), nil, nil)
	body = html.UnescapeString(body)
	if code != http.StatusOK || !strings.Contains(body, `id="consequence"`) || !strings.Contains(body, "Nina Notte (fictional) is no longer told of new requests and escalations as primary in the hours") ||
		!strings.Contains(body, "Mon-Sun 22:00-08:00") {
		t.Fatalf("removal confirmation: %d %.600s", code, body)
	}
	if _, body, _ := get(t, sup, pn.url("IT", "/roster")); !strings.Contains(body, `data-slot="`+night+`"`) {
		t.Fatal("the slot went before the removal was confirmed")
	}
	if code, _, _ := post(t, sup, pn.url("IT", "/roster/slots/"+night+"/remove"), url.Values{"confirm": {"yes"}}, nil); code != http.StatusSeeOther {
		t.Fatalf("confirmed removal: %d", code)
	}
	_, body, _ = get(t, sup, pn.url("IT", "/roster"))
	if strings.Contains(body, `data-slot="`+night+`"`) || !strings.Contains(body, "Mon-Sun 08:00-22:00") || !strings.Contains(body, "nobody is on duty now") {
		t.Errorf("after the removal: %.400s", body[strings.Index(body, "alarm-h"):])
	}
	recs, err := auditlog.List(context.Background(), pn.Node("IT").DB, auditlog.Query{Kind: auditlog.AdminChange, Actor: "Sara Capo"})
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for i := len(recs) - 1; i >= 0; i-- {
		changes = append(changes, recs[i].Details["change"])
	}
	if strings.Join(changes, ",") != "duty slot added,duty slot added,duty slot changed,duty slot removed" {
		t.Errorf("audit: %v", changes)
	}
}

// TestBrowserRosterPage: the roster page with its form and the removal
// confirmation pass the accessibility checks at 1366 and 390 px, and the
// error summary takes the focus.
func TestBrowserRosterPage(t *testing.T) {
	t.Parallel()
	b := browser(t, "Europe/Rome")
	clk := clock.NewManual(time.Date(2027, 1, 6, 2, 0, 0, 0, time.UTC))
	pn, sup := rosterNet(t, clk)
	// Sign the supervisor's browser in with the session the HTTP client holds.
	u, _ := url.Parse(pn.url("IT", "/"))
	var cookie *http.Cookie
	for _, c := range sup.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, SessionCookie) {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	// The cookie goes into Chromium's cookie store through CDP, whose answer
	// comes once it is stored. document.cookie is not enough: the page's
	// renderer hands it to the network service asynchronously, and a
	// navigation right after it could leave without it (/roster -> /signin,
	// which by then had the cookie -> /inbox: CI run of 2026-12-03).
	within(t, b, 60*time.Second, "give the browser the session",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			httpOnly := true
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{
				Name: cookie.Name, Value: cookie.Value, URL: pn.url("IT", "/"), Path: "/", HTTPOnly: &httpOnly})
			return err
		}))
	within(t, b, 60*time.Second, "open the roster",
		chromedp.Navigate(pn.url("IT", "/roster")),
		chromedp.WaitVisible("#add-slot"))
	pageChecks(t, b, "roster")
	within(t, b, 60*time.Second, "a bad slot",
		chromedp.SetValue("#slot-hours", "Mon-Sun 22:00"),
		chromedp.Click("#add-slot-button"),
		chromedp.WaitVisible("#error-summary"))
	if id := evalString(t, b, `document.activeElement.id`); id != "error-summary" {
		t.Errorf("focus on %q, want the error summary", id)
	}
	pageChecks(t, b, "roster with errors")
	within(t, b, 60*time.Second, "a good slot",
		chromedp.SetValue("#slot-person", "Nina Notte (fictional)"),
		chromedp.SetValue("#slot-role", "primary"),
		chromedp.SetValue("#slot-hours", "Mon-Sun 22:00-08:00"),
		chromedp.Click("#add-slot-button"),
		chromedp.WaitVisible("#flash"),
		chromedp.Click(`button[id^="remove-"]`),
		chromedp.WaitVisible("#consequence"))
	pageChecks(t, b, "roster removal confirmation")
}

// dutyNow reads the duty table of a page: each person's "on" or "off".
func dutyNow(t *testing.T, body string) map[string]string {
	t.Helper()
	i := strings.Index(body, `<table class="inbox duty">`)
	if i < 0 {
		t.Fatal("no duty table")
	}
	table := body[i : i+strings.Index(body[i:], "</table>")]
	out := map[string]string{}
	for _, row := range strings.Split(table, "<tr>")[1:] {
		m := regexp.MustCompile(`data-label="Person">([^<]*)</td>`).FindStringSubmatch(row)
		if m == nil {
			continue
		}
		switch {
		case strings.Contains(row, "tone-done"):
			out[html.UnescapeString(m[1])] = "on"
		case strings.Contains(row, "tone-neutral"):
			out[html.UnescapeString(m[1])] = "off"
		}
	}
	return out
}
