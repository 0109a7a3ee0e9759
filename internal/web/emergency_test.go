package web

import (
	"github.com/art35/art35/internal/cases"

	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/testnet"
)

// TestEmergencyConfirmationInPortal (issue 11, SPEC story 7): the
// receiving officer's view of an emergency request says that it is not
// confirmed and must not be disclosed yet, offers the call-back to the
// directory's number (not one the request gives), refuses a call-back
// recorded against another number, and after a call-back on the right one
// says which confirmation the case has; disclosure is then allowed.
func TestEmergencyConfirmationInPortal(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 4, 3, 0, 0, 0, time.UTC))
	pn := startPortalNetClock(t, clk, "US", "IT")
	ctx := context.Background()
	const id, dutyLine = "US-2026-007101", "+00 1 555 0199"
	clk.Advance(time.Minute)
	if err := pn.Republish(ctx, clk.Now(), func(d *directory.Snapshot) {
		_, a, _ := d.AuthorityByID("US-247")
		a.Phone = dutyLine
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := pn.Node("US").Cases.Submit(ctx, testnet.RequestDoc("emergency-disclosure", id, "US", "IT", clk.Now()), "Alex Example"); err != nil {
		t.Fatal(err)
	}
	waitState(t, pn.Node("IT"), id, request.StateDelivered)
	for _, to := range []request.State{request.StateAcknowledged, request.StateInProgress} {
		if _, err := pn.Node("IT").Cases.Act(ctx, id, request.Step{To: to, By: "Giulia Esempio (fictional)"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	it := pn.signIn(t, "IT")
	view := pn.url("IT", "/requests/"+id)
	_, body, _ := get(t, it, view)
	for _, want := range []string{`id="emergency"`, `data-confirmed="false"`, "Not confirmed: do not disclose yet", `id="callback-number">` + dutyLine + `<`, "No countersignature", "No call-back recorded yet"} {
		if !strings.Contains(htmlUnescape(body), want) {
			t.Errorf("unconfirmed emergency view lacks %q", want)
		}
	}
	// The number comes back from the form: another one (the request's own
	// call-back number, say) confirms nothing and is refused.
	code, body, _ := post(t, it, view+"/callback", url.Values{"number": {"+00 1 555 0100"}, "outcome": {"confirmed"}}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "The call-back was not recorded") || !strings.Contains(body, "not the one the directory holds") {
		t.Fatalf("call-back to another number: %d %s", code, body)
	}
	code, _, _ = post(t, it, view+"/callback", url.Values{"number": {dutyLine}, "outcome": {"duty officer Sam Example (fictional) confirmed the request"}}, nil)
	if code != http.StatusSeeOther {
		t.Fatalf("call-back on the directory's number: %d", code)
	}
	_, body, _ = get(t, it, view)
	for _, want := range []string{`data-confirmed="true"`, "Confirmed: the request may be executed", "Called back by " + officerNames["IT"] + " on " + dutyLine} {
		if !strings.Contains(htmlUnescape(body), want) {
			t.Errorf("confirmed emergency view lacks %q", want)
		}
	}
	if strings.Contains(body, `id="callback-form"`) {
		t.Error("the call-back form is still offered on a confirmed request")
	}
	if _, err := pn.Node("IT").Cases.Act(ctx, id, request.Step{To: request.StateDisclosed, By: officerNames["IT"]}, nil); err != nil {
		t.Fatalf("disclosure after the call-back: %v", err)
	}
}

// TestTimelineWordsForCaseNotes: the notes the cases package records
// (a peer's refusal, a countersignature, a call-back, ...) read as words
// in both languages on the timeline, never as their slugs.
func TestTimelineWordsForCaseNotes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ kind, en, fr string }{
		{cases.KindRefusedByPeer, "Refused by the other node (not retried)", "Refusé par l'autre nœud (pas de nouvel envoi)"},
		{cases.KindCountersigned, "Countersigned by a second person", "Contresignée par une deuxième personne"},
		{cases.KindCallback, "Called back to confirm", "Rappel de confirmation"},
	} {
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr} {
			if h, _ := eventHeadline(lang, request.Evidence{Kind: tc.kind}); h != want {
				t.Errorf("%s in %s: %q, want %q", tc.kind, lang, h, want)
			}
		}
	}
}
