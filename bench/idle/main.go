// Command idle measures what an idle node costs: resident memory and CPU
// time while it runs its background work (outbox, audit sequencer and
// checkpoints, clocks, retention) with nothing to do, over a bounded
// window, extrapolated to an hour. Beside it, the same process before the
// node started (the Go runtime and the binary's packages): the floor.
//
//	go run ./bench/idle [-seconds 180] [-database postgres://...]
//
// One node runs, on SQLite by default. The goal (issue 15) is under 50 MB.
package main

import (
	"github.com/art35/art35/internal/testkit"

	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/art35/art35/internal/testnet"
)

func main() {
	secs := flag.Int("seconds", 180, "length of the idle window (10 to 600)")
	dsn := flag.String("database", "", "PostgreSQL DSN for the node (default: a SQLite file)")
	flag.Parse()
	if *secs < 10 || *secs > 600 {
		fmt.Fprintln(os.Stderr, "refusing: -seconds must be between 10 and 600 (the benchmark is bounded)")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "art35-idle")
	check(err)
	defer os.RemoveAll(dir)

	runtime.GC()
	floorRSS := rssMB()
	floorCPU := testkit.CPUTime()
	time.Sleep(5 * time.Second)
	floorRate := (testkit.CPUTime() - floorCPU).Seconds() / 5

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := testnet.Options{Parties: []string{"IT"}, Dir: filepath.Join(dir, "net")}
	backend := "sqlite"
	if *dsn != "" {
		backend = "postgres"
		opt.Database = func(string) (string, error) { return *dsn, nil }
	}
	net, err := testnet.Start(ctx, opt)
	check(err)
	defer net.Close()
	time.Sleep(5 * time.Second) // start-up work done
	runtime.GC()
	startCPU, start := testkit.CPUTime(), time.Now()
	peak := rssMB()
	for time.Since(start) < time.Duration(*secs)*time.Second {
		time.Sleep(time.Second)
		peak = max(peak, rssMB())
	}
	elapsed := time.Since(start)
	cpu := (testkit.CPUTime() - startCPU).Seconds()
	perHour := cpu / elapsed.Seconds() * 3600
	load, _ := os.ReadFile("/proc/loadavg")

	fmt.Printf("art35 idle node (%s), %s window, load average %s\n", backend, elapsed.Round(time.Second), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Printf("%-36s %12s %14s %16s\n", "", "RSS (MB)", "peak RSS (MB)", "CPU s per hour")
	fmt.Printf("%-36s %12.1f %14s %16.2f\n", "floor: the process before the node", floorRSS, "-", floorRate*3600)
	fmt.Printf("%-36s %12.1f %14.1f %16.2f\n", "idle node (process total)", rssMB(), peak, perHour)
	fmt.Printf("%-36s %12d\n", "goroutines", runtime.NumGoroutine())
	fmt.Printf("goal: RSS under 50 MB; CPU is %.3f%% of one core\n", perHour/36)
}

// rssMB reads the resident set size from /proc/self/status.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	check(err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			check(err)
			return kb / 1024
		}
	}
	return 0
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "idle:", err)
		os.Exit(1)
	}
}
