package main

import (
	"context"
	"encoding/json"
	"flag"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/witness"
)

func runWitness(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	return e.OnNode(ctx, witnessCmd, "", args, -1, "", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }, func(n *node.Node, _ []string) error {
		peers, err := n.Witness.Witnessed(ctx)
		if err != nil {
			return err
		}
		alarms, err := n.Witness.Alarms(ctx)
		if err != nil {
			return err
		}
		if alarms == nil {
			alarms = []witness.Alarm{}
		}
		if asJSON {
			if err := json.NewEncoder(e.Stdout).Encode(map[string]any{"witnessed": peers, "alarms": alarms}); err != nil {
				return err
			}
		} else {
			cli.PrintWitness(e.Stdout, peers, alarms)
		}
		if len(alarms) > 0 {
			return cli.ExitError{Code: 4}
		}
		return nil
	})
}
