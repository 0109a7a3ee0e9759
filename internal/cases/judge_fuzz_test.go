package cases_test

import (
	"github.com/art35/art35/internal/testkit"

	"context"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/testnet"
)

// FuzzJudge feeds arbitrary bodies to the rule book as an authentic
// request and as an authentic evidence for a case Italy holds: it never
// panics, and its only answers are "may say it" or a *Rejection (a real
// database that works here gives no other error).
func FuzzJudge(f *testing.F) {
	ctx := context.Background()
	clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
	net, err := testnet.Start(ctx, testnet.Options{Parties: []string{"US", "IT"}, Dir: f.TempDir(), Clock: clk})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { net.Close() })
	us, it := net.Node("US"), net.Node("IT")
	c, _, err := us.Cases.Submit(ctx, testnet.RequestDoc("preserve", "US-2026-000800", "US", "IT", clk.Now()), "Alex Example")
	if err != nil {
		f.Fatal(err)
	}
	testkit.Eventually(f, "the request to reach Italy", func() bool {
		_, err := it.Cases.Get(ctx, c.Request.ID)
		return err == nil
	})
	f.Add(testnet.RequestDoc("preserve", "US-2026-000801", "US", "IT", clk.Now()))
	f.Add([]byte(`{"kind":"transition","request_id":"US-2026-000800","to":"closed","as":"sender","by":"x","at":"2026-11-25T03:00:00Z"}`))
	f.Add([]byte(`{"kind":"countersigned","request_id":"US-2026-000800","by":"x","details":"key=ab; sig=!!"}`))
	f.Add([]byte(`{"kind":"incident","request_id":"US-2026-000800"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, h := range []envelope.Header{
			{Kind: envelope.KindRequest, Subkind: "preserve", Sender: "US-247", SenderKeyID: "k", Recipient: "IT-247"},
			{Kind: envelope.KindEvidence, Subkind: "closed", Sender: "US-247", SenderKeyID: "k", Recipient: "IT-247", InReplyTo: c.MessageID},
			{Kind: envelope.KindEvidence, Subkind: "closed", Sender: "US-247", SenderKeyID: "k", Recipient: "IT-247"},
		} {
			err := it.Cases.Judge(ctx, h, body)
			if _, ok := federation.AsRejection(err); err != nil && !ok {
				t.Fatalf("%s: not a rejection: %v", h.Kind, err)
			}
		}
	})
}
