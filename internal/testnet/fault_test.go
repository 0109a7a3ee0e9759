package testnet_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
)

// burst is the number of requests of the crash tests (issue 4: 5,000).
const burst = 5000

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// art35Binary builds the art35 command once for the crash tests, which
// need a real process to kill.
func art35Binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "art35-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "art35")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/art35/art35/cmd/art35").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a node running as a separate art35 process.
type proc struct {
	cmd  *exec.Cmd
	done chan error
}

func startProc(t *testing.T, net *testnet.Net, party string) *proc {
	t.Helper()
	c := net.Config(party)
	cmd := exec.Command(art35Binary(t), "node", "run", "--data", c.DataDir, "--insecure-plain-http", "--log-level", "warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	testkit.Eventually(t, party+" process serving", func() bool {
		resp, err := http.Get("http://" + c.Listen + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.kill(t)
	}
}

// countQuery opens a node's database read-only beside the running node
// and counts.
func countQuery(t *testing.T, net *testnet.Net, party, q string) int {
	t.Helper()
	db, err := store.OpenNoMigrate(context.Background(), net.Config(party).DatabaseDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if _, err := store.Found(db.QueryRowContext(context.Background(), q).Scan(&n)); err != nil {
		t.Fatal(err)
	}
	return n
}

// crashTest queues a burst of requests from the US to Italy, runs both
// nodes as separate art35 processes, kills one of them with SIGKILL in
// the middle of the burst and starts it again, and checks that Italy
// stored every request exactly once and the US holds a receipt for each.
func crashTest(t *testing.T, backend, victim string) {
	if testing.Short() {
		t.Skip("crash test with 5,000 requests and real processes: skipped in -short")
	}
	if backend == store.Postgres {
		storetest.RequirePostgres(t)
	}
	net := start(t, backend, clock.System{}, "US", "IT")
	ctx := context.Background()
	for _, p := range []string{"US", "IT"} {
		if err := net.Stop(p); err != nil {
			t.Fatal(err)
		}
	}
	// Queue the burst in the US node's database in one transaction with
	// no delivery worker running (a node opened but not run).
	us, err := node.New(ctx, net.Config("US"), node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = us.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i := range burst {
			env, err := us.Seal(ctx, request(fmt.Sprintf("burst-%d", i), "preserve"), testnet.RequestDoc("preserve", fmt.Sprintf("US-BURST-%d", i), "US", "IT", time.Now()))
			if err != nil {
				return err
			}
			if err := federation.Enqueue(ctx, tx, env, false, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	us.Close()
	if err != nil {
		t.Fatal(err)
	}
	procs := map[string]*proc{"IT": startProc(t, net, "IT"), "US": startProc(t, net, "US")}
	delivered := `SELECT COUNT(*) FROM outbound_envelopes WHERE state = 'delivered'`
	testkit.EventuallyWithin(t, 2*time.Minute, "part of the burst delivered", func() bool { return countQuery(t, net, "US", delivered) >= burst/5 })
	procs[victim].kill(t)
	t.Logf("killed %s with %d of %d delivered", victim, countQuery(t, net, "US", delivered), burst)
	procs[victim] = startProc(t, net, victim)
	testkit.EventuallyWithin(t, 5*time.Minute, "whole burst delivered", func() bool { return countQuery(t, net, "US", delivered) == burst })
	for _, p := range procs {
		p.stop(t)
	}
	if n := countQuery(t, net, "IT", `SELECT COUNT(*) FROM inbound_envelopes`); n != burst {
		t.Fatalf("Italy stored %d envelopes, want exactly %d", n, burst)
	}
	if n := countQuery(t, net, "IT", `SELECT COUNT(DISTINCT idempotency_key) FROM inbound_envelopes`); n != burst {
		t.Fatalf("Italy stored %d distinct requests, want %d", n, burst)
	}
	if n := countQuery(t, net, "US", `SELECT COUNT(*) FROM outbound_envelopes WHERE receipt IS NULL`); n != 0 {
		t.Fatalf("%d requests have no receipt", n)
	}
}

// TestReceiverKilledMidBurst: the receiving node dies mid-burst (issue 4).
func TestReceiverKilledMidBurst(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) { crashTest(t, backend, "IT") })
	}
}

// TestSenderKilledMidBurst: the sending node dies mid-burst; its outbox
// resumes when it restarts (issue 4).
func TestSenderKilledMidBurst(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) { crashTest(t, backend, "US") })
	}
}
