package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/retention"
)

func runPurge(ctx context.Context, e *env, args []string) error {
	var dry, asJSON bool
	return onNode(ctx, e, purgeCmd, "", args, -1, "", func(fs *flag.FlagSet) {
		fs.BoolVar(&dry, "dry-run", false, "list what would be purged, change nothing")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, _ []string) error {
		res, err := retention.Purge(ctx, n.DB, n.RetentionPolicy(), e.clock.Now(), "cli", dry)
		if err != nil || asJSON {
			return cli.JSONUnlessErr(e.stdout, res, err, asJSON)
		}
		cli.PrintPurge(e.stdout, res, dry)
		return nil
	})
}

func runTransfer(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, transferCmd, []subcommand{
		{"request", "ask the originating party for authorisation", transferAsk(false)},
		{"grant", "authorise the other side to pass our data on", transferAsk(true)},
		{"list", "the authorisations on record", func(ctx context.Context, e *env, args []string) error {
			return nodeList(ctx, e, transferCmd, args, func(n *node.Node, asJSON bool) error {
				auths, err := n.Cases.Authorisations(ctx)
				if err != nil || asJSON {
					return cli.JSONUnlessErr(e.stdout, auths, err, asJSON)
				}
				cli.PrintAuthorisations(e.stdout, auths)
				return nil
			})
		}},
	}, args)
}

// transferAsk is "transfer request" (grant false) or "transfer grant".
func transferAsk(grant bool) runFunc {
	sub, what := "request", "request for authorisation"
	if grant {
		sub, what = "grant", "authorisation"
	}
	return func(ctx context.Context, e *env, args []string) error {
		var to, purpose, by string
		return onNode(ctx, e, transferCmd, sub, args, 1, "give the id of the request whose data is concerned", func(fs *flag.FlagSet) {
			fs.StringVar(&to, "to", "", "the third party (ISO code)")
			fs.StringVar(&purpose, "purpose", "", "what the data will be used for")
			fs.StringVar(&by, "by", "", "who asks or grants")
		}, func(n *node.Node, pos []string) error {
			act := n.Cases.RequestTransfer
			if grant {
				act = n.Cases.GrantTransfer
			}
			if err := act(ctx, pos[0], to, purpose, by); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s for %s to %s sent; the running node delivers it\n", what, pos[0], to)
			return nil
		})
	}
}

// nodeList is a "list" subcommand with only --json.
func nodeList(ctx context.Context, e *env, c *command, args []string, f func(n *node.Node, asJSON bool) error) error {
	var asJSON bool
	return onNode(ctx, e, c, "list", args, -1, "", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") },
		func(n *node.Node, _ []string) error { return f(n, asJSON) })
}

func runIncident(ctx context.Context, e *env, args []string) error {
	notify := func(ctx context.Context, e *env, args []string) error {
		var details, by string
		return onNode(ctx, e, incidentCmd, "notify", args, 1, "give the id of the request whose data was exposed", func(fs *flag.FlagSet) {
			fs.StringVar(&details, "details", "", "what happened, what data, since when")
			fs.StringVar(&by, "by", "", "who reports it")
		}, func(n *node.Node, pos []string) error {
			if err := n.Cases.NotifyIncident(ctx, pos[0], details, by); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "incident notice for %s queued; the running node delivers it\n", pos[0])
			return nil
		})
	}
	list := func(ctx context.Context, e *env, args []string) error {
		return nodeList(ctx, e, incidentCmd, args, func(n *node.Node, asJSON bool) error {
			inc, err := n.Cases.Incidents(ctx)
			if err != nil || asJSON {
				return cli.JSONUnlessErr(e.stdout, inc, err, asJSON)
			}
			cli.PrintIncidents(e.stdout, inc)
			return nil
		})
	}
	return dispatch(ctx, e, incidentCmd, []subcommand{
		{"notify", "notify the originating party of an exposure", notify},
		{"list", "incident notices sent and received", list},
	}, args)
}

func runUsage(ctx context.Context, e *env, args []string) error {
	step := func(sub string, act func(ctx context.Context, e *env, n *node.Node, id, by string) error) runFunc {
		return func(ctx context.Context, e *env, args []string) error {
			var by string
			return onNode(ctx, e, usageCmd, sub, args, 1, "give the request id", func(fs *flag.FlagSet) { fs.StringVar(&by, "by", "", "who does it") },
				func(n *node.Node, pos []string) error { return act(ctx, e, n, pos[0], by) })
		}
	}
	return dispatch(ctx, e, usageCmd, []subcommand{
		{"accept-conditions", "record and tell the sender that its conditions are accepted", step("accept-conditions", func(ctx context.Context, e *env, n *node.Node, id, by string) error {
			if err := n.Cases.AcceptConditions(ctx, id, by); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "acceptance of the conditions of %s queued for the sender\n", id)
			return nil
		})},
		{"ask", "ask the receiver how the data was used", step("ask", func(ctx context.Context, e *env, n *node.Node, id, by string) error {
			if err := n.Cases.AskUse(ctx, id, by); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "usage query on %s queued for the receiver\n", id)
			return nil
		})},
		{"report", "what the audit log says was done with the data", step("report", func(ctx context.Context, e *env, n *node.Node, id, _ string) error {
			r, err := n.Cases.UsageReport(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, r)
			return nil
		})},
		{"answer", "send the report to the sender", step("answer", func(ctx context.Context, e *env, n *node.Node, id, by string) error {
			r, err := n.Cases.AnswerUse(ctx, id, by)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "usage report on %s queued for the sender: %s\n", id, r)
			return nil
		})},
	}, args)
}
