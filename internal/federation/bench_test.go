package federation

import (
	"github.com/art35/art35/internal/testkit"

	"context"
	"fmt"
	"testing"

	"github.com/art35/art35/internal/envelope"
)

func idFor(i int) string { return fmt.Sprintf("%032x", i) }

// BenchmarkInboxReceive measures the inbox checks, decryption and receipt
// signing for one 1 KiB envelope, with the in-memory store (no disk): the
// CPU cost a node pays per message before its database.
func BenchmarkInboxReceive(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	raws := make([][]byte, 0, 1000)
	for i := range 1000 {
		h := header(0)
		h.ID = idFor(i)
		h.IdempotencyKey = "k" + h.ID
		raws = append(raws, f.seal(b, h, make([]byte, 1024), f.us, nil))
	}
	i := 0
	testkit.ReportCPU(b)
	for b.Loop() {
		if i == len(raws) {
			b.StopTimer()
			f.store = newMemStore()
			f.inbox.Store, f.inbox.Audit = f.store, f.store
			i = 0
			b.StartTimer()
		}
		if _, err := f.inbox.Receive(ctx, raws[i], "https"); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkHTTPSDelivery measures a full delivery over loopback TLS with a
// pinned certificate: marshal, POST, inbox checks, receipt, receipt check.
func BenchmarkHTTPSDelivery(b *testing.B) {
	f := newFixture(b)
	url, pin := startTLS(b, &Handler{Inbox: f.inbox})
	c := &Client{Keys: f.keys}
	peer := Peer{Authority: "IT-POC", URL: url, Pin: pin}
	ctx := context.Background()
	n := 0
	testkit.ReportCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f.store.mu.Lock()
			n++
			id := idFor(n)
			f.store.mu.Unlock()
			h := header(0)
			h.ID, h.IdempotencyKey = id, "k"+id
			env, err := envelope.Seal(h, make([]byte, 1024), f.us, f.itEnc.PublicKey())
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := c.Send(ctx, peer, env); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
