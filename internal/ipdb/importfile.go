package ipdb

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/art35/art35/internal/apperr"
)

// layerNameRE is what a layer name may be: it names a file.
var layerNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// openMaybeGzip opens a file and decompresses it when it starts with the
// gzip magic bytes. With progress set, reading reports through it.
func openMaybeGzip(name string, progress func(read, total int64)) (io.Reader, func() error, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.EInvalid, err, "open %s", name)
	}
	var raw io.Reader = f
	if progress != nil {
		var total int64
		if fi, err := f.Stat(); err == nil {
			total = fi.Size()
		}
		raw = &progressReader{r: f, total: total, report: progress}
	}
	br := bufio.NewReaderSize(raw, 1<<16)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, apperr.Wrap(apperr.EInvalid, err, "%s: gzip header is damaged", name)
		}
		return zr, f.Close, nil
	}
	return br, f.Close, nil
}

// progressReader counts the bytes read and reports them every 4 MiB.
type progressReader struct {
	r           io.Reader
	read, total int64
	next        int64
	report      func(read, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	if p.read >= p.next {
		p.next = p.read + 4<<20
		p.report(p.read, p.total)
	}
	return n, err
}

// ImportFormats are the formats ImportFiles reads.
var ImportFormats = []string{"csv", "ipfire", "rir", "mmdb", "overlay"}

// ValidLayerName says whether name may name an imported layer (and its
// file): 1-63 lower-case letters, digits, '.', '_' or '-'.
func ValidLayerName(name string) bool { return layerNameRE.MatchString(name) }

// ImportOptions is what ImportFiles reads and writes.
type ImportOptions struct {
	// Dir is the folder of imported layers (DATA/ipdb).
	Dir string
	// Format is csv, ipfire, rir, mmdb or overlay.
	Format string
	// Source describes the data; its Name names the layer and its file.
	Source Source
	// Files are read in order into the one layer (gzip or plain).
	Files []string
	// Progress, when set, is told how far each file has been read.
	Progress func(file string, read, total int64)
	// Done, when set, is told each file's counts once it is read.
	Done func(file string, st ImportStats)
}

// ImportResult is the layer ImportFiles wrote.
type ImportResult struct {
	Path  string
	Layer *Layer
	Build BuildStats
	Size  int64
}

// ImportFiles builds one layer from data files and writes it into
// o.Dir, replacing a layer of the same name. Nothing is written when the
// files hold no usable range or over 1% of their lines are bad (the wrong
// --format, most likely).
func ImportFiles(ctx context.Context, o ImportOptions) (*ImportResult, error) {
	if !layerNameRE.MatchString(o.Source.Name) {
		return nil, apperr.Errorf(apperr.EInvalid, "layer name %q must be 1-63 lower-case letters, digits, '.', '_' or '-', e.g. rir-ripencc", o.Source.Name)
	}
	parse, err := importer(o.Format, &o.Source)
	if err != nil {
		return nil, err
	}
	b := NewBuilder(o.Source)
	var total ImportStats
	for _, file := range o.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st, err := importFile(file, parse, b, o.Progress)
		if err != nil {
			return nil, err
		}
		if o.Done != nil {
			o.Done(file, st)
		}
		total.Lines += st.Lines
		total.Ranges += st.Ranges
		total.Bad += st.Bad
	}
	if total.Ranges == 0 {
		return nil, apperr.Errorf(apperr.EInvalid, "no usable range in %s: check --format (%s) against the file's first lines", strings.Join(o.Files, ", "), o.Format)
	}
	if total.Bad*100 > total.Lines {
		return nil, apperr.Errorf(apperr.EInvalid, "%d of %d lines are bad (over 1%%): this does not look like a %s file; nothing was written", total.Bad, total.Lines, o.Format)
	}
	layer, bs := b.Build()
	if layer.Source.Kind == "" {
		layer.Source.Kind = KindCountry
		for _, r := range layer.Records {
			if r.ASN != 0 || r.Operator != "" {
				layer.Source.Kind = KindASN
				break
			}
		}
	}
	out := filepath.Join(o.Dir, o.Source.Name+FileExt)
	if err := WriteFile(out, layer); err != nil {
		return nil, err
	}
	res := &ImportResult{Path: out, Layer: layer, Build: bs}
	if fi, _ := os.Stat(out); fi != nil {
		res.Size = fi.Size()
	}
	return res, nil
}

// importer returns the reader of a format (nil for mmdb, read whole) and
// sets the kind of layer the format makes.
func importer(format string, src *Source) (func(io.Reader, *Builder) (ImportStats, error), error) {
	switch format {
	case "csv", "ipfire":
		return ImportRanges, nil
	case "rir":
		src.Kind = KindCountry
		return ImportRIR, nil
	case "overlay":
		src.Kind = KindOverlay
		return ImportOverlay, nil
	case "mmdb":
		return nil, nil
	}
	return nil, apperr.Errorf(apperr.EInvalid, "--format %q: use csv, ipfire, rir, mmdb or overlay", format)
}

// importFile reads one file into b: whole for mmdb (parse nil), streamed
// otherwise.
func importFile(file string, parse func(io.Reader, *Builder) (ImportStats, error), b *Builder, progress func(file string, read, total int64)) (ImportStats, error) {
	if parse == nil {
		data, err := os.ReadFile(file)
		if err != nil {
			return ImportStats{}, apperr.Wrap(apperr.EInvalid, err, "read %s", file)
		}
		st, err := ImportMMDB(data, b)
		if err != nil {
			return st, fmt.Errorf("%s: %w", file, err)
		}
		return st, nil
	}
	var report func(read, total int64)
	if progress != nil {
		report = func(read, total int64) { progress(file, read, total) }
	}
	r, closeFn, err := openMaybeGzip(file, report)
	if err != nil {
		return ImportStats{}, err
	}
	st, err := parse(r, b)
	closeFn()
	if err != nil {
		return st, fmt.Errorf("%s: %w", file, err)
	}
	return st, nil
}
