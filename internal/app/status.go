package app

import (
	"context"

	"github.com/art35/art35/internal/node"
)

// NodeStatus is what "node status" says of a node (and its --json).
type NodeStatus struct {
	Party             string         `json:"party"`
	Authority         string         `json:"authority"`
	Database          string         `json:"database"`
	DirectorySerial   uint64         `json:"directory_serial"`
	DirectorySource   string         `json:"directory_source"`
	DirectoryParties  int            `json:"directory_parties"`
	OutboxWaiting     int            `json:"outbox_waiting"`
	InboundStored     int            `json:"inbound_stored"`
	RejectionsByCode  map[string]int `json:"rejections_by_code"`
	SecretariatPinned bool           `json:"secretariat_key_pinned"`
}

// Status reads the party, database, directory and queues of n.
func Status(ctx context.Context, n *node.Node) (*NodeStatus, error) {
	d, err := n.Directory(ctx)
	if err != nil {
		return nil, err
	}
	st := &NodeStatus{
		Party: n.Config.Party, Authority: n.Config.Authority, Database: n.DB.Backend(),
		DirectorySerial: d.Serial, DirectorySource: d.Source, DirectoryParties: len(d.Parties),
		SecretariatPinned: n.Config.SecretariatKey != "",
	}
	out, err := n.Envelopes.Outbox(ctx)
	if err != nil {
		return nil, err
	}
	st.OutboxWaiting = len(out)
	if st.InboundStored, err = n.Envelopes.CountInbound(ctx); err != nil {
		return nil, err
	}
	if st.RejectionsByCode, err = n.Envelopes.RejectionCounts(ctx); err != nil {
		return nil, err
	}
	return st, nil
}
