// Command genlog writes a synthetic access log in the combined log format
// for the triage benchmark: addresses drawn from real allocated ranges of
// many countries (the ranges of art35's embedded country data), a pool of
// distinct addresses reused as in a DDoS, times rising through a day, and a
// little noise (private addresses, lines without an address).
//
//	go run ./bench/ipdb/genlog -lines 10000000 -out access.log
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/art35/art35/internal/ipdb"
)

func main() {
	lines := flag.Int("lines", 10_000_000, "number of lines")
	unique := flag.Int("unique", 200_000, "number of distinct client addresses")
	out := flag.String("out", "access.log", "file to write")
	seed := flag.Uint64("seed", 2007, "random seed (the same seed gives the same log)")
	flag.Parse()
	if err := run(*lines, *unique, *out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}

func run(lines, unique int, out string, seed uint64) error {
	layers, err := ipdb.DefaultLayers()
	if err != nil {
		return err
	}
	var ranges []ipdb.Range
	for _, l := range layers {
		if l.Source.Name == "nro-country" {
			l.Ranges(func(r ipdb.Range) bool {
				ranges = append(ranges, r)
				return true
			})
		}
	}
	if len(ranges) == 0 {
		return fmt.Errorf("no country ranges in the embedded data")
	}
	rng := rand.New(rand.NewPCG(seed, 35))
	pool := make([]netip.Addr, 0, unique)
	for len(pool) < unique {
		r := ranges[rng.IntN(len(ranges))]
		if r.First.Is4() {
			f, l := r.First.As4(), r.Last.As4()
			fu := uint64(f[0])<<24 | uint64(f[1])<<16 | uint64(f[2])<<8 | uint64(f[3])
			lu := uint64(l[0])<<24 | uint64(l[1])<<16 | uint64(l[2])<<8 | uint64(l[3])
			v := fu + rng.Uint64N(lu-fu+1)
			pool = append(pool, netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}))
		} else if rng.IntN(10) == 0 { // about one address in ten is IPv6
			b := r.First.As16()
			for i := 8; i < 16; i++ {
				b[i] = byte(rng.IntN(256))
			}
			pool = append(pool, netip.AddrFrom16(b))
		}
	}
	pool = append(pool, netip.MustParseAddr("10.20.30.40"), netip.MustParseAddr("192.168.1.7"), netip.MustParseAddr("100.64.3.3"))
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	step := 24 * time.Hour / time.Duration(max(lines, 1))
	paths := []string{"/", "/index.html", "/login", "/api/v1/items", "/static/app.js", "/search?q=x"}
	agents := []string{"Mozilla/5.0", "curl/8.5.0", "python-requests/2.32", "Go-http-client/1.1"}
	var buf []byte
	for i := 0; i < lines; i++ {
		buf = buf[:0]
		if rng.IntN(2000) == 0 {
			buf = append(buf, "- - - malformed line without a client address\n"...)
			w.Write(buf)
			continue
		}
		// Skewed choice: a few addresses send much more than the rest.
		a := pool[int(float64(len(pool))*rng.Float64()*rng.Float64())]
		ts := start.Add(time.Duration(i) * step)
		buf = a.AppendTo(buf)
		buf = append(buf, " - - ["...)
		buf = ts.AppendFormat(buf, "02/Jan/2006:15:04:05 -0700")
		buf = append(buf, "] \"GET "...)
		buf = append(buf, paths[rng.IntN(len(paths))]...)
		buf = append(buf, " HTTP/1.1\" 200 "...)
		buf = strconv.AppendInt(buf, int64(rng.IntN(50000)), 10)
		buf = append(buf, " \"-\" \""...)
		buf = append(buf, agents[rng.IntN(len(agents))]...)
		buf = append(buf, "\"\n"...)
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
