package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/retention"
)

var purgeCmd = &command{
	name:  "purge",
	short: "remove received personal data whose retention period has passed",
	usage: "purge --data DIR [--dry-run] [--json]",
	long: `Purge removes, for every request received from another party whose case is
finished and whose retention period (retention_days, default 730) has passed,
the personal data from the node's database: envelope bodies and ciphertexts,
the request document (replaced by a tombstone naming only id, type and
party) and the details of its evidences. Ids, digests, dates and the audit
log stay, so what happened can still be proved. A case still open after its
period is listed for review and not purged. The purge is recorded in the
audit log. The running node also purges once a day.`,
}

var transferCmd = &command{
	name:  "transfer",
	short: "ask for or grant the authorisation to pass received data on (Protocol Art. 14(10))",
	usage: "transfer <request|grant|list> --data DIR ...",
	long: `Data received from a party may be passed to a third party only with the
originating party's prior authorisation (Protocol Art. 14(10)). A request that
links to a received request and goes to anyone but its originator is refused
until the authorisation is on record.

	art35 transfer request --data DIR REQUEST-ID --to DE --purpose "..." --by NAME
	    (on the receiving node: asks the originator, as a signed evidence)
	art35 transfer grant --data DIR REQUEST-ID --to DE --purpose "..." --by NAME
	    (on the originating node: authorises; recorded on both sides)
	art35 transfer list --data DIR [--json]`,
}

func runPurge(ctx context.Context, e *env, args []string) error {
	var dry, asJSON bool
	n, _, err := openNode(ctx, e, purgeCmd, "", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&dry, "dry-run", false, "list what would be purged, change nothing")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	res, err := retention.Purge(ctx, n.DB, n.RetentionPolicy(), e.clock.Now(), "cli", dry)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	verb := "purged"
	if dry {
		verb = "would purge"
	}
	fmt.Fprintf(e.stdout, "%s %d request(s), %d envelope(s)\n", verb, len(res.Purged), res.Envelope)
	for _, id := range res.Purged {
		fmt.Fprintf(e.stdout, "  %s\n", id)
	}
	if len(res.Review) > 0 {
		fmt.Fprintf(e.stdout, "past their retention period but still open (a person decides): %s\n", strings.Join(res.Review, ", "))
	}
	return nil
}

func runTransfer(ctx context.Context, e *env, args []string) error {
	ask := func(grant bool) func(ctx context.Context, e *env, args []string) error {
		return func(ctx context.Context, e *env, args []string) error {
			var to, purpose, by string
			sub := "request"
			if grant {
				sub = "grant"
			}
			n, pos, err := openNode(ctx, e, transferCmd, sub, args, func(fs *flag.FlagSet) {
				fs.StringVar(&to, "to", "", "the third party (ISO code)")
				fs.StringVar(&purpose, "purpose", "", "what the data will be used for")
				fs.StringVar(&by, "by", "", "who asks or grants")
			})
			if err != nil {
				return err
			}
			defer n.Close()
			if len(pos) != 1 {
				return usagef("give the id of the request whose data is concerned")
			}
			if grant {
				err = n.Cases.GrantTransfer(ctx, pos[0], to, purpose, by)
			} else {
				err = n.Cases.RequestTransfer(ctx, pos[0], to, purpose, by)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s for %s to %s sent; the running node delivers it\n", map[bool]string{true: "authorisation", false: "request for authorisation"}[grant], pos[0], to)
			return nil
		}
	}
	list := func(ctx context.Context, e *env, args []string) error {
		var asJSON bool
		n, _, err := openNode(ctx, e, transferCmd, "list", args, func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") })
		if err != nil {
			return err
		}
		defer n.Close()
		auths, err := n.Cases.Authorisations(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return json.NewEncoder(e.stdout).Encode(auths)
		}
		if len(auths) == 0 {
			fmt.Fprintln(e.stdout, "no onward-transfer authorisation on record")
		}
		for _, a := range auths {
			fmt.Fprintf(e.stdout, "%s -> %s  granted %s by %s  purpose: %s\n", a.RequestID, a.To, a.GrantedAt.Format(time.RFC3339), a.GrantedBy, a.Purpose)
		}
		return nil
	}
	return dispatch(ctx, e, transferCmd, []subcommand{
		{"request", "ask the originating party for authorisation", ask(false)},
		{"grant", "authorise the other side to pass our data on", ask(true)},
		{"list", "the authorisations on record", list},
	}, args)
}

var incidentCmd = &command{
	name:  "incident",
	short: "notify the originating party that data it sent was exposed; list incidents",
	usage: "incident <notify|list> --data DIR ...",
	long: `When personal data received from another party is exposed (a security
incident), the originating party must be told promptly (SPEC section 7).

	art35 incident notify --data DIR REQUEST-ID --details "what happened" --by NAME
	    sends a signed notice to the party that sent the request; it raises an
	    alert and an audit record there
	art35 incident list --data DIR [--json]
	    notices sent and received`,
}

func runIncident(ctx context.Context, e *env, args []string) error {
	notify := func(ctx context.Context, e *env, args []string) error {
		var details, by string
		n, pos, err := openNode(ctx, e, incidentCmd, "notify", args, func(fs *flag.FlagSet) {
			fs.StringVar(&details, "details", "", "what happened, what data, since when")
			fs.StringVar(&by, "by", "", "who reports it")
		})
		if err != nil {
			return err
		}
		defer n.Close()
		if len(pos) != 1 {
			return usagef("give the id of the request whose data was exposed")
		}
		if err := n.Cases.NotifyIncident(ctx, pos[0], details, by); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "incident notice for %s queued; the running node delivers it\n", pos[0])
		return nil
	}
	list := func(ctx context.Context, e *env, args []string) error {
		var asJSON bool
		n, _, err := openNode(ctx, e, incidentCmd, "list", args, func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") })
		if err != nil {
			return err
		}
		defer n.Close()
		inc, err := n.Cases.Incidents(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return json.NewEncoder(e.stdout).Encode(inc)
		}
		if len(inc) == 0 {
			fmt.Fprintln(e.stdout, "no incident notices")
		}
		for _, i := range inc {
			what := "reported by " + i.Peer + " about our data"
			if i.Direction == "in" {
				what = "we reported to " + i.Peer
			}
			fmt.Fprintf(e.stdout, "%s  %s  %s (%s): %s\n", i.At.Format(time.RFC3339), i.RequestID, what, i.By, i.Details)
		}
		return nil
	}
	return dispatch(ctx, e, incidentCmd, []subcommand{
		{"notify", "notify the originating party of an exposure", notify},
		{"list", "incident notices sent and received", list},
	}, args)
}

var usageCmd = &command{
	name:  "usage",
	short: "use conditions and how received data was used (Art. 26, 28; Protocol Art. 14)",
	usage: "usage <accept-conditions|ask|report|answer> --data DIR REQUEST-ID [--by NAME]",
	long: `The receiver of data records that it accepts the sender's use conditions;
every read of received data is recorded with who and why; the sender may ask
how its data was used, and the receiver answers from its audit log.

	art35 usage accept-conditions --data DIR REQUEST-ID --by NAME   (receiver)
	art35 usage ask --data DIR REQUEST-ID --by NAME                 (sender)
	art35 usage report --data DIR REQUEST-ID                        (receiver: what the log says)
	art35 usage answer --data DIR REQUEST-ID --by NAME              (receiver: send the report)`,
}

func runUsage(ctx context.Context, e *env, args []string) error {
	step := func(sub string, act func(ctx context.Context, e *env, n *node.Node, id, by string) error) func(ctx context.Context, e *env, args []string) error {
		return func(ctx context.Context, e *env, args []string) error {
			var by string
			n, pos, err := openNode(ctx, e, usageCmd, sub, args, func(fs *flag.FlagSet) { fs.StringVar(&by, "by", "", "who does it") })
			if err != nil {
				return err
			}
			defer n.Close()
			if len(pos) != 1 {
				return usagef("give the request id")
			}
			return act(ctx, e, n, pos[0], by)
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
