package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/node"
)

func runNode(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, nodeCmd, []subcommand{
		{Name: "init", Short: "create a node's data folder, keys and config; print its public entry", Run: runNodeInit},
		{Name: "run", Short: "run the node until interrupted", Run: runNodeRun},
		{Name: "status", Short: "show the node's party, database, directory serial and queues", Run: runNodeStatus},
		{Name: "accept-directory", Short: "verify a signed directory snapshot file and make it the node's directory", Run: runNodeAcceptDirectory},
		{Name: "pull-directory", Short: "fetch the signed directory from directory_url now", Run: runNodePullDirectory},
	}, args)
}

// nodeFlags are the configuration flags shared by the node subcommands.
type nodeFlags config.Flags

func (f *nodeFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.Data, "data", "", "the node's data folder (or ART35_DATA)")
	fs.StringVar(&f.Party, "party", "", "ISO 3166-1 alpha-2 code of the party this node speaks for")
	fs.StringVar(&f.Authority, "authority", "", "the node's authority id in the directory (default CC-247)")
	fs.StringVar(&f.Database, "database", "", "SQLite file (inside the data folder) or postgres:// URL")
	fs.StringVar(&f.Listen, "listen", "", "address of the peers' API, /v1/... (default 127.0.0.1:8435)")
	fs.StringVar(&f.PortalListen, "portal-listen", "", "address of the officers' portal (default 127.0.0.1:8436)")
	fs.StringVar(&f.AdminListen, "admin-listen", "", "address of /metrics, /healthz, /readyz (default 127.0.0.1:8437, loopback)")
	fs.StringVar(&f.PublicURL, "public-url", "", "inbox URL peers reach this node at")
	fs.StringVar(&f.LogLevel, "log-level", "", "debug, info, warn or error")
	fs.StringVar(&f.LogFormat, "log-format", "", "text or json")
}

// config loads the layered configuration and applies the flags that were set.
func (f *nodeFlags) config(e *env) (config.Config, error) {
	return config.LoadFlags(config.Flags(*f), e.Getenv)
}

func runNodeInit(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(nodeCmd, "init")
	var f nodeFlags
	f.bind(fs)
	if _, err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if f.Data == "" && e.Getenv("ART35_DATA") == "" {
		return cli.Usagef("--data DIR is required: the folder to create the node in")
	}
	c, err := f.config(e)
	if err != nil {
		return err
	}
	entry, err := node.Init(c, e.Clock.Now())
	if err != nil {
		return err
	}
	c = c.Derived()
	fmt.Fprintf(e.Stderr, "created node %s for party %s in %s\n", entry.Authority, entry.Party, c.DataDir)
	fmt.Fprintf(e.Stderr, "it will serve (TLS unless --insecure-plain-http):\n  peers' API  %s  (publish: %s)\n  portal      https://%s/\n  admin       http://%s/metrics, /healthz, /readyz\n",
		c.Listen, entry.Endpoint, c.PortalListen, c.AdminListen)
	fmt.Fprintf(e.Stderr, "send this public entry to the network's secretariat:\n")
	return cli.WriteJSON(e.Stdout, entry)
}

func runNodeRun(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(nodeCmd, "run")
	var f nodeFlags
	f.bind(fs)
	plain := fs.Bool("insecure-plain-http", false, "serve plain HTTP instead of TLS (loopback tests and demos only)")
	if _, err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	c, err := f.config(e)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	m := &app.Main{Config: c, Node: node.Options{Clock: e.Clock, Logger: c.Logger(e.Stderr), PlainHTTP: *plain},
		Services: app.Options{Getenv: e.Getenv, Secure: !*plain}}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

// openNode loads the configuration and opens the node (keys, database)
// without serving, for the administrative subcommands.
func openNode(ctx context.Context, e *env, c *command, sub string, args []string, extra func(*flag.FlagSet)) (*node.Node, []string, error) {
	fs := e.FlagSet(c, sub)
	var f nodeFlags
	f.bind(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := f.config(e)
	if err != nil {
		return nil, nil, err
	}
	n, err := node.New(ctx, cfg, node.Options{Clock: e.Clock, Logger: cfg.Logger(e.Stderr)})
	if err != nil {
		return nil, nil, err
	}
	return n, pos, nil
}

// onNode opens the node as openNode does, checks that the command line
// holds want positional arguments (any number when want < 0; usage says
// what to give otherwise), runs f and closes the node.
func onNode(ctx context.Context, e *env, c *command, sub string, args []string, want int, usage string, extra func(*flag.FlagSet), f func(n *node.Node, pos []string) error) error {
	n, pos, err := openNode(ctx, e, c, sub, args, extra)
	if err != nil {
		return err
	}
	defer n.Close()
	if want >= 0 && len(pos) != want {
		return cli.Usagef("%s", usage)
	}
	return f(n, pos)
}

func runNodeStatus(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	return onNode(ctx, e, nodeCmd, "status", args, -1, "", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }, func(n *node.Node, _ []string) error {
		st, err := app.Status(ctx, n)
		if err != nil {
			return err
		}
		if asJSON {
			return cli.WriteJSON(e.Stdout, st)
		}
		cli.PrintNodeStatus(e.Stdout, st)
		return nil
	})
}

func runNodeAcceptDirectory(ctx context.Context, e *env, args []string) error {
	return onNode(ctx, e, nodeCmd, "accept-directory", args, 1, "accept-directory takes one signed snapshot FILE", nil, func(n *node.Node, pos []string) error {
		data, err := e.ReadArg(pos[0], node.MaxSnapshotSize)
		if err != nil {
			return err
		}
		signed, err := n.AcceptSnapshot(ctx, data)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "accepted directory snapshot serial %d (%d parties, valid until %s)\n",
			signed.Serial(), len(signed.Snapshot.Parties), signed.Snapshot.ValidUntil.Format(time.RFC3339))
		return nil
	})
}

func runNodePullDirectory(ctx context.Context, e *env, args []string) error {
	return onNode(ctx, e, nodeCmd, "pull-directory", args, -1, "", nil, func(n *node.Node, _ []string) error {
		if n.Config.DirectoryURL == "" {
			return cli.Usagef("no directory_url configured (set directory_url in art35.toml or ART35_DIRECTORY_URL)")
		}
		res, err := n.PollDirectory(ctx, &http.Client{Timeout: 30 * time.Second}, n.Config.DirectoryURL)
		if err != nil {
			return err
		}
		if res.Changed {
			fmt.Fprintf(e.Stdout, "accepted directory snapshot serial %d\n", res.Serial)
		} else {
			fmt.Fprintf(e.Stdout, "directory unchanged (serial %d)\n", res.Serial)
		}
		return nil
	})
}
