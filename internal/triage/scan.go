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
}

// Result is what a scan produced.
type Result struct {
	Stats Stats
	Addrs map[netip.Addr]*AddrStat
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
		free <- make([]byte, chunkSize)
	}
	work := make(chan chunk, 2*workers)
	type workerOut struct {
		m         map[netip.Addr]*AddrStat
		st        Stats
		fileLines map[int]int64
	}
	outs := make([]workerOut, workers)
	var lines atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		outs[w] = workerOut{m: map[netip.Addr]*AddrStat{}, fileLines: map[int]int64{}}
		wg.Add(1)
		go func(o *workerOut) {
			defer wg.Done()
			x := s.Extractor
			x.lastTS = nil
			for c := range work {
				n := processChunk(&x, c, o.m, &o.st)
				o.fileLines[c.file] += n
				lines.Add(n)
				free <- c.base
			}
		}(&outs[w])
	}

	res := &Result{Addrs: map[netip.Addr]*AddrStat{}}
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
			res.Addrs = o.m
			continue
		}
		for a, st := range o.m {
			if e, ok := res.Addrs[a]; ok {
				e.merge(st)
			} else {
				res.Addrs[a] = st
			}
		}
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

// processChunk aggregates the lines of c into m and st and returns the
// number of lines.
func processChunk(x *Extractor, c chunk, m map[netip.Addr]*AddrStat, st *Stats) int64 {
	if c.long {
		st.Lines++
		st.LongLines++
		processLine(x, c.buf[:maxLine], m, st)
		return 1
	}
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
		processLine(x, line, m, st)
	}
	return n
}

func processLine(x *Extractor, line []byte, m map[netip.Addr]*AddrStat, st *Stats) {
	if !utf8.Valid(line) {
		st.NotUTF8++
	}
	r, ok := x.Extract(line)
	if !ok {
		st.NoAddress++
		return
	}
	a := m[r.addr]
	if a == nil {
		a = &AddrStat{}
		m[r.addr] = a
	}
	a.Lines++
	switch {
	case r.hasTime:
		sec := r.t
		if !a.Timed || sec < a.First {
			a.First = sec
		}
		if !a.Timed || sec > a.Last {
			a.Last = sec
		}
		a.Timed = true
	case r.zoneless:
		st.ZonelessTime++
	default:
		st.NoTime++
	}
}
