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
// of its own, serving on sock, a listening socket on addr that the test
// holds and passes by socket activation (fd 3, LISTEN_FDS; sh sets
// LISTEN_PID to its own pid, which exec keeps). env adds to the
// environment: ART35_LISTEN and friends override the folder's
// configuration. It waits until the process serves /healthz on addr, and
// fails at once, with the reason, if the process ends first. A process
// still running when the test ends is stopped.
//
// Why a socket and not an address: a port closed by one test and bound
// again by a process a moment later can be taken in between by any other
// listener on the machine; that process then failed to start while the
// other program answered its /healthz (CI, 2026-12-03).
func startNodeProc(t *testing.T, name, dataDir, addr string, sock *os.File, env ...string) *nodeProc {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", `export LISTEN_PID=$$; exec "$0" "$@"`,
		art35Binary(t), "node", "run", "--data", dataDir, "--insecure-plain-http", "--log-level", "warn")
	cmd.ExtraFiles = []*os.File{sock}
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1", "LISTEN_FDNAMES="+node.PeersListener)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr // its reason, should it stop, is in the test's output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &nodeProc{name: name, addr: addr, cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.stop(t) })
	testkit.EventuallyWithin(t, time.Minute, name+" process serving", func() bool {
		select {
		case <-p.exited:
			t.Fatalf("%s process ended before serving (%v): its reason is above", name, cmd.ProcessState)
		default:
		}
		// A timeout: the port is open (the test holds it) before the
		// process accepts on it.
		resp, err := healthClient.Get("http://" + addr + "/healthz")
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

// healthClient asks a node process for /healthz.
var healthClient = &http.Client{Timeout: 5 * time.Second}

// startProc runs a party's node of the test network as a process of its
// own, on the port the test holds for it (sock, from Net.Handover).
func startProc(t *testing.T, net *testnet.Net, party string, sock *os.File) *nodeProc {
	t.Helper()
	c := net.Config(party)
	return startNodeProc(t, party, c.DataDir, c.Listen, sock)
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

// queueBurst stops the network's nodes, keeping their ports (returned by
// party, open until the test ends, for the node processes that follow),
// and queues n requests from the US to Italy in the US node's database,
// in one transaction, with no delivery worker running (the node is
// opened, not run). The envelopes are sealed first on every core: sealing
// is most of the time the burst takes to queue in a test process built
// with -race. Their idempotency keys are key-0, key-1, ...; the
// documents' ids ref-0, ref-1, ...
func queueBurst(t *testing.T, net *testnet.Net, n int, key, ref string) map[string]*os.File {
	t.Helper()
	ctx := context.Background()
	socks := map[string]*os.File{}
	for _, p := range []string{"US", "IT"} {
		f, err := net.Handover(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		socks[p] = f
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
	return socks
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
	if backend == store.SQLite {
		testkit.SkipInRaceRun(t, "its nodes are processes built without -race, so on SQLite it would repeat the README run's test")
	}
	net := start(t, backend, clock.System{}, "US", "IT")
	socks := queueBurst(t, net, burst, "burst", "US-BURST")
	procs := map[string]*nodeProc{"IT": startProc(t, net, "IT", socks["IT"]), "US": startProc(t, net, "US", socks["US"])}
	dbs := nodeDBs(t, net)
	count := func(party, q string) int { return countIn(t, dbs[party], q) }
	delivered := `SELECT COUNT(*) FROM outbound_envelopes WHERE state = 'delivered'`
	testkit.EventuallyWithin(t, 5*time.Minute, "part of the burst delivered", func() bool {
		time.Sleep(50 * time.Millisecond)
		return count("US", delivered) >= burst/5
	})
	procs[victim].kill(t)
	t.Logf("killed %s with %d of %d delivered", victim, count("US", delivered), burst)
	// The victim's port stayed open (the test holds it): its peer's
	// connections wait in the queue until the new process takes them.
	procs[victim] = startProc(t, net, victim, socks[victim])
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
