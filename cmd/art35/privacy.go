package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/retention"
)

// said prints the line msg of a step that returned err, unless it failed.
func said(e *env, msg string, err error) error {
	if err == nil {
		fmt.Fprintln(e.Stdout, msg)
	}
	return err
}

func runPurge(ctx context.Context, e *env, args []string) error {
	var dry, asJSON bool
	return e.OnNode(ctx, purgeCmd, "", args, -1, "", func(fs *flag.FlagSet) {
		fs.BoolVar(&dry, "dry-run", false, "list what would be purged, change nothing")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	}, func(n *node.Node, _ []string) error {
		res, err := retention.Purge(ctx, n.DB, n.RetentionPolicy(), e.Clock.Now(), "cli", dry)
		if err != nil || asJSON {
			return cli.JSONUnlessErr(e.Stdout, res, err, asJSON)
		}
		cli.PrintPurge(e.Stdout, res, dry)
		return nil
	})
}

func runTransfer(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, transferCmd, []subcommand{
		{Name: "request", Short: "ask the originating party for authorisation", Run: transferAsk(false)},
		{Name: "grant", Short: "authorise the other side to pass our data on", Run: transferAsk(true)},
		{Name: "list", Short: "the authorisations on record", Run: func(ctx context.Context, e *env, args []string) error {
			return nodeList(ctx, e, transferCmd, args, func(n *node.Node, asJSON bool) error {
				auths, err := n.Cases.Authorisations(ctx)
				if err != nil || asJSON {
					return cli.JSONUnlessErr(e.Stdout, auths, err, asJSON)
				}
				cli.PrintAuthorisations(e.Stdout, auths)
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
		return e.OnNode(ctx, transferCmd, sub, args, 1, "give the id of the request whose data is concerned", func(fs *flag.FlagSet) {
			fs.StringVar(&to, "to", "", "the third party (ISO code)")
			fs.StringVar(&purpose, "purpose", "", "what the data will be used for")
			fs.StringVar(&by, "by", "", "who asks or grants")
		}, func(n *node.Node, pos []string) error {
			act := n.Cases.RequestTransfer
			if grant {
				act = n.Cases.GrantTransfer
			}
			return said(e, fmt.Sprintf("%s for %s to %s sent; the running node delivers it", what, pos[0], to), act(ctx, pos[0], to, purpose, by))
		})
	}
}

// nodeList is a "list" subcommand with only --json.
func nodeList(ctx context.Context, e *env, c *command, args []string, f func(n *node.Node, asJSON bool) error) error {
	var asJSON bool
	return e.OnNode(ctx, c, "list", args, -1, "", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") },
		func(n *node.Node, _ []string) error { return f(n, asJSON) })
}

func runIncident(ctx context.Context, e *env, args []string) error {
	notify := func(ctx context.Context, e *env, args []string) error {
		var details, by string
		return e.OnNode(ctx, incidentCmd, "notify", args, 1, "give the id of the request whose data was exposed", func(fs *flag.FlagSet) {
			fs.StringVar(&details, "details", "", "what happened, what data, since when")
			fs.StringVar(&by, "by", "", "who reports it")
		}, func(n *node.Node, pos []string) error {
			return said(e, fmt.Sprintf("incident notice for %s queued; the running node delivers it", pos[0]), n.Cases.NotifyIncident(ctx, pos[0], details, by))
		})
	}
	list := func(ctx context.Context, e *env, args []string) error {
		return nodeList(ctx, e, incidentCmd, args, func(n *node.Node, asJSON bool) error {
			inc, err := n.Cases.Incidents(ctx)
			if err != nil || asJSON {
				return cli.JSONUnlessErr(e.Stdout, inc, err, asJSON)
			}
			cli.PrintIncidents(e.Stdout, inc)
			return nil
		})
	}
	return e.Dispatch(ctx, incidentCmd, []subcommand{
		{Name: "notify", Short: "notify the originating party of an exposure", Run: notify},
		{Name: "list", Short: "incident notices sent and received", Run: list},
	}, args)
}

func runUsage(ctx context.Context, e *env, args []string) error {
	// step is a usage subcommand on one request id: act returns the line
	// to print when it succeeds.
	step := func(sub string, act func(n *node.Node, id, by string) (string, error)) runFunc {
		return func(ctx context.Context, e *env, args []string) error {
			var by string
			return e.OnNode(ctx, usageCmd, sub, args, 1, "give the request id", func(fs *flag.FlagSet) { fs.StringVar(&by, "by", "", "who does it") },
				func(n *node.Node, pos []string) error {
					msg, err := act(n, pos[0], by)
					return said(e, msg, err)
				})
		}
	}
	return e.Dispatch(ctx, usageCmd, []subcommand{
		{Name: "accept-conditions", Short: "record and tell the sender that its conditions are accepted", Run: step("accept-conditions", func(n *node.Node, id, by string) (string, error) {
			return fmt.Sprintf("acceptance of the conditions of %s queued for the sender", id), n.Cases.AcceptConditions(ctx, id, by)
		})},
		{Name: "ask", Short: "ask the receiver how the data was used", Run: step("ask", func(n *node.Node, id, by string) (string, error) {
			return fmt.Sprintf("usage query on %s queued for the receiver", id), n.Cases.AskUse(ctx, id, by)
		})},
		{Name: "report", Short: "what the audit log says was done with the data", Run: step("report", func(n *node.Node, id, _ string) (string, error) {
			return n.Cases.UsageReport(ctx, id)
		})},
		{Name: "answer", Short: "send the report to the sender", Run: step("answer", func(n *node.Node, id, by string) (string, error) {
			r, err := n.Cases.AnswerUse(ctx, id, by)
			return fmt.Sprintf("usage report on %s queued for the sender: %s", id, r), err
		})},
	}, args)
}
