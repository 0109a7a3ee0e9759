package testnet_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
)

// replicaRequests is the number of requests of TestReplicasSurviveSIGKILL:
// issue 15's 5,000 by default, which CI runs (1 min 43 s under -race on a
// quiet 2-core machine, 2026-12-03); a smaller number for a quick run.
var replicaRequests = flag.Int("replicas.requests", 5000, "requests sent through the replicated nodes in TestReplicasSurviveSIGKILL (issue 15: 5,000)")

// startReplica runs "art35 node run" on party's data folder and database,
// listening on a port of its own (ART35_LISTEN and friends override the
// shared configuration) and naming itself to PostgreSQL through
// application_name, so that the test can see which replica leads.
func startReplica(t *testing.T, c config.Config, name string) *nodeProc {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	// The replica takes the socket itself and the test lets go of its
	// copies: when the replica is killed its port closes, and the load
	// balancer sees connections refused, as it would in production.
	f, err := l.(*net.TCPListener).File()
	l.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dsn := c.DatabaseDSN()
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return startNodeProc(t, name, c.DataDir, addr, f, "ART35_LISTEN="+addr, "ART35_PORTAL_LISTEN="+addr, "ART35_ADMIN_LISTEN="+addr,
		"ART35_DATABASE="+dsn+sep+"application_name="+name)
}

// balancer is the load balancer in front of a node's replicas, on the
// address the directory lists for the node: round robin over the live
// replicas, a replica that refuses a connection is taken out (as a load
// balancer's health check would). It counts the envelopes POSTed to the
// inbox by message id, so the test sees how many were sent more than once.
type balancer struct {
	mu       sync.Mutex
	backends []*url.URL
	dead     map[string]bool
	next     int
	posts    map[string]int
	srv      *http.Server
	errors   atomic.Int64
}

func startBalancer(t *testing.T, sock *os.File, backends []string) *balancer {
	t.Helper()
	b := &balancer{dead: map[string]bool{}, posts: map[string]int{}}
	for _, a := range backends {
		b.backends = append(b.backends, &url.URL{Scheme: "http", Host: a})
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(b.pick())
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			b.errors.Add(1)
			// Only a refused connection takes a replica out: a killed
			// replica's port is closed. Any error used to, and when a US
			// replica was killed with requests in flight, their
			// cancellation took out the healthy Italian replicas that were
			// serving them: every backend dead, 502 for the rest of the
			// burst (the test's failure "not yet understood" of earlier
			// runs; seen again 2026-12-03 with 3,306 envelopes queued).
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				b.mu.Lock()
				b.dead[r.URL.Host] = true
				b.mu.Unlock()
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/inbox" {
			raw, err := io.ReadAll(r.Body)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			if env, err := envelope.Parse(raw); err == nil {
				b.mu.Lock()
				b.posts[env.Header.ID]++
				b.mu.Unlock()
			}
			r.Body = io.NopCloser(bytes.NewReader(raw))
		}
		rp.ServeHTTP(w, r)
	})}
	l, err := net.FileListener(sock) // the node's port, held since the test stopped the node
	if err != nil {
		t.Fatal(err)
	}
	go b.srv.Serve(l)
	t.Cleanup(func() { b.srv.Close() })
	return b
}

func (b *balancer) pick() *url.URL {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range b.backends {
		u := b.backends[b.next%len(b.backends)]
		b.next++
		if !b.dead[u.Host] {
			return u
		}
	}
	return b.backends[0]
}

// sentTwice returns how many envelopes reached the balancer more than
// once and how many distinct ones it saw.
func (b *balancer) sentTwice() (twice, distinct int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.posts {
		if n > 1 {
			twice++
		}
	}
	return twice, len(b.posts)
}

// TestReplicasSurviveSIGKILL is issue 15's replica test: the US and Italy
// each run as three art35 processes on one PostgreSQL database per node,
// behind a round-robin balancer. A burst of requests goes from the US to
// Italy; in the middle of it one replica of each node is killed with
// SIGKILL: Italy's leader (which runs the clocks) and a US replica
// holding claimed envelopes. Every request must be stored exactly once
// in Italy, the US must hold a receipt for each, every request's arrival
// clock (tell the person on duty) must have fired exactly once, and
// Italy's leadership must have moved to a surviving replica.
func TestReplicasSurviveSIGKILL(t *testing.T) {
	// Not parallel: it runs first, alone, then the crash tests. Its
	// failure beside them (one run in three, 2026-12-03) was the test's
	// balancer taking healthy replicas out (see startBalancer), not the
	// nodes; but beside them it took the -race CI run's testnet from
	// 354 s to 537 s on this 2-core machine (CPU-bound), so alone it is.
	if testing.Short() {
		t.Skip("replica test with real processes: skipped in -short")
	}
	storetest.RequirePostgres(t)
	burst := *replicaRequests
	began := time.Now()
	tn := start(t, store.Postgres, clock.System{}, "US", "IT")
	ctx := context.Background()
	socks := queueBurst(t, tn, burst, "replicas", "US-REPL")
	dbs := nodeDBs(t, tn)
	count := func(party, q string) int { return countIn(t, dbs[party], q) }
	leaderOf := func(party string) string {
		var name string
		err := dbs[party].QueryRowContext(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND l.objid = hashtext(current_schema())::oid`).Scan(&name)
		if err != nil {
			return ""
		}
		return name
	}

	t.Logf("%s: burst queued", time.Since(began).Round(time.Millisecond))
	replicas := map[string][]*nodeProc{}
	balancers := map[string]*balancer{}
	for _, p := range []string{"IT", "US"} {
		var addrs []string
		for i := range 3 {
			r := startReplica(t, tn.Config(p), fmt.Sprintf("%s-r%d", p, i))
			replicas[p] = append(replicas[p], r)
			addrs = append(addrs, r.addr)
			if i == 0 {
				// The first replica takes the lead before the others start.
				testkit.EventuallyWithin(t, 30*time.Second, p+"'s first replica leads", func() bool { return leaderOf(p) == r.name })
			}
		}
		balancers[p] = startBalancer(t, socks[p], addrs)
	}
	t.Logf("%s: six replicas serving", time.Since(began).Round(time.Millisecond))
	stored := `SELECT COUNT(*) FROM inbound_envelopes`
	delivered := `SELECT COUNT(*) FROM outbound_envelopes WHERE state = 'delivered'`
	notified := `SELECT COUNT(*) FROM clock_actions WHERE kind = 'notify'`
	testkit.EventuallyWithin(t, 3*time.Minute, "a third of the burst stored in Italy", func() bool {
		time.Sleep(100 * time.Millisecond)
		return count("IT", stored) >= burst/3
	})
	for _, victim := range []*nodeProc{replicas["IT"][0], replicas["US"][0]} {
		victim.kill(t)
	}
	killedAt := count("IT", stored)
	claimed := count("US", `SELECT COUNT(*) FROM outbound_envelopes WHERE state = 'queued' AND claimed_by LIKE '%/`+fmt.Sprint(replicas["US"][0].cmd.Process.Pid)+`/%'`)
	t.Logf("%s: killed IT-r0 (leader) and US-r0 (holding %d claimed envelopes) with %d of %d stored in Italy", time.Since(began).Round(time.Millisecond), claimed, killedAt, burst)
	testkit.EventuallyWithin(t, 30*time.Second, "Italy's leadership taken over", func() bool {
		time.Sleep(100 * time.Millisecond)
		l := leaderOf("IT")
		return l == "IT-r1" || l == "IT-r2"
	})
	// The limit outlasts two of the outbox's longest back-offs (5 min):
	// sends that time out on a loaded machine (CI runs two suites side by
	// side) are retried, and an envelope that failed several times in a row
	// may wait that long before its next attempt. It failed once in three
	// runs at 5 min 10 s beside the crash tests (2026-12-03).
	testkit.EventuallyWithin(t, 12*time.Minute+time.Duration(burst)*20*time.Millisecond, "whole burst delivered", func() bool {
		time.Sleep(250 * time.Millisecond)
		return count("US", delivered) == burst
	})
	t.Logf("%s: whole burst delivered", time.Since(began).Round(time.Millisecond))
	// The leader's clock runner handles each new case in a transaction of
	// its own (about 10 a second on a loaded 2-core machine).
	testkit.EventuallyWithin(t, 5*time.Minute+time.Duration(burst)*100*time.Millisecond, "every arrival clock fired", func() bool {
		time.Sleep(250 * time.Millisecond)
		return count("IT", notified) >= burst
	})
	took := time.Since(began)
	if n := count("IT", stored); n != burst {
		t.Fatalf("Italy stored %d envelopes, want exactly %d", n, burst)
	}
	if n := count("IT", `SELECT COUNT(DISTINCT idempotency_key) FROM inbound_envelopes`); n != burst {
		t.Fatalf("Italy stored %d distinct requests, want %d", n, burst)
	}
	if n := count("US", `SELECT COUNT(*) FROM outbound_envelopes WHERE receipt IS NULL`); n != 0 {
		t.Fatalf("%d requests have no receipt", n)
	}
	if n := count("IT", notified); n != burst {
		t.Fatalf("%d arrival clocks fired, want %d (one per request)", n, burst)
	}
	if n := count("IT", `SELECT COUNT(DISTINCT request_id) FROM clock_actions WHERE kind = 'notify'`); n != burst {
		t.Fatalf("arrival clocks fired for %d requests, want %d", n, burst)
	}
	if n := count("IT", `SELECT COUNT(*) FROM (SELECT request_id, person, channel FROM notifications WHERE action = 'notify'
		GROUP BY request_id, person, channel HAVING COUNT(*) > 1) d`); n != 0 {
		t.Fatalf("%d people were told of the same arrival twice", n)
	}
	twice, distinct := balancers["IT"].sentTwice()
	if distinct != burst {
		t.Fatalf("the balancer saw %d distinct envelopes, want %d", distinct, burst)
	}
	t.Logf("replicas: %d requests, %d stored once in Italy, %d receipts in the US, %d sent more than once (answered as duplicates), %d balancer errors, %d arrival clocks fired once, took %s",
		burst, count("IT", stored), count("US", `SELECT COUNT(*) FROM outbound_envelopes WHERE receipt IS NOT NULL`), twice, balancers["IT"].errors.Load(), count("IT", notified), took.Round(time.Second))
}
