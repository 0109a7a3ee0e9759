package cli

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/witness"
)

// PrintOutbox prints the envelopes not yet delivered, then each peer's
// queue, at now.
func PrintOutbox(w io.Writer, list []federation.OutboundStatus, peers []federation.PeerQueue, now time.Time) {
	if len(list) == 0 {
		fmt.Fprintln(w, "outbox empty: everything was delivered")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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
	fmt.Fprintln(w)
	for _, p := range peers {
		fmt.Fprintf(w, "%s: %d waiting, %d refused, oldest undelivered waiting %s\n",
			p.Peer, p.Waiting, p.Failed, now.Sub(p.OldestUndelivered).Round(time.Second))
	}
}

// PrintWitness prints the peers' checkpoints this node has seen and every
// alarm (a log that was rewritten or forked).
func PrintWitness(w io.Writer, peers []witness.Seen, alarms []witness.Alarm) {
	for _, p := range peers {
		fmt.Fprintf(w, "%-24s size %-8d seen %s\n", p.Origin, p.Size, p.SeenAt.Format(time.RFC3339))
	}
	if len(peers) == 0 {
		fmt.Fprintln(w, "no peer checkpoint seen yet")
	}
	for _, a := range alarms {
		fmt.Fprintf(w, "ALARM %s: had seen size %d, then shown size %d: %s\n", a.Origin, a.OldSize, a.NewSize, a.Detail)
	}
}

// PrintNodeStatus prints a node's party, database, directory and queues,
// and warns when no secretariat key is pinned.
func PrintNodeStatus(w io.Writer, st *app.NodeStatus) {
	serial := fmt.Sprintf("serial %d", st.DirectorySerial)
	if st.DirectorySerial == 0 {
		serial = "the starter snapshot shipped in the binary (no signed snapshot accepted yet)"
	}
	fmt.Fprintf(w, "party       %s (authority %s)\ndatabase    %s\ndirectory   %s, %d parties\noutbox      %d waiting\ninbox       %d stored\n",
		st.Party, st.Authority, st.Database, serial, st.DirectoryParties, st.OutboxWaiting, st.InboundStored)
	for code, k := range st.RejectionsByCode {
		fmt.Fprintf(w, "refused     %d %s\n", k, code)
	}
	if !st.SecretariatPinned {
		fmt.Fprintln(w, "warning     no secretariat key pinned: signed directories cannot be accepted (set secretariat_key)")
	}
}
