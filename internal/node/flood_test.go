package node_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// The attack of issue 11: 2,000 forged envelopes claiming sender FR-247
// added 2,000 audit records with actor FR-247. Now refusals before the
// signature verified are counted in metrics and recorded as one audit
// record per source and minute, actor "unauthenticated <address>"; none
// is FR-247's act.
func TestForgedFloodIsNotTheClaimedSendersAct(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		c := newConfig(t, "DE")
		if _, err := node.Init(c, now); err != nil {
			t.Fatal(err)
		}
		c.Database = storetest.DSN(t, db.Backend())
		if db.Backend() == store.SQLite {
			c.Database = "art35.db"
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		n, err := node.New(context.Background(), c, node.Options{Clock: clock.NewManual(now), Listener: l, PlainHTTP: true})
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- n.Run(ctx) }()

		_, rogue, _ := ed25519.GenerateKey(rand.Reader)
		forged := func(i int) []byte {
			id, _ := envelope.NewID(rand.Reader)
			env, err := envelope.Seal(envelope.Header{ID: id, IdempotencyKey: fmt.Sprintf("req:FR-2026-%06d", i), Kind: envelope.KindRequest, Subkind: "preserve",
				Sender: "FR-247", Recipient: "DE-247", Created: now, Expires: now.Add(time.Hour), Handling: envelope.H1},
				[]byte("forged"), rogue, n.Encryption.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := env.Marshal()
			return b
		}
		const total = 2000
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		work := make(chan int)
		for range 8 {
			wg.Go(func() {
				for i := range work {
					body := forged(i)
					if i%2 == 1 {
						body = []byte(`{"v":1,"sender":"FR-247","garbage":` + strings.Repeat("1", i%50) + `}`)
					}
					resp, err := http.Post("http://"+n.Addr()+federation.InboxPath, federation.ContentType, bytes.NewReader(body))
					if err != nil {
						t.Error(err)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					statuses[resp.StatusCode]++
					mu.Unlock()
				}
			})
		}
		for i := range total {
			work <- i
		}
		close(work)
		wg.Wait()
		if statuses[200] != 0 {
			t.Fatalf("forged envelopes accepted: %v", statuses)
		}
		cancel()
		if err := <-done; err != nil { // Run flushes the aggregated records as it stops
			t.Fatal(err)
		}
		rows, err := n.DB.Query(`SELECT leaf FROM audit_records WHERE kind = $1`, string(auditlog.InboxRejection))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var recs []auditlog.Record
		for rows.Next() {
			var leaf []byte
			if err := rows.Scan(&leaf); err != nil {
				t.Fatal(err)
			}
			r, err := auditlog.Decode(leaf)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
		if len(recs) != 1 || recs[0].Actor != "unauthenticated 127.0.0.1" || recs[0].Details["claimed_senders"] != "FR-247" {
			first := auditlog.Record{}
			if len(recs) > 0 {
				first = recs[0]
			}
			t.Fatalf("%d rejection records (statuses %v), the first by %q; want one, by \"unauthenticated 127.0.0.1\"", len(recs), statuses, first.Actor)
		}
		if statuses[http.StatusTooManyRequests] == 0 || recs[0].Details["count"] == "" {
			t.Errorf("the flood was not limited: %v, record %v", statuses, recs[0].Details)
		}
		var fr int
		if err := n.DB.QueryRow(`SELECT COUNT(*) FROM audit_records WHERE actor = 'FR-247'`).Scan(&fr); err != nil || fr != 0 {
			t.Errorf("%d audit records name FR-247 (%v)", fr, err)
		}
	})
}
