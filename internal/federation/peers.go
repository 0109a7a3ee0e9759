package federation

import (
	"sort"
	"time"
)

// PeerQueue is one peer's share of the outbox (what "outbox --json"
// prints per peer).
type PeerQueue struct {
	Peer              string    `json:"peer"`
	Waiting           int       `json:"waiting"`
	Failed            int       `json:"failed"`
	OldestUndelivered time.Time `json:"oldest_undelivered"`
}

// SummarisePeers counts the outbox per peer: waiting, refused, and the
// oldest envelope not delivered.
func SummarisePeers(list []OutboundStatus) []PeerQueue {
	byPeer := map[string]*PeerQueue{}
	for _, o := range list {
		p := byPeer[o.Recipient]
		if p == nil {
			p = &PeerQueue{Peer: o.Recipient, OldestUndelivered: o.Created}
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
	out := []PeerQueue{}
	for _, p := range byPeer {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Peer < out[j].Peer })
	return out
}
