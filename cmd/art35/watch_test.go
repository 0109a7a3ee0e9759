package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
	"github.com/art35/art35/internal/watch"
)

// TestWatchCLI pushes a login event on the UK node for Norway's accepted
// realtime-traffic request and shows it on the Spanish side (where the
// address is, by the embedded IP data) with its hops.
func TestWatchCLI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"NO", "GB", "ES"}, Clock: clock.NewManual(testClockTime),
		Setup: func(_ string, n *node.Node) error { _, err := app.RegisterWatch(n, nil); return err }})
	doc, err := os.ReadFile("../../internal/watch/testdata/realtime-traffic.json")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := net.Node("NO").Cases.Submit(ctx, doc, "Ola Eksempel")
	if err != nil {
		t.Fatal(err)
	}
	id := c.Request.ID
	gb := net.Config("GB").DataDir
	testkit.Eventually(t, "the request at GB", func() bool {
		c, err := net.Node("GB").Cases.Get(ctx, id)
		return err == nil && c.Lifecycle.State == request.StateDelivered
	})
	r := runCLI(t, "", nil, "watch", "push", id, "--address", "80.58.61.250", "--time", "2026-11-25T02:00:00Z", "--data", gb)
	if r.code == 0 || !strings.Contains(r.stderr, "accepted") {
		t.Fatalf("push before acceptance: code %d, stderr %q", r.code, r.stderr)
	}
	if _, err := net.Node("GB").Cases.Act(ctx, id, request.Step{To: request.StateAcknowledged, By: "Alice Example"}, nil); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", nil, "watch", "push", id, "--address", "80.58.61.250", "--data", gb)
	if r.code != exitUsage {
		t.Errorf("push without --time: code %d", r.code)
	}
	r = runCLI(t, "", nil, "watch", "push", id, "--address", "80.58.61.250", "--port", "51234", "--time", "2026-11-25T02:00:00Z", "--data", gb)
	if r.code != 0 || !strings.Contains(r.stdout, "relayed to NO-247, ES-247") {
		t.Fatalf("push: code %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	es := net.Config("ES").DataDir
	testkit.Eventually(t, "the event at ES", func() bool {
		r = runCLI(t, "", nil, "watch", "show", id, "--data", es, "--json")
		var evs []watch.Stored
		return json.Unmarshal([]byte(r.stdout), &evs) == nil && len(evs) == 1
	})
	r = runCLI(t, "", nil, "watch", "show", id, "--data", es)
	for _, want := range []string{"80.58.61.250 port 51234", "ES", "location, received from GB-247", "end to end", "GB-247 received from provider", "ES-247 routed to operator"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("watch show at ES lacks %q:\n%s", want, r.stdout)
		}
	}
}
