// Package app is art35's composition root: it wires a node (the host:
// database, federation, listeners, workers) with the services that run on
// it (the portal, the clocks, ping tests, the watch relay and the
// providers' API). "art35 node run", the demo and the tests all start a
// node through here, so that they run the same thing.
//
// The services never import the node: each declares the small interface
// or the plain fields it needs (see ping.Host, watch.Host, clockrun.Host,
// web.Deps), and this package fills them from a *node.Node. That keeps
// the direction of imports one way (docs/architecture.md), which the
// layering test of this package checks.
package app

import (
	"context"
	"errors"

	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/node"
)

// Main is one node with its services, as wtf's Main: Open, then Run until
// the context ends, then Close.
type Main struct {
	Config   config.Config
	Node     node.Options
	Services Options

	n   *node.Node
	svc *Services
}

// Open opens the node (keys, database, migrations) and mounts its services.
func (m *Main) Open(ctx context.Context) error {
	n, err := node.New(ctx, m.Config, m.Node)
	if err != nil {
		return err
	}
	svc, err := Mount(n, m.Services)
	if err != nil {
		return errors.Join(err, n.Close())
	}
	m.n, m.svc = n, svc
	return nil
}

// Run serves until ctx ends (node.Run), then stops the workers.
func (m *Main) Run(ctx context.Context) error { return m.n.Run(ctx) }

// Close releases the node's database. It is safe after a failed Open.
func (m *Main) Close() error {
	if m.n == nil {
		return nil
	}
	return m.n.Close()
}

// Host returns the opened node.
func (m *Main) Host() *node.Node { return m.n }

// Mounted returns the services mounted on the node.
func (m *Main) Mounted() *Services { return m.svc }
