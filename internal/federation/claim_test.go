package federation_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// TestClaimDue: replicas claiming at once on PostgreSQL take disjoint
// sets that cover the queue; a claim hides the envelope until its lease
// expires, then any replica may take it again; a recorded failure
// replaces the claim with its back-off. On SQLite (one process) claiming
// is reading: nothing is hidden.
func TestClaimDue(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		es := federation.NewEnvelopes(db, federation.Hooks{})
		ctx := context.Background()
		const total = 60
		ids := map[string]bool{}
		for i := range total {
			env, _ := sealed(t, fmt.Sprintf("claim-%d/sent", i), envelope.KindRequest, "preserve")
			ids[env.Header.ID] = true
			if err := db.Tx(ctx, func(tx *sql.Tx) error { return federation.Enqueue(ctx, tx, env, i == total-1, t0) }); err != nil {
				t.Fatal(err)
			}
		}
		now, lease := t0.Add(time.Minute), t0.Add(time.Minute+30*time.Second)
		if db.Backend() == store.SQLite {
			a, err := es.ClaimDue(ctx, "a", now, lease, total)
			if err != nil || len(a) != total {
				t.Fatalf("claim on SQLite: %d, %v", len(a), err)
			}
			b, _ := es.ClaimDue(ctx, "b", now, lease, total)
			if len(b) != total {
				t.Fatalf("SQLite claims hid envelopes: second pass saw %d of %d", len(b), total)
			}
			return
		}
		// Six claimers in three replicas take batches of 7 at once.
		var (
			mu     sync.Mutex
			owner  = map[string]string{}
			dup    []string
			wg     sync.WaitGroup
			errs   = make(chan error, 6)
			emerg  = map[string]int{} // replica -> position of the emergency in its first batch
			setEmg sync.Once
		)
		for i := range 6 {
			replica := fmt.Sprintf("r%d", i%3)
			wg.Go(func() {
				for {
					got, err := es.ClaimDue(ctx, replica, now, lease, 7)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for pos, o := range got {
						id := o.Envelope.Header.ID
						if o.Envelope.Header.IdempotencyKey == fmt.Sprintf("claim-%d/sent", total-1) {
							setEmg.Do(func() { emerg[replica] = pos })
						}
						if prev, ok := owner[id]; ok {
							dup = append(dup, id+" by "+prev+" and "+replica)
						}
						owner[id] = replica
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(dup) > 0 {
			t.Fatalf("claimed twice: %v", dup)
		}
		if len(owner) != total {
			t.Fatalf("claimed %d of %d", len(owner), total)
		}
		for _, pos := range emerg {
			if pos != 0 {
				t.Fatalf("the emergency came at position %d of its batch, want first", pos)
			}
		}
		var some string
		for id, r := range owner {
			by, until, err := es.ClaimedBy(ctx, id)
			if err != nil || by != r || !until.Equal(lease) {
				t.Fatalf("%s: claimed by %q until %s (%v), want %q until %s", id, by, until, err, r, lease)
			}
			some = id
		}
		// Nothing more is due before the lease ends.
		if got, _ := es.ClaimDue(ctx, "r9", lease.Add(-time.Second), lease.Add(time.Minute), total); len(got) != 0 {
			t.Fatalf("%d claimed envelopes handed out again before their lease ended", len(got))
		}
		// One failed attempt recorded: due at its back-off, before the others.
		if err := es.MarkAttempt(ctx, some, now, "connection refused", now.Add(5*time.Second)); err != nil {
			t.Fatal(err)
		}
		got, err := es.ClaimDue(ctx, "r9", now.Add(6*time.Second), lease.Add(time.Minute), total)
		if err != nil || len(got) != 1 || got[0].Envelope.Header.ID != some || got[0].Attempts != 1 {
			t.Fatalf("after a failed attempt: %d claimed, %v", len(got), err)
		}
		// The lease expires (the replica died): the rest is due again.
		got, err = es.ClaimDue(ctx, "r9", lease, lease.Add(time.Minute), total)
		if err != nil || len(got) != total-1 {
			t.Fatalf("after the lease expired: %d claimed of %d, %v", len(got), total-1, err)
		}
		if by, _, _ := es.ClaimedBy(ctx, got[0].Envelope.Header.ID); by != "r9" {
			t.Fatalf("reclaimed envelope held by %q, want r9", by)
		}
	})
}
