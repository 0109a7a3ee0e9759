package triage

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// OpenInputs opens every log named, "-" being stdin, before any is read:
// a missing file is the user's mistake and should stop the run before
// minutes of reading, not after. The caller calls closeAll when done,
// also after an error.
func OpenInputs(names []string, stdin io.Reader) (inputs []Input, closeAll func(), err error) {
	var closers []io.Closer
	closeAll = func() {
		for _, c := range closers {
			c.Close()
		}
	}
	for _, name := range names {
		if name == "-" {
			inputs = append(inputs, Input{Name: "(standard input)", R: stdin})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, closeAll, apperr.Wrap(apperr.EInvalid, err, "cannot read log")
		}
		closers = append(closers, f)
		var size int64
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				return nil, closeAll, apperr.Errorf(apperr.EInvalid, "%s is a folder; give log files (e.g. %s/*.log)", name, name)
			}
			size = fi.Size()
		}
		inputs = append(inputs, Input{Name: name, R: f, Size: size})
	}
	return inputs, closeAll, nil
}

// AllCSV says whether every name is a CSV file (plain or gzip): then a
// --field is counted between commas.
func AllCSV(names []string) bool {
	for _, n := range names {
		n = strings.TrimSuffix(strings.ToLower(n), ".gz")
		if !strings.HasSuffix(n, ".csv") {
			return false
		}
	}
	return true
}

// Line is the progress line a terminal shows while logs are read
// (starting with a carriage return and a clear to the end of the line),
// or "" before any time has passed.
func (p Progress) Line() string {
	secs := p.Elapsed.Seconds()
	if secs <= 0 {
		return ""
	}
	rate := float64(p.Lines) / secs
	msg := fmt.Sprintf("\r\033[K%.0f MB read, %d lines, %.0f lines/s", float64(p.Bytes)/1e6, p.Lines, rate)
	if p.Total > 0 && p.Bytes > 0 && p.Bytes <= p.Total {
		left := time.Duration(float64(p.Elapsed) * float64(p.Total-p.Bytes) / float64(p.Bytes))
		msg += fmt.Sprintf(", %d%%, about %s left", p.Bytes*100/p.Total, left.Round(time.Second))
	}
	return msg
}
