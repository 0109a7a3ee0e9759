package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/ipdb"
)

var ipdbCmd = &command{
	name:  "ipdb",
	short: "import and inspect the IP attribution data (country, ASN, operator)",
	usage: "ipdb <import|info> [flags]",
	long: `art35 answers from an embedded snapshot (NRO country data, IPFire country data,
RouteViews/DB-IP ASN data; see 'art35 attribute --sources'). A node refreshes
or extends it by importing files into its data folder (--data DIR, or
ART35_DATA): each import writes DIR/ipdb/NAME.a35ip, and a layer named like an
embedded one replaces it. A national overlay (prefix -> domestic operator and
its law-enforcement desk) overrides the operator of every other source.

Formats of import:
  csv      ip-location-db range files: first,last,country or first,last,asn,organisation
  ipfire   IPFire/Tor geoip files: firstInt,lastInt,country (IPv4) or first,last,country
  rir      RIR delegated(-extended) statistics: registry|cc|type|start|value|date|status
  mmdb     MaxMind-format database (country, city or ASN)
  overlay  CSV prefix,operator,desk[,country[,asn]]; prefix is a CIDR block or first-last

Examples:
  art35 ipdb import --data /srv/art35 --format rir --name rir-ripencc delegated-ripencc-extended-latest
  art35 ipdb import --data /srv/art35 --format overlay --name overlay-it operators-it.csv
  art35 ipdb info --data /srv/art35`,
}

func runIPDB(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, ipdbCmd, []subcommand{
		{"import", "build a layer from a data file into the node's data folder", runIPDBImport},
		{"info", "list the layers answering, their dates, sizes and licences", runIPDBInfo},
	}, args)
}

// ipdbSubdir is the folder under the node's data folder holding imported
// IP layers.
const ipdbSubdir = "ipdb"

// dataDirFlag binds --data, defaulting to ART35_DATA.
func dataDirFlag(e *env, fs *flag.FlagSet) *string {
	return fs.String("data", e.getenv("ART35_DATA"), "the node's data folder; imported IP data lives in its ipdb/ folder (default $ART35_DATA)")
}

// openIPDB opens the embedded snapshot plus the layers imported into
// dataDir, and says how long loading took (the embedded data is decoded
// on first use only).
func openIPDB(dataDir string) (*ipdb.DB, error) {
	dir := ""
	if dataDir != "" {
		dir = filepath.Join(dataDir, ipdbSubdir)
	}
	return ipdb.Open(dir)
}

// defaultFrom is the requesting party when --from is not given: the
// node's party from its configuration, if there is one.
func defaultFrom(e *env, dataDir string) string {
	if dataDir != "" {
		if c, err := config.Load(dataDir, e.getenv); err == nil && c.Party != "" {
			return c.Party
		}
	}
	return strings.ToUpper(e.getenv("ART35_PARTY"))
}

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

func runIPDBImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, ipdbCmd, "import")
	dataDir := dataDirFlag(e, fs)
	format := fs.String("format", "", "csv, ipfire, rir, mmdb or overlay (required)")
	name := fs.String("name", "", "layer name, e.g. rir-ripencc or overlay-it; re-importing a name replaces the layer (required)")
	label := fs.String("label", "", "short source name shown to users, e.g. \"RIPE NCC\" (default: the name)")
	asOf := fs.String("as-of", "", "date of the data, YYYY-MM-DD (default: today; give the publisher's date)")
	licence := fs.String("licence", "", "licence of the data, e.g. \"CC BY 4.0\"")
	credit := fs.String("credit", "", "attribution text the licence requires")
	url := fs.String("url", "", "link the credit points to")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usagef("import needs at least one FILE")
	case *dataDir == "":
		return usagef("--data DIR (or ART35_DATA) is required: imports go to the node's data folder")
	case !layerNameRE.MatchString(*name):
		return usagef("--name %q must be 1-63 lower-case letters, digits, '.', '_' or '-', e.g. rir-ripencc", *name)
	}
	src := ipdb.Source{Name: *name, Label: *label, Licence: *licence, Credit: *credit, URL: *url}
	if src.Label == "" {
		src.Label = *name
	}
	src.AsOf = e.clock.Now().UTC().Truncate(24 * time.Hour)
	if *asOf != "" {
		t, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return usagef("--as-of %q is not a date; write YYYY-MM-DD, e.g. 2026-06-17", *asOf)
		}
		src.AsOf = t
	}
	var parse func(io.Reader, *ipdb.Builder) (ipdb.ImportStats, error)
	switch *format {
	case "csv", "ipfire":
		parse = ipdb.ImportRanges
	case "rir":
		parse = ipdb.ImportRIR
		src.Kind = ipdb.KindCountry
	case "overlay":
		parse = ipdb.ImportOverlay
		src.Kind = ipdb.KindOverlay
	case "mmdb":
	default:
		return usagef("--format %q: use csv, ipfire, rir, mmdb or overlay", *format)
	}
	b := ipdb.NewBuilder(src)
	var total ipdb.ImportStats
	for _, file := range pos {
		if err := ctx.Err(); err != nil {
			return err
		}
		var st ipdb.ImportStats
		if *format == "mmdb" {
			data, err := os.ReadFile(file)
			if err != nil {
				return apperr.Wrap(apperr.EInvalid, err, "read %s", file)
			}
			st, err = ipdb.ImportMMDB(data, b)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
		} else {
			var progress func(read, total int64)
			if isTerminal(e.stderr) {
				start := e.clock.Now()
				progress = func(read, total int64) {
					msg := fmt.Sprintf("\r\033[K%s: %.0f MB", file, float64(read)/1e6)
					if total > 0 {
						msg += fmt.Sprintf(" of %.0f MB", float64(total)/1e6)
					}
					if secs := e.clock.Now().Sub(start).Seconds(); secs > 0 && total > read {
						msg += fmt.Sprintf(", about %.0f s left", secs*float64(total-read)/float64(read))
					}
					fmt.Fprint(e.stderr, msg)
				}
			}
			r, closeFn, err := openMaybeGzip(file, progress)
			if err != nil {
				return err
			}
			st, err = parse(r, b)
			closeFn()
			if progress != nil {
				fmt.Fprint(e.stderr, "\r\033[K")
			}
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
		}
		fmt.Fprintf(e.stdout, "%s: %d lines, %d ranges, %d skipped, %d bad\n", file, st.Lines, st.Ranges, st.Skipped, st.Bad)
		for _, x := range st.Examples {
			fmt.Fprintf(e.stdout, "  bad %s\n", x)
		}
		total.Lines += st.Lines
		total.Ranges += st.Ranges
		total.Bad += st.Bad
	}
	if total.Ranges == 0 {
		return apperr.Errorf(apperr.EInvalid, "no usable range in %s: check --format (%s) against the file's first lines", strings.Join(pos, ", "), *format)
	}
	if total.Bad*100 > total.Lines {
		return apperr.Errorf(apperr.EInvalid, "%d of %d lines are bad (over 1%%): this does not look like a %s file; nothing was written", total.Bad, total.Lines, *format)
	}
	layer, bs := b.Build()
	if layer.Source.Kind == "" {
		layer.Source.Kind = ipdb.KindCountry
		for _, r := range layer.Records {
			if r.ASN != 0 || r.Operator != "" {
				layer.Source.Kind = ipdb.KindASN
				break
			}
		}
	}
	out := filepath.Join(*dataDir, ipdbSubdir, *name+ipdb.FileExt)
	if err := ipdb.WriteFile(out, layer); err != nil {
		return err
	}
	v4, v6 := layer.Len()
	fi, _ := os.Stat(out)
	size := int64(0)
	if fi != nil {
		size = fi.Size()
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s layer %q, %d IPv4 + %d IPv6 ranges (%d adjacent merged, %d overlaps cut), as of %s, %d bytes\n",
		out, layer.Source.Kind, *name, v4, v6, bs.Merged, bs.Overlaps, layer.Source.AsOf.Format(time.DateOnly), size)
	return nil
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

// ipdbLayerInfo is one line of "ipdb info".
type ipdbLayerInfo struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Kind     string `json:"kind"`
	AsOf     string `json:"as_of,omitempty"`
	IPv4     int    `json:"ipv4_ranges"`
	IPv6     int    `json:"ipv6_ranges"`
	Licence  string `json:"licence,omitempty"`
	Credit   string `json:"credit,omitempty"`
	URL      string `json:"url,omitempty"`
	Embedded bool   `json:"embedded"`
}

func runIPDBInfo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, ipdbCmd, "info")
	dataDir := dataDirFlag(e, fs)
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	start := e.clock.Now()
	db, err := openIPDB(*dataDir)
	if err != nil {
		return err
	}
	loaded := e.clock.Now().Sub(start)
	def, _ := ipdb.DefaultLayers()
	embedded := map[*ipdb.Layer]bool{}
	for _, l := range def {
		embedded[l] = true
	}
	var out []ipdbLayerInfo
	for _, l := range db.Layers() {
		v4, v6 := l.Len()
		s := l.Source
		i := ipdbLayerInfo{Name: s.Name, Label: s.Label, Kind: s.Kind, IPv4: v4, IPv6: v6, Licence: s.Licence, Credit: s.Credit, URL: s.URL, Embedded: embedded[l]}
		if !s.AsOf.IsZero() {
			i.AsOf = s.AsOf.Format(time.DateOnly)
		}
		out = append(out, i)
	}
	if *asJSON {
		return writeJSON(e, map[string]any{"layers": out, "embedded_bytes": ipdb.DefaultSize(), "load_ms": loaded.Milliseconds()})
	}
	fmt.Fprintf(e.stdout, "Layers in priority order (embedded snapshot: %d bytes; decoded in %d ms):\n", ipdb.DefaultSize(), loaded.Milliseconds())
	for _, i := range out {
		where := "imported"
		if i.Embedded {
			where = "embedded"
		}
		fmt.Fprintf(e.stdout, "  %-18s %-8s %-8s as of %-10s %8d IPv4 %8d IPv6 ranges  %s\n", i.Name, i.Kind, where, i.AsOf, i.IPv4, i.IPv6, i.Licence)
	}
	return nil
}
