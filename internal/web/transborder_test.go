package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/transborder"
)

// interceptionJSON is the minimal interception fixture: the US asks Italy
// to intercept from 2026-11-25 to 2026-12-25 (Art. 34).
func interceptionJSON(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../request/testdata/minimal/interception.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTransborderPage (issue 12, build 4): from the portal an officer
// records an Art. 32 access (refused with the field, rule and fix when a
// consent lacks who consented; recorded with its audit record when
// complete) and renews a received Art. 34 interception, which moves the
// end of its authorised period in the case's clock.
func TestTransborderPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pn, clk := startWithSent(t, interceptionJSON(t))
	it := pn.Node("IT")
	c := pn.signIn(t, "IT")

	status, body, _ := get(t, c, pn.url("IT", "/transborder"))
	if status != http.StatusOK || !strings.Contains(body, `id="no-access"`) || !strings.Contains(body, `id="interception-US-2026-000101"`) {
		t.Fatalf("page: %d\n%s", status, body)
	}
	// In French for a French browser.
	req, _ := http.NewRequest(http.MethodGet, pn.url("IT", "/transborder"), nil)
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	if resp, err := c.Do(req); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "Accès transfrontières et interceptions") || !strings.Contains(string(b), "Aucun accès transfrontière enregistré") {
			t.Errorf("the page is not in French for a French browser")
		}
	}
	// Received and not acknowledged yet: not renewable.
	if strings.Contains(body, `id="renew-US-2026-000101"`) {
		t.Error("an unacknowledged interception offers a renewal")
	}

	// Art. 32(b) without who consented: refused, nothing recorded.
	form := url.Values{"ground": {"consent"}, "what": {"mailbox of user-4711"}, "source": {"mail.example.org"},
		"accessed_at": {"2026-11-25T21:00"}, "party": {"de"}}
	status, body, _ = post(t, c, pn.url("IT", "/transborder/access"), form, nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#consent_by"`) || !strings.Contains(body, "Art. 32(b) needs the person who consented") {
		t.Fatalf("incomplete consent: %d\n%s", status, body)
	}
	if !strings.Contains(body, `value="mailbox of user-4711"`) {
		t.Error("the form does not keep what was typed")
	}
	if list, _ := (&transborder.Service{DB: it.DB, Clock: clk}).List(ctx); len(list) != 0 {
		t.Fatalf("a refused access was recorded: %+v", list)
	}

	// Complete: recorded in the officer's name, with its audit record.
	form.Set("consent_by", "Kim Beispiel (fictional), account holder")
	form.Set("consent_authority", "holder of the account, consented in writing")
	status, _, hdr := post(t, c, pn.url("IT", "/transborder/access"), form, nil)
	if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/transborder?recorded=A32-") {
		t.Fatalf("record: %d %v", status, hdr)
	}
	list, err := (&transborder.Service{DB: it.DB, Clock: clk}).List(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("recorded: %+v %v", list, err)
	}
	a := list[0]
	if a.Ground != transborder.Consent || a.Party != "DE" || a.RecordedBy != pn.names["IT"] || !a.AccessedAt.Equal(time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("recorded access %+v", a)
	}
	records, err := auditlog.List(ctx, it.DB, auditlog.Query{Actor: pn.names["IT"], Kind: auditlog.AdminChange})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range records {
		found = found || r.Details["access"] == a.ID
	}
	if !found {
		t.Errorf("no audit record for %s: %+v", a.ID, records)
	}
	_, body, _ = get(t, c, pn.url("IT", hdr.Get("Location")))
	if !strings.Contains(body, `id="access-`+a.ID+`"`) || !strings.Contains(body, "Consent (Art. 32(b))") {
		t.Errorf("the page does not list the access:\n%s", body)
	}

	// Art. 34: acknowledge, then renew until 2027-01-25 from the page.
	clk.Advance(time.Minute)
	if _, err := it.Cases.Act(ctx, "US-2026-000101", request.Step{To: request.StateAcknowledged, By: pn.names["IT"]}, nil); err != nil {
		t.Fatal(err)
	}
	status, body, _ = post(t, c, pn.url("IT", "/transborder/interceptions/US-2026-000101/renew"), url.Values{"until": {"2026-11-20T10:00"}}, nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "must be in the future") {
		t.Fatalf("renewal in the past: %d\n%s", status, body)
	}
	status, _, hdr = post(t, c, pn.url("IT", "/transborder/interceptions/US-2026-000101/renew"), url.Values{"until": {"2027-01-25T00:00:00Z"}, "details": {"court order 13/2026-R1 (fictional)"}}, nil)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/transborder?renewed=US-2026-000101" {
		t.Fatalf("renew: %d %v", status, hdr)
	}
	cs, err := it.Cases.Get(ctx, "US-2026-000101")
	if err != nil {
		t.Fatal(err)
	}
	agenda, _, err := it.Cases.Clocks(ctx, cs, request.DefaultPolicy(), clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	var end time.Time
	for _, d := range agenda.Deadlines {
		if d.Clock == request.ClockInterception {
			end = d.Due
		}
	}
	if !end.Equal(time.Date(2027, 1, 25, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the authorised period ends %v after the renewal", end)
	}
	_, body, _ = get(t, c, pn.url("IT", "/transborder?renewed=US-2026-000101"))
	if !strings.Contains(body, "by "+pn.names["IT"]+", until") || !strings.Contains(body, "Interception US-2026-000101: renewal recorded") {
		t.Errorf("the renewal is not shown:\n%s", body)
	}
}

// TestDisclosureStoppedHeadline: the case timeline names who stopped a
// direct order, and the EU certificates have names of their own.
func TestDisclosureStoppedHeadline(t *testing.T) {
	t.Parallel()
	h, details := eventHeadline("en", request.Evidence{Kind: request.NoteDisclosureStopped, By: "DE-NOT (Erika Beispiel)", Details: "prejudice"})
	if h != "Disclosure stopped by DE-NOT (Erika Beispiel)" || !details {
		t.Errorf("headline %q details %v", h, details)
	}
	for _, typ := range []request.Type{request.TypeEPOC, request.TypeEPOCPR} {
		if word("en", "type", string(typ)) == string(typ) || word("fr", "type", string(typ)) == string(typ) {
			t.Errorf("%s has no name in the portal", typ)
		}
	}
}

// TestComposeEUCertificates: the portal offers the two EU certificates
// as forms, section by section, and checking an empty one lists what the
// Annex requires.
func TestComposeEUCertificates(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC))
	pn := startPortalNetClock(t, clk, "US", "IT")
	c := pn.signIn(t, "IT")
	for typ, section := range map[request.Type]string{request.TypeEPOC: "epoc.section_l.address", request.TypeEPOCPR: "epoc_pr.section_c.items[0].description"} {
		status, body, _ := get(t, c, pn.url("IT", "/compose/"+string(typ)))
		if status != http.StatusOK || !strings.Contains(body, `name="`+section+`"`) {
			t.Errorf("compose %s: %d, no field %s", typ, status, section)
		}
		root := strings.ReplaceAll(string(typ), "-", "_")
		form := composeValues(t, c, pn.url("IT", "/compose/"+string(typ)), url.Values{"sender_ref": {"EX-1"},
			"requested.party": {"DE"}, "requested.name": {"Example Mail GmbH (fictional)"}, "priority": {"routine"},
			"legal_basis.instrument": {"eu-2023-1543"}, "language": {"en"}, "handling.code": {"H0"},
			root + ".section_a.issuing_state": {"IT"}})
		status, body, _ = post(t, c, pn.url("IT", "/compose/"+string(typ)), form, nil)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Reg. 2023/1543 Annex") {
			t.Errorf("check an empty %s: %d, no Annex rule in the answer\n%s", typ, status, body)
		}
	}
}
