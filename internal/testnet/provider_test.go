package testnet_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/node"
	reqpkg "github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// TestProviderTakesOrdersFromItsOwnCountryOnly runs a Spanish provider's
// node beside the Spanish and US points of contact. An order from Spain's
// own 24/7 point is taken and answered ("preserved until D, reference R");
// the same order sent straight to the provider by the US authority is
// refused at the provider's inbox with its own code, and the US is told
// to go through Spain's point of contact.
func TestProviderTakesOrdersFromItsOwnCountryOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	net, err := testnet.Start(ctx, testnet.Options{Parties: []string{"US", "ES"}, Dir: t.TempDir(), Clock: clock.System{},
		Providers: []testnet.Provider{{Name: "ES-ISP-EXAMPLE", Party: "ES"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	isp := net.Node("ES-ISP-EXAMPLE")
	doc, err := os.ReadFile("../cases/testdata/preserve.json")
	if err != nil {
		t.Fatal(err)
	}
	// Spain's point of contact passes a preservation order to its provider.
	es := strings.NewReplacer(`"party": "US"`, `"party": "ES"`, `"party": "IT"`, `"party": "ES"`, "US-2026-000101", "ES-2026-000001").Replace(string(doc))
	c, problems, err := net.Node("ES").Cases.SubmitTo(ctx, []byte(es), "Lucía Ejemplo (fictional)", "ES-ISP-EXAMPLE")
	if err != nil {
		t.Fatal(err, problems)
	}
	waitCase(t, isp, c.Request.ID, reqpkg.StateDelivered)
	for _, st := range []reqpkg.Step{
		{To: reqpkg.StateAcknowledged, By: "Provider desk (fictional)"},
		{To: reqpkg.StateInProgress, By: "Provider desk (fictional)"},
		{To: reqpkg.StatePreserved, By: "Provider desk (fictional)", ProviderRef: "ISP-REF-42", Until: time.Now().Add(90 * 24 * time.Hour)},
	} {
		if _, err := isp.Cases.Act(ctx, c.Request.ID, st, nil); err != nil {
			t.Fatal(err)
		}
	}
	got := waitCase(t, net.Node("ES"), c.Request.ID, reqpkg.StatePreserved)
	if last := got.Lifecycle.Evidences[len(got.Lifecycle.Evidences)-1]; last.ProviderRef != "ISP-REF-42" {
		t.Fatalf("Spain's evidence = %+v", last)
	}

	// The US sends the same kind of order straight to the provider.
	us := strings.NewReplacer(`"party": "IT"`, `"party": "ES"`).Replace(string(doc))
	direct, _, err := net.Node("US").Cases.SubmitTo(ctx, []byte(us), "Alex Example", "ES-ISP-EXAMPLE")
	if err != nil {
		t.Fatal(err)
	}
	var out []federation.OutboundStatus
	testkit.Eventually(t, "the direct order to be refused for good", func() bool {
		out, _ = net.Node("US").Envelopes.Outbox(ctx)
		return len(out) == 1 && out[0].State == "failed"
	})
	if !strings.Contains(out[0].LastError, "not_admitted") || !strings.Contains(out[0].LastError, "point of contact") {
		t.Fatalf("refusal reason %q", out[0].LastError)
	}
	if _, err := isp.Cases.Get(ctx, direct.Request.ID); err == nil {
		t.Fatal("the provider stored an order sent directly by a foreign authority")
	}
	counts, _ := isp.Envelopes.RejectionCounts(ctx)
	if counts["not_admitted"] != 1 {
		t.Fatalf("provider rejections = %v", counts)
	}
}

func waitCase(t *testing.T, nd *node.Node, id string, want reqpkg.State) *cases.Case {
	t.Helper()
	var c *cases.Case
	testkit.Eventually(t, fmt.Sprintf("request %s on %s to reach %s", id, nd.Config.Authority, want), func() bool {
		got, err := nd.Cases.Get(context.Background(), id)
		c = got
		return err == nil && got.Lifecycle.State == want
	})
	return c
}
