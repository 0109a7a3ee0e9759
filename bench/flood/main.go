// Command flood measures a node's edge under the floods of issue 11, on
// loopback only, bounded in count and time:
//
//   - sign-ins: 200 parallel clients POST /signin with unknown user names
//     (one argon2id hash of 19 MiB each, if nothing bounded them), from
//     200 loopback source addresses;
//   - bodies: 40 parallel clients POST 11 MB bodies to /v1/inbox, half
//     with Content-Length, half chunked;
//   - envelopes: 2,000 unsigned (forged) envelopes a second claiming to
//     come from a peer, from 20 source addresses.
//
// The node under test runs in its own process (this program started
// again with -serve), so its peak heap and RSS are its own. Meanwhile a
// real peer, whose key is in the node's directory, delivers ping
// challenges at a steady rate from 127.0.0.1; the same deliveries are
// measured first on a quiet node. Targets (issue 11): peak RSS under
// 512 MB, every legitimate delivery stored, p99 under flood within 3x the
// quiet p99.
//
// Run it with: bash bench/flood/run.sh   (or go run ./bench/flood -h)
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/ping"
)

func main() {
	serve := flag.String("serve", "", "internal: run the node under test from this data folder")
	attack := flag.String("attack", "", "internal: run the floods against the node in this data folder")
	secs := flag.Int("seconds", 10, "length of the quiet run and of the flood")
	rate := flag.Int("rate", 20, "legitimate deliveries a second from the real peer")
	signins := flag.Int("signins", 200, "parallel sign-in clients with unknown names")
	bodies := flag.Int("bodies", 40, "parallel clients sending 11 MB bodies")
	forged := flag.Int("forged", 2000, "unsigned envelopes a second")
	pprofDir := flag.String("pprof", "", "write the node's goroutine dump and CPU profile under flood to this folder")
	flag.Parse()
	if *serve != "" {
		runNode(*serve)
		return
	}
	if *attack != "" {
		runAttack(*attack, *secs, *signins, *bodies, *forged)
		return
	}
	if *secs > 30 || *rate > 200 || *signins > 400 || *bodies > 80 || *forged > 4000 {
		fmt.Fprintln(os.Stderr, "refusing: the benchmark is bounded (seconds <= 30, rate <= 200, signins <= 400, bodies <= 80, forged <= 4000)")
		os.Exit(2)
	}
	if err := drive(*secs, *rate, *signins, *bodies, *forged, *pprofDir); err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}

// freePort returns a free loopback port.
func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().String()
}

// setup makes the two nodes' folders (IT under test, US the real peer) and
// a directory that lists both, signed by a fresh secretariat key.
func setup(dir string) (it, us config.Config, signed []byte) {
	secPub, secPriv, err := keys.GenerateSigning()
	check(err)
	snap, err := directory.Starter()
	check(err)
	now := time.Now()
	mk := func(party string) config.Config {
		c := config.Defaults()
		c.DataDir = filepath.Join(dir, party)
		c.Party = party
		c.Listen, c.PortalListen, c.AdminListen = freePort(), freePort(), freePort()
		c.PublicURL = "http://" + c.Listen + "/v1/inbox"
		c.SecretariatKey = keys.FormatSigningPublic(secPub)
		entry, err := node.Init(c, now)
		check(err)
		check(entry.Apply(snap))
		c.Authority = entry.Authority
		return c
	}
	it, us = mk("IT"), mk("US")
	signed, err = directory.Sign(snap, secPriv, 1, now, 24*time.Hour)
	check(err)
	check(os.WriteFile(filepath.Join(dir, "directory.json"), signed, 0o600))
	return it, us, signed
}

// runNode is the child process: the node under test with its portal and
// ping service, plain HTTP on three loopback listeners, until SIGTERM.
func runNode(dir string) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	c, err := config.Load(dir, os.Getenv)
	check(err)
	n, err := node.New(ctx, c, node.Options{PlainHTTP: true})
	check(err)
	defer n.Close()
	signed, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "directory.json"))
	check(err)
	_, err = n.AcceptSnapshot(ctx, signed)
	check(err)
	if addr := os.Getenv("ART35_FLOOD_PPROF"); addr != "" {
		// -pprof: the node's profiles, for finding what a flood costs.
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		go http.ListenAndServe(addr, mux)
	}
	app.RegisterPing(n)
	p, err := app.Portal(n, false)
	check(err)
	n.Handle("/", p)
	check(n.Run(ctx))
}

// clientFrom returns an HTTP client whose connections come from the
// loopback address ip, so the node sees distinct sources.
func clientFrom(ip string, timeout time.Duration) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// memSampler reads the child's RSS from /proc and its Go heap from
// /metrics every 100 ms, keeping the peaks.
type memSampler struct {
	pid      int
	metrics  string
	mu       sync.Mutex
	peakRSS  int64
	peakHeap int64
	stop     chan struct{}
	done     chan struct{}
	hc       *http.Client
}

func startSampler(pid int, metricsURL string) *memSampler {
	s := &memSampler{pid: pid, metrics: metricsURL, stop: make(chan struct{}), done: make(chan struct{}), hc: clientFrom("127.0.0.1", 2*time.Second)}
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *memSampler) sample() {
	rss := procRSS(s.pid)
	heap := int64(0)
	if resp, err := s.hc.Get(s.metrics); err == nil {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "go_memstats_heap_inuse_bytes "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				heap = int64(f)
			}
		}
		resp.Body.Close()
	}
	s.mu.Lock()
	s.peakRSS, s.peakHeap = max(s.peakRSS, rss), max(s.peakHeap, heap)
	s.mu.Unlock()
}

func (s *memSampler) finish() (rss, heap int64) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakRSS, s.peakHeap
}

// procRSS is the resident set of pid in bytes (VmRSS).
func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// peer delivers ping challenges from the real US node's key.
type peer struct {
	us  *node.Node
	url string
	hc  *http.Client
}

func (p *peer) deliver(ctx context.Context) (time.Duration, error) {
	idb := make([]byte, 16)
	_, _ = rand.Read(idb)
	id := hex.EncodeToString(idb)
	now := time.Now().UTC().Truncate(time.Second)
	body, err := ping.Body{Type: ping.TypeChallenge, ID: id, Code: "BENCH234", SentAt: now, Deadline: now.Add(time.Hour)}.Marshal()
	if err != nil {
		return 0, err
	}
	env, err := p.us.Seal(ctx, envelope.Header{IdempotencyKey: "ping:" + id, Kind: envelope.KindPing, Subkind: ping.TypeChallenge,
		Recipient: "IT-247", CaseRef: "ping-bench", Handling: envelope.H0}, body)
	if err != nil {
		return 0, err
	}
	wire, err := env.Marshal()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	resp, err := p.hc.Post(p.url, "application/json", bytes.NewReader(wire))
	if err != nil {
		return 0, err
	}
	ans, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return took, fmt.Errorf("%s: %.200s", resp.Status, ans)
	}
	r, err := envelope.ParseReceipt(ans)
	if err != nil || !r.Covers(env) {
		return took, fmt.Errorf("no receipt for %s: %v", env.Header.ID, err)
	}
	return took, nil
}

// legit runs deliveries at rate for secs and returns their latencies and
// failures.
func (p *peer) legit(secs, rate int) ([]time.Duration, []error) {
	var (
		mu   sync.Mutex
		lats []time.Duration
		errs []error
		wg   sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for range secs * rate {
		<-tick.C
		wg.Go(func() {
			d, err := p.deliver(context.Background())
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			lats = append(lats, d)
		})
	}
	wg.Wait()
	return lats, errs
}

type counts struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counts) add(k string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[k]++
	c.mu.Unlock()
}

func (c *counts) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ks []string
	for k := range c.m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%s x%d", k, c.m[k]))
	}
	return strings.Join(parts, ", ")
}

func outcome(resp *http.Response, err error) string {
	if err != nil {
		if strings.Contains(err.Error(), "reset by peer") || strings.Contains(err.Error(), "broken pipe") {
			return "connection closed by the node"
		}
		if strings.Contains(err.Error(), "Timeout") || strings.Contains(err.Error(), "deadline") {
			return "client timeout"
		}
		return "error"
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode)
}

// runAttack is the attacker's process: at the lowest CPU priority, so
// that on one machine it stands in for attackers elsewhere as far as it
// can; it floods for secs (plus a second of build-up) and prints what the
// node answered.
func runAttack(dir string, secs, signins, bodies, forgedRate int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, 0, 19)
	it, err := config.Load(dir, func(string) string { return "" })
	check(err)
	// Forged envelopes: valid format, claiming US-247, signed by a key
	// that is not US's, sealed to IT's public encryption key.
	_, rogue, _ := ed25519.GenerateKey(rand.Reader)
	itEnc, err := keys.LoadEncryption(it.Path(config.EncryptionKeyFile))
	check(err)
	var forgedWire [][]byte
	for range 64 {
		id, _ := envelope.NewID(rand.Reader)
		env, err := envelope.Seal(envelope.Header{ID: id, IdempotencyKey: "forged-" + id, Kind: envelope.KindPing, Subkind: ping.TypeChallenge,
			Sender: "US-247", Recipient: "IT-247", Created: time.Now().UTC().Truncate(time.Second), Expires: time.Now().Add(time.Hour).UTC().Truncate(time.Second),
			Handling: envelope.H0}, []byte(`{"forged":true}`), rogue, itEnc.PublicKey())
		check(err)
		w, _ := env.Marshal()
		forgedWire = append(forgedWire, w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs+1)*time.Second)
	defer cancel()
	sign, body, forged := flood(ctx, it, signins, bodies, forgedRate, forgedWire)
	fmt.Printf("  sign-ins:  %s\n  11 MB:     %s\n  unsigned:  %s\n", sign, body, forged)
}

// flood runs the three floods until ctx ends.
func flood(ctx context.Context, it config.Config, signins, bodies, perSecond int, forgedWire [][]byte) (sign, body, forged *counts) {
	sign, body, forged = &counts{}, &counts{}, &counts{}
	var wg sync.WaitGroup
	portal := "http://" + it.PortalListen + "/signin"
	inbox := "http://" + it.Listen + "/v1/inbox"
	for i := range signins {
		hc := clientFrom(fmt.Sprintf("127.0.1.%d", i%250+1), 30*time.Second)
		wg.Go(func() {
			for k := 0; ctx.Err() == nil; k++ {
				form := url.Values{"username": {fmt.Sprintf("nobody-%d-%d", i, k)}, "password": {"a long enough passphrase"}, "code": {"123456"}}
				req, _ := http.NewRequestWithContext(ctx, "POST", portal, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := hc.Do(req)
				if ctx.Err() != nil {
					return
				}
				sign.add(outcome(resp, err))
			}
		})
	}
	big := bytes.Repeat([]byte("A"), 11<<20)
	for i := range bodies {
		hc := clientFrom(fmt.Sprintf("127.0.2.%d", i%250+1), 60*time.Second)
		wg.Go(func() {
			for ctx.Err() == nil {
				var r io.Reader = bytes.NewReader(big)
				if i%2 == 1 {
					r = struct{ io.Reader }{r} // no length: sent chunked
				}
				req, _ := http.NewRequestWithContext(ctx, "POST", inbox, r)
				req.Header.Set("Content-Type", "application/json")
				resp, err := hc.Do(req)
				if ctx.Err() != nil {
					return
				}
				body.add(outcome(resp, err))
			}
		})
	}
	const sources = 20
	for s := range sources {
		hc := clientFrom(fmt.Sprintf("127.0.3.%d", s+1), 10*time.Second)
		// Each source sends its share of the rate from a few connections.
		for w := range 4 {
			wg.Go(func() {
				every := time.Duration(float64(time.Second) * sources * 4 / float64(perSecond))
				t := time.NewTicker(every)
				defer t.Stop()
				for k := w; ; k++ {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
					req, _ := http.NewRequestWithContext(ctx, "POST", inbox, bytes.NewReader(forgedWire[k%len(forgedWire)]))
					req.Header.Set("Content-Type", "application/json")
					resp, err := hc.Do(req)
					if ctx.Err() != nil {
						return
					}
					forged.add(outcome(resp, err))
				}
			})
		}
	}
	wg.Wait()
	return sign, body, forged
}

type stats struct {
	n, failed          int
	p50, p99, max, min time.Duration
}

func summarize(lats []time.Duration, errs []error) stats {
	s := stats{n: len(lats) + len(errs), failed: len(errs)}
	if len(lats) == 0 {
		return s
	}
	slices.Sort(lats)
	q := func(p float64) time.Duration { return lats[min(len(lats)-1, int(p*float64(len(lats))))] }
	s.p50, s.p99, s.min, s.max = q(0.50), q(0.99), lats[0], lats[len(lats)-1]
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
func mb(b int64) string         { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

func drive(secs, rate, signins, bodies, forgedRate int, pprofDir string) error {
	dir, err := os.MkdirTemp("", "art35-flood")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	it, us, signed := setup(dir)

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	var logs bytes.Buffer
	child := exec.Command(exe, "-serve", it.DataDir)
	pprofAddr := freePort()
	if pprofDir != "" {
		child.Env = append(os.Environ(), "ART35_FLOOD_PPROF="+pprofAddr)
	}
	child.Stdout, child.Stderr = &logs, &logs
	if err := child.Start(); err != nil {
		return err
	}
	defer func() {
		_ = child.Process.Signal(syscall.SIGTERM)
		_ = child.Wait()
	}()
	admin := "http://" + it.AdminListen
	ready := false
	for range 100 {
		if resp, err := http.Get(admin + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				ready = true
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !ready {
		return fmt.Errorf("node under test not ready: %s", logs.String())
	}
	// The real peer: US's node, with the same directory, in this process.
	ctx := context.Background()
	usNode, err := node.New(ctx, us, node.Options{PlainHTTP: true})
	if err != nil {
		return err
	}
	defer usNode.Close()
	if _, err := usNode.AcceptSnapshot(ctx, signed); err != nil {
		return err
	}
	p := &peer{us: usNode, url: "http://" + it.Listen + "/v1/inbox", hc: clientFrom("127.0.0.1", 60*time.Second)}
	if _, err := p.deliver(ctx); err != nil {
		return fmt.Errorf("warm-up delivery: %w", err)
	}

	fmt.Printf("art35 flood benchmark (issue 11), loopback, node under test in its own process (pid %d), %d-second runs\n", child.Process.Pid, secs)
	fmt.Printf("legitimate traffic: %d ping deliveries/s from a real peer (key in the directory) at 127.0.0.1\n", rate)
	fmt.Printf("flood: %d parallel unknown sign-ins (200 source addresses), %d parallel 11 MB bodies, %d unsigned envelopes/s (20 sources)\n\n", signins, bodies, forgedRate)

	// Quiet run.
	sq := startSampler(child.Process.Pid, admin+"/metrics")
	ql, qe := p.legit(secs, rate)
	qRSS, qHeap := sq.finish()
	quiet := summarize(ql, qe)

	// Flood run.
	sf := startSampler(child.Process.Pid, admin+"/metrics")
	var attackOut bytes.Buffer
	attacker := exec.Command(exe, "-attack", it.DataDir, "-seconds", strconv.Itoa(secs), "-signins", strconv.Itoa(signins),
		"-bodies", strconv.Itoa(bodies), "-forged", strconv.Itoa(forgedRate))
	attacker.Stdout, attacker.Stderr = &attackOut, &attackOut
	if err := attacker.Start(); err != nil {
		return err
	}
	time.Sleep(time.Second) // let the floods build up
	if pprofDir != "" {
		go func() {
			time.Sleep(time.Duration(secs) * time.Second / 2)
			for _, q := range []string{"goroutine?debug=1", "profile?seconds=3"} {
				if resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/" + q); err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					name, _, _ := strings.Cut(q, "?")
					_ = os.WriteFile(filepath.Join(pprofDir, name+".pprof"), b, 0o600)
				}
			}
		}()
	}
	fl, fe := p.legit(secs, rate)
	if err := attacker.Wait(); err != nil {
		return fmt.Errorf("attacker: %w: %s", err, attackOut.String())
	}
	fRSS, fHeap := sf.finish()
	under := summarize(fl, fe)

	fmt.Printf("%-22s %10s %10s %10s %10s %10s %12s %12s\n", "run", "delivered", "p50", "p99", "min", "max", "peak heap", "peak RSS")
	for _, r := range []struct {
		name      string
		s         stats
		heap, rss int64
	}{{"quiet", quiet, qHeap, qRSS}, {"under flood", under, fHeap, fRSS}} {
		fmt.Printf("%-22s %10s %10s %10s %10s %10s %12s %12s\n", r.name, fmt.Sprintf("%d/%d", r.s.n-r.s.failed, r.s.n),
			ms(r.s.p50), ms(r.s.p99), ms(r.s.min), ms(r.s.max), mb(r.heap), mb(r.rss))
	}
	ratio := float64(under.p99) / float64(max(quiet.p99, 1))
	fmt.Printf("%-22s %10s %10s %10s\n\n", "ratio flood/quiet", "", fmt.Sprintf("%.2fx", float64(under.p50)/float64(max(quiet.p50, 1))), fmt.Sprintf("%.2fx", ratio))
	fmt.Printf("flood answers (the attacker runs in its own process at nice 19):\n%s\n", attackOut.String())
	for i, e := range fe {
		if i == 5 {
			fmt.Printf("  ... %d more failed deliveries\n", len(fe)-5)
			break
		}
		fmt.Printf("  failed delivery: %v\n", e)
	}
	ok := func(b bool) string {
		if b {
			return "met"
		}
		return "NOT met"
	}
	fmt.Printf("targets: peak RSS < 512 MB: %s (%s); every legitimate delivery stored: %s (%d/%d); p99 under flood <= 3x quiet: %s (%.2fx)\n",
		ok(fRSS < 512<<20), mb(fRSS), ok(under.failed == 0 && quiet.failed == 0), under.n-under.failed, under.n, ok(ratio <= 3), ratio)
	return nil
}
