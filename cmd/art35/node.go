package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"

	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/node"
)

var nodeCmd = &command{
	name:  "node",
	short: "create and run a node of the network",
	usage: "node <init|run> [flags]",
	long: `A node is one authority's installation: its keys, its database and its HTTP
endpoint. "node init" creates a data folder and prints the public entry to send
to the network's secretariat; "node run" serves it.

Configuration comes from defaults, then DIR/art35.toml, then ART35_*
environment variables (ART35_DATA, ART35_PARTY, ART35_DATABASE, ART35_LISTEN,
ART35_PUBLIC_URL, ART35_LOG_LEVEL, ART35_LOG_FORMAT, ART35_SECRETARIAT_KEY,
ART35_DIRECTORY_URL), then flags.

Examples:
	art35 node init --party IT --data ./it-node
	art35 node run --data ./it-node`,
}

func init() {
	nodeCmd.run = func(ctx context.Context, e *env, args []string) error {
		return dispatch(ctx, e, nodeCmd, []subcommand{
			{"init", "create a node's data folder, keys and config; print its public entry", runNodeInit},
			{"run", "run the node until interrupted", runNodeRun},
		}, args)
	}
	register(nodeCmd)
}

// nodeFlags are the configuration flags shared by the node subcommands.
type nodeFlags struct {
	data, party, authority, database, listen, publicURL, logLevel, logFormat string
}

func (f *nodeFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "", "the node's data folder (or ART35_DATA)")
	fs.StringVar(&f.party, "party", "", "ISO 3166-1 alpha-2 code of the party this node speaks for")
	fs.StringVar(&f.authority, "authority", "", "the node's authority id in the directory (default CC-247)")
	fs.StringVar(&f.database, "database", "", "SQLite file (inside the data folder) or postgres:// URL")
	fs.StringVar(&f.listen, "listen", "", "address to listen on (default 127.0.0.1:8435)")
	fs.StringVar(&f.publicURL, "public-url", "", "inbox URL peers reach this node at")
	fs.StringVar(&f.logLevel, "log-level", "", "debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "", "text or json")
}

// config loads the layered configuration and applies the flags that were set.
func (f *nodeFlags) config(e *env) (config.Config, error) {
	data := f.data
	if data == "" {
		data = e.getenv("ART35_DATA")
	}
	c, err := config.Load(data, e.getenv)
	if err != nil {
		return c, err
	}
	for _, o := range []struct {
		flag string
		dst  *string
	}{
		{f.party, &c.Party}, {f.authority, &c.Authority}, {f.database, &c.Database}, {f.listen, &c.Listen},
		{f.publicURL, &c.PublicURL}, {f.logLevel, &c.LogLevel}, {f.logFormat, &c.LogFormat},
	} {
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	return c, nil
}

func runNodeInit(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, nodeCmd, "init")
	var f nodeFlags
	f.bind(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.data == "" && e.getenv("ART35_DATA") == "" {
		return usagef("--data DIR is required: the folder to create the node in")
	}
	c, err := f.config(e)
	if err != nil {
		return err
	}
	entry, err := node.Init(c, e.clock.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "created node %s for party %s in %s\nsend this public entry to the network's secretariat:\n", entry.Authority, entry.Party, c.DataDir)
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(entry)
}

func runNodeRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, nodeCmd, "run")
	var f nodeFlags
	f.bind(fs)
	plain := fs.Bool("insecure-plain-http", false, "serve plain HTTP instead of TLS (loopback tests and demos only)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := f.config(e)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	n, err := node.New(ctx, c, node.Options{Clock: e.clock, Logger: newLogger(e, c), PlainHTTP: *plain})
	if err != nil {
		return err
	}
	defer n.Close()
	return n.Run(ctx)
}

func newLogger(e *env, c config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}
