package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/ipdb"
)

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
	case !ipdb.ValidLayerName(*name):
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
	if !slices.Contains(ipdb.ImportFormats, *format) {
		return usagef("--format %q: use csv, ipfire, rir, mmdb or overlay", *format)
	}
	o := ipdb.ImportOptions{Dir: filepath.Join(*dataDir, ipdbSubdir), Format: *format, Source: src, Files: pos,
		Progress: importProgress(e), Done: func(file string, st ipdb.ImportStats) { printImported(e, file, st) }}
	res, err := ipdb.ImportFiles(ctx, o)
	if err != nil {
		return err
	}
	v4, v6 := res.Layer.Len()
	fmt.Fprintf(e.stdout, "wrote %s: %s layer %q, %d IPv4 + %d IPv6 ranges (%d adjacent merged, %d overlaps cut), as of %s, %d bytes\n",
		res.Path, res.Layer.Source.Kind, *name, v4, v6, res.Build.Merged, res.Build.Overlaps, res.Layer.Source.AsOf.Format(time.DateOnly), res.Size)
	return nil
}

// importProgress shows how far a file has been read, on a terminal only.
func importProgress(e *env) func(file string, read, total int64) {
	if !isTerminal(e.stderr) {
		return nil
	}
	var start time.Time
	last := ""
	return func(file string, read, total int64) {
		if file != last { // each file's time left is its own
			start, last = e.clock.Now(), file
		}
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

// printImported prints one file's counts (after clearing the progress line).
func printImported(e *env, file string, st ipdb.ImportStats) {
	if isTerminal(e.stderr) {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	fmt.Fprintf(e.stdout, "%s: %d lines, %d ranges, %d skipped, %d bad\n", file, st.Lines, st.Ranges, st.Skipped, st.Bad)
	for _, x := range st.Examples {
		fmt.Fprintf(e.stdout, "  bad %s\n", x)
	}
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
	out := ipdb.Describe(db)
	if *asJSON {
		return cli.WriteJSON(e.stdout, map[string]any{"layers": out, "embedded_bytes": ipdb.DefaultSize(), "load_ms": loaded.Milliseconds()})
	}
	cli.PrintLayers(e.stdout, out, loaded)
	return nil
}
