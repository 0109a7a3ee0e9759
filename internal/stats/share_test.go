package stats_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store/storetest"
)

// TestNetworkFigures plays the history between the US and Italy, has
// France send Italy one request, and combines the signed shares of the
// three nodes at the secretariat: each party's own figures, how its
// partners saw it, and the United Kingdom, whose node shares nothing,
// shown as such. Tampered, foreign, misdated and repeated shares are
// refused, not counted.
func TestNetworkFigures(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		h := statstest.Start(t, backend, statstest.Options{Extra: []string{"FR", "GB"}})
		h.Play(t)
		ctx := context.Background()
		fr, it := h.Net.Node("FR"), h.Net.Node("IT")
		const frID = "FR-2026-000001"
		statstest.Submit(t, fr.Cases, it.Cases, statstest.Doc(t, frID, "routine", "EX-FR-1", "FR", "IT"), "Claire Exemple (fictional)", frID)
		h.Clock.Advance(20 * time.Minute)
		if _, err := it.Cases.Act(ctx, frID, request.Step{To: request.StateAcknowledged, By: statstest.Officers[1]}, nil); err != nil {
			t.Fatal(err)
		}
		statstest.WaitState(t, fr.Cases, frID, request.StateAcknowledged)

		from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		signed := map[string][]byte{}
		for _, p := range []string{"US", "IT", "FR"} {
			n := h.Net.Node(p)
			sh, err := stats.New(n.DB, h.Clock).NewShare(ctx, n.Config.Authority, p, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if signed[p], err = sh.Sign(n.Signing); err != nil {
				t.Fatal(err)
			}
		}
		dir, err := h.Net.Node("US").Directory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		net := stats.Combine([][]byte{signed["US"], signed["IT"], signed["FR"]}, dir, from, to, h.Clock.Now())
		if len(net.Refused) != 0 {
			t.Fatalf("refused: %v", net.Refused)
		}
		rows := map[string]stats.NetworkRow{}
		for _, r := range net.Rows {
			rows[r.Party] = r
		}
		if len(rows) != 4 {
			t.Fatalf("network rows: %+v", net.Rows)
		}
		if us := rows["US"]; !us.Shared || us.Sent.Requests != 4 || us.Received.Requests != 0 {
			t.Errorf("US row = %+v", us)
		}
		if gb := rows["GB"]; gb.Shared || gb.Authority != "GB-247" || gb.Sent.Requests != 0 {
			t.Errorf("GB row = %+v, want shown as not shared", gb)
		}
		itr := rows["IT"]
		seen := itr.SeenBy
		// Italy's partners: the US sent 4 (A, B, C in the clock; 2 in
		// time) and France 1 (acknowledged in 20 minutes, in time).
		if !itr.Shared || itr.Received.Requests != 5 || len(seen.Reporters) != 2 || seen.Requests != 5 ||
			seen.AckDecided != 4 || seen.AckInTime != 3 || seen.AckInTimeShare != 0.75 || seen.WorstMedianAck != statstest.AckC.Seconds() {
			t.Errorf("IT row = %+v", itr)
		}
		if len(seen.MedianAckBySeers) != 2 || seen.MedianAckBySeers[0].Reporter != "FR" || seen.MedianAckBySeers[0].MedianSeconds != (20*time.Minute).Seconds() {
			t.Errorf("IT as seen by each = %+v", seen.MedianAckBySeers)
		}
		if itr.Offences[stats.Unclassified] != 5 {
			t.Errorf("IT's cases by offence class = %v, want 5 unclassified", itr.Offences)
		}
		if itr.Pings.Pings != 1 || itr.Pings.InTime != 1 {
			t.Errorf("pings to IT = %+v", itr.Pings)
		}

		// What the secretariat refuses.
		tampered := bytes.Replace(signed["US"], []byte(`"requests": 4`), []byte(`"requests": 9`), 1)
		if bytes.Equal(tampered, signed["US"]) {
			t.Fatal("could not tamper with the share")
		}
		sh, _, _, _, err := stats.ParseShare(signed["US"])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, _, err := stats.ParseShare(append(bytes.Clone(signed["US"]), " {}"...)); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "data after the JSON object") {
			t.Errorf("share with data after it: %v", err)
		}
		sh.Authority, sh.Party = "FR-247", "FR"
		forged, _ := sh.Sign(h.Net.Node("US").Signing)
		other, err := stats.New(h.Net.Node("US").DB, h.Clock).NewShare(ctx, "US-247", "US", from, to.AddDate(0, -1, 0))
		if err != nil {
			t.Fatal(err)
		}
		misdated, _ := other.Sign(h.Net.Node("US").Signing)
		bad := stats.Combine([][]byte{tampered, forged, misdated, signed["IT"], signed["IT"], []byte("{}")}, dir, from, to, h.Clock.Now())
		if len(bad.Refused) != 5 {
			t.Fatalf("refused %d, want 5: %v", len(bad.Refused), bad.Refused)
		}
		for i, want := range []string{"does not verify", "not a signing key", "not the report's", "second share", "format"} {
			if !strings.Contains(bad.Refused[i], want) {
				t.Errorf("refusal %d = %q, want it to say %q", i, bad.Refused[i], want)
			}
		}
	})
}

// FuzzParseShare: a share comes from another node; no input may panic
// the parser, and what it accepts has an authority and a period.
func FuzzParseShare(f *testing.F) {
	f.Add([]byte(`{"format":"art35-stats-share/1","key_id":"k","signature":"` + strings.Repeat("A", 86) + `","share":{"authority":"US-247","party":"US","from":"2026-01-01T00:00:00Z","to":"2027-01-01T00:00:00Z","generated":"2026-11-25T00:00:00Z","sent":{},"received":{},"partners":[],"pings":[]}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format":"art35-stats-share/1","share":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sh, _, _, _, err := stats.ParseShare(data)
		if err == nil && (sh.Authority == "" || sh.Party == "" || !sh.To.After(sh.From)) {
			t.Fatalf("accepted %+v", sh)
		}
	})
}
