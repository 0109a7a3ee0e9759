package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/watch"
)

func runWatch(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, watchCmd, []subcommand{
		{Name: "push", Short: "relay one login event of an accepted realtime-traffic request", Run: runWatchPush},
		{Name: "assign", Short: "pass a received watch to a provider of this node (provider API)", Run: runWatchAssign},
		{Name: "show", Short: "list a request's events with end-to-end and per-hop times", Run: runWatchShow},
	}, args)
}

func runWatchPush(ctx context.Context, e *env, args []string) error {
	var address, at string
	var port int
	var asJSON bool
	return e.OnNode(ctx, watchCmd, "push", args, 1, "give exactly one request id (the realtime-traffic request this node received)", func(fs *flag.FlagSet) {
		fs.StringVar(&address, "address", "", "IPv4 or IPv6 address the account was used from (required)")
		fs.IntVar(&port, "port", 0, "source port (0 if the provider does not log it)")
		fs.StringVar(&at, "time", "", "UTC time of the event to the second, RFC 3339 (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, pos []string) error {
		if address == "" || at == "" {
			return cli.Usagef("--address and --time are required (e.g. --address 80.58.61.250 --time 2026-11-25T02:00:00Z)")
		}
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return cli.Usagef("--time %q: not RFC 3339 (e.g. 2026-11-25T02:00:00Z)", at)
		}
		s, err := app.Watch(n, nil)
		if err != nil {
			return err
		}
		out, err := s.Push(ctx, pos[0], watch.Login{Address: address, Port: port, Time: t})
		return cli.Show(e.Stdout, asJSON, out, err, func() error { cli.PrintPushed(e.Stdout, out); return nil })
	})
}

func runWatchAssign(ctx context.Context, e *env, args []string) error {
	var provider, by string
	return e.OnNode(ctx, watchCmd, "assign", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&provider, "provider", "", "the provider's name, as in provider-tokens.toml (required)")
		fs.StringVar(&by, "by", "", "who passes the watch to the provider (required)")
	}, func(n *node.Node, pos []string) error {
		if len(pos) != 1 || provider == "" || by == "" {
			return cli.Usagef("give one request id, --provider and --by")
		}
		s, err := app.Watch(n, nil)
		if err != nil {
			return err
		}
		if err := s.Assign(ctx, pos[0], provider, by); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "watch %s passed to %s\n", pos[0], provider)
		return nil
	})
}

func runWatchShow(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	return e.OnNode(ctx, watchCmd, "show", args, 1, "give exactly one request id", func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, pos []string) error {
		s := &watch.Service{DB: n.DB} // reading events needs the database only
		evs, err := s.Events(ctx, pos[0])
		return cli.ShowList(e.Stdout, asJSON, evs, err, func() error { cli.PrintWatchEvents(e.Stdout, pos[0], evs); return nil })
	})
}
