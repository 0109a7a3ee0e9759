package node

import (
	"context"
	"time"

	"github.com/art35/art35/internal/retention"
)

// RetentionPolicy is the node's retention policy from its configuration.
func (n *Node) RetentionPolicy() retention.Policy {
	p := retention.DefaultPolicy()
	p.Default = time.Duration(n.Config.RetentionDays) * 24 * time.Hour
	return p
}

// purgeDaily purges expired received personal data once a day (and once
// at start), and logs what it left for review.
func (n *Node) purgeDaily(ctx context.Context) {
	for {
		res, err := retention.Purge(ctx, n.DB, n.RetentionPolicy(), n.Clock.Now(), "system", false)
		switch {
		case err != nil && ctx.Err() == nil:
			n.Log.Error("retention purge failed", "err", err)
		case len(res.Purged) > 0 || len(res.Review) > 0:
			n.Log.Info("retention purge", "purged", len(res.Purged), "envelopes", res.Envelope, "to_review", res.Review)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}
