package main

import (
	"context"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/ipdb"
)

func runIPDB(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, ipdbCmd, []subcommand{
		{"import", "build a layer from a data file into the node's data folder", runIPDBImport},
		{"info", "list the layers answering, their dates, sizes and licences", runIPDBInfo},
	}, args)
}

func runIPDBImport(ctx context.Context, e *env, args []string) error {
	var f cli.IPDBImportFlags
	fs := newFlagSet(e, ipdbCmd, "import")
	f.Bind(fs, e.getenv)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	o, err := f.Options(pos, e.clock, e.stdout, e.stderr)
	if err != nil {
		return err
	}
	res, err := ipdb.ImportFiles(ctx, o)
	if err != nil {
		return err
	}
	cli.PrintImportResult(e.stdout, res)
	return nil
}

func runIPDBInfo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, ipdbCmd, "info")
	dataDir := cli.IPDBDataFlag(fs, e.getenv)
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	start := e.clock.Now()
	db, err := cli.OpenIPDB(*dataDir)
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
