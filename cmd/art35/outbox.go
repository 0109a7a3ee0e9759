package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/federation"
)

var outboxCmd = &command{
	name:  "outbox",
	short: "list the envelopes waiting for delivery and why",
	usage: "outbox --data DIR [--json]",
	long: `Outbox lists every envelope the node has not delivered yet: to whom, what,
how many attempts, when the next one is due and the last error, emergencies
marked, and per peer the queue depth and the oldest undelivered envelope.
Envelopes a peer refused for good (state "failed") stay listed until a person
deals with them.`,
}

// peerQueue is the per-peer summary of "outbox --json".
type peerQueue struct {
	Peer              string    `json:"peer"`
	Waiting           int       `json:"waiting"`
	Failed            int       `json:"failed"`
	OldestUndelivered time.Time `json:"oldest_undelivered"`
}

func runOutbox(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	n, _, err := openNode(ctx, e, outboxCmd, "", args, func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") })
	if err != nil {
		return err
	}
	defer n.Close()
	list, err := n.Envelopes.Outbox(ctx)
	if err != nil {
		return err
	}
	peers := summarisePeers(list)
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if list == nil {
			list = []federation.OutboundStatus{}
		}
		return enc.Encode(map[string]any{"envelopes": list, "peers": peers})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "outbox empty: everything was delivered")
		return nil
	}
	now := e.clock.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MESSAGE\tTO\tWHAT\tSTATE\tTRIES\tNEXT\tLAST ERROR")
	for _, o := range list {
		what := o.Kind + "/" + o.Subkind
		if o.Emergency {
			what = "EMERGENCY " + what
		}
		next := "-"
		if o.State == "queued" {
			next = "in " + o.NextAttempt.Sub(now).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", o.MessageID[:12], o.Recipient, what, o.State, o.Attempts, next, o.LastError)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout)
	for _, p := range peers {
		fmt.Fprintf(e.stdout, "%s: %d waiting, %d refused, oldest undelivered waiting %s\n",
			p.Peer, p.Waiting, p.Failed, now.Sub(p.OldestUndelivered).Round(time.Second))
	}
	return nil
}

func summarisePeers(list []federation.OutboundStatus) []peerQueue {
	byPeer := map[string]*peerQueue{}
	for _, o := range list {
		p := byPeer[o.Recipient]
		if p == nil {
			p = &peerQueue{Peer: o.Recipient, OldestUndelivered: o.Created}
			byPeer[o.Recipient] = p
		}
		if o.State == "failed" {
			p.Failed++
		} else {
			p.Waiting++
		}
		if o.Created.Before(p.OldestUndelivered) {
			p.OldestUndelivered = o.Created
		}
	}
	out := []peerQueue{}
	for _, p := range byPeer {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Peer < out[j].Peer })
	return out
}
