package node

import (
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/leader"
	"github.com/art35/art35/internal/outbox"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/witness"
)

// DirectoryPollInterval is how often a node asks the secretariat for a
// newer directory. Conditional GETs make an unchanged directory cost one
// small request.
var DirectoryPollInterval = 5 * time.Minute

// Options are what a caller may inject into a node besides its
// configuration: the clock and where logs go. Zero values mean the real
// clock and stderr.
type Options struct {
	Clock  clock.Clock
	Logger *slog.Logger
	// Listener, when set, is used instead of listening on Config.Listen
	// (tests pass a 127.0.0.1:0 listener to learn the port first). Given
	// alone, without PortalListener and AdminListener, it serves all
	// three: the peers' API, the portal and the admin paths.
	Listener net.Listener
	// PortalListener and AdminListener, when set, are used instead of
	// Config.PortalListen and Config.AdminListen.
	PortalListener, AdminListener net.Listener
	// Inherited are listening sockets passed by socket activation
	// (Inherited), by listener name. A listener whose configured address
	// equals an inherited one's is served on that socket too, as equal
	// configured addresses are served as one.
	Inherited map[string]net.Listener
	// PlainHTTP serves without TLS. Only for loopback tests and the demo.
	PlainHTTP bool
}

// Node is one running art35 node.
type Node struct {
	Config     config.Config
	DB         *store.DB
	Clock      clock.Clock
	Log        *slog.Logger
	Signing    ed25519.PrivateKey
	Encryption *ecdh.PrivateKey
	Metrics    *prometheus.Registry
	// Envelopes is the delivery's storage: inbound and outbound envelopes
	// and refused ones.
	Envelopes *federation.Envelopes

	snapshots *Snapshots
	meta      *Meta

	opt    Options
	served []*served // the open listeners (listeners.go)
	plain  bool
	dir    directoryCache

	// Federation: the inbox that checks what peers send, the client that
	// delivers to them, and the outbox worker.
	Inbox      *federation.Inbox
	Client     *federation.Client
	Outbox     *outbox.Worker
	outboxWake chan struct{}
	// Leader elects the replica that runs the once-at-a-time work (the
	// workers given to Go, audit checkpoints, retention) when several
	// processes serve this node from one PostgreSQL database.
	Leader *leader.Elector
	keys   *federation.DirectoryKeys

	// Cases is the node's casework: requests sent and received.
	Cases *cases.Service
	// Audit is the node's tamper-evident log (checkpoints signed on a ticker).
	Audit *auditlog.Log
	// Witness checks the peers' logs with every exchange and keeps their
	// cosignatures of ours.
	Witness *witness.Witness
	// Users are the portal's accounts, with TOTP secrets sealed by the
	// node's keys/secrets.key.
	Users *users.Service

	// unauth aggregates refusals of unauthenticated input (edge.go).
	unauth unauthRefusals
	// The routes of the three listeners (listeners.go).
	peerMux, portalMux, adminMux *http.ServeMux
	arrivals                     map[envelope.Kind]ArrivalHandler
	workers                      []func(ctx context.Context)
	exercise                     exerciseHooks // exercise.go
}

// ArrivalHandler reacts to an accepted envelope of one kind, inside the
// transaction that stores it: what it writes commits with the envelope.
//
// It is an alias, not a new type, so that a service can declare the same
// signature in its own small Host interface without importing node.
type ArrivalHandler = func(ctx context.Context, tx *sql.Tx, in *federation.Inbound) error

// OnArrival registers the handler of an envelope kind other than requests
// and evidences (which the casework handles): pings, watch events. Call
// it before Run.
func (n *Node) OnArrival(kind envelope.Kind, h ArrivalHandler) {
	if n.arrivals == nil {
		n.arrivals = map[envelope.Kind]ArrivalHandler{}
	}
	n.arrivals[kind] = h
}

// Handle registers an extra HTTP handler (the portal, a provider API).
// A pattern under /v1/ goes to the peers' listener, any other to the
// portal's. Call it before Run. Patterns follow http.ServeMux
// ("GET /inbox", "/static/").
func (n *Node) Handle(pattern string, h http.Handler) {
	if isPeerPattern(pattern) {
		n.peerMux.Handle(pattern, h)
		return
	}
	n.portalMux.Handle(pattern, h)
}

// Go registers a background worker that Run starts and stops with the
// node (a clock runner, a ping campaign). Call it before Run. When several
// replicas serve the node from one PostgreSQL database, the workers run
// on the leader only (package leader), and start on another replica when
// the leader dies.
func (n *Node) Go(worker func(ctx context.Context)) { n.workers = append(n.workers, worker) }

// OutboxInterval is how often the delivery worker looks for due retries
// when nothing wakes it.
var OutboxInterval = time.Second

// New checks the node's keys, opens and migrates its database, and prepares
// its HTTP server. It refuses to start with key files that others can read
// or with a database that belongs to another party.
func New(ctx context.Context, cfg config.Config, opt Options) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.Derived()
	n := &Node{Config: cfg, Clock: opt.Clock, Log: opt.Logger, plain: opt.PlainHTTP, opt: opt}
	if n.Clock == nil {
		n.Clock = clock.System{}
	}
	if n.Log == nil {
		n.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := checkFiles(cfg); err != nil {
		return nil, fmt.Errorf("node %s: %w", cfg.DataDir, err)
	}
	var err error
	if n.Signing, err = keys.LoadSigning(cfg.Path(config.SigningKeyFile)); err != nil {
		return nil, fmt.Errorf("node %s: %w", cfg.DataDir, err)
	}
	if n.Encryption, err = keys.LoadEncryption(cfg.Path(config.EncryptionKeyFile)); err != nil {
		return nil, fmt.Errorf("node %s: %w", cfg.DataDir, err)
	}
	if n.DB, err = store.Open(ctx, cfg.DatabaseDSN()); err != nil {
		return nil, err
	}
	n.snapshots, n.meta = NewSnapshots(n.DB), NewMeta(n.DB)
	n.Envelopes = federation.NewEnvelopes(n.DB, federation.Hooks{Inbound: n.arrived, Delivered: n.delivered})
	if err := n.checkParty(ctx); err != nil {
		n.DB.Close()
		return nil, err
	}
	if err := n.openUsers(ctx); err != nil {
		n.DB.Close()
		return nil, err
	}
	n.keys = federation.NewDirectoryKeys(&directory.Snapshot{}, &federation.Identity{
		Authority: cfg.Authority,
		Signer:    n.Signing,
		Decrypt:   map[string]*ecdh.PrivateKey{keys.ID(keys.FormatEncryptionPublic(n.Encryption.PublicKey())): n.Encryption},
	})
	dk := dirKeys{n}
	n.Inbox = &federation.Inbox{Keys: dk, Store: n.Envelopes, Clock: n.Clock, Audit: auditedRejections{n}, Admit: n.admit}
	n.Client = &federation.Client{Keys: dk, AllowInsecure: opt.PlainHTTP}
	n.outboxWake = make(chan struct{}, 1)
	replica := replicaName()
	n.Outbox = &outbox.Worker{Store: n.Envelopes, Sender: n.Client, Peers: dk, Clock: n.Clock, Log: n.Log, Policy: outbox.DefaultPolicy, Replica: replica}
	n.Leader = &leader.Elector{DB: n.DB, Log: n.Log, Replica: replica}
	n.Cases = &cases.Service{DB: n.DB, Send: n.Send, Directory: n.Directory, Clock: n.Clock, Log: n.Log,
		Party: cfg.Party, Authority: cfg.Authority}
	n.applyRules() // rules.go
	if n.Audit, err = auditlog.New(n.DB, cfg.Authority, n.Signing, n.Clock); err != nil {
		n.DB.Close()
		return nil, err
	}
	n.Audit.Logger = n.Log
	if n.Witness, err = witness.New(n.DB, cfg.Authority, n.Signing, n.peerSigningKey, n.Clock, n.Log); err != nil {
		n.DB.Close()
		return nil, err
	}
	n.Client.Exchange = n.Witness
	n.Metrics = prometheus.NewRegistry()
	n.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	n.routes()
	if opt.Listener != nil || opt.PortalListener != nil || opt.AdminListener != nil || len(opt.Inherited) > 0 {
		// Given listeners are the node's at once, so Addr answers before Run.
		if err := n.openListeners(opt); err != nil {
			n.DB.Close()
			return nil, err
		}
	}
	return n, nil
}

// checkParty records the node's party in a new database and refuses a
// database that was made for another party: pointing a node at the wrong
// database must not go unnoticed.
func (n *Node) checkParty(ctx context.Context) error {
	held, err := n.meta.Get(ctx, "party")
	switch {
	case apperr.Is(err, apperr.ENotFound):
		return n.meta.Set(ctx, "party", n.Config.Party)
	case err != nil:
		return err
	case held != n.Config.Party:
		return apperr.Errorf(apperr.EConflict, "database %s belongs to party %s, but this node is configured for %s: check --data and database", n.Config.Database, held, n.Config.Party)
	}
	return nil
}

// routes fills the three listeners' muxes (listeners.go).
func (n *Node) routes() {
	n.adminMux, n.peerMux, n.portalMux = http.NewServeMux(), http.NewServeMux(), http.NewServeMux()
	n.adminMux.HandleFunc("GET /healthz", n.handleHealth)
	n.adminMux.HandleFunc("GET /readyz", n.handleReady)
	n.adminMux.Handle("GET /metrics", promhttp.HandlerFor(n.Metrics, promhttp.HandlerOpts{}))
	mux := n.peerMux
	mux.HandleFunc("GET /v1/directory", n.handleDirectory)
	// Every answer to a signed envelope also shows this node's latest
	// signed checkpoint to the sender, which checks it extends what it saw
	// before (the handler runs it once the signature verified).
	inbox := n.inboxHandler()
	inbox.Witness = n.Witness.Serve
	mux.Handle("POST /v1/inbox", inbox)
}

func (n *Node) handleHealth(w http.ResponseWriter, r *http.Request) {
	status, code := "ok", http.StatusOK
	if err := n.DB.PingContext(r.Context()); err != nil {
		status, code = "database unreachable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"status": status, "party": n.Config.Party, "time": n.Clock.Now().Format(time.RFC3339)})
}

// Addr returns the address of the peers' API (after Listen).
func (n *Node) Addr() string { return n.addrOf(PeersListener) }

// Listen opens the node's listening sockets (listeners.go), those the
// caller did not give.
func (n *Node) Listen() error { return n.openListeners(n.opt) }

// Run serves HTTP until ctx is cancelled, then shuts down gracefully.
func (n *Node) Run(ctx context.Context) error {
	if err := n.Listen(); err != nil {
		return err
	}
	errc, err := n.serve()
	if err != nil {
		n.closeListeners()
		return err
	}
	// Background workers stop with ctx; Run waits for them so that Close
	// never pulls the database from under a delivery in flight.
	var wg sync.WaitGroup
	defer wg.Wait()
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	wg.Go(func() { n.Outbox.Run(workCtx, OutboxInterval, n.outboxWake) })
	wg.Go(func() { n.flushRefusalsEvery(workCtx) })
	wg.Go(func() { n.Leader.Run(workCtx, n.leaderWork) })
	if n.Config.DirectoryURL != "" {
		wg.Go(func() { n.pollEvery(workCtx, http.DefaultClient, n.Config.DirectoryURL, DirectoryPollInterval) })
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.shutdown(shutdownCtx); err != nil {
		return err
	}
	n.Log.Info("node stopped", "party", n.Config.Party)
	return nil
}

// leaderWork is what runs on one replica at a time (package leader): audit
// sequencing and checkpoints, retention, and the registered workers.
func (n *Node) leaderWork(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { _ = n.Audit.Run(ctx, n.Config.AuditCheckpointInterval.Duration) })
	wg.Go(func() { n.purgeDaily(ctx) })
	for _, w := range n.workers {
		wg.Go(func() { w(ctx) })
	}
	wg.Wait()
}

// Close releases the node's database.
func (n *Node) Close() error {
	if n.DB == nil {
		return nil
	}
	return n.DB.Close()
}
