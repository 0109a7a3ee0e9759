package app

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clockrun"
	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/metrics"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/openapi"
	"github.com/art35/art35/internal/outbox"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/watch"
	"github.com/art35/art35/internal/web"
)

// ProviderTokensFile lists, in a node's data folder, the bearer tokens of
// the country's providers allowed to use the watch API (one per provider).
const ProviderTokensFile = "provider-tokens.toml"

// Services is what a running node offers besides federation: the
// portal, the clocks, ping tests, the watch relay and the providers' API.
type Services struct {
	Portal *web.Server
	Clocks *clockrun.Runner
	Ping   *ping.Service
	Watch  *watch.Service
	// Exercise follows the exercises the node takes part in (exercise.go).
	Exercise *exercise.Service
}

// Options are the choices of how services are mounted.
type Options struct {
	// Getenv reads the environment (notify.toml's secrets); nil means os.Getenv.
	Getenv func(string) string
	// Secure says whether the node serves HTTPS (the portal's cookies).
	Secure bool
	// IPDB attributes addresses for the watch relay; nil means the node's
	// own IP data (DATA/ipdb over the embedded default).
	IPDB *ipdb.DB
	// Clocks are the clock runner's options (Getenv is taken from above
	// when they name none).
	Clocks clockrun.Options
	// Secretariat is the secretariat's signing key, on the secretariat's
	// node only (it opens, closes and plays exercises).
	Secretariat ed25519.PrivateKey
}

// Mount registers the node's services on it; call it before n.Run.
func Mount(n *node.Node, opt Options) (*Services, error) {
	if opt.Clocks.Getenv == nil {
		opt.Clocks.Getenv = opt.Getenv
	}
	s := &Services{Ping: RegisterPing(n), Exercise: RegisterExercise(n, opt.Secretariat)}
	if _, err := RegisterMetrics(n); err != nil {
		return nil, err
	}
	n.Handle(openapi.Path, openapi.Handler())
	var err error
	if s.Clocks, err = RegisterClocks(n, opt.Clocks); err != nil {
		return nil, err
	}
	s.Clocks.Exercise = s.Exercise
	if s.Watch, err = RegisterWatch(n, opt.IPDB); err != nil {
		return nil, err
	}
	if s.Portal, err = portal(n, opt.Secure, s.Watch); err != nil {
		return nil, err
	}
	n.Handle("/", s.Portal)
	tokens, err := providerTokens(n.Config.Path(ProviderTokensFile))
	if err != nil {
		return nil, err
	}
	if len(tokens) > 0 {
		api, err := watch.NewProviderAPI(s.Watch, tokens)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ProviderTokensFile, err)
		}
		api.Mount(n)
	}
	return s, nil
}

// Ping returns the ping service of a node, not yet registered on it
// (commands use it to start campaigns and answer challenges).
func Ping(n *node.Node) *ping.Service {
	return &ping.Service{DB: n.DB, Clock: n.Clock, Send: n.Send, SendBatch: pingBatch(n), Directory: n.Directory, Delivered: n.Envelopes.DeliveredSince,
		Party: n.Config.Party, Authority: n.Config.Authority, Log: n.Log, Drills: Exercise(n, nil).PingMessages}
}

// pingBatch queues a campaign's challenges in one transaction (node.SendMany).
func pingBatch(n *node.Node) ping.BatchSender {
	return func(ctx context.Context, msgs []ping.Message, change func(tx *sql.Tx) error) error {
		out := make([]node.Outgoing, len(msgs))
		for i, m := range msgs {
			out[i] = node.Outgoing{Header: m.Header, Body: m.Body}
		}
		_, err := n.SendMany(ctx, out, change)
		return err
	}
}

// Watch returns the watch service of a node, attributing with db, or with
// the node's own IP data (the layers imported into DATA/ipdb over the
// embedded default) when db is nil. It is not yet registered on the node.
func Watch(n *node.Node, db *ipdb.DB) (*watch.Service, error) {
	if db == nil {
		var err error
		if db, err = ipdb.Open(filepath.Join(n.Config.DataDir, "ipdb")); err != nil {
			return nil, err
		}
	}
	return &watch.Service{DB: n.DB, Clock: n.Clock, Log: n.Log, Party: n.Config.Party, Authority: n.Config.Authority,
		Send: n.Send, Directory: n.Directory, Cases: n.Cases, IPDB: db}, nil
}

// Clocks returns the clock runner of a node, not yet registered as a
// worker (n.Go(r.Run) does).
func Clocks(n *node.Node, opt clockrun.Options) (*clockrun.Runner, error) {
	return clockrun.New(clockrun.Host{Cases: n.Cases, DB: n.DB, Directory: n.Directory, Clock: n.Clock, Log: n.Log,
		Authority: n.Config.Authority, DataDir: n.Config.DataDir, Signing: n.Signing}, opt)
}

// Portal returns the web portal of a node; mount it with n.Handle("/", ...).
// secure says whether the node serves HTTPS (the portal's cookies).
func Portal(n *node.Node, secure bool) (*web.Server, error) {
	return portal(n, secure, nil)
}

// portal is Portal with the node's watch relay, whose events the
// watches pages show (nil: no watches pages).
func portal(n *node.Node, secure bool, w *watch.Service) (*web.Server, error) {
	d := web.Deps{Party: n.Config.Party, Authority: n.Config.Authority, Cases: n.Cases, Users: n.Users, Directory: n.Directory,
		Clock: n.Clock, Log: n.Log, Secure: secure, IPData: n.Config.Path("ipdb"), Pings: Ping(n),
		Roster: &notify.Roster{DB: n.DB, Clock: n.Clock}, Exercise: ExerciseBanner(Exercise(n, nil))}
	if w != nil {
		d.Watches = w
	}
	return web.New(d)
}

// providerTokens reads DATA/provider-tokens.toml ([tokens] name = "token"),
// refusing a file others can read: a token lets its holder push events.
func providerTokens(path string) (map[string]string, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, apperr.Errorf(apperr.EInvalid, "%s has mode %04o: provider tokens must be readable by the node only (fix: chmod 600 %s)", path, st.Mode().Perm(), path)
	}
	var f struct {
		Tokens map[string]string `toml:"tokens"`
	}
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "%s", path)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, apperr.Errorf(apperr.EInvalid, "%s: unknown setting %q (the file has one table, [tokens], of provider = \"token\")", path, und[0].String())
	}
	return f.Tokens, nil
}

// RegisterPing returns the ping service of n, registered on it.
func RegisterPing(n *node.Node) *ping.Service { return Ping(n).Register(n) }

// RegisterWatch returns the watch service of n (see Watch for db),
// registered on it.
func RegisterWatch(n *node.Node, db *ipdb.DB) (*watch.Service, error) {
	s, err := Watch(n, db)
	if err != nil {
		return nil, err
	}
	return s.Register(n), nil
}

// RegisterClocks returns the clock runner of n, registered as one of its
// workers.
func RegisterClocks(n *node.Node, opt clockrun.Options) (*clockrun.Runner, error) {
	r, err := Clocks(n, opt)
	if err != nil {
		return nil, err
	}
	n.Go(r.Run)
	return r, nil
}

// RegisterMetrics adds the node's operational metrics to its registry and
// wires the outbox's emergency alert to a counter (the outbox logs each
// alert itself). Call it before the node runs.
func RegisterMetrics(n *node.Node) (*metrics.Collector, error) {
	c := metrics.New(metrics.Sources{DB: n.DB, Clock: n.Clock, Log: n.Log, Outbox: n.Outbox.Health, Cases: n.Cases.List, Directory: n.Directory})
	prev := n.Outbox.OnAlert
	n.Outbox.OnAlert = func(a outbox.Alert) {
		c.Alert(a)
		if prev != nil {
			prev(a)
		}
	}
	return c, n.Metrics.Register(c)
}
