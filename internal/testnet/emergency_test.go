package testnet_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
	reqpkg "github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// republish signs a changed directory and has every node accept it.
func republish(t *testing.T, net *testnet.Net, now time.Time, change func(d *directory.Snapshot)) {
	t.Helper()
	if err := net.Republish(context.Background(), now, change); err != nil {
		t.Fatal(err)
	}
}

// TestEmergencyNeedsConfirmation is SPEC story 7 at the receiving point
// of contact: an emergency disclosure request, though signed by a key in
// the directory, is executed only once a second person of the requesting
// authority countersigned it or an officer called that authority back on
// the directory's number; a countersignature by a key the directory does
// not list, or by the node's own key, is refused; a request whose signing
// key is revoked afterwards is flagged at once and cannot be executed.
func TestEmergencyNeedsConfirmation(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		net, clk := startManual(t, backend, "US", "IT")
		us, it := net.Node("US"), net.Node("IT")
		ctx := context.Background()
		// The directory holds the US unit's duty number and a second
		// officer's own signing key (older than the node's key, so the
		// node's stays the current one for receipts).
		secondPub, second, _ := keys.GenerateSigning()
		_, stranger, _ := keys.GenerateSigning()
		republish(t, net, clk.Now(), func(d *directory.Snapshot) {
			_, a, _ := d.AuthorityByID("US-247")
			a.Phone = "+00 1 555 0199"
			a.Keys = append(a.Keys, directory.Key{Use: directory.UseSigning, Public: keys.FormatSigningPublic(secondPub),
				ID: keys.ID(keys.FormatSigningPublic(secondPub)), ValidFrom: clk.Now().Add(-24 * time.Hour)})
		})

		send := func(id string) string {
			t.Helper()
			c, _, err := us.Cases.Submit(ctx, testnet.RequestDoc("emergency-disclosure", id, "US", "IT", clk.Now()), "Alex Example")
			if err != nil {
				t.Fatal(err)
			}
			waitCase(t, it, id, reqpkg.StateDelivered)
			for _, to := range []reqpkg.State{reqpkg.StateAcknowledged, reqpkg.StateInProgress} {
				if _, err := it.Cases.Act(ctx, id, reqpkg.Step{To: to, By: "Giulia Esempio (fictional)"}, nil); err != nil {
					t.Fatal(err)
				}
			}
			return c.Request.ID
		}
		disclose := func(id string) error {
			_, err := it.Cases.Act(ctx, id, reqpkg.Step{To: reqpkg.StateDisclosed, By: "Giulia Esempio (fictional)"}, nil)
			return err
		}

		// 1. Signed by the US node's key, but not confirmed: not executed.
		called := send("US-2026-007001")
		if err := disclose(called); !apperr.Is(err, apperr.EConflict) || !strings.Contains(err.Error(), "not confirmed") {
			t.Fatalf("unconfirmed emergency disclosed: %v", err)
		}
		// A call to another number (one given in the request, say)
		// confirms nothing; the directory's number does.
		if _, err := it.Cases.Callback(ctx, called, cases.CallbackRecord{CalledBy: "Giulia Esempio (fictional)", Number: "+00 1 555 0100", Outcome: "confirmed"}); !apperr.Is(err, apperr.EInvalid) {
			t.Fatalf("call-back to a number not in the directory: %v", err)
		}
		if _, err := it.Cases.Callback(ctx, called, cases.CallbackRecord{CalledBy: "Giulia Esempio (fictional)", Number: "+0015550199",
			Outcome: "duty officer Sam Example confirmed the request and its id"}); err != nil {
			t.Fatal(err)
		}
		conf, err := it.Cases.Confirm(ctx, called)
		if err != nil || !conf.Confirmed || len(conf.Callbacks) != 1 || conf.Callbacks[0].Number != "+00 1 555 0199" {
			t.Fatalf("confirmation after the call-back: %+v %v", conf, err)
		}
		if err := disclose(called); err != nil {
			t.Fatal(err)
		}

		// 2. Countersigned by a second officer's key from the directory.
		signed := send("US-2026-007002")
		if err := us.Cases.Countersign(ctx, signed, "Bo Example (fictional)", stranger); err != nil {
			t.Fatal(err)
		}
		if out := waitOutbox(t, us); !strings.Contains(out, "evidence_invalid") {
			t.Fatalf("a countersignature by a key not in the directory: outbox %q, want evidence_invalid", out)
		}
		if err := us.Cases.Countersign(ctx, signed, "Alex Example", us.Signing); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "the second refusal", func() bool {
			out, _ := us.Envelopes.Outbox(ctx)
			return len(out) == 2 && out[1].State == "failed"
		})
		if err := disclose(signed); err == nil {
			t.Fatal("disclosed on a countersignature by the node's own key")
		}
		if err := us.Cases.Countersign(ctx, signed, "Bo Example (fictional)", second); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "the countersignature at Italy", func() bool {
			c, _ := it.Cases.Confirm(ctx, signed)
			return c != nil && c.Countersigned != ""
		})
		if err := disclose(signed); err != nil {
			t.Fatal(err)
		}
		waitCase(t, us, signed, reqpkg.StateDisclosed)

		// 3. The US key is revoked while a request it signed is in
		// flight: flagged when the directory arrives, never executed.
		flagged := send("US-2026-007003")
		clk.Advance(time.Minute)
		republish(t, net, clk.Now(), func(d *directory.Snapshot) {
			_, a, _ := d.AuthorityByID("US-247")
			for i := range a.Keys {
				if a.Keys[i].Use == directory.UseSigning {
					a.Keys[i].Revoked = clk.Now()
				}
			}
		})
		c, err := it.Cases.Get(ctx, flagged)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Lifecycle.First(cases.KindSignerRevoked, ""); !ok {
			t.Fatalf("no %s note on the request in flight: %+v", cases.KindSignerRevoked, c.Lifecycle.Evidences)
		}
		if _, err := it.Cases.Callback(ctx, flagged, cases.CallbackRecord{CalledBy: "Giulia Esempio (fictional)", Number: "+00 1 555 0199", Outcome: "confirmed"}); err != nil {
			t.Fatal(err)
		}
		if err := disclose(flagged); err == nil || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("a request signed with a revoked key was disclosed: %v", err)
		}
	})
}
