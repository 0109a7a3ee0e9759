package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// TestCaseSendToProviderAndStop: 'case send --to PROVIDER' sends a
// Protocol Art. 7 order straight to a German provider with the
// notification copy to DE's notification authority (in a test world
// where the Protocol binds FR and DE and DE made the Art. 7(5)
// declaration); that authority's 'case stop-disclosure' reaches the
// provider, whose case then shows the stop.
func TestCaseSendToProviderAndStop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewManual(testClockTime)
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"FR", "DE"}, Clock: clk,
		Providers: []testnet.Provider{{Name: "DE-MAIL-EXAMPLE", Party: "DE"}, {Name: "DE-NOT", Party: "DE"}}})
	if err := net.RepublishNotifyWorld(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	sendDirectAndStop(t, ctx, net)
}

// sendDirectAndStop sends a subscriber-direct order from FR straight to the German provider, with the notification copy, and has the notified authority stop it.
func sendDirectAndStop(t *testing.T, ctx context.Context, net *testnet.Net) {
	t.Helper()
	b, err := os.ReadFile("../../internal/request/testdata/minimal/subscriber-direct.json")
	if err != nil {
		t.Fatal(err)
	}
	var r request.Request
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	yes := true
	r.ID, r.Requesting.Party, r.Requested.Party, r.SubscriberDirect.NotificationGiven = "FR-2026-000501", "FR", "DE", &yes
	b, _ = json.Marshal(r)
	file := filepath.Join(t.TempDir(), "order.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, "", nil, "case", "send", file, "--data", net.Config("FR").DataDir, "--by", "Camille Exemple", "--to", "DE-MAIL-EXAMPLE")
	if res.code != 0 || !strings.Contains(res.stdout, "to DE-MAIL-EXAMPLE") || !strings.Contains(res.stdout, "notification copy to DE-NOT (Protocol Art. 7(5))") {
		t.Fatalf("send: %d %s %s", res.code, res.stdout, res.stderr)
	}
	notDir := net.Config("DE-NOT").DataDir
	waitCase(t, notDir, r.ID, request.StateDelivered)
	waitCase(t, net.Config("DE-MAIL-EXAMPLE").DataDir, r.ID, request.StateDelivered)

	if res := runCLI(t, "", nil, "case", "stop-disclosure", r.ID, "--data", notDir, "--provider", "DE-MAIL-EXAMPLE", "--by", "Erika Beispiel"); res.code != exitUsage || !strings.Contains(res.stderr, "--reason") {
		t.Errorf("stop without a reason: %d %s", res.code, res.stderr)
	}
	res = runCLI(t, "", nil, "case", "stop-disclosure", r.ID, "--data", notDir, "--provider", "DE-MAIL-EXAMPLE", "--by", "Erika Beispiel", "--reason", "would prejudice a domestic investigation")
	if res.code != 0 || !strings.Contains(res.stdout, "DE-MAIL-EXAMPLE instructed not to disclose") {
		t.Fatalf("stop: %d %s %s", res.code, res.stdout, res.stderr)
	}
	isp := net.Node("DE-MAIL-EXAMPLE").Cases
	testkit.Eventually(t, "the provider to record the stop", func() bool {
		c, err := isp.Get(ctx, r.ID)
		if err != nil {
			return false
		}
		ev, ok := c.Lifecycle.Stopped()
		return ok && strings.HasPrefix(ev.By, "DE-NOT (Erika Beispiel")
	})
}
