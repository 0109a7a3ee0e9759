package cases_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store/storetest"
)

// TestOnwardChainingUnderConventionAlone (issue 12): Italy passes on data
// the US sent under the Convention with no condition (H0). The Second
// Protocol is not in force between them (3 of 5 ratifications), so its
// Art. 14(10) authorisation is not asked for, and the request goes.
func TestOnwardChainingUnderConventionAlone(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, backend string) {
		clk := clock.NewManual(t0)
		net := startParties(t, backend, clk, "US", "IT", "DE")
		us, it := net.Node("US").Cases, net.Node("IT").Cases
		ctx := context.Background()
		doc, _ := os.ReadFile("testdata/preserve.json")
		if !bytes.Contains(doc, []byte(`"code": "H0"`)) {
			t.Fatal("fixture preserve.json is no longer H0")
		}
		c, _, err := us.Submit(ctx, doc, "Alex Example")
		if err != nil {
			t.Fatal(err)
		}
		waitState(t, it, c.Request.ID, request.StateDelivered)
		onward, _ := os.ReadFile("testdata/spontaneous.json")
		sent, _, err := it.Submit(ctx, onward, "Giulia Prova (fictional)")
		if err != nil {
			t.Fatalf("chaining under the Convention alone refused: %v", err)
		}
		waitState(t, net.Node("DE").Cases, sent.Request.ID, request.StateDelivered)
	})
}
