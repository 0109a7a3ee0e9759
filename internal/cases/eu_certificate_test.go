package cases_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store/storetest"
)

// TestEUCertificatesRoundTrip (issue 12, build 5): the French issuing
// authority sends a European Preservation Order Certificate (Annex II) and
// a European Production Order Certificate (Annex I) straight to a German
// provider's node (Regulation (EU) 2023/1543 applies between FR and DE on
// the test's fixed date). The provider preserves the first and discloses
// under the second; each step reaches France as a signed evidence, and
// the clocks are the Regulation's: 60 days of preservation, 10 days for
// the data. On both engines.
func TestEUCertificatesRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		clk := clock.NewManual(t0)
		net := startFRDE(t, backend, clk)
		fr, isp := net.Node("FR").Cases, net.Node("DE-MAIL-EXAMPLE").Cases
		ctx := context.Background()

		for _, tc := range []struct {
			typ   request.Type
			last  request.Step
			clock string
			due   time.Duration // from delivery (EPOC) or preservation (EPOC-PR)
		}{
			{request.TypeEPOCPR, request.Step{To: request.StatePreserved, ProviderRef: "MAIL-PR-0042"}, request.ClockPreservation, 60 * 24 * time.Hour},
			{request.TypeEPOC, request.Step{To: request.StateDisclosed, Details: "subscriber record sent by the node"}, request.ClockEUProduction, 10 * 24 * time.Hour},
		} {
			doc, err := os.ReadFile("../request/testdata/minimal/" + string(tc.typ) + ".json")
			if err != nil {
				t.Fatal(err)
			}
			c, problems, err := fr.SubmitTo(ctx, doc, "Camille Exemple (fictional)", "DE-MAIL-EXAMPLE")
			if err != nil {
				t.Fatal(tc.typ, err, problems)
			}
			id := c.Request.ID
			in := waitState(t, isp, id, request.StateDelivered)
			if in.Request.Type != tc.typ || in.Peer != "FR-247" || !bytes.Equal(in.Document, doc) {
				t.Fatalf("%s at the provider: %+v", tc.typ, in)
			}
			for _, st := range []request.Step{{To: request.StateAcknowledged}, {To: request.StateInProgress}, tc.last} {
				clk.Advance(time.Minute)
				st.By = "Dana Beispiel (fictional, provider)"
				if _, err := isp.Act(ctx, id, st, nil); err != nil {
					t.Fatalf("%s %s: %v", tc.typ, st.To, err)
				}
				waitState(t, fr, id, st.To)
			}
			out, err := fr.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			agenda, _, err := fr.Clocks(ctx, out, request.DefaultPolicy(), clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			var d *request.Deadline
			for i := range agenda.Deadlines {
				if agenda.Deadlines[i].Clock == tc.clock {
					d = &agenda.Deadlines[i]
				}
			}
			if d == nil || !strings.Contains(d.Source, "2023/1543") {
				t.Fatalf("%s: no %s clock under the Regulation: %+v", tc.typ, tc.clock, agenda.Deadlines)
			}
			start := request.StateDelivered
			if tc.typ == request.TypeEPOCPR {
				start = request.StatePreserved
			}
			from, _ := out.Lifecycle.First("transition", start)
			if want := from.At.Add(tc.due); !d.Due.Equal(want) {
				t.Errorf("%s: %s due %v, want %v (%s)", tc.typ, tc.clock, d.Due, want, d.Source)
			}
		}
	})
}
