package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/cli"
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

func runNodeInit(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(nodeCmd, "init")
	var f cli.NodeFlags
	f.Bind(fs)
	if _, err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if f.Data == "" && e.Getenv("ART35_DATA") == "" {
		return cli.Usagef("--data DIR is required: the folder to create the node in")
	}
	c, err := f.Config(e.Getenv)
	if err != nil {
		return err
	}
	entry, err := node.Init(c, e.Clock.Now())
	if err != nil {
		return err
	}
	cli.PrintNodeInit(e.Stderr, c, entry)
	return cli.WriteJSON(e.Stdout, entry)
}

func runNodeRun(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(nodeCmd, "run")
	var f cli.NodeFlags
	f.Bind(fs)
	plain := fs.Bool("insecure-plain-http", false, "serve plain HTTP instead of TLS (loopback tests and demos only)")
	if _, err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	c, err := f.Config(e.Getenv)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	// Sockets passed by systemd's socket activation (or a test that hands
	// a port over): the port stays open across restarts.
	inherited, err := node.Inherited(e.Getenv, os.Getpid())
	if err != nil {
		return err
	}
	m := &app.Main{Config: c, Node: node.Options{Clock: e.Clock, Logger: c.Logger(e.Stderr), PlainHTTP: *plain, Inherited: inherited},
		Services: app.Options{Getenv: e.Getenv, Secure: !*plain}}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

func runNodeStatus(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	return e.OnNode(ctx, nodeCmd, "status", args, -1, "", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }, func(n *node.Node, _ []string) error {
		st, err := app.Status(ctx, n)
		return cli.Show(e.Stdout, asJSON, st, err, func() error { cli.PrintNodeStatus(e.Stdout, st); return nil })
	})
}

func runNodeAcceptDirectory(ctx context.Context, e *env, args []string) error {
	return e.OnNode(ctx, nodeCmd, "accept-directory", args, 1, "accept-directory takes one signed snapshot FILE", nil, func(n *node.Node, pos []string) error {
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
	return e.OnNode(ctx, nodeCmd, "pull-directory", args, -1, "", nil, func(n *node.Node, _ []string) error {
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
