package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/art35/art35/internal/witness"
)

var witnessCmd = &command{
	name:  "witness",
	short: "what this node saw of its peers' audit logs, and the alarms",
	usage: "witness --data DIR [--json]",
	long: `With every delivery a node is shown the receiving peer's latest signed audit
checkpoint and checks that it extends the one it saw before; it cosigns it,
and the peer keeps the cosignature in its proof bundles. A checkpoint that
does not extend the one seen before means the peer's log was forked or its
past rewritten: the node raises an alarm (in the log, in its audit log, and
here). Exit status 4 when there is an alarm.`,
}

func runWitness(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	n, _, err := openNode(ctx, e, witnessCmd, "", args, func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") })
	if err != nil {
		return err
	}
	defer n.Close()
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
		if err := json.NewEncoder(e.stdout).Encode(map[string]any{"witnessed": peers, "alarms": alarms}); err != nil {
			return err
		}
	} else {
		for _, p := range peers {
			fmt.Fprintf(e.stdout, "%-24s size %-8d seen %s\n", p.Origin, p.Size, p.SeenAt.Format(time.RFC3339))
		}
		if len(peers) == 0 {
			fmt.Fprintln(e.stdout, "no peer checkpoint seen yet")
		}
		for _, a := range alarms {
			fmt.Fprintf(e.stdout, "ALARM %s: had seen size %d, then shown size %d: %s\n", a.Origin, a.OldSize, a.NewSize, a.Detail)
		}
	}
	if len(alarms) > 0 {
		return silentError{code: 4}
	}
	return nil
}
