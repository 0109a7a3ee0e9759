package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/art35/art35/internal/node"
)

// caseNotify sends the notification copy of a direct order sent from here
// (Protocol Art. 7(5); Reg. (EU) 2023/1543 Art. 8): internal/cases.Notify.
func caseNotify(ctx context.Context, e *env, args []string) error {
	var by string
	return onNode(ctx, e, caseCmd, "notify", args, 1, "notify needs one case ID and --by NAME", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the person sending the copy (required)")
	}, func(n *node.Node, pos []string) error {
		if strings.TrimSpace(by) == "" {
			return usagef("notify needs one case ID and --by NAME")
		}
		note, err := n.Cases.Notify(ctx, pos[0], by)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: notification copy queued for %s (%s)\n", pos[0], note.Authority, note.Basis)
		return nil
	})
}

// caseStopDisclosure is the notified authority's stop of a direct order
// (Protocol Art. 7(5)(c); Reg. (EU) 2023/1543 Art. 12): internal/cases.StopDisclosure.
func caseStopDisclosure(ctx context.Context, e *env, args []string) error {
	var by, provider, reason string
	const usage = "stop-disclosure needs the ID of the notification copy held here, --provider ID, --by NAME and --reason TEXT"
	return onNode(ctx, e, caseCmd, "stop-disclosure", args, 1, usage, func(fs *flag.FlagSet) {
		fs.StringVar(&provider, "provider", "", "the provider's authority id the order went to (required)")
		fs.StringVar(&by, "by", "", "the name of the person who stops disclosure (required)")
		fs.StringVar(&reason, "reason", "", "the ground, e.g. it would prejudice a domestic investigation (required)")
	}, func(n *node.Node, pos []string) error {
		if provider == "" || strings.TrimSpace(by) == "" || strings.TrimSpace(reason) == "" {
			return usagef("%s", usage)
		}
		ev, err := n.Cases.StopDisclosure(ctx, pos[0], provider, by, reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %s instructed not to disclose, by %s at %s; the signed stop is queued\n", pos[0], provider, ev.By, ev.At.Format("2006-01-02T15:04:05Z07:00"))
		return nil
	})
}
