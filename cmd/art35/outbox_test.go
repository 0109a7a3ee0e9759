package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testnet"
)

// TestOutboxListsWhatWaits queues an emergency request to a peer that is
// down and checks that "art35 outbox" shows it, marked, with its peer's
// queue depth, in text and JSON.
func TestOutboxListsWhatWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	net := testnet.StartTest(t, store.SQLite, testnet.Options{Parties: []string{"US", "IT"}, Clock: clock.NewManual(testClockTime)})
	if err := net.Stop("IT"); err != nil {
		t.Fatal(err)
	}
	us := net.Node("US")
	h := envelope.Header{IdempotencyKey: "kidnap-1", Kind: envelope.KindRequest, Subkind: "emergency-disclosure", Recipient: "IT-247"}
	env, err := us.Send(ctx, h, []byte(`{}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Stop("US"); err != nil {
		t.Fatal(err)
	}
	data := net.Config("US").DataDir
	r := runCLI(t, "", nil, "outbox", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "EMERGENCY request/emergency-disclosure") || !strings.Contains(r.stdout, "IT-247: 1 waiting") {
		t.Fatalf("outbox: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "outbox", "--data", data, "--json")
	var out struct {
		Envelopes []struct {
			MessageID string `json:"message_id"`
			Emergency bool   `json:"emergency"`
		}
		Peers []federation.PeerQueue
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Envelopes) != 1 || out.Envelopes[0].MessageID != env.Header.ID || !out.Envelopes[0].Emergency || len(out.Peers) != 1 || out.Peers[0].Waiting != 1 {
		t.Fatalf("outbox --json = %+v", out)
	}
}
