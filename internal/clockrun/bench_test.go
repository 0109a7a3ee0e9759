package clockrun_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/clockrun"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// BenchmarkTick measures one pass of the runner over N open incoming
// cases in the steady state (every action already performed): the cost
// paid every Interval. The first pass, which records N notes and queues N
// notifications, is reported once as first-tick-ms.
func BenchmarkTick(b *testing.B) {
	for _, n := range []int{50, 200} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			clk := clock.NewManual(t0)
			net, err := testnet.Start(context.Background(), testnet.Options{Parties: []string{"US", "IT"}, Dir: b.TempDir(), Clock: clk})
			if err != nil {
				b.Fatal(err)
			}
			defer net.Close()
			ctx := context.Background()
			doc, _ := os.ReadFile("testdata/preserve.json")
			for i := range n {
				d := bytes.Replace(doc, []byte("US-2026-000301"), fmt.Appendf(nil, "US-2026-9%05d", i), 1)
				if _, _, err := net.Node("US").Cases.Submit(ctx, d, "Alex Example (fictional)"); err != nil {
					b.Fatal(err)
				}
			}
			testkit.EventuallyWithin(b, 2*time.Minute, fmt.Sprintf("%d requests to arrive", n), func() bool {
				ids, _ := net.Node("IT").Cases.Open(ctx)
				return len(ids) == n
			})
			r, err := app.Clocks(net.Node("IT"), clockrun.Options{Settings: &notify.Settings{}})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			rep, err := r.Tick(ctx)
			if err != nil || len(rep.Performed) != n {
				b.Fatalf("first tick: %d performed, %v", len(rep.Performed), err)
			}
			first := time.Since(start)
			b.ResetTimer()
			for b.Loop() {
				if rep, err := r.Tick(ctx); err != nil || len(rep.Performed) != 0 {
					b.Fatalf("steady tick: %+v, %v", rep, err)
				}
			}
			b.ReportMetric(float64(first.Milliseconds()), "first-tick-ms")
		})
	}
}
