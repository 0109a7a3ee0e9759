package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/triage"
)

// story3Lines is the size of the generated attack log: big enough to show
// the shape of a botnet, small enough for the demo to stay quick.
const story3Lines = 20000

// ddosLog writes an access log of a flood from addresses drawn across the
// public IPv4 space (a botnet is everywhere), in combined log format, from
// a fixed seed so that every run tells the same story.
func ddosLog(start time.Time) []byte {
	rnd := rand.New(rand.NewPCG(2007, 427))
	bots := make([]netip.Addr, 0, 3000)
	for len(bots) < cap(bots) {
		a := netip.AddrFrom4([4]byte{byte(rnd.IntN(223) + 1), byte(rnd.IntN(256)), byte(rnd.IntN(256)), byte(rnd.IntN(254) + 1)})
		if a.IsPrivate() || a.IsLoopback() || a.IsMulticast() || a.IsLinkLocalUnicast() {
			continue
		}
		bots = append(bots, a)
	}
	var b bytes.Buffer
	for i := range story3Lines {
		a := bots[rnd.IntN(len(bots))]
		t := start.Add(time.Duration(i) * 50 * time.Millisecond)
		fmt.Fprintf(&b, "%s - - [%s] \"GET / HTTP/1.1\" 200 512 \"-\" \"-\"\n", a, t.Format("02/Jan/2006:15:04:05 -0700"))
	}
	return b.Bytes()
}

// playStory3 is Estonia 2007 (SPEC story 3): a DDoS log is triaged into the
// countries Estonia can ask to preserve the traffic data and a plain list
// of those it cannot, with the counts and why.
func playStory3(ctx context.Context, w *World) ([]string, error) {
	ee := w.Net.Node("EE")
	snap, err := ee.Directory(ctx)
	if err != nil {
		return nil, err
	}
	db, err := ipdb.Open("")
	if err != nil {
		return nil, err
	}
	now := w.Clock.Now()
	log := ddosLog(now.Add(-2 * time.Hour).Truncate(time.Second))
	res, err := (&triage.Scanner{}).Scan(ctx, []triage.Input{{Name: "ddos-access.log", R: bytes.NewReader(log), Size: int64(len(log))}})
	if err != nil {
		return nil, err
	}
	rep := triage.Summarize(res, db, triage.Options{From: "EE", Type: request.TypePreserve, Now: now, Directory: snap})
	if rep.Lines != story3Lines {
		return nil, fmt.Errorf("triage counted %d lines of %d", rep.Lines, story3Lines)
	}
	askable, blocked := 0, int64(0)
	for _, c := range rep.Countries {
		if c.Route != nil && c.Route.Available {
			askable++
		}
	}
	for _, n := range rep.NoRoute {
		blocked += n.Events
	}
	lines := []string{
		fmt.Sprintf("EE triaged a %d-line flood log: %d distinct addresses in %d countries (%d lines not attributable)",
			rep.Lines, rep.UniqueIPs, len(rep.Countries), rep.Unattributable),
		fmt.Sprintf("EE can ask %d of them to preserve the traffic data (a draft request each: art35 triage --draft-requests DIR)", askable),
		fmt.Sprintf("no route to %d countries (%d lines), for example:", len(rep.NoRoute), blocked),
	}
	for i, n := range rep.NoRoute {
		if i == 3 {
			break
		}
		reason := n.Reason
		if len(reason) > 110 {
			reason = reason[:110] + "..."
		}
		lines = append(lines, fmt.Sprintf("  %s: %d lines, %d addresses: %s", n.Country, n.Events, n.UniqueIPs, reason))
	}
	if askable == 0 || len(rep.NoRoute) == 0 {
		return lines, fmt.Errorf("expected both countries to ask and countries with no route, got %d and %d", askable, len(rep.NoRoute))
	}
	return lines, nil
}
