package node

import (
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"errors"
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
	"github.com/art35/art35/internal/outbox"
	"github.com/art35/art35/internal/store"
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
	// (tests pass a 127.0.0.1:0 listener to learn the port first).
	Listener net.Listener
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

	listener net.Listener
	server   *http.Server
	plain    bool
	dir      directoryCache

	// Federation: the inbox that checks what peers send, the client that
	// delivers to them, and the outbox worker.
	Inbox      *federation.Inbox
	Client     *federation.Client
	Outbox     *outbox.Worker
	outboxWake chan struct{}
	keys       *federation.DirectoryKeys

	// Cases is the node's casework: requests sent and received.
	Cases *cases.Service
	// Audit is the node's tamper-evident log (checkpoints signed on a ticker).
	Audit *auditlog.Log
	// Witness checks the peers' logs with every exchange and keeps their
	// cosignatures of ours.
	Witness *witness.Witness

	mux      *http.ServeMux
	arrivals map[envelope.Kind]ArrivalHandler
	workers  []func(ctx context.Context)
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

// Handle registers an extra HTTP handler on the node's server (the
// portal, a provider API). Call it before Run. Patterns follow
// http.ServeMux ("GET /inbox", "/static/").
func (n *Node) Handle(pattern string, h http.Handler) { n.mux.Handle(pattern, h) }

// Go registers a background worker that Run starts and stops with the
// node (a clock runner, a ping campaign). Call it before Run.
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
	n := &Node{Config: cfg, Clock: opt.Clock, Log: opt.Logger, plain: opt.PlainHTTP, listener: opt.Listener}
	if n.Clock == nil {
		n.Clock = clock.System{}
	}
	if n.Log == nil {
		n.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
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
	n.keys = federation.NewDirectoryKeys(&directory.Snapshot{}, &federation.Identity{
		Authority: cfg.Authority,
		Signer:    n.Signing,
		Decrypt:   map[string]*ecdh.PrivateKey{keys.ID(keys.FormatEncryptionPublic(n.Encryption.PublicKey())): n.Encryption},
	})
	dk := dirKeys{n}
	n.Inbox = &federation.Inbox{Keys: dk, Store: n.Envelopes, Clock: n.Clock, Audit: auditedRejections{n}, Admit: n.admit}
	n.Client = &federation.Client{Keys: dk, AllowInsecure: opt.PlainHTTP}
	n.outboxWake = make(chan struct{}, 1)
	n.Outbox = &outbox.Worker{Store: n.Envelopes, Sender: n.Client, Peers: dk, Clock: n.Clock, Log: n.Log, Policy: outbox.DefaultPolicy}
	n.Cases = &cases.Service{DB: n.DB, Send: n.Send, Directory: n.Directory, Clock: n.Clock, Log: n.Log,
		Party: cfg.Party, Authority: cfg.Authority}
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
	n.mux = n.routes()
	n.server = &http.Server{
		Handler:           n.mux,
		ReadHeaderTimeout: 10 * time.Second,
		// A slow or stalled sender must not hold inbox connections open:
		// an envelope is at most a few megabytes.
		ReadTimeout:  2 * time.Minute,
		WriteTimeout: 2 * time.Minute,
		IdleTimeout:  5 * time.Minute,
		ErrorLog:     slog.NewLogLogger(n.Log.Handler(), slog.LevelWarn),
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

func (n *Node) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", n.handleHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.Metrics, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /v1/directory", n.handleDirectory)
	inbox := &federation.Handler{Inbox: n.Inbox, Log: n.Log}
	mux.HandleFunc("POST /v1/inbox", func(w http.ResponseWriter, r *http.Request) {
		// Every answer also shows this node's latest signed checkpoint to
		// the sender, which checks it extends what it saw before.
		n.Witness.Serve(r, w.Header())
		inbox.ServeHTTP(w, r)
	})
	return mux
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

// Addr returns the address the node listens on (after Listen).
func (n *Node) Addr() string {
	if n.listener == nil {
		return ""
	}
	return n.listener.Addr().String()
}

// Listen opens the node's listening socket, if the caller did not give one.
func (n *Node) Listen() error {
	if n.listener != nil {
		return nil
	}
	l, err := net.Listen("tcp", n.Config.Listen)
	if err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "listen on %s (change listen in the config, ART35_LISTEN or --listen)", n.Config.Listen)
	}
	n.listener = l
	return nil
}

// Run serves HTTP until ctx is cancelled, then shuts down gracefully.
func (n *Node) Run(ctx context.Context) error {
	if err := n.Listen(); err != nil {
		return err
	}
	l := n.listener
	if !n.plain {
		cert, err := tls.LoadX509KeyPair(n.Config.Path(config.TLSCertFile), n.Config.Path(config.TLSKeyFile))
		if err != nil {
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
	}
	n.Log.Info("node listening", "party", n.Config.Party, "addr", n.listener.Addr().String(), "tls", !n.plain, "database", n.DB.Backend())
	errc := make(chan error, 1)
	go func() { errc <- n.server.Serve(l) }()
	// Background workers stop with ctx; Run waits for them so that Close
	// never pulls the database from under a delivery in flight.
	var wg sync.WaitGroup
	defer wg.Wait()
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	wg.Go(func() { n.Outbox.Run(workCtx, OutboxInterval, n.outboxWake) })
	wg.Go(func() { _ = n.Audit.Run(workCtx, n.Config.AuditCheckpointInterval.Duration) })
	wg.Go(func() { n.purgeDaily(workCtx) })
	for _, w := range n.workers {
		wg.Go(func() { w(workCtx) })
	}
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
	if err := n.server.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	n.Log.Info("node stopped", "party", n.Config.Party)
	return nil
}

// Close releases the node's database.
func (n *Node) Close() error {
	if n.DB == nil {
		return nil
	}
	return n.DB.Close()
}
