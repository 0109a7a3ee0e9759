package cases_test

import (
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
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		clk := clock.NewManual(t0)
		net := startParties(t, backend, clk, "US", "IT", "DE")
		us, it := net.Node("US").Cases, net.Node("IT").Cases
		ctx := context.Background()
		sendDelivered(t, us, it, preserveDoc(t, `"code": "H0"`, `"code": "H0"`)) // an H0 request: the fixture must stay H0
		onward, _ := os.ReadFile("testdata/spontaneous.json")
		sent, _, err := it.Submit(ctx, onward, "Giulia Prova (fictional)")
		if err != nil {
			t.Fatalf("chaining under the Convention alone refused: %v", err)
		}
		waitState(t, net.Node("DE").Cases, sent.Request.ID, request.StateDelivered)
	})
}
