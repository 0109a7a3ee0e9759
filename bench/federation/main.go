// Command federation benchmarks node-to-node delivery: signed, HPKE
// encrypted requests, stored durably on both sides (the sender's outbox
// row, the receiver's inbox row in one fsynced transaction, the receipt
// back in the sender's row), over real HTTP on loopback, on SQLite and,
// when ART35_TEST_POSTGRES is set, on PostgreSQL.
//
// In the same run it measures the floor: the same envelope bytes POSTed
// over loopback HTTP to a handler that only appends and fsyncs them. Every
// figure is printed beside the floor with its ratio.
//
// Run it with bench/federation/run.sh, or: go run ./bench/federation -h
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/art35/art35/bench/internal/benchkit"
	"github.com/art35/art35/bench/internal/floor"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/testnet"
)

func main() {
	count := flag.Int("n", 3000, "envelopes in the throughput run")
	workers := flag.Int("c", 8, "concurrent senders in the throughput run")
	rate := flag.Int("rate", 100, "offered rate (envelopes/s) of the latency run")
	secs := flag.Int("seconds", 5, "length of the latency run")
	rounds := flag.Int("rounds", 3, "repetitions of each measurement (median, min and max are printed)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the node-to-node runs to this file")
	only := flag.String("backends", "", "comma-separated engines to run (sqlite, postgres); default: SQLite, and PostgreSQL when ART35_TEST_POSTGRES is set")
	flag.Parse()
	if *count > 20000 || *rate > 5000 || *secs > 60 || *rounds > 10 {
		fmt.Fprintln(os.Stderr, "refusing: the benchmark is bounded (n <= 20000, rate <= 5000, seconds <= 60, rounds <= 10)")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "art35-bench")
	check(err)
	defer os.RemoveAll(dir)

	backends := []string{store.SQLite}
	if os.Getenv("ART35_TEST_POSTGRES") != "" {
		backends = append(backends, store.Postgres)
	}
	if *only != "" {
		backends = strings.Split(*only, ",")
		if slices.Contains(backends, store.Postgres) && os.Getenv("ART35_TEST_POSTGRES") == "" {
			fmt.Fprintln(os.Stderr, "refusing: -backends postgres needs ART35_TEST_POSTGRES")
			os.Exit(2)
		}
	}
	fmt.Printf("art35 federation benchmark: %d envelopes x %d senders; latency at %d/s for %ds; %d rounds; %d CPUs\n",
		*count, *workers, *rate, *secs, *rounds, runtime.NumCPU())
	benchkit.PrintLoad("start")
	fmt.Println()

	floor := measureFloor(dir, *count, *workers, *rate, *secs, *rounds)
	rows := []row{floor}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
	}
	for _, b := range backends {
		rows = append(rows, measureNodes(dir, b, *count, *workers, *rate, *secs, *rounds))
	}
	pprof.StopCPUProfile()
	fmt.Printf("%-34s %22s %22s %22s %22s\n", "", "throughput (env/s)", "p50 latency (ms)", "p99 latency (ms)", "CPU ms per envelope")
	for _, r := range rows {
		fmt.Printf("%-34s %22s %22s %22s %22s\n", r.name, r.tput.Format(0), r.p50.Format(2), r.p99.Format(2), r.cpu.Format(2))
		if r.name != floor.name {
			fmt.Printf("%-34s %22s %22s %22s %22s\n", "  ratio to floor (median)",
				fmt.Sprintf("%.2fx", r.tput.Med/floor.tput.Med), fmt.Sprintf("%.2fx", r.p50.Med/floor.p50.Med),
				fmt.Sprintf("%.2fx", r.p99.Med/floor.p99.Med), fmt.Sprintf("%.2fx", r.cpu.Med/floor.cpu.Med))
		}
	}
	fmt.Println("(CPU: this process, both nodes or the floor's client and server; a PostgreSQL server's CPU is not counted)")
	fmt.Println("\ntargets (issue 15): SQLite >= 2000 envelopes/s per receiving node, p50 <= 2x the floor; PostgreSQL (one replica) >= the SQLite figure")
	benchkit.PrintLoad("end")
}

type row struct {
	name           string
	tput, p50, p99 benchkit.Stat // p50/p99 in milliseconds
	// cpu is this process's CPU time (user and system) per call of the
	// throughput runs, in milliseconds: both nodes (or the floor's client
	// and server) run in this process, so it moves far less with the
	// machine's load than the rates do. A PostgreSQL server's own CPU is
	// not in it.
	cpu benchkit.Stat
}

// cpuTime returns this process's CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureFloor POSTs the same wire bytes to a handler that appends each
// body to a file and fsyncs it: what durable receipt of a message costs
// with no checks, no crypto and no database.
func measureFloor(dir string, count, workers, rate, secs, rounds int) row {
	srv, err := floor.Start(filepath.Join(dir, "floor.log"))
	check(err)
	defer srv.Close()
	wire := sampleWire(dir)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	post := func(int) error { return floor.Post(client, srv.URL, wire) }
	return measure("floor: HTTP POST + fsync", count, workers, rate, secs, rounds, post)
}

// sampleWire seals one realistic envelope between two throwaway nodes, to
// give the floor the same bytes the nodes exchange.
func sampleWire(dir string) []byte {
	ctx := context.Background()
	net, err := testnet.Start(ctx, testnet.Options{Parties: []string{"US", "IT"}, Dir: filepath.Join(dir, "sample")})
	check(err)
	defer net.Close()
	env, err := net.Node("US").Seal(ctx, header("sample"), body("US-BENCH-SAMPLE"))
	check(err)
	wire, err := env.Marshal()
	check(err)
	return wire
}

// body is a preserve request that passes its checklist (the receiving
// node's rule book refuses any other), with its own id.
func body(id string) []byte { return testnet.RequestDoc("preserve", id, "US", "IT", time.Now()) }

func header(idem string) envelope.Header {
	return envelope.Header{IdempotencyKey: idem, Kind: envelope.KindRequest, Subkind: "preserve", Recipient: "IT-247", CaseRef: "BENCH"}
}

// measureNodes runs the full path between two real nodes: the sender
// seals and writes the envelope to its outbox in a transaction, POSTs it,
// the receiver verifies, decrypts and stores it and signs a receipt, and
// the sender verifies the receipt and stores it.
func measureNodes(dir, backend string, count, workers, rate, secs, rounds int) row {
	ctx := context.Background()
	opt := testnet.Options{Parties: []string{"US", "IT"}, Dir: filepath.Join(dir, backend)}
	if backend == store.Postgres {
		opt.Database = func(party string) (string, error) {
			return benchkit.PGSchema(os.Getenv("ART35_TEST_POSTGRES"), "bench_"+strings.ToLower(party))
		}
	}
	// The benchmark drives delivery itself, one envelope per call, so the
	// background worker must not race it for the same rows: the interval
	// is read when a node starts. (Set after the start, it let each node's
	// worker send the envelopes the benchmark sends too, once a second.)
	node.OutboxInterval = time.Hour
	net, err := testnet.Start(ctx, opt)
	check(err)
	defer net.Close()
	us := net.Node("US")
	peer, err := us.Outbox.Peers.Peer(ctx, "IT-247")
	check(err)
	var seq atomic.Int64
	send := func(int) error {
		i := seq.Add(1)
		h := header(fmt.Sprintf("bench-%s-%d", backend, i))
		env, err := us.Seal(ctx, h, body(fmt.Sprintf("US-BENCH-%s-%d", backend, i)))
		if err != nil {
			return err
		}
		if err := us.DB.Tx(ctx, func(tx *sql.Tx) error { return federation.Enqueue(ctx, tx, env, false, time.Now()) }); err != nil {
			return err
		}
		r, err := us.Client.Send(ctx, peer, env)
		if err != nil {
			return err
		}
		return us.Envelopes.MarkDelivered(ctx, env.Header.ID, r)
	}
	r := measure("art35 node to node, "+backend, count, workers, rate, secs, rounds, send)
	for _, party := range []string{"US", "IT"} {
		g, m := net.Node(party).DB.GroupStats()
		fmt.Printf("%s, %s node: %d transactions committed in %d groups (%.1f a group)\n", backend, party, m, g, float64(m)/float64(max(g, 1)))
	}
	return r
}

// measure runs fn as fast as possible from workers goroutines (count
// calls), then at a fixed offered rate for secs seconds, rounds times.
func measure(name string, count, workers, rate, secs, rounds int, fn func(int) error) row {
	var tput, p50, p99, cpu []float64
	for range rounds {
		start, cpu0 := time.Now(), cpuTime()
		var next atomic.Int64
		var wg sync.WaitGroup
		var failed atomic.Int64
		var firstErr atomic.Pointer[error]
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1))
					if i > count {
						return
					}
					if err := fn(i); err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, &err)
					}
				}
			})
		}
		wg.Wait()
		tput = append(tput, float64(count)/time.Since(start).Seconds())
		cpu = append(cpu, float64((cpuTime()-cpu0).Microseconds())/1000/float64(count))

		// Fixed offered rate: calls start on a schedule, whatever the
		// previous ones are doing, so queueing shows in the latency.
		total := rate * secs
		lat := make([]float64, total)
		interval := time.Second / time.Duration(rate)
		t0 := time.Now()
		var lwg sync.WaitGroup
		for i := range total {
			time.Sleep(time.Until(t0.Add(time.Duration(i) * interval)))
			lwg.Go(func() {
				s := time.Now()
				if err := fn(i); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
				lat[i] = float64(time.Since(s).Microseconds()) / 1000
			})
		}
		lwg.Wait()
		if failed.Load() > 0 {
			fmt.Fprintf(os.Stderr, "%s: %d calls failed; the first: %v\n", name, failed.Load(), *firstErr.Load())
		}
		sort.Float64s(lat)
		p50 = append(p50, lat[len(lat)/2])
		p99 = append(p99, lat[len(lat)*99/100])
	}
	return row{name: name, tput: benchkit.Summarise(tput), p50: benchkit.Summarise(p50), p99: benchkit.Summarise(p99), cpu: benchkit.Summarise(cpu)}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchmark failed:", err)
		os.Exit(1)
	}
}
