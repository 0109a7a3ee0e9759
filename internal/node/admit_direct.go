package node

import (
	"errors"
	"log/slog"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// admitDirect applies route.Admit to a request arriving at a provider's
// node: the envelope's subkind is the request type, and the law is read on
// the day it arrives (this node's clock, not the sender's claim). The
// admission and its legal basis are logged; a refusal becomes the inbox's
// not_admitted rejection.
func (n *Node) admitDirect(d *directory.Snapshot, h envelope.Header) error {
	a, err := route.Admit(d, h.Sender, n.Config.Authority, request.Type(h.Subkind), n.Clock.Now())
	if err != nil {
		return err
	}
	if !a.Admitted {
		return errors.New(a.Reason)
	}
	n.Log.Info("direct order admitted", slog.String("message", h.ID), slog.String("sender", h.Sender),
		slog.String("type", h.Subkind), slog.String("instrument", string(a.Instrument)), slog.String("article", a.Article),
		slog.Bool("notification_required", a.NotifyRequired), slog.String("notify", a.Notify))
	return nil
}
