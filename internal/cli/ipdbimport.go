package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/ipdb"
)

// IPDBImportFlags are the flags of "ipdb import".
type IPDBImportFlags struct {
	Data, Format, Name, Label, AsOf, Licence, Credit, URL string
}

// Bind defines the flags of "ipdb import" on fs.
func (f *IPDBImportFlags) Bind(fs *flag.FlagSet, getenv func(string) string) {
	IPDBDataFlag(fs, &f.Data, getenv)
	fs.StringVar(&f.Format, "format", "", "csv, ipfire, rir, mmdb or overlay (required)")
	fs.StringVar(&f.Name, "name", "", "layer name, e.g. rir-ripencc or overlay-it; re-importing a name replaces the layer (required)")
	fs.StringVar(&f.Label, "label", "", "short source name shown to users, e.g. \"RIPE NCC\" (default: the name)")
	fs.StringVar(&f.AsOf, "as-of", "", "date of the data, YYYY-MM-DD (default: today; give the publisher's date)")
	fs.StringVar(&f.Licence, "licence", "", "licence of the data, e.g. \"CC BY 4.0\"")
	fs.StringVar(&f.Credit, "credit", "", "attribution text the licence requires")
	fs.StringVar(&f.URL, "url", "", "link the credit points to")
}

// Options checks the flags and the FILEs and returns the import to run,
// which reports each file's counts to stdout and, on a terminal, its
// progress to stderr. A bad flag is a usage error.
func (f *IPDBImportFlags) Options(files []string, c clock.Clock, stdout, stderr io.Writer) (ipdb.ImportOptions, error) {
	switch {
	case len(files) == 0:
		return ipdb.ImportOptions{}, Usagef("import needs at least one FILE")
	case f.Data == "":
		return ipdb.ImportOptions{}, Usagef("--data DIR (or ART35_DATA) is required: imports go to the node's data folder")
	case !ipdb.ValidLayerName(f.Name):
		return ipdb.ImportOptions{}, Usagef("--name %q must be 1-63 lower-case letters, digits, '.', '_' or '-', e.g. rir-ripencc", f.Name)
	}
	src := ipdb.Source{Name: f.Name, Label: f.Label, Licence: f.Licence, Credit: f.Credit, URL: f.URL}
	if src.Label == "" {
		src.Label = f.Name
	}
	src.AsOf = c.Now().UTC().Truncate(24 * time.Hour)
	if f.AsOf != "" {
		t, err := time.Parse(time.DateOnly, f.AsOf)
		if err != nil {
			return ipdb.ImportOptions{}, Usagef("--as-of %q is not a date; write YYYY-MM-DD, e.g. 2026-06-17", f.AsOf)
		}
		src.AsOf = t
	}
	if !slices.Contains(ipdb.ImportFormats, f.Format) {
		return ipdb.ImportOptions{}, Usagef("--format %q: use csv, ipfire, rir, mmdb or overlay", f.Format)
	}
	term := IsTerminal(stderr)
	o := ipdb.ImportOptions{Dir: filepath.Join(f.Data, IPDBSubdir), Format: f.Format, Source: src, Files: files,
		Done: func(file string, st ipdb.ImportStats) { PrintImported(stdout, stderr, term, file, st) }}
	if term {
		o.Progress = ImportProgress(stderr, c)
	}
	return o, nil
}

// ImportProgress shows on w how far a file has been read and about how
// long is left.
func ImportProgress(w io.Writer, c clock.Clock) func(file string, read, total int64) {
	var start time.Time
	last := ""
	return func(file string, read, total int64) {
		if file != last { // each file's time left is its own
			start, last = c.Now(), file
		}
		msg := fmt.Sprintf("\r\033[K%s: %.0f MB", file, float64(read)/1e6)
		if total > 0 {
			msg += fmt.Sprintf(" of %.0f MB", float64(total)/1e6)
		}
		if secs := c.Now().Sub(start).Seconds(); secs > 0 && total > read {
			msg += fmt.Sprintf(", about %.0f s left", secs*float64(total-read)/float64(read))
		}
		fmt.Fprint(w, msg)
	}
}

// PrintImported prints one file's counts to w, after clearing the progress
// line on stderr when it is a terminal.
func PrintImported(w, stderr io.Writer, term bool, file string, st ipdb.ImportStats) {
	if term {
		fmt.Fprint(stderr, "\r\033[K")
	}
	fmt.Fprintf(w, "%s: %d lines, %d ranges, %d skipped, %d bad\n", file, st.Lines, st.Ranges, st.Skipped, st.Bad)
	for _, x := range st.Examples {
		fmt.Fprintf(w, "  bad %s\n", x)
	}
}

// PrintImportResult prints the layer an import wrote.
func PrintImportResult(w io.Writer, res *ipdb.ImportResult) {
	v4, v6 := res.Layer.Len()
	fmt.Fprintf(w, "wrote %s: %s layer %q, %d IPv4 + %d IPv6 ranges (%d adjacent merged, %d overlaps cut), as of %s, %d bytes\n",
		res.Path, res.Layer.Source.Kind, res.Layer.Source.Name, v4, v6, res.Build.Merged, res.Build.Overlaps, res.Layer.Source.AsOf.Format(time.DateOnly), res.Size)
}
