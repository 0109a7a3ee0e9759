package triage

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Sizes that bound memory whatever the input: a handful of chunks in
// flight, and no line longer than maxLine is looked at.
const (
	chunkSize = 1 << 20
	maxLine   = 64 << 10
)

// Input is one log to read.
type Input struct {
	Name string
	R    io.Reader
	Size int64 // bytes on disk if known (for progress), else 0
}

// FileStat is what was read from one input.
type FileStat struct {
	Name  string `json:"name"`
	Gzip  bool   `json:"gzip,omitempty"`
	Bytes int64  `json:"bytes"` // bytes read from the input (compressed size for gzip)
	Lines int64  `json:"lines"`
	Error string `json:"error,omitempty"` // why reading stopped early (e.g. truncated gzip); lines before it count
}

// Stats counts the lines triage read and those it could not fully use.
// Nothing in a log is fatal: every oddity is counted here instead.
type Stats struct {
	Lines        int64      `json:"lines"`
	Blank        int64      `json:"blank"`
	NoAddress    int64      `json:"no_address"`    // no IP address found where one was expected
	NoTime       int64      `json:"no_time"`       // an address but no timestamp that could be read
	ZonelessTime int64      `json:"zoneless_time"` // a timestamp without a time zone: not guessed, not used
	LongLines    int64      `json:"long_lines"`    // longer than 64 KiB: only the first 64 KiB was looked at
	NotUTF8      int64      `json:"not_utf8"`      // not valid UTF-8 (mixed encodings, binary garbage); still searched
	Files        []FileStat `json:"files"`
}

func (s *Stats) add(o *Stats) {
	s.Lines += o.Lines
	s.Blank += o.Blank
	s.NoAddress += o.NoAddress
	s.NoTime += o.NoTime
	s.ZonelessTime += o.ZonelessTime
	s.LongLines += o.LongLines
	s.NotUTF8 += o.NotUTF8
}

// AddrStat aggregates the lines of one address. Triage keeps one per
// unique address, never one per line, so memory follows the number of
// distinct addresses, not the size of the log.
type AddrStat struct {
	Lines       int64
	First, Last int64 // Unix seconds of the earliest and latest line with a time; valid when Timed
	Timed       bool
}

func (a *AddrStat) merge(o *AddrStat) {
	a.Lines += o.Lines
	if o.Timed {
		if !a.Timed || o.First < a.First {
			a.First = o.First
		}
		if !a.Timed || o.Last > a.Last {
			a.Last = o.Last
		}
		a.Timed = true
	}
}

// Progress is reported while reading.
type Progress struct {
	Bytes, Total int64 // bytes read so far and in all inputs (0 if unknown)
	Lines        int64
	Elapsed      time.Duration
}

// Scanner reads logs and aggregates them by address.
type Scanner struct {
	Extractor Extractor // template: each worker gets a copy
	Workers   int       // 0: one per CPU
	// Progress, if set, is called about every ProgressEvery (default
	// 250ms) from the reading goroutine. Now is its clock (the caller's
	// injected clock); progress is skipped when Now is nil.
	Progress      func(Progress)
	ProgressEvery time.Duration
	Now           func() time.Time

	chunk int // bytes per chunk; 0 means chunkSize (tests use tiny chunks to exercise the boundaries)
}

// Result is what a scan produced: the counters and one AddrStat per
// distinct address.
type Result struct {
	Stats Stats
	t     *addrTable
}

// Len returns the number of distinct addresses.
func (r *Result) Len() int { return r.t.v4.n + len(r.t.stats6) }

// Get returns the aggregate of address a, or nil.
func (r *Result) Get(a netip.Addr) *AddrStat {
	a = a.Unmap().WithZone("")
	if a.Is4() {
		sl := r.t.v4.find(v4u32(a))
		if sl == nil {
			return nil
		}
		st := sl.stat()
		return &st
	}
	i, ok := r.t.idx6[a.As16()]
	if !ok {
		return nil
	}
	return &r.t.stats6[i]
}

// Each calls fn for every distinct address, in no particular order.
func (r *Result) Each(fn func(netip.Addr, *AddrStat)) {
	r.t.v4.each(func(k uint32, sl *slot4) {
		st := sl.stat()
		fn(netip.AddrFrom4([4]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)}), &st)
	})
	for i := range r.t.stats6 {
		fn(r.t.addrs6[i], &r.t.stats6[i])
	}
}

// addrTable aggregates by distinct address: IPv4 in an open-addressing
// table with the counters inside the slot (one cache miss per line), IPv6
// in a map of indexes. Neither holds pointers, so the garbage collector
// never scans them. Profiles of a 170,000-address log showed a Go map of
// *AddrStat taking 40% of triage's time.
type addrTable struct {
	v4     tab4
	idx6   map[[16]byte]int32
	addrs6 []netip.Addr
	stats6 []AddrStat
}

func newAddrTable() *addrTable {
	return &addrTable{v4: newTab4(), idx6: map[[16]byte]int32{}}
}

func v4u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// add counts one line of address a (unmapped, without zone) with its
// time in Unix seconds when timed.
func (t *addrTable) add(a netip.Addr, sec int64, timed bool) {
	if a.Is4() {
		t.v4.add(v4u32(a), 1, sec, sec, timed)
		return
	}
	t.get6(a).merge(&AddrStat{Lines: 1, First: sec, Last: sec, Timed: timed})
}

func (t *addrTable) get6(a netip.Addr) *AddrStat {
	k := a.As16()
	i, ok := t.idx6[k]
	if !ok {
		i = int32(len(t.stats6))
		t.idx6[k] = i
		t.addrs6 = append(t.addrs6, a)
		t.stats6 = append(t.stats6, AddrStat{})
	}
	return &t.stats6[i]
}

// merge adds o's aggregates into t.
func (t *addrTable) merge(o *addrTable) {
	o.v4.each(func(k uint32, sl *slot4) {
		st := sl.stat()
		t.v4.add(k, st.Lines, st.First, st.Last, st.Timed)
	})
	for i, a := range o.addrs6 {
		t.get6(a).merge(&o.stats6[i])
	}
}

// slot4 is one IPv4 address's aggregate in 16 bytes, four to a cache
// line. lines == 0 marks an empty slot; first == 0 means "no time seen"
// (times are Unix seconds, and logs from 1970-01-01T00:00:00Z or before,
// or after 2106, are taken as untimed); lines saturate at 4,294,967,295.
type slot4 struct{ key, lines, first, last uint32 }

func (s *slot4) stat() AddrStat {
	return AddrStat{Lines: int64(s.lines), First: int64(s.first), Last: int64(s.last), Timed: s.first != 0}
}

// tab4 is an open-addressing hash table of slot4 with linear probing,
// kept under half full so probes stay within a cache line or two.
type tab4 struct {
	slots []slot4
	n     int
	shift uint
}

func newTab4() tab4 { return tab4{slots: make([]slot4, 1<<12), shift: 32 - 12} }

func (t *tab4) home(k uint32) int { return int((k * 0x9E3779B1) >> t.shift) }

func (t *tab4) find(k uint32) *slot4 {
	mask := len(t.slots) - 1
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.lines == 0 {
			return nil
		}
		if s.key == k {
			return s
		}
	}
}

// add merges lines (with first and last seen, when timed) into k's slot.
func (t *tab4) add(k uint32, lines, first, last int64, timed bool) {
	if timed && (first <= 0 || last > 1<<32-1) {
		timed = false
	}
	mask := len(t.slots) - 1
	i := t.home(k)
	for {
		s := &t.slots[i]
		if s.lines == 0 {
			*s = slot4{key: k, lines: sat(lines)}
			if timed {
				s.first, s.last = uint32(first), uint32(last)
			}
			t.n++
			if 2*t.n > len(t.slots) {
				t.grow()
			}
			return
		}
		if s.key == k {
			s.lines = sat(int64(s.lines) + lines)
			if timed {
				if s.first == 0 || uint32(first) < s.first {
					s.first = uint32(first)
				}
				if uint32(last) > s.last {
					s.last = uint32(last)
				}
			}
			return
		}
		i = (i + 1) & mask
	}
}

func sat(n int64) uint32 {
	if n > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(n)
}

func (t *tab4) grow() {
	old := t.slots
	t.slots = make([]slot4, 2*len(old))
	t.shift--
	mask := len(t.slots) - 1
	for _, s := range old {
		if s.lines == 0 {
			continue
		}
		i := t.home(s.key)
		for t.slots[i].lines != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

func (t *tab4) each(fn func(uint32, *slot4)) {
	for i := range t.slots {
		if t.slots[i].lines != 0 {
			fn(t.slots[i].key, &t.slots[i])
		}
	}
}

type chunk struct {
	base []byte // the pooled buffer, returned to the pool when done
	buf  []byte // the lines in it
	file int
	long bool // the whole chunk is the head of one over-long line
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

// Read reads from the underlying reader and counts the bytes.
func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Scan reads every input in turn (gzip is detected by its magic bytes)
// and returns the per-address aggregate. Read errors of one input (a
// truncated gzip, a device error) are recorded in its FileStat and the
// scan goes on; only cancellation of ctx stops it.
func (s *Scanner) Scan(ctx context.Context, inputs []Input) (*Result, error) {
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	free := make(chan []byte, 2*workers+2)
	for range cap(free) {
		size := s.chunk
		if size <= 0 {
			size = chunkSize
		}
		free <- make([]byte, size)
	}
	work := make(chan chunk, 2*workers)
	type workerOut struct {
		m         *addrTable
		st        Stats
		fileLines map[int]int64
	}
	outs := make([]workerOut, workers)
	var lines atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		outs[w] = workerOut{m: newAddrTable(), fileLines: map[int]int64{}}
		wg.Add(1)
		go func(o *workerOut) {
			defer wg.Done()
			x := s.Extractor
			x.lastTS = nil
			var bt batcher
			for c := range work {
				n := processChunk(&x, &bt, c, o.m, &o.st)
				o.fileLines[c.file] += n
				lines.Add(n)
				free <- c.base
			}
		}(&outs[w])
	}

	res := &Result{}
	var read atomic.Int64
	var total int64
	for _, in := range inputs {
		total += in.Size
	}
	every := s.ProgressEvery
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	var start, lastReport time.Time
	if s.Now != nil {
		start = s.Now()
		lastReport = start
	}
	report := func() {
		if s.Progress == nil || s.Now == nil {
			return
		}
		if now := s.Now(); now.Sub(lastReport) >= every {
			lastReport = now
			s.Progress(Progress{Bytes: read.Load(), Total: total, Lines: lines.Load(), Elapsed: now.Sub(start)})
		}
	}

	var ctxErr error
	for fi, in := range inputs {
		fs := FileStat{Name: in.Name}
		before := read.Load()
		err := s.readInput(ctx, in, fi, &fs, countingReader{in.R, &read}, free, work, report)
		fs.Bytes = read.Load() - before
		if err != nil {
			if ctx.Err() != nil {
				ctxErr = ctx.Err()
			} else {
				fs.Error = err.Error()
			}
		}
		res.Stats.Files = append(res.Stats.Files, fs)
		if ctxErr != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	for i := range outs {
		o := &outs[i]
		res.Stats.add(&o.st)
		for f, n := range o.fileLines {
			if f < len(res.Stats.Files) {
				res.Stats.Files[f].Lines += n
			}
		}
		if i == 0 {
			res.t = o.m
			continue
		}
		res.t.merge(o.m)
	}
	if s.Progress != nil && s.Now != nil {
		s.Progress(Progress{Bytes: read.Load(), Total: total, Lines: lines.Load(), Elapsed: s.Now().Sub(start)})
	}
	return res, ctxErr
}

// fill reads into buf until it is full or the reader fails; it returns
// the reader's error as is (io.EOF at a clean end), unlike io.ReadFull
// which would blur a truncated gzip into an ordinary short read.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (s *Scanner) readInput(ctx context.Context, in Input, fi int, fs *FileStat, raw io.Reader, free chan []byte, work chan chunk, report func()) error {
	br := bufio.NewReaderSize(raw, 64<<10)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip header is damaged: %w", err)
		}
		defer zr.Close()
		fs.Gzip = true
		src = zr
	}
	buf := <-free
	carry := 0
	skipping := false // inside an over-long line whose head was already sent
	for {
		if err := ctx.Err(); err != nil {
			free <- buf
			return err
		}
		n, rerr := fill(src, buf[carry:])
		total := carry + n
		carry = 0
		data := buf[:total]
		if skipping {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				data = data[:0]
			} else {
				data = data[i+1:]
				skipping = false
			}
		}
		if rerr != nil { // end of input, clean or not: everything left is the last chunk
			if len(data) > 0 {
				work <- chunk{base: buf, buf: data, file: fi}
			} else {
				free <- buf
			}
			report()
			if errors.Is(rerr, io.EOF) {
				return nil
			}
			if errors.Is(rerr, io.ErrUnexpectedEOF) && fs.Gzip {
				return fmt.Errorf("gzip stream is truncated; the lines before the cut were counted")
			}
			return rerr
		}
		k := bytes.LastIndexByte(data, '\n')
		next := <-free
		if k < 0 {
			if len(data) == len(buf) { // one line fills the whole chunk: send its head, skip the rest
				work <- chunk{base: buf, buf: buf, file: fi, long: true}
				skipping = true
			} else {
				carry = copy(next, data)
				free <- buf
			}
		} else {
			carry = copy(next, data[k+1:])
			work <- chunk{base: buf, buf: data[:k+1], file: fi}
		}
		buf = next
		report()
	}
}

// batchSize is how many IPv4 lines are parsed before their table slots
// are touched and then updated: the touches are independent loads, so
// the processor overlaps their cache misses instead of waiting for each
// in turn (the table of a large log does not fit in cache, and that wait
// was the largest cost in profiles).
const batchSize = 32

type pending struct {
	key   uint32
	sec   int64
	timed bool
}

// batcher is one worker's batch of IPv4 updates.
type batcher struct {
	b    [batchSize]pending
	n    int
	sink uint32 // keeps the touches from being optimised away
}

func (bt *batcher) flush(m *addrTable) {
	t := &m.v4
	var sink uint32
	for i := 0; i < bt.n; i++ {
		sink += t.slots[t.home(bt.b[i].key)].key
	}
	bt.sink += sink
	for i := 0; i < bt.n; i++ {
		p := &bt.b[i]
		t.add(p.key, 1, p.sec, p.sec, p.timed)
	}
	bt.n = 0
}

// processChunk aggregates the lines of c into m and st and returns the
// number of lines.
func processChunk(x *Extractor, bt *batcher, c chunk, m *addrTable, st *Stats) int64 {
	defer bt.flush(m)
	if c.long {
		st.Lines++
		st.LongLines++
		line := c.buf[:min(maxLine, len(c.buf))]
		if !utf8.Valid(line) {
			st.NotUTF8++
		}
		processLine(x, bt, line, m, st)
		return 1
	}
	valid := utf8.Valid(c.buf) // one pass over the chunk; lines are checked only if it fails
	var n int64
	b := c.buf
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		var line []byte
		if i < 0 {
			line, b = b, nil
		} else {
			line, b = b[:i], b[i+1:]
		}
		n++
		st.Lines++
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			st.Blank++
			continue
		}
		if len(line) > maxLine {
			st.LongLines++
			line = line[:maxLine]
		}
		if !valid && !utf8.Valid(line) {
			st.NotUTF8++
		}
		processLine(x, bt, line, m, st)
	}
	return n
}

func processLine(x *Extractor, bt *batcher, line []byte, m *addrTable, st *Stats) {
	r, ok := x.Extract(line)
	if !ok {
		st.NoAddress++
		return
	}
	switch {
	case r.hasTime:
	case r.zoneless:
		st.ZonelessTime++
	default:
		st.NoTime++
	}
	if !r.addr.Is4() {
		m.add(r.addr, r.t, r.hasTime)
		return
	}
	bt.b[bt.n] = pending{key: v4u32(r.addr), sec: r.t, timed: r.hasTime}
	bt.n++
	if bt.n == batchSize {
		bt.flush(m)
	}
}
