package testnet_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	reqpkg "github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// TestProviderAdmitsEUPreservationOrder (issue 12): a Spanish provider's
// node takes a European Preservation Order sent straight to it by the
// French authority (Regulation (EU) 2023/1543, applicable since
// 2026-08-18, both states bound), and refuses the same order from the US
// authority (no instrument in force between the US and Spain allows a
// direct order), on both engines. The clock is fixed on 2026-12-02 so the
// answer does not depend on the day the test runs.
func TestProviderAdmitsEUPreservationOrder(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		opt := testnet.Options{Parties: []string{"FR", "US", "ES"}, Dir: t.TempDir(),
			Clock:     clock.NewManual(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)),
			Providers: []testnet.Provider{{Name: "ES-ISP-EXAMPLE", Party: "ES"}}}
		if backend == store.Postgres {
			dsns := map[string]string{}
			for _, p := range []string{"FR", "US", "ES", "ES-ISP-EXAMPLE"} {
				dsns[p] = storetest.DSN(t, backend)
			}
			opt.Database = func(p string) (string, error) { return dsns[p], nil }
		}
		net, err := testnet.Start(ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer net.Close()
		isp := net.Node("ES-ISP-EXAMPLE")
		doc, err := os.ReadFile("../cases/testdata/preserve.json")
		if err != nil {
			t.Fatal(err)
		}
		order := func(from string) []byte {
			return []byte(strings.NewReplacer(`"party": "US"`, `"party": "`+from+`"`, `"party": "IT"`, `"party": "ES"`,
				"US-2026-000101", from+"-2026-000101", `"instrument": "budapest"`, `"instrument": "eu-2023-1543"`,
				"2026-11-24T10:00:00Z", "2026-12-02T08:00:00Z").Replace(string(doc)))
		}

		// France's authority: admitted and stored at the provider.
		c, problems, err := net.Node("FR").Cases.SubmitTo(ctx, order("FR"), "Camille Exemple (fictional)", "ES-ISP-EXAMPLE")
		if err != nil {
			t.Fatal(err, problems)
		}
		waitCase(t, isp, c.Request.ID, reqpkg.StateDelivered)

		// The US authority, same order: refused at the provider's inbox.
		direct, _, err := net.Node("US").Cases.SubmitTo(ctx, order("US"), "Alex Example", "ES-ISP-EXAMPLE")
		if err != nil {
			t.Fatal(err)
		}
		var reason string
		testkit.Eventually(t, "the US order to be refused for good", func() bool {
			out, _ := net.Node("US").Envelopes.Outbox(ctx)
			if len(out) == 1 && out[0].State == "failed" {
				reason = out[0].LastError
				return true
			}
			return false
		})
		if !strings.Contains(reason, "not_admitted") || !strings.Contains(reason, "point of contact") {
			t.Fatalf("refusal reason %q", reason)
		}
		if _, err := isp.Cases.Get(ctx, direct.Request.ID); err == nil {
			t.Fatal("the provider stored an order from a non-EU party")
		}
		if counts, _ := isp.Envelopes.RejectionCounts(ctx); counts["not_admitted"] != 1 {
			t.Fatalf("provider rejections = %v", counts)
		}
	})
}
