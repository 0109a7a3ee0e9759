package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/art35/art35/internal/request"
)

// TestServedStep: the requested side records in the portal that a
// Protocol Art. 8 order was served on the provider; the data clock starts
// and the page shows it; the step is offered once.
func TestServedStep(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT")
	ctx := context.Background()
	b, err := os.ReadFile("../request/testdata/minimal/production-order.json")
	if err != nil {
		t.Fatal(err)
	}
	const id = "US-2026-000301"
	doc := strings.NewReplacer(`"party": "JP"`, `"party": "IT"`, "US-2026-000101", id).Replace(string(b))
	if _, ps, err := pn.Node("US").Cases.Submit(ctx, []byte(doc), "Alex Example"); err != nil {
		t.Fatal(err, ps)
	}
	waitState(t, pn.Node("IT"), id, request.StateDelivered)
	if _, err := pn.Node("IT").Cases.Act(ctx, id, request.Step{To: request.StateAcknowledged, By: "Giulia Prova"}, nil); err != nil {
		t.Fatal(err)
	}
	it := pn.signIn(t, "IT")
	_, body, _ := get(t, it, pn.url("IT", "/requests/"+id))
	if !strings.Contains(body, `id="act-served"`) {
		t.Fatal("the served step is not offered on an acknowledged production order")
	}
	code, _, h := post(t, it, pn.url("IT", "/requests/"+id+"/served"), url.Values{"details": {"order handed to Example Telecom (fictional)"}}, nil)
	if code != http.StatusSeeOther || strings.Contains(h.Get("Location"), "error=") {
		t.Fatalf("served: %d %s", code, h.Get("Location"))
	}
	c, err := pn.Node("IT").Cases.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	ag, _, err := pn.Node("IT").Cases.Clocks(ctx, c, request.DefaultPolicy(), pn.Node("IT").Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	started := false
	for _, d := range ag.Deadlines {
		started = started || (d.Clock == request.ClockArt8Data && d.Status == request.DeadlinePending)
	}
	if !started {
		t.Fatalf("no data clock after served: %+v", ag.Deadlines)
	}
	_, body, _ = get(t, it, pn.url("IT", "/requests/"+id))
	if strings.Contains(body, `id="act-served"`) || !strings.Contains(body, "Provider produces the data (Protocol Art. 8)") {
		t.Error("after served: the step is still offered or the data clock is not shown")
	}
	// On the sender's side there is nothing to serve.
	code, body, _ = post(t, pn.signIn(t, "US"), pn.url("US", "/requests/"+id+"/served"), url.Values{}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "nothing was done") {
		t.Errorf("served on the sending side: %d", code)
	}
}
