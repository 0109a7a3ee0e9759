// Package testnet runs several real art35 nodes in one process, each with
// its own keys, its own database and its own HTTP server on a loopback
// port, and a secretariat key that signs a directory listing all of them.
// Tests, benchmarks and the demo use it to exercise the real protocol
// between real nodes.
package testnet

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
)

// Options configure a test network.
type Options struct {
	// Parties are the ISO codes of the nodes to start, one node each
	// (authority id CC-247).
	Parties []string
	// Dir is the folder the nodes' data folders are made in.
	Dir string
	// Database returns the database setting of a party's node; nil means
	// a SQLite file in its data folder.
	Database func(party string) (string, error)
	// Clock is shared by all nodes; nil means the system clock.
	Clock clock.Clock
	// Logger receives the nodes' logs; nil discards them.
	Logger *slog.Logger
	// Providers are service providers' nodes to run besides the parties'
	// points of contact, listed in the directory with the provider role.
	Providers []Provider
	// Setup, when set, is called for each party's node after node.New and
	// before Run (also on Restart), so callers can register arrival
	// handlers, HTTP routes (the portal) and workers, which a node accepts
	// only before it runs.
	Setup func(party string, n *node.Node) error
	// Directory, when set, may change the starter directory before the
	// nodes are listed in it (bench/network200 adds fictional parties).
	Directory func(s *directory.Snapshot) error
}

// Provider is a service provider's node of a party: Name is its
// authority id in the directory (e.g. "ES-ISP-EXAMPLE") and its key in
// Net.Nodes.
type Provider struct {
	Name, Party string
}

// Net is a running test network.
type Net struct {
	Nodes          map[string]*node.Node // by party
	SecretariatKey ed25519.PrivateKey
	Serial         uint64

	clock clock.Clock
	opt   Options
	cfgs  map[string]config.Config
	stops map[string]func()       // stops a running node and waits for it
	socks map[string]net.Listener // each running node's listener, for Handover
	errs  chan error
	mu    sync.Mutex
}

// Start makes, lists and starts the nodes. Every node accepts a directory
// snapshot (the shipped starter with the nodes' entries) signed by a fresh
// secretariat key.
func Start(ctx context.Context, opt Options) (*Net, error) {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if err := os.MkdirAll(opt.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("test network folder: %w", err)
	}
	secPub, secPriv, err := keys.GenerateSigning()
	if err != nil {
		return nil, err
	}
	net_ := &Net{Nodes: map[string]*node.Node{}, SecretariatKey: secPriv, clock: opt.Clock, opt: opt,
		cfgs: map[string]config.Config{}, stops: map[string]func(){}, errs: make(chan error, 64)}
	snap, err := directory.Starter()
	if err != nil {
		return nil, err
	}
	if opt.Directory != nil {
		if err := opt.Directory(snap); err != nil {
			return nil, err
		}
	}
	listeners := map[string]net.Listener{}
	cfgs := map[string]config.Config{}
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	type spec struct{ key, party, authority string }
	var specs []spec
	for _, p := range opt.Parties {
		specs = append(specs, spec{key: p, party: p})
	}
	for _, p := range opt.Providers {
		specs = append(specs, spec{key: p.Name, party: p.Party, authority: p.Name})
	}
	for _, sp := range specs {
		party := sp.key
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners[party] = l
		c := config.Defaults()
		c.DataDir = filepath.Join(opt.Dir, party)
		c.Party = sp.party
		c.Authority = sp.authority
		c.Listen = l.Addr().String()
		// A test node serves its peers' API, portal and admin paths on
		// one port (equal addresses are served as one listener).
		c.PortalListen, c.AdminListen = c.Listen, c.Listen
		c.PublicURL = "http://" + l.Addr().String() + "/v1/inbox"
		c.SecretariatKey = keys.FormatSigningPublic(secPub)
		if opt.Database != nil {
			if c.Database, err = opt.Database(party); err != nil {
				return nil, err
			}
		}
		entry, err := node.Init(c, opt.Clock.Now())
		if err != nil {
			return nil, fmt.Errorf("init %s: %w", party, err)
		}
		if sp.authority != "" {
			entry.Role = string(directory.RoleProvider)
		}
		if err := entry.Apply(snap); err != nil {
			return nil, err
		}
		c.Authority = entry.Authority
		cfgs[party] = c
	}
	net_.Serial = 1
	signed, err := directory.Sign(snap, secPriv, net_.Serial, opt.Clock.Now(), 365*24*time.Hour)
	if err != nil {
		return nil, err
	}
	net_.cfgs = cfgs
	for _, sp := range specs {
		party := sp.key
		l := listeners[party]
		delete(listeners, party) // the node owns it now
		if err := net_.start(ctx, party, l); err != nil {
			net_.Close()
			return nil, err
		}
		if _, err := net_.Nodes[party].AcceptSnapshot(ctx, signed); err != nil {
			net_.Close()
			return nil, fmt.Errorf("%s: accept directory: %w", party, err)
		}
	}
	return net_, nil
}

// start opens a party's node on l and runs it in the background.
func (n *Net) start(ctx context.Context, party string, l net.Listener) error {
	nd, err := node.New(ctx, n.cfgs[party], node.Options{Clock: n.opt.Clock, Logger: n.opt.Logger, Listener: l, PlainHTTP: true})
	if err != nil {
		l.Close()
		return fmt.Errorf("start %s: %w", party, err)
	}
	if n.opt.Setup != nil {
		if err := n.opt.Setup(party, nd); err != nil {
			nd.Close()
			return fmt.Errorf("set up %s: %w", party, err)
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := nd.Run(runCtx); err != nil {
			n.errs <- fmt.Errorf("%s: %w", party, err)
		}
	}()
	n.mu.Lock()
	n.Nodes[party] = nd
	n.stops[party] = func() { cancel(); <-done }
	if n.socks == nil {
		n.socks = map[string]net.Listener{}
	}
	n.socks[party] = l
	n.mu.Unlock()
	return nil
}

// Restart starts a stopped party's node again on its old address, with
// its data as it was.
func (n *Net) Restart(ctx context.Context, party string) error {
	if n.stops[party] != nil {
		return fmt.Errorf("node %s is running", party)
	}
	l, err := net.Listen("tcp", n.cfgs[party].Listen)
	if err != nil {
		return fmt.Errorf("restart %s: %w", party, err)
	}
	return n.start(ctx, party, l)
}

// Node returns the node of a party.
func (n *Net) Node(party string) *node.Node { return n.Nodes[party] }

// Close stops every node and closes its database, and returns the first
// error a node's server ended with.
func (n *Net) Close() error {
	var errs []error
	for party, stop := range n.stops {
		stop()
		errs = append(errs, n.Nodes[party].Close())
	}
	n.stops = map[string]func(){}
	for {
		select {
		case err := <-n.errs:
			errs = append(errs, err)
		default:
			return errors.Join(errs...)
		}
	}
}

// Stop stops one party's node (its server and workers) and closes its
// database, as if its machine went down. Restart brings it back on the
// same address with the same data.
func (n *Net) Stop(party string) error {
	nd := n.Nodes[party]
	if nd == nil {
		return fmt.Errorf("no node for %s", party)
	}
	stop := n.stops[party]
	if stop == nil {
		return fmt.Errorf("node %s is not running", party)
	}
	stop()
	delete(n.stops, party)
	delete(n.socks, party)
	return nd.Close()
}

// Handover stops a party's node but keeps its port open: it returns the
// node's listening socket as a file (a duplicate that stays open when the
// node closes its own), to pass to an "art35 node run" process by socket
// activation (node.Inherited). Between the two, no other test or program
// can take the port, which a Stop and a new listen on the same address
// cannot promise. The caller closes the file.
func (n *Net) Handover(party string) (*os.File, error) {
	l, ok := n.socks[party].(*net.TCPListener)
	if !ok || n.stops[party] == nil {
		return nil, fmt.Errorf("node %s is not running on a TCP listener", party)
	}
	f, err := l.File()
	if err != nil {
		return nil, fmt.Errorf("hand %s's port over: %w", party, err)
	}
	if err := n.Stop(party); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Config returns the configuration of a party's node (its data folder,
// address and database), for tests that run the node as a separate
// process.
func (n *Net) Config(party string) config.Config { return n.cfgs[party] }
