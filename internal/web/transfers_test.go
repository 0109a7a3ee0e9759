package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/testkit"
	"github.com/chromedp/chromedp"
)

// TestTransferAuthorisations: Italy received a preservation request from
// the US and wants to pass its data to GB. Its officer's ask is refused
// naming each missing field, then shown back with its consequence and
// the rule (route.OnwardTransfer, the same as cases.Submit applies) and
// sent only when confirmed; the US officer sees the ask, authorises it
// after a confirmation of its own, and both sides list the authorisation.
// Each side may only do its own part.
func TestTransferAuthorisations(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk)
	ctx := context.Background()
	const id = "US-2026-000101"
	page := "/requests/" + id + "/transfers"
	it, us := pn.signIn(t, "IT"), pn.signIn(t, "US")

	if _, view, _ := get(t, it, pn.url("IT", "/requests/"+id)); !strings.Contains(view, `<a href="`+page+`" id="transfers-link">`) {
		t.Error("the request view does not link to its transfer authorisations")
	}
	code, body, _ := get(t, it, pn.url("IT", page))
	if code != http.StatusOK || !strings.Contains(body, "Ask US for an authorisation") || !strings.Contains(body, `id="no-authorisations"`) {
		t.Fatalf("IT's page: %d %.400s", code, body)
	}
	code, body, _ = post(t, it, pn.url("IT", page), url.Values{"action": {"ask"}}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="error-summary"`) ||
		!strings.Contains(body, `data-field="to">✖ Third party: choose`) || !strings.Contains(body, `data-field="purpose">✖ Purpose: say why`) {
		t.Errorf("empty ask: %d, want 422 naming the party and the purpose", code)
	}
	code, body, _ = post(t, it, pn.url("IT", page), url.Values{"action": {"grant"}, "to": {"GB"}, "purpose": {"x"}}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "This node may only ask for request "+id) {
		t.Errorf("IT granting on a request it received: %d", code)
	}
	code, body, _ = post(t, it, pn.url("IT", page), url.Values{"action": {"ask"}, "to": {"US"}, "purpose": {"x"}}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "already holds these data") {
		t.Errorf("asking to pass the data back to the US: %d", code)
	}

	purpose := "to preserve the logs of the provider in GB named in our answer"
	ask := url.Values{"action": {"ask"}, "to": {"GB"}, "purpose": {purpose}}
	code, body, _ = post(t, it, pn.url("IT", page), ask, nil)
	body = html.UnescapeString(body)
	d, err := pn.Node("IT").Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rule := route.OnwardTransfer(d, "US", "IT", "GB", request.HandlingCode("H0"), nil, clk.Now())
	if code != http.StatusOK || !strings.Contains(body, `id="consequence"`) || !strings.Contains(body, "Your ask goes to US-247 at once, signed with your name") ||
		!strings.Contains(body, rule.Reason) || !strings.Contains(body, `id="confirm-transfer"`) {
		t.Fatalf("confirmation: %d, want the consequence and the rule %q: %.800s", code, rule.Reason, body)
	}
	if n := len(lifecycleOf(t, pn, "IT", id).All(cases.KindTransferRequest)); n != 0 {
		t.Fatalf("the ask was sent before it was confirmed (%d)", n)
	}
	ask.Set("confirm", "yes")
	code, _, h := post(t, it, pn.url("IT", page), ask, nil)
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=") {
		t.Fatalf("confirmed ask: %d %q", code, h.Get("Location"))
	}

	// The US sees the ask and authorises it.
	testkit.Eventually(t, "the ask at the US", func() bool { return len(lifecycleOf(t, pn, "US", id).All(cases.KindTransferRequest)) == 1 })
	_, body, _ = get(t, us, pn.url("US", page))
	if !strings.Contains(body, `data-ask="`+id+`-GB"`) || !strings.Contains(body, `id="grant-GB"`) || !strings.Contains(body, purpose) {
		t.Fatalf("US page lacks the ask: %.600s", body)
	}
	code, _, _ = post(t, us, pn.url("US", page), url.Values{"action": {"ask"}, "to": {"GB"}, "purpose": {"x"}}, nil)
	if code != http.StatusUnprocessableEntity {
		t.Errorf("US asking on its own request: %d, want 422", code)
	}
	grant := url.Values{"action": {"grant"}, "to": {"GB"}, "purpose": {purpose}}
	code, body, _ = post(t, us, pn.url("US", page), grant, nil)
	if code != http.StatusOK || !strings.Contains(html.UnescapeString(body), "Authorise IT to pass the data of "+id+" to GB?") || !strings.Contains(body, "cannot be withdrawn") {
		t.Fatalf("grant confirmation: %d %.600s", code, body)
	}
	if as, _ := pn.Node("US").Cases.Authorisations(ctx); len(as) != 0 {
		t.Fatal("authorised before confirmation")
	}
	grant.Set("confirm", "yes")
	if code, _, _ := post(t, us, pn.url("US", page), grant, nil); code != http.StatusSeeOther {
		t.Fatalf("confirmed grant: %d", code)
	}
	testkit.Eventually(t, "the authorisation at IT", func() bool {
		as, err := pn.Node("IT").Cases.Authorisations(ctx)
		return err == nil && len(as) == 1 && as[0].To == "GB" && as[0].GrantedBy == pn.names["US"]
	})
	for _, p := range []string{page, "/transfers"} {
		_, body, _ := get(t, it, pn.url("IT", p))
		if !strings.Contains(body, `data-authorisation="`+id+`-GB"`) || !strings.Contains(body, "✔ Authorised") {
			t.Errorf("IT %s does not list the authorisation", p)
		}
	}
}

func lifecycleOf(t *testing.T, pn *portalNet, party, id string) *request.Lifecycle {
	t.Helper()
	c, err := pn.Node(party).Cases.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Lifecycle
}

// TestBrowserTransferAsk: in Chromium, the Italian officer asks the US
// for an onward-transfer authorisation from the request's transfers
// page: choose the party, give the purpose, read the consequence, confirm.
// Both pages pass the accessibility checks at 1366 and 390 px.
func TestBrowserTransferAsk(t *testing.T) {
	t.Parallel()
	b := browser(t, "Europe/Rome")
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk)
	const id = "US-2026-000101"
	pn.browserSignIn(t, b, "IT")
	within(t, b, 60*time.Second, "open the transfers page",
		chromedp.Navigate(pn.url("IT", "/requests/"+id+"/transfers")),
		chromedp.WaitVisible("#transfer-form"))
	pageChecks(t, b, "transfers page")
	within(t, b, 60*time.Second, "ask",
		chromedp.SetValue("#transfer-to", "GB"),
		chromedp.SendKeys("#transfer-purpose", "to preserve the logs of the provider in GB"),
		chromedp.Click("#transfer-check"),
		chromedp.WaitVisible("#consequence"))
	if txt := evalString(t, b, `document.getElementById("consequence").textContent`); !strings.Contains(txt, "Your ask goes to US-247 at once") {
		t.Errorf("consequence %q", txt)
	}
	pageChecks(t, b, "transfer confirmation")
	within(t, b, 60*time.Second, "confirm", chromedp.Click("#confirm-transfer"), chromedp.WaitVisible("#flash"))
	if n := len(lifecycleOf(t, pn, "IT", id).All(cases.KindTransferRequest)); n != 1 {
		t.Errorf("%d asks recorded at IT, want 1", n)
	}
	if txt := evalString(t, b, `document.querySelector('[data-ask="`+id+`-GB"]').textContent`); !strings.Contains(txt, "Waiting") {
		t.Errorf("the ask is not listed as waiting: %q", txt)
	}
}

// TestDeskPagesInFrench: the transfers and roster pages speak French to
// a French browser (the words come from i18n/fr/transfers.txt and
// roster.txt).
func TestDeskPagesInFrench(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk)
	it := pn.signIn(t, "IT")
	for path, want := range map[string]string{
		"/requests/US-2026-000101/transfers": "Demander une autorisation à US",
		"/transfers":                         "Autorisations enregistrées",
		"/roster":                            "Personnes de l&#39;annuaire",
	} {
		req, _ := http.NewRequest(http.MethodGet, pn.url("IT", path), nil)
		req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
		resp, err := it.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := new(strings.Builder)
		_, _ = io.Copy(b, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(b.String(), want) || !strings.Contains(b.String(), `<html lang="fr">`) {
			t.Errorf("%s in French: %d, want %q", path, resp.StatusCode, want)
		}
	}
}

// FuzzTransferDetails: the details of a transfer ask come from the peer
// (an evidence it signed, but outside data all the same): reading them
// never panics, and what cases writes reads back.
func FuzzTransferDetails(f *testing.F) {
	f.Add("GB", "to preserve the logs")
	f.Add("", "")
	f.Add("to=GB", "purpose=x; to=FR")
	f.Fuzz(func(t *testing.T, to, purpose string) {
		_, _ = transferDetails(to + purpose) // any text
		if strings.Contains(to, "; ") || strings.Contains(purpose, "; ") || strings.Contains(to, "=") {
			return
		}
		gotTo, gotPurpose := transferDetails("to=" + to + "; purpose=" + purpose)
		if gotTo != to || gotPurpose != purpose {
			t.Errorf("read back %q %q, want %q %q", gotTo, gotPurpose, to, purpose)
		}
	})
}
