package node

import (
	"context"

	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
)

// applyRules installs the rule book (docs/protocol.md, "Rule book"): the
// inbox asks the casework whether an authentic sender may say what it
// says before anything is stored, and a peer's final refusal of one of
// our envelopes is shown on its case.
func (n *Node) applyRules() {
	n.Inbox.Judge = n.Cases.JudgeNotifications // Judge, plus rule R9 for a notified authority's stop
	n.Cases.InboxJudges = true
	n.Outbox.OnRefused = func(ctx context.Context, env *envelope.Envelope, rej *federation.Rejection) {
		if err := n.Cases.RefusedByPeer(ctx, env, rej); err != nil {
			n.Log.Error("cannot record a peer's refusal on its case", "id", env.Header.ID, "code", rej.Code, "err", err)
		}
	}
}

// directoryAccepted runs when the node accepts a newer directory: a
// received emergency request whose signing key that directory revokes is
// flagged on its case at once (SPEC story 7), not when someone next
// tries to execute it.
func (n *Node) directoryAccepted(ctx context.Context) {
	if n.Cases == nil {
		return
	}
	if _, err := n.Cases.FlagRevoked(ctx); err != nil {
		n.Log.Error("cannot flag requests signed with revoked keys", "err", err)
	}
}
