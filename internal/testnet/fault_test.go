package testnet_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/envelope"
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

// nodeProc is a node running as a separate "art35 node run" process.
type nodeProc struct {
	name, addr string
	cmd        *exec.Cmd
	exited     chan struct{} // closed when the process has ended
}

// startNodeProc runs "art35 node run" on a node's data folder as a process
// of its own (env adds to the environment: ART35_LISTEN and friends
// override the folder's configuration) and waits until it serves /healthz
// on addr. A process still running when the test ends is stopped.
func startNodeProc(t *testing.T, name, dataDir, addr string, env ...string) *nodeProc {
	t.Helper()
	cmd := exec.Command(art35Binary(t), "node", "run", "--data", dataDir, "--insecure-plain-http", "--log-level", "warn")
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &nodeProc{name: name, addr: addr, cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.stop(t) })
	testkit.EventuallyWithin(t, time.Minute, name+" process serving", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

// startProc runs a party's node of the test network as a process of its
// own, on the node's address.
func startProc(t *testing.T, net *testnet.Net, party string) *nodeProc {
	t.Helper()
	c := net.Config(party)
	return startNodeProc(t, party, c.DataDir, c.Listen)
}

// kill ends the process with SIGKILL, as a crash would.
func (p *nodeProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		select {
		case <-p.exited:
		default:
			t.Fatal(err)
		}
	}
	<-p.exited
}

// stop asks the process to end (SIGTERM) and kills it after 30 seconds.
func (p *nodeProc) stop(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.kill(t)
	}
}

// queueBurst stops the network's nodes and queues n requests from the US
// to Italy in the US node's database, in one transaction, with no
// delivery worker running (the node is opened, not run). The envelopes
// are sealed first on every core: sealing is most of the time the burst
// takes to queue in a test process built with -race. Their idempotency
// keys are key-0, key-1, ...; the documents' ids ref-0, ref-1, ...
func queueBurst(t *testing.T, net *testnet.Net, n int, key, ref string) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []string{"US", "IT"} {
		if err := net.Stop(p); err != nil {
			t.Fatal(err)
		}
	}
	us, err := node.New(ctx, net.Config("US"), node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer us.Close()
	envs := make([]*envelope.Envelope, n)
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n && errs[w] == nil; i += workers {
				envs[i], errs[w] = us.Seal(ctx, request(fmt.Sprintf("%s-%d", key, i), "preserve"),
					testnet.RequestDoc("preserve", fmt.Sprintf("%s-%d", ref, i), "US", "IT", time.Now()))
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("seal the burst: %v", err)
	}
	err = us.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, env := range envs {
			if err := federation.Enqueue(ctx, tx, env, false, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("queue the burst: %v", err)
	}
}

// nodeDBs opens the US and Italian nodes' databases beside the running
// nodes (closed when the test ends), for the test to count what the
// nodes stored: once, not at every poll, so that the test process does
// not take the machine from the nodes it waits for.
func nodeDBs(t *testing.T, net *testnet.Net) map[string]*store.DB {
	t.Helper()
	dbs := map[string]*store.DB{}
	for _, p := range []string{"US", "IT"} {
		db, err := store.OpenNoMigrate(context.Background(), net.Config(p).DatabaseDSN())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[p] = db
	}
	return dbs
}

// countIn runs a COUNT query on db.
func countIn(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
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
	net := start(t, backend, clock.System{}, "US", "IT")
	queueBurst(t, net, burst, "burst", "US-BURST")
	procs := map[string]*nodeProc{"IT": startProc(t, net, "IT"), "US": startProc(t, net, "US")}
	dbs := nodeDBs(t, net)
	count := func(party, q string) int { return countIn(t, dbs[party], q) }
	delivered := `SELECT COUNT(*) FROM outbound_envelopes WHERE state = 'delivered'`
	testkit.EventuallyWithin(t, 5*time.Minute, "part of the burst delivered", func() bool {
		time.Sleep(50 * time.Millisecond)
		return count("US", delivered) >= burst/5
	})
	procs[victim].kill(t)
	t.Logf("killed %s with %d of %d delivered", victim, count("US", delivered), burst)
	procs[victim] = startProc(t, net, victim)
	testkit.EventuallyWithin(t, 10*time.Minute, "whole burst delivered", func() bool {
		time.Sleep(250 * time.Millisecond)
		return count("US", delivered) == burst
	})
	for _, p := range procs {
		p.stop(t)
	}
	if n := count("IT", `SELECT COUNT(*) FROM inbound_envelopes`); n != burst {
		t.Fatalf("Italy stored %d envelopes, want exactly %d", n, burst)
	}
	if n := count("IT", `SELECT COUNT(DISTINCT idempotency_key) FROM inbound_envelopes`); n != burst {
		t.Fatalf("Italy stored %d distinct requests, want %d", n, burst)
	}
	if n := count("US", `SELECT COUNT(*) FROM outbound_envelopes WHERE receipt IS NULL`); n != 0 {
		t.Fatalf("%d requests have no receipt", n)
	}
}

// TestReceiverKilledMidBurst: the receiving node dies mid-burst (issue 4).
func TestReceiverKilledMidBurst(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) { crashTest(t, backend, "IT") })
}

// TestSenderKilledMidBurst: the sending node dies mid-burst; its outbox
// resumes when it restarts (issue 4).
func TestSenderKilledMidBurst(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) { crashTest(t, backend, "US") })
}
