package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	annual "github.com/art35/art35/internal/report"
	"github.com/art35/art35/internal/stats"
)

func runReport(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, reportCmd, []subcommand{
		{Name: "annual", Short: "the annual cooperation report of a year: HTML and PDF", Run: runReportAnnual},
	}, args)
}

func runReportAnnual(ctx context.Context, e *env, args []string) error {
	var year int
	var out, chromium string
	var noPDF bool
	return e.OnNode(ctx, reportCmd, "annual", args, -1, "", func(fs *flag.FlagSet) {
		fs.IntVar(&year, "year", 0, "the calendar year (UTC), e.g. 2026 (required)")
		fs.StringVar(&out, "out", ".", "folder to write the report into")
		fs.BoolVar(&noPDF, "no-pdf", false, "write the HTML only")
		fs.StringVar(&chromium, "chromium", annual.DefaultChromium, "the Chromium that prints the PDF")
	}, func(n *node.Node, pos []string) error {
		if len(pos) > 0 {
			return cli.Usagef("unexpected argument %q", pos[0])
		}
		if year == 0 {
			return cli.Usagef("--year is required, e.g. --year 2026")
		}
		yr, err := annual.Build(ctx, stats.New(n.DB, n.Clock), n.Config.Party, year)
		if err != nil {
			return err
		}
		if noPDF {
			chromium = ""
		}
		return annual.WriteFiles(ctx, yr, out, n.Config.Party, year, chromium, func(path string) { fmt.Fprintf(e.Stdout, "wrote %s\n", path) })
	})
}
