// Command soak is issue 15's sustained-load benchmark: several sender
// nodes deliver requests into one receiving node at a fixed offered rate
// for a bounded time, and every interval (a minute by default) it prints
// the requests completed, their p50 and p99 latency, the process's RSS
// and its goroutines. At the end it counts what the receiver stored and
// what the senders hold receipts for (nothing may be lost), and compares
// the p99 of the last interval with the first.
//
//	go run ./bench/soak [-rate 1000] [-minutes 10] [-senders 4] [-interval 60s]
//	go run ./bench/soak -database postgres://... [-replicas 2]
//
// One request is the whole path, as in bench/federation: the sender seals
// a preserve request (signed, encrypted), writes it to its outbox in a
// transaction, POSTs it; the receiver checks, stores it with its case row
// and audit record and answers with a signed receipt, which the sender
// checks and stores. Requests start on a schedule whatever the earlier
// ones are doing, so queueing shows in the latency; at most -inflight run
// at once (a request due while the limit is reached waits, and the run
// reports the rate it achieved). On SQLite every node has its own file;
// with -database the receiving node runs as -replicas nodes on that
// PostgreSQL database (a fresh schema) in this process, the senders
// alternating between them, as a load balancer would.
//
// Beside it, the floor measured in the same run: the same envelope bytes
// POSTed at the same rate to a handler that only appends and fsyncs them.
//
// Nodes run in one process on loopback with plain HTTP; the receiving
// node runs no clocks or portal (the envelope path only).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver, to make the schema

	"github.com/art35/art35/bench/internal/benchkit"
	"github.com/art35/art35/bench/internal/floor"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/testnet"
)

var senderParties = []string{"US", "FR", "DE", "ES", "NL", "PT", "JP", "CA"}

func main() {
	rate := flag.Int("rate", 1000, "offered requests per second, all senders together (1 to 5000)")
	minutes := flag.Float64("minutes", 10, "length of the run in minutes (0.5 to 30)")
	interval := flag.Duration("interval", time.Minute, "reporting interval (10s to 5m)")
	senders := flag.Int("senders", 4, "sender nodes (1 to 8)")
	inflight := flag.Int("inflight", 256, "requests in flight at most (1 to 4096)")
	dsn := flag.String("database", "", "PostgreSQL DSN: the receiving node runs on it (a fresh schema), as -replicas replicas")
	replicas := flag.Int("replicas", 2, "replicas of the receiving node with -database (1 to 4)")
	flag.Parse()
	if *rate < 1 || *rate > 5000 || *minutes < 0.5 || *minutes > 30 || *interval < 10*time.Second || *interval > 5*time.Minute ||
		*senders < 1 || *senders > len(senderParties) || *inflight < 1 || *inflight > 4096 || *replicas < 1 || *replicas > 4 {
		fmt.Fprintln(os.Stderr, "refusing: the soak is bounded (rate 1-5000, minutes 0.5-30, interval 10s-5m, senders 1-8, inflight 1-4096, replicas 1-4)")
		os.Exit(2)
	}
	if *dsn == "" {
		*replicas = 1
	}
	dir, err := os.MkdirTemp("", "art35-soak")
	check(err)
	defer os.RemoveAll(dir)
	ctx := context.Background()

	parties := append(slices.Clone(senderParties[:*senders]), "IT")
	opt := testnet.Options{Parties: parties, Dir: filepath.Join(dir, "net")}
	backend := "SQLite"
	if *dsn != "" {
		backend = fmt.Sprintf("PostgreSQL, %d replicas of the receiver", *replicas)
		itDSN, err := benchkit.PGSchema(*dsn, "soak")
		check(err)
		opt.Database = func(party string) (string, error) {
			if party == "IT" {
				return itDSN, nil
			}
			return "art35.db", nil // senders: a SQLite file each
		}
	}
	// The soak drives delivery itself, one envelope per request, so the
	// background workers must not race it for the same rows.
	node.OutboxInterval = time.Hour
	net_, err := testnet.Start(ctx, opt)
	check(err)
	defer net_.Close()
	it := net_.Node("IT")

	// Extra replicas of the receiver: nodes on the same database and data
	// folder, each on its own port.
	urls := []string{}
	first, err := net_.Node(senderParties[0]).Outbox.Peers.Peer(ctx, "IT-247")
	check(err)
	urls = append(urls, first.URL)
	for r := 1; r < *replicas; r++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		check(err)
		rep, err := node.New(ctx, net_.Config("IT"), node.Options{Listener: l, PlainHTTP: true})
		check(err)
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = rep.Run(rctx) }()
		defer func() { cancel(); <-done; rep.Close() }()
		urls = append(urls, "http://"+l.Addr().String()+"/v1/inbox")
	}

	fl := measureFloor(ctx, dir, net_.Node(senderParties[0]), *rate, min(*interval, 30*time.Second))

	total := int(float64(*rate) * *minutes * 60)
	fmt.Printf("soak: %d senders -> IT (%s); offered %d requests/s for %.1f min (%d requests); in flight at most %d; GOMAXPROCS %d\n",
		*senders, backend, *rate, *minutes, total, *inflight, runtime.GOMAXPROCS(0))
	benchkit.PrintLoad("start")
	fmt.Printf("floor (same run, before the soak): HTTP POST + fsync of the same envelope bytes at %d/s for %s: p50 %.1f ms, p99 %.1f ms\n", *rate, min(*interval, 30*time.Second), fl.p50, fl.p99)
	fmt.Printf("\n(minute: minutes since the start, the end of each interval; * the tail after the schedule ended)\n%-8s %10s %10s %10s %10s %8s %10s %8s\n", "minute", "completed", "req/s", "p50 ms", "p99 ms", "failed", "RSS MB", "gorout.")

	type sample struct {
		lat float64
		ok  bool
	}
	var (
		mu      sync.Mutex
		samples []sample
		seq     atomic.Int64
		sent    atomic.Int64
		failed  atomic.Int64
	)
	peers := make([]federation.Peer, len(urls))
	for i, u := range urls {
		peers[i] = first
		peers[i].URL = u
	}
	send := func(i int) error {
		from := senderParties[i%*senders]
		s := net_.Node(from)
		n := seq.Add(1)
		h := envelope.Header{IdempotencyKey: fmt.Sprintf("soak-%d", n), Kind: envelope.KindRequest, Subkind: "preserve", Recipient: "IT-247", CaseRef: "SOAK"}
		env, err := s.Seal(ctx, h, testnet.RequestDoc("preserve", fmt.Sprintf("%s-SOAK-%d", from, n), from, "IT", time.Now()))
		if err != nil {
			return err
		}
		if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return federation.Enqueue(ctx, tx, env, false, time.Now()) }); err != nil {
			return err
		}
		r, err := s.Client.Send(ctx, peers[i%len(peers)], env)
		if err != nil {
			return err
		}
		return s.Envelopes.MarkDelivered(ctx, env.Header.ID, r)
	}

	// Report every interval from what completed in it.
	type row struct {
		done     int
		p99, p50 float64
		long     time.Duration
	}
	var rows []row
	start := time.Now()
	stopReport := make(chan struct{})
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		t := time.NewTicker(*interval)
		defer t.Stop()
		from := start
		for k := 1; ; k++ {
			last := false
			select {
			case <-t.C:
			case <-stopReport:
				last = true
			}
			now := time.Now()
			mu.Lock()
			batch := samples
			samples = nil // what completed in this interval only: the bench's memory stays flat
			var lat []float64
			fails := 0
			for _, s := range batch {
				if s.ok {
					lat = append(lat, s.lat)
				} else {
					fails++
				}
			}
			mu.Unlock()
			if len(lat) > 0 || fails > 0 {
				slices.Sort(lat)
				r := row{done: len(lat), long: now.Sub(from)}
				if len(lat) > 0 {
					r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
				}
				rows = append(rows, r)
				label := fmt.Sprintf("%.2f", now.Sub(start).Minutes())
				if last {
					label += "*" // the tail: requests still in flight when the schedule ended
				}
				fmt.Printf("%-8s %10d %10.0f %10.1f %10.1f %8d %10d %8d\n", label, len(lat),
					float64(len(lat))/now.Sub(from).Seconds(), r.p50, r.p99, fails, benchkit.RSSMB(), runtime.NumGoroutine())
			}
			from = now
			if last {
				return
			}
		}
	}()

	sem := make(chan struct{}, *inflight)
	var wg sync.WaitGroup
	step := time.Second / time.Duration(*rate)
	for i := range total {
		time.Sleep(time.Until(start.Add(time.Duration(i) * step)))
		sem <- struct{}{}
		sent.Add(1)
		wg.Go(func() {
			defer func() { <-sem }()
			s := time.Now()
			err := send(i)
			lat := float64(time.Since(s).Microseconds()) / 1000
			if err != nil {
				failed.Add(1)
				if failed.Load() <= 5 {
					fmt.Fprintln(os.Stderr, "request failed:", err)
				}
			}
			mu.Lock()
			samples = append(samples, sample{lat: lat, ok: err == nil})
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopReport)
	<-reported

	stored, err := it.Envelopes.CountInbound(ctx)
	check(err)
	receipts := 0
	for _, p := range senderParties[:*senders] {
		got, err := net_.Node(p).Envelopes.DeliveredSince(ctx, envelope.KindRequest, time.Time{})
		check(err)
		receipts += len(got)
	}
	fmt.Printf("\nrequests: %d started, %d failed; achieved %.0f requests/s of %d offered over %s\n",
		sent.Load(), failed.Load(), float64(sent.Load()-failed.Load())/elapsed.Seconds(), *rate, elapsed.Round(time.Second))
	lost := int(sent.Load()-failed.Load()) - stored
	fmt.Printf("receiver stored %d, senders hold %d receipts; lost: %d (succeeded but not stored)\n", stored, receipts, lost)
	// The tail row (*) is shorter than an interval: compare full ones.
	for len(rows) > 2 && rows[len(rows)-1].long < *interval/2 {
		rows = rows[:len(rows)-1]
	}
	if len(rows) >= 2 {
		f, l := rows[0], rows[len(rows)-1]
		fmt.Printf("p99 first interval %.1f ms, last %.1f ms: ratio %.2f (issue 15: within 1.5x)\n", f.p99, l.p99, l.p99/f.p99)
	}
	benchkit.PrintLoad("end")
	if lost != 0 || receipts != stored {
		os.Exit(1)
	}
}

type floorFigures struct{ p50, p99 float64 }

// measureFloor POSTs a sender's sealed request to a handler that only
// appends and fsyncs it (bench/internal/floor), at the soak's offered rate
// for d: what durable receipt costs with no checks, crypto or database.
func measureFloor(ctx context.Context, dir string, s *node.Node, rate int, d time.Duration) floorFigures {
	srv, err := floor.Start(filepath.Join(dir, "floor.log"))
	check(err)
	defer srv.Close()
	h := envelope.Header{IdempotencyKey: "soak-floor", Kind: envelope.KindRequest, Subkind: "preserve", Recipient: "IT-247", CaseRef: "SOAK"}
	env, err := s.Seal(ctx, h, testnet.RequestDoc("preserve", "SOAK-FLOOR", s.Config.Party, "IT", time.Now()))
	check(err)
	wire, err := env.Marshal()
	check(err)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	n := int(float64(rate) * d.Seconds())
	lat := make([]float64, n)
	step := time.Second / time.Duration(rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * step)))
		wg.Go(func() {
			t := time.Now()
			check(floor.Post(client, srv.URL, wire))
			lat[i] = float64(time.Since(t).Microseconds()) / 1000
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return floorFigures{p50: lat[n/2], p99: lat[n*99/100]}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}
