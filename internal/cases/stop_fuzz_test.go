package cases_test

import (
	"context"
	"testing"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// FuzzJudgeStop feeds arbitrary bodies to rule R9 as a disclosure-stopped
// evidence from the notified authority and from the issuer, at the
// provider's node holding a notified order: it never panics, and answers
// only "may say it" or a *Rejection.
func FuzzJudgeStop(f *testing.F) {
	ctx := context.Background()
	clk := clock.NewManual(t0)
	net, err := testnet.Start(ctx, testnet.Options{Parties: []string{"FR", "DE"}, Dir: f.TempDir(), Clock: clk,
		Providers: []testnet.Provider{{Name: "DE-MAIL-EXAMPLE", Party: "DE"}, {Name: "DE-NOT", Party: "DE"}, {Name: "DE-EUE", Party: "DE"}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { net.Close() })
	notifyWorld(f, net, clk.Now())
	yes := true
	doc := order(f, request.TypeSubscriberDirect, "FR-2026-000601", func(r *request.Request) { r.SubscriberDirect.NotificationGiven = &yes })
	if _, _, _, err := net.Node("FR").Cases.SubmitDirect(ctx, doc, "Camille Exemple (fictional)", "DE-MAIL-EXAMPLE"); err != nil {
		f.Fatal(err)
	}
	isp := net.Node("DE-MAIL-EXAMPLE").Cases
	testkit.Eventually(f, "the order to reach the provider", func() bool {
		_, err := isp.Get(ctx, "FR-2026-000601")
		return err == nil
	})
	f.Add([]byte(`{"kind":"disclosure-stopped","request_id":"FR-2026-000601","linked_id":"FR-247","by":"x","at":"2026-11-25T03:00:00Z","details":"stop"}`))
	f.Add([]byte(`{"kind":"disclosure-stopped","request_id":"FR-2026-000601","linked_id":"DE-247","by":"x","at":"2026-11-25T03:00:00Z"}`))
	f.Add([]byte(`{"kind":"disclosure-stopped","request_id":"FR-2026-000601","linked_id":"FR-247","by":"x","at":"1999-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"kind":"closed"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, sender := range []string{"DE-NOT", "FR-247", "DE-EUE"} {
			h := envelope.Header{Kind: envelope.KindEvidence, Subkind: request.NoteDisclosureStopped, Sender: sender, SenderKeyID: "k", Recipient: "DE-MAIL-EXAMPLE"}
			err := isp.Judge(ctx, h, body)
			if _, ok := federation.AsRejection(err); err != nil && !ok {
				t.Fatalf("from %s: not a rejection: %v", sender, err)
			}
			if err == nil && sender != "DE-NOT" {
				t.Fatalf("a stop from %s passes the rule book", sender)
			}
		}
	})
}
