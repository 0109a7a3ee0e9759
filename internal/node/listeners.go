package node

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/httperr"
)

// A node serves three listeners (docs/protocol.md, "Listeners"):
//
//   - peers: the API other nodes and providers reach, every path under
//     /v1/ (inbox, directory, the providers' watch API);
//   - portal: the officers' web portal, every other path;
//   - admin: /metrics, /healthz and /readyz for the host's monitoring,
//     on loopback by default.
//
// Keeping them apart means the address published to the world answers
// nothing but the protocol, a flood of the inbox does not queue behind
// sign-ins, and metrics are not on a public address. Two listeners whose
// configured addresses are equal are served as one. A test that injects
// one listener (Options.Listener) and no other gets all three on it.

// Listener names, in logs and errors.
const (
	PeersListener  = "peers"
	PortalListener = "portal"
	AdminListener  = "admin"
)

// served is one open listener and the routes it answers.
type served struct {
	names   []string // which of peers, portal, admin it serves
	l       net.Listener
	tls     bool
	handler http.Handler
	server  *http.Server
}

// adminPaths are served by the admin listener.
var adminPaths = map[string]bool{"/metrics": true, "/healthz": true, "/readyz": true}

// isPeerPattern reports whether a ServeMux pattern ("GET /v1/inbox",
// "/v1/watch/") belongs to the peers' API.
func isPeerPattern(pattern string) bool {
	_, path, ok := strings.Cut(pattern, " ")
	if !ok {
		path = pattern
	}
	return strings.HasPrefix(path, "/v1/")
}

// route sends a request to the mux of the listener its path belongs to,
// for a listener that serves more than one of them.
func (n *Node) route(names []string) http.Handler {
	has := map[string]bool{}
	for _, nm := range names {
		has[nm] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/"):
			if has[PeersListener] {
				n.peerMux.ServeHTTP(w, r)
				return
			}
		case adminPaths[r.URL.Path]:
			if has[AdminListener] {
				n.adminMux.ServeHTTP(w, r)
				return
			}
		default:
			if has[PortalListener] {
				n.portalMux.ServeHTTP(w, r)
				return
			}
		}
		http.NotFound(w, r)
	})
}

// hsts tells browsers and clients to use HTTPS only, for a year: sent on
// the TLS listeners only (RFC 6797 ignores it over plain HTTP anyway).
func hsts(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		h.ServeHTTP(w, r)
	})
}

// openListeners opens the node's listeners from the options or the
// configuration, merging those that share an address.
func (n *Node) openListeners(opt Options) error {
	if len(n.served) > 0 {
		return nil
	}
	if opt.Listener != nil && opt.PortalListener == nil && opt.AdminListener == nil {
		n.served = []*served{{names: []string{PeersListener, PortalListener, AdminListener}, l: opt.Listener, tls: !n.plain}}
		return nil
	}
	given := map[string]net.Listener{PeersListener: opt.Listener, PortalListener: opt.PortalListener, AdminListener: opt.AdminListener}
	addrs := []struct{ name, addr, key string }{
		{PeersListener, n.Config.Listen, "listen"},
		{PortalListener, n.Config.PortalListen, "portal_listen"},
		{AdminListener, n.Config.AdminListen, "admin_listen"},
	}
	byAddr := map[string]*served{}
	// Inherited sockets first, so that a listener configured on the same
	// address as one of them is served on it instead of binding again.
	for _, a := range addrs {
		if l := opt.Inherited[a.name]; l != nil {
			s := &served{names: []string{a.name}, l: l}
			if !strings.HasSuffix(a.addr, ":0") && byAddr[a.addr] == nil {
				byAddr[a.addr] = s
			}
			n.served = append(n.served, s)
		}
	}
	for _, a := range addrs {
		if opt.Inherited[a.name] != nil {
			continue
		}
		if l := given[a.name]; l != nil {
			n.served = append(n.served, &served{names: []string{a.name}, l: l})
			continue
		}
		if s, ok := byAddr[a.addr]; ok && !strings.HasSuffix(a.addr, ":0") {
			s.names = append(s.names, a.name)
			continue
		}
		l, err := net.Listen("tcp", a.addr)
		if err != nil {
			n.closeListeners()
			env := "ART35_" + strings.ToUpper(a.key)
			return apperr.Wrap(apperr.EInvalid, err, "%s listener on %s (change %s in the config, %s or --%s)", a.name, a.addr, a.key, env, strings.ReplaceAll(a.key, "_", "-"))
		}
		s := &served{names: []string{a.name}, l: l}
		byAddr[a.addr] = s
		n.served = append(n.served, s)
	}
	for _, s := range n.served {
		// The admin listener alone is plain HTTP: it is for the host's
		// monitoring on loopback.
		s.tls = !n.plain && !(len(s.names) == 1 && s.names[0] == AdminListener)
	}
	return nil
}

func (n *Node) closeListeners() {
	for _, s := range n.served {
		s.l.Close()
	}
	n.served = nil
}

// addrOf returns the address of the listener that serves name.
func (n *Node) addrOf(name string) string {
	for _, s := range n.served {
		for _, nm := range s.names {
			if nm == name {
				return s.l.Addr().String()
			}
		}
	}
	return ""
}

// PortalAddr returns the address the portal is served on (after Listen).
func (n *Node) PortalAddr() string { return n.addrOf(PortalListener) }

// AdminAddr returns the address of /metrics, /healthz and /readyz.
func (n *Node) AdminAddr() string { return n.addrOf(AdminListener) }

// serve starts an http.Server on each listener and returns a channel
// that receives the first error of any of them.
func (n *Node) serve() (<-chan error, error) {
	var cert tls.Certificate
	for _, s := range n.served {
		if s.tls && len(cert.Certificate) == 0 {
			var err error
			if cert, err = tls.LoadX509KeyPair(n.Config.Path(config.TLSCertFile), n.Config.Path(config.TLSKeyFile)); err != nil {
				return nil, fmt.Errorf("load TLS certificate: %w", err)
			}
		}
	}
	errc := make(chan error, len(n.served))
	for _, s := range n.served {
		var h http.Handler
		if len(s.names) == 1 {
			switch s.names[0] {
			case PeersListener:
				h = n.peerMux
			case PortalListener:
				h = n.portalMux
			default:
				h = n.adminMux
			}
		} else {
			h = n.route(s.names)
		}
		if s.tls {
			h = hsts(h)
		}
		s.handler = httperr.WithRequestID(h)
		s.server = &http.Server{
			Handler:           s.handler,
			ReadHeaderTimeout: 10 * time.Second,
			// A slow or stalled sender must not hold connections open: an
			// envelope is at most a few megabytes.
			ReadTimeout:  2 * time.Minute,
			WriteTimeout: 2 * time.Minute,
			IdleTimeout:  5 * time.Minute,
			// Headers are small here; the default 1 MB is a gift to a flood.
			MaxHeaderBytes: 64 << 10,
			ErrorLog:       slog.NewLogLogger(n.Log.Handler(), slog.LevelWarn),
		}
		l := s.l
		if s.tls {
			l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
		}
		n.Log.Info("node listening", "party", n.Config.Party, "serves", strings.Join(s.names, "+"), "addr", s.l.Addr().String(), "tls", s.tls)
		go func() {
			if err := s.server.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s listener: %w", strings.Join(s.names, "+"), err)
			}
		}()
	}
	return errc, nil
}

// shutdown stops every server gracefully.
func (n *Node) shutdown(ctx context.Context) error {
	var errs []error
	for _, s := range n.served {
		if s.server == nil {
			s.l.Close()
			continue
		}
		if err := s.server.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// handleReady answers 200 when the node can do its work: its database
// answers and it holds a directory from the secretariat (without one it
// knows no peer). A load balancer sends traffic only to a ready node.
func (n *Node) handleReady(w http.ResponseWriter, r *http.Request) {
	status, code := "ready", http.StatusOK
	serial, err := n.snapshots.LatestSerial(r.Context())
	switch {
	case err != nil:
		status, code = "database unreachable", http.StatusServiceUnavailable
	case serial == 0:
		status, code = "no directory accepted yet", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "party": n.Config.Party, "directory_serial": serial})
}
