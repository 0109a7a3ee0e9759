// Command network200 starts a network of 200 nodes on loopback in one
// process, each with its own keys, SQLite file and HTTP server, lists them
// all in one directory signed by a fresh secretariat key, and runs ping
// campaigns from one node to all the others (issue 15, Build 5). It
// prints the time from the start of a campaign until every machine
// receipt is in (median, min, max over the rounds) beside a floor
// measured in the same run: the same number of plain HTTP POSTs of an
// envelope of the same size, all at once, to one handler that appends
// each to a file and fsyncs it (bench/internal/floor).
//
//	go run ./bench/network200 [-nodes 200] [-rounds 5]
//
// The directory is the starter directory (106 parties) plus fictional
// parties under other assigned ISO 3166-1 codes, named "Fictional party
// XX": a bench network, not the real one. The nodes talk plain HTTP on
// 127.0.0.1, as the test network does. Target: all receipts within 2 s.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/art35/art35/bench/internal/benchkit"
	"github.com/art35/art35/bench/internal/floor"
	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/testnet"
)

func main() {
	nodes := flag.Int("nodes", 200, "nodes in the network (2 to 250)")
	rounds := flag.Int("rounds", 5, "ping campaigns (1 to 20)")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up on a round after this long")
	flag.Parse()
	if *nodes < 2 || *nodes > 250 || *rounds < 1 || *rounds > 20 {
		fmt.Fprintln(os.Stderr, "refusing: -nodes must be 2 to 250 and -rounds 1 to 20 (the benchmark is bounded)")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "art35-network200")
	check(err)
	defer os.RemoveAll(dir)
	ctx := context.Background()

	parties, fictional := partyCodes(*nodes)
	fmt.Printf("network200: %d nodes in one process (%d of them fictional parties), SQLite, plain HTTP on loopback; %d rounds; GOMAXPROCS %d\n",
		len(parties), len(fictional), *rounds, runtime.GOMAXPROCS(0))
	benchkit.PrintLoad("start")
	services := map[string]*ping.Service{}
	var mu sync.Mutex
	began := time.Now()
	net, err := testnet.Start(ctx, testnet.Options{
		Parties: parties, Dir: filepath.Join(dir, "net"),
		Directory: func(s *directory.Snapshot) error { return addFictional(s, fictional) },
		Setup: func(party string, n *node.Node) error {
			mu.Lock()
			defer mu.Unlock()
			services[party] = app.RegisterPing(n)
			return nil
		},
	})
	check(err)
	defer net.Close()
	fmt.Printf("network started and directory accepted by every node in %s; RSS %d MB, %d goroutines\n\n",
		time.Since(began).Round(100*time.Millisecond), benchkit.RSSMB(), runtime.NumGoroutine())

	from := parties[0]
	pinger, sender := services[from], net.Node(from)
	var queued, receipts, after []float64
	targets := 0
	for r := range *rounds {
		time.Sleep(1100 * time.Millisecond) // a campaign id has a one-second stamp
		start := time.Now()
		c, err := pinger.StartCampaign(ctx, ping.CampaignOptions{By: "Bench Example (fictional)", Window: 30 * time.Minute})
		check(err)
		q := time.Since(start)
		want := map[string]bool{}
		for _, p := range c.Pings {
			want[p.MessageID] = true
		}
		targets = len(want)
		for {
			got, err := sender.Envelopes.DeliveredSince(ctx, envelope.KindPing, c.StartedAt)
			check(err)
			n := 0
			for id := range got {
				if want[id] {
					n++
				}
			}
			if n == len(want) {
				break
			}
			if time.Since(start) > *timeout {
				fmt.Fprintf(os.Stderr, "round %d: %d of %d receipts after %s; giving up\n", r+1, n, len(want), *timeout)
				os.Exit(1)
			}
			time.Sleep(2 * time.Millisecond)
		}
		all := time.Since(start)
		queued, receipts, after = append(queued, ms(q)), append(receipts, ms(all)), append(after, ms(all-q))
		fmt.Printf("round %d: %d challenges queued in %s, every machine receipt in after %s\n", r+1, len(want), q.Round(time.Millisecond), all.Round(time.Millisecond))
	}

	fl := measureFloor(dir, sender, targets, *rounds)
	fmt.Println()
	fmt.Printf("%-52s %26s\n", "", "time (ms), median [min..max]")
	fmt.Printf("%-52s %26s\n", fmt.Sprintf("floor: %d HTTP POSTs + fsync at once, one handler", targets), fl.Format(0))
	fmt.Printf("%-52s %26s\n", fmt.Sprintf("campaign: %d challenges queued (one transaction)", targets), benchkit.Summarise(queued).Format(0))
	rec := benchkit.Summarise(receipts)
	fmt.Printf("%-52s %26s\n", fmt.Sprintf("campaign: all %d machine receipts in", targets), rec.Format(0))
	fmt.Printf("%-52s %26s\n", "  ratio to floor (median)", fmt.Sprintf("%.1fx", rec.Med/fl.Med))
	fmt.Printf("%-52s %26s\n", "campaign: last receipt after the last challenge queued", benchkit.Summarise(after).Format(0))
	verdict := "met"
	if rec.Max > 2000 {
		verdict = "NOT met"
	}
	fmt.Printf("\ntarget (issue 15): every machine receipt within 2 s: %s (slowest round %.0f ms)\n", verdict, rec.Max)
	fmt.Printf("RSS %d MB, %d goroutines at the end\n", benchkit.RSSMB(), runtime.NumGoroutine())
	benchkit.PrintLoad("end")
}

// partyCodes returns n party codes: the starter directory's parties, then
// other assigned ISO codes (the fictional ones, also returned apart).
func partyCodes(n int) (all, fictional []string) {
	snap, err := directory.Starter()
	check(err)
	known := map[string]bool{}
	for _, p := range snap.Parties {
		known[p.Code] = true
		if len(all) < n {
			all = append(all, p.Code)
		}
	}
	for a := 'A'; a <= 'Z' && len(all) < n; a++ {
		for b := 'A'; b <= 'Z' && len(all) < n; b++ {
			code := string([]rune{a, b})
			if _, ok := directory.ISOName(code); ok && !known[code] {
				all, fictional = append(all, code), append(fictional, code)
			}
		}
	}
	if len(all) < n {
		check(fmt.Errorf("only %d assigned ISO codes available for %d nodes", len(all), n))
	}
	return all, fictional
}

// addFictional lists the fictional parties in the directory, as parties
// to the Budapest Convention, so that nodes can be started for them.
func addFictional(s *directory.Snapshot, codes []string) error {
	for _, c := range codes {
		s.Parties = append(s.Parties, directory.Party{Code: c, Name: "Fictional party " + c,
			Budapest: directory.InstrumentStatus{Status: "party"}, Protocol2: directory.InstrumentStatus{Status: "none"},
			UN2024: directory.InstrumentStatus{Status: "none"}, Confidence: "fictional (bench/network200)"})
	}
	return nil
}

// measureFloor POSTs, rounds times, count copies of a ping envelope all at
// once to one handler that appends and fsyncs each.
func measureFloor(dir string, n *node.Node, count, rounds int) benchkit.Stat {
	srv, err := floor.Start(filepath.Join(dir, "floor.log"))
	check(err)
	defer srv.Close()
	env, err := n.Seal(context.Background(), envelope.Header{IdempotencyKey: "floor", Kind: envelope.KindPing, Recipient: n.Config.Authority},
		[]byte(`{"challenge":"floor sample (fictional)","window_seconds":1800}`))
	check(err)
	wire, err := env.Marshal()
	check(err)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: count, MaxConnsPerHost: count}}
	var out []float64
	for range rounds {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, count)
		for range count {
			wg.Go(func() {
				if err := floor.Post(client, srv.URL, wire); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			check(err)
		}
		out = append(out, ms(time.Since(start)))
		// New connections each round, as the nodes' clients are cold to
		// most peers between campaigns.
		client.CloseIdleConnections()
	}
	return benchkit.Summarise(out)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "network200:", err)
		os.Exit(1)
	}
}
