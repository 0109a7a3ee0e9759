package testnet_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// TestWitnessingDetectsARewrittenLog: the US node sees Italy's signed
// checkpoints with every delivery, checks each extends the one before and
// cosigns it (Italy keeps the cosignature); when Italy's log is rewritten
// (its audit tables replaced by another history and a new checkpoint
// signed over it), the US raises an alarm on its next delivery.
func TestWitnessingDetectsARewrittenLog(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		net := start(t, backend, clock.System{}, "US", "IT")
		us, it := net.Node("US"), net.Node("IT")
		ctx := context.Background()
		n := 0
		var firstID string
		send := func() {
			t.Helper()
			n++
			env, err := us.Send(ctx, request(fmt.Sprintf("w-%d", n), "preserve"), testnet.RequestDoc("preserve", fmt.Sprintf("US-W-%d", n), "US", "IT", time.Now()), nil)
			if err != nil {
				t.Fatal(err)
			}
			if firstID == "" {
				firstID = env.Header.ID
			}
			testkit.Eventually(t, "delivered", func() bool { out, _ := us.Envelopes.Outbox(ctx); return len(out) == 0 })
		}
		seen := func() int64 {
			var size int64
			us.DB.QueryRowContext(ctx, `SELECT size FROM witnessed_checkpoints WHERE origin = 'art35/IT-247'`).Scan(&size)
			return size
		}
		send()
		cp1, err := it.Audit.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		send()
		if got := seen(); got != cp1.Size {
			t.Fatalf("US saw Italy's log at size %d, want %d", got, cp1.Size)
		}
		send()
		cp2, err := it.Audit.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		send() // carries the cosignature of cp1 and receives cp2 with a proof from cp1
		if got := seen(); got != cp2.Size {
			t.Fatalf("US saw Italy's log at size %d, want %d (a consistent newer checkpoint)", got, cp2.Size)
		}
		send() // carries the cosignature of cp2
		cos, err := it.Witness.Cosignatures(ctx, cp2.Size)
		if err != nil || !strings.HasPrefix(cos["US-247"], "— art35/US-247 ") {
			t.Fatalf("Italy holds no US cosignature of its checkpoint %d: %v %v", cp2.Size, cos, err)
		}
		// Italy's proof bundle for the first request carries the US
		// cosignature of the checkpoint it is proved against.
		b, err := auditlog.Prove(ctx, it.DB, firstID)
		if err != nil || len(b.Cosignatures) != 1 || b.Cosignatures[0].Witness != "US-247" {
			t.Fatalf("bundle cosignatures = %+v, %v", b, err)
		}
		if alarms, _ := us.Witness.Alarms(ctx); len(alarms) != 0 {
			t.Fatalf("alarms on a consistent log: %+v", alarms)
		}

		// Italy rewrites its past: another history, longer than the
		// one the US saw, with a fresh signed checkpoint over it. (The
		// signed tree head and staged records go too: the sequencer
		// refuses to sign over a past that its last head contradicts.)
		// One transaction that takes the head lock first, so that a
		// batch the node's sequencer is committing cannot slip in.
		err = it.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, q := range []string{`UPDATE audit_head SET size = 0, root = NULL, made_at = NULL, note = NULL`,
				`DELETE FROM audit_records`, `DELETE FROM audit_hashes`, `DELETE FROM audit_checkpoints`, `DELETE FROM audit_staged`} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range cp2.Size + 3 {
			if _, err := auditlog.AppendOne(ctx, it.DB, auditlog.Record{Kind: auditlog.AdminChange, Time: time.Now().UTC(), Actor: "rewriter",
				Details: map[string]string{"n": fmt.Sprint(i)}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := it.Audit.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		send()
		alarms, err := us.Witness.Alarms(ctx)
		if err != nil || len(alarms) != 1 || alarms[0].Origin != "art35/IT-247" || alarms[0].OldSize != cp2.Size {
			t.Fatalf("alarms after the rewrite = %+v, %v", alarms, err)
		}
		if got := seen(); got != cp2.Size {
			t.Fatalf("the US replaced what it saw with the rewritten checkpoint (size %d)", got)
		}
		recs, _ := auditlog.List(ctx, us.DB, auditlog.Query{Kind: auditlog.Incident})
		if len(recs) != 1 {
			t.Fatalf("the alarm is not in the US audit log: %+v", recs)
		}
	})
}
