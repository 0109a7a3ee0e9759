package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
)

// acknowledgedOnIT sends the fixture preserve from US to IT on a manual
// clock and has IT acknowledge it (and more steps when given).
func acknowledgedOnIT(t *testing.T, clk *clock.Manual, more ...request.State) *portalNet {
	t.Helper()
	ctx := context.Background()
	pn := startPortalNetClock(t, clk, "US", "IT")
	if _, problems, err := pn.Node("US").Cases.Submit(ctx, []byte(preserveJSON), pn.names["US"]); err != nil {
		t.Fatal(err, problems)
	}
	const id = "US-2026-000101"
	waitCase(t, pn.Node("IT"), id)
	waitState(t, pn.Node("US"), id, request.StateDelivered)
	for _, to := range append([]request.State{request.StateAcknowledged}, more...) {
		clk.Advance(time.Minute)
		if _, err := pn.Node("IT").Cases.Act(ctx, id, request.Step{To: to, By: pn.names["IT"]}, nil); err != nil {
			t.Fatal(err)
		}
		waitState(t, pn.Node("US"), id, to)
	}
	return pn
}

func state(t *testing.T, pn *portalNet, party, id string) request.State {
	t.Helper()
	c, err := pn.Node(party).Cases.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Lifecycle.State
}

// TestConsequentialStepsAsk: Decline (like Postpone, Ask for information
// and Close) shows its consequence and waits for a second, explicit
// confirmation; no refusal code is preselected, and codes are shown in
// words with their article. Acknowledge stays one click.
func TestConsequentialStepsAsk(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk)
	const id = "US-2026-000101"
	it := pn.signIn(t, "IT")
	_, view, _ := get(t, it, pn.url("IT", "/requests/"+id))

	sel := regexp.MustCompile(`(?s)<select id="code-declined" name="code" required>(.*?)</select>`).FindStringSubmatch(view)
	if sel == nil {
		t.Fatal("no ground list for Decline")
	}
	if !strings.HasPrefix(strings.TrimSpace(sel[1]), `<option value="">— choose the ground —</option>`) || strings.Contains(sel[1], "selected") {
		t.Errorf("the ground list preselects a refusal: %s", sel[1])
	}
	if !strings.Contains(sel[1], `<option value="political-offence">Art. 29(5)(a) — the offence is regarded as a political offence`) {
		t.Errorf("codes are not in words with their article: %s", sel[1])
	}
	if !strings.Contains(view, `<button type="submit" id="act-declined" class="danger">Decline…</button>`) {
		t.Error("Decline does not look different from Acknowledge")
	}

	act := func(v url.Values) (int, string, http.Header) {
		return post(t, it, pn.url("IT", "/requests/"+id+"/act"), v, nil)
	}
	// No ground chosen: refused, nothing done, the officer told why.
	code, body, _ := act(url.Values{"to": {"declined"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "choose the ground") {
		t.Errorf("decline without a ground: %d", code)
	}
	// With a ground: the consequence first, nothing done yet.
	code, body, _ = act(url.Values{"to": {"declined"}, "code": {"political-offence"}, "details": {"see our note"}})
	if code != http.StatusOK || !strings.Contains(body, `id="consequence"`) || !strings.Contains(body, "told at once that the request is refused") ||
		!strings.Contains(body, "Art. 29(5)(a) — the offence is regarded as a political offence") || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Fatalf("decline did not ask for confirmation naming the consequence: %d %.400s", code, body)
	}
	if st := state(t, pn, "IT", id); st != request.StateAcknowledged {
		t.Fatalf("declined before confirmation: %s", st)
	}
	// Confirmed: done.
	code, _, h := act(url.Values{"to": {"declined"}, "code": {"political-offence"}, "details": {"see our note"}, "confirm": {"yes"}})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=declined") {
		t.Fatalf("confirmed decline: %d %q", code, h.Get("Location"))
	}
	if st := state(t, pn, "IT", id); st != request.StateDeclined {
		t.Fatalf("after confirmation: %s", st)
	}
	// The sender's Close asks too.
	waitState(t, pn.Node("US"), id, request.StateDeclined)
	us := pn.signIn(t, "US")
	code, body, _ = post(t, us, pn.url("US", "/requests/"+id+"/act"), url.Values{"to": {"closed"}}, nil)
	if code != http.StatusOK || !strings.Contains(body, "no further step can be taken") {
		t.Errorf("close did not ask first: %d", code)
	}
	if st := state(t, pn, "US", id); st != request.StateDeclined {
		t.Errorf("closed before confirmation: %s", st)
	}
	// The sender reads the ground in words, and the state in words with
	// its colour class.
	_, view, _ = get(t, us, pn.url("US", "/requests/"+id))
	if !strings.Contains(view, "Ground: Art. 29(5)(a) — the offence is regarded") || !strings.Contains(view, `class="state tone-stopped" id="state" data-state="declined">Declined</span>`) {
		t.Error("the sender does not see the refusal in words, with colour and text")
	}
}

// TestOfficersWords: the request view speaks the officers' language, not
// the wire format's (issue 16, item 5).
func TestOfficersWords(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk)
	it := pn.signIn(t, "IT")
	_, view, _ := get(t, it, pn.url("IT", "/requests/US-2026-000101"))
	for _, bad := range []string{"SPEC section", "2h0m0s", "budapest 29", "(system)", " -&gt; ", "mla_will_follow", "acknowledge —"} {
		if strings.Contains(view, bad) {
			t.Errorf("the request view says %q", bad)
		}
	}
	for _, want := range []string{"Budapest Convention", "network rule: a person acknowledges an urgent request within 2 hours",
		`<span class="prio prio-urgent">! Urgent</span>`, "Acknowledgement by a person", "A formal MLA request will follow"} {
		if !strings.Contains(view, want) {
			t.Errorf("the request view lacks %q", want)
		}
	}
	code, body, _ := get(t, it, pn.url("IT", "/requests/IT-2026-999999"))
	if code != http.StatusNotFound || strings.Contains(body, "art35 case list") || !strings.Contains(body, "search for it") {
		t.Errorf("not-found page: %d, %.300s", code, body)
	}
	_, dir, _ := get(t, it, pn.url("IT", "/directory?q=zzzz"))
	if strings.Contains(dir, ".csv") || !strings.Contains(dir, "No party matches") {
		t.Error("the directory cites a file or shows bare headers for an empty search")
	}
}

// TestPreservationDateStays: the end date an officer in Rome chooses is
// the date shown back (it used to become the next day at 00:59 CET); the
// 60-day minimum is hinted on the form; after an error what was typed is
// still there.
func TestPreservationDateStays(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk, request.StateInProgress)
	const id = "US-2026-000101"
	it := pn.signIn(t, "IT")
	u, _ := url.Parse(pn.url("IT", "/"))
	it.Jar.SetCookies(u, []*http.Cookie{{Name: ZoneCookie, Value: "Europe/Rome", Path: "/"}})
	_, view, _ := get(t, it, pn.url("IT", "/requests/"+id))
	if !strings.Contains(view, `min="2027-03-02"`) || !strings.Contains(view, "At least 60 days from today (Art. 29(7)): 2027-03-02 or later.") {
		t.Error("the 60-day minimum is not hinted on the form")
	}
	// Too early: refused, with the typed values kept and no wire prefix.
	code, body, _ := post(t, it, pn.url("IT", "/requests/"+id+"/act"), url.Values{"to": {"preserved"}, "provider_ref": {"EXH-PRES-0412"}, "until": {"2027-02-15"}}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "at least 60 days") {
		t.Fatalf("too early an end: %d", code)
	}
	if !strings.Contains(body, `name="provider_ref" required value="EXH-PRES-0412"`) || !strings.Contains(body, `value="2027-02-15"`) {
		t.Error("after the error the provider reference or the date typed is gone")
	}
	if strings.Contains(body, "in-progress -&gt; preserved") {
		t.Error("the error shows the lifecycle's wire prefix")
	}
	code, _, _ = post(t, it, pn.url("IT", "/requests/"+id+"/act"), url.Values{"to": {"preserved"}, "provider_ref": {"EXH-PRES-0412"}, "until": {"2027-03-02"}}, nil)
	if code != http.StatusSeeOther {
		t.Fatalf("preserved: %d", code)
	}
	c, err := pn.Node("IT").Cases.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := c.Lifecycle.First("transition", request.StatePreserved)
	rome, _ := time.LoadLocation("Europe/Rome")
	if got := ev.Until.In(rome).Format("2006-01-02"); got != "2027-03-02" {
		t.Errorf("stored end date in Rome: %s (%s)", got, ev.Until)
	}
	_, view, _ = get(t, it, pn.url("IT", "/requests/"+id))
	if !strings.Contains(view, `Preserved until <strong class="until">Tue 2 Mar 2027</strong>`) || strings.Contains(view, "2027-03-03 00:59") {
		t.Error("the end date shown back is not the date chosen")
	}
}
