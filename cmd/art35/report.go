package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	annual "github.com/art35/art35/internal/report"
	"github.com/art35/art35/internal/stats"
)

var reportCmd = &command{
	name:  "report",
	short: "write the annual cooperation report (HTML and PDF with charts)",
	usage: "report annual --year YEAR --data DIR [--out DIR] [--no-pdf] [--chromium PATH]",
	long: `"report annual" writes this node's annual cooperation report for a calendar
year (UTC): a short generated narrative of the year and its changes on the year
before, SVG charts (response times by country over the year, volumes by type,
ping pass rate) and tables (requests by country and type, declines by reason,
ping tests). The figures are those of "art35 stats": counts and durations only,
no personal data; exercises and tests are not counted.

It writes annual-YEAR-PARTY.html and, printed by Chromium (Debian package
chromium), annual-YEAR-PARTY.pdf into --out (default: the current folder).
Without Chromium the HTML is written and the command fails with exit status 3
(not found); --no-pdf writes the HTML alone.

Examples:
	art35 report annual --year 2026 --data ./us-node
	art35 report annual --year 2026 --data ./us-node --out ./reports --chromium /usr/bin/chromium`,
}

func runReport(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, reportCmd, []subcommand{
		{"annual", "the annual cooperation report of a year: HTML and PDF", runReportAnnual},
	}, args)
}

func runReportAnnual(ctx context.Context, e *env, args []string) error {
	var year int
	var out, chromium string
	var noPDF bool
	n, pos, err := openNode(ctx, e, reportCmd, "annual", args, func(fs *flag.FlagSet) {
		fs.IntVar(&year, "year", 0, "the calendar year (UTC), e.g. 2026 (required)")
		fs.StringVar(&out, "out", ".", "folder to write the report into")
		fs.BoolVar(&noPDF, "no-pdf", false, "write the HTML only")
		fs.StringVar(&chromium, "chromium", annual.DefaultChromium, "the Chromium that prints the PDF")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if year == 0 {
		return usagef("--year is required, e.g. --year 2026")
	}
	yr, err := annual.Build(ctx, stats.New(n.DB, n.Clock), n.Config.Party, year)
	if err != nil {
		return err
	}
	html, err := yr.HTML()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	base := filepath.Join(out, fmt.Sprintf("annual-%d-%s", year, n.Config.Party))
	if err := os.WriteFile(base+".html", html, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s.html\n", base)
	if noPDF {
		return nil
	}
	path, err := annual.FindChromium(chromium)
	if err != nil {
		return err
	}
	pdf, err := annual.PDF(ctx, path, base+".html")
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".pdf", pdf, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s.pdf\n", base)
	return nil
}
