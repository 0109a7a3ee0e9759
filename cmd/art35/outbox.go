package main

import (
	"context"
	"flag"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/node"
)

func runOutbox(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	return e.OnNode(ctx, outboxCmd, "", args, -1, "", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }, func(n *node.Node, _ []string) error {
		list, err := n.Envelopes.Outbox(ctx)
		if err != nil {
			return err
		}
		peers := federation.SummarisePeers(list)
		if asJSON {
			if list == nil {
				list = []federation.OutboundStatus{}
			}
			return cli.WriteJSON(e.Stdout, map[string]any{"envelopes": list, "peers": peers})
		}
		cli.PrintOutbox(e.Stdout, list, peers, e.Clock.Now())
		return nil
	})
}
