package main

import (
	"context"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/ipdb"
)

func runIPDB(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, ipdbCmd, []subcommand{
		{Name: "import", Short: "build a layer from a data file into the node's data folder", Run: runIPDBImport},
		{Name: "info", Short: "list the layers answering, their dates, sizes and licences", Run: runIPDBInfo},
	}, args)
}

func runIPDBImport(ctx context.Context, e *env, args []string) error {
	var f cli.IPDBImportFlags
	fs := e.FlagSet(ipdbCmd, "import")
	f.Bind(fs, e.Getenv)
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	o, err := f.Options(pos, e.Clock, e.Stdout, e.Stderr)
	if err != nil {
		return err
	}
	res, err := ipdb.ImportFiles(ctx, o)
	if err != nil {
		return err
	}
	cli.PrintImportResult(e.Stdout, res)
	return nil
}

func runIPDBInfo(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(ipdbCmd, "info")
	var dataDir string
	cli.IPDBDataFlag(fs, &dataDir, e.Getenv)
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	start := e.Clock.Now()
	db, err := cli.OpenIPDB(dataDir)
	if err != nil {
		return err
	}
	loaded := e.Clock.Now().Sub(start)
	out := ipdb.Describe(db)
	if *asJSON {
		return cli.WriteJSON(e.Stdout, map[string]any{"layers": out, "embedded_bytes": ipdb.DefaultSize(), "load_ms": loaded.Milliseconds()})
	}
	cli.PrintLayers(e.Stdout, out, loaded)
	return nil
}
