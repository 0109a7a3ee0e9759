package testnet

import (
	"context"
	"fmt"
	"time"

	"github.com/art35/art35/internal/directory"
)

// Republish has the secretariat sign a changed copy of the directory the
// nodes hold (change edits it), under the next serial and issued at now,
// and every node accept it: how a test gives an authority a phone number
// or a second key, or revokes one, as the secretariat would.
func (n *Net) Republish(ctx context.Context, now time.Time, change func(d *directory.Snapshot)) error {
	var any string
	for party := range n.Nodes {
		any = party
		break
	}
	cur, err := n.Nodes[any].Directory(ctx)
	if err != nil {
		return fmt.Errorf("testnet: read the directory: %w", err)
	}
	d, err := cur.Clone()
	if err != nil {
		return err
	}
	change(d)
	n.mu.Lock()
	n.Serial++
	serial := n.Serial
	n.mu.Unlock()
	signed, err := directory.Sign(d, n.SecretariatKey, serial, now, 24*time.Hour)
	if err != nil {
		return fmt.Errorf("testnet: sign directory %d: %w", serial, err)
	}
	for party, nd := range n.Nodes {
		if _, err := nd.AcceptSnapshot(ctx, signed); err != nil {
			return fmt.Errorf("testnet: %s accepts directory %d: %w", party, serial, err)
		}
	}
	return nil
}
