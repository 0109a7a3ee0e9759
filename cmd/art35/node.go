package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/node"
)

var nodeCmd = &command{
	name:  "node",
	short: "create and run a node of the network",
	usage: "node <init|run> [flags]",
	long: `A node is one authority's installation: its keys, its database and its HTTP
endpoint. "node init" creates a data folder and prints the public entry to send
to the network's secretariat; "node run" serves it.

Configuration comes from defaults, then DIR/art35.toml, then ART35_*
environment variables (ART35_DATA, ART35_PARTY, ART35_DATABASE, ART35_LISTEN,
ART35_PORTAL_LISTEN, ART35_ADMIN_LISTEN, ART35_PUBLIC_URL, ART35_LOG_LEVEL, ART35_LOG_FORMAT, ART35_SECRETARIAT_KEY,
ART35_DIRECTORY_URL), then flags.

Examples:
	art35 node init --party IT --data ./it-node
	art35 node run --data ./it-node
	art35 node status --data ./it-node --json
	art35 node accept-directory --data ./it-node directory-42.json`,
}

func runNode(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, nodeCmd, []subcommand{
		{"init", "create a node's data folder, keys and config; print its public entry", runNodeInit},
		{"run", "run the node until interrupted", runNodeRun},
		{"status", "show the node's party, database, directory serial and queues", runNodeStatus},
		{"accept-directory", "verify a signed directory snapshot file and make it the node's directory", runNodeAcceptDirectory},
		{"pull-directory", "fetch the signed directory from directory_url now", runNodePullDirectory},
	}, args)
}

// nodeFlags are the configuration flags shared by the node subcommands.
type nodeFlags struct {
	data, party, authority, database, listen, portalListen, adminListen, publicURL, logLevel, logFormat string
}

func (f *nodeFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "", "the node's data folder (or ART35_DATA)")
	fs.StringVar(&f.party, "party", "", "ISO 3166-1 alpha-2 code of the party this node speaks for")
	fs.StringVar(&f.authority, "authority", "", "the node's authority id in the directory (default CC-247)")
	fs.StringVar(&f.database, "database", "", "SQLite file (inside the data folder) or postgres:// URL")
	fs.StringVar(&f.listen, "listen", "", "address of the peers' API, /v1/... (default 127.0.0.1:8435)")
	fs.StringVar(&f.portalListen, "portal-listen", "", "address of the officers' portal (default 127.0.0.1:8436)")
	fs.StringVar(&f.adminListen, "admin-listen", "", "address of /metrics, /healthz, /readyz (default 127.0.0.1:8437, loopback)")
	fs.StringVar(&f.publicURL, "public-url", "", "inbox URL peers reach this node at")
	fs.StringVar(&f.logLevel, "log-level", "", "debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "", "text or json")
}

// config loads the layered configuration and applies the flags that were set.
func (f *nodeFlags) config(e *env) (config.Config, error) {
	data := f.data
	if data == "" {
		data = e.getenv("ART35_DATA")
	}
	c, err := config.Load(data, e.getenv)
	if err != nil {
		return c, err
	}
	for _, o := range []struct {
		flag string
		dst  *string
	}{
		{f.party, &c.Party}, {f.authority, &c.Authority}, {f.database, &c.Database}, {f.listen, &c.Listen}, {f.portalListen, &c.PortalListen}, {f.adminListen, &c.AdminListen},
		{f.publicURL, &c.PublicURL}, {f.logLevel, &c.LogLevel}, {f.logFormat, &c.LogFormat},
	} {
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	return c, nil
}

func runNodeInit(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, nodeCmd, "init")
	var f nodeFlags
	f.bind(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.data == "" && e.getenv("ART35_DATA") == "" {
		return usagef("--data DIR is required: the folder to create the node in")
	}
	c, err := f.config(e)
	if err != nil {
		return err
	}
	entry, err := node.Init(c, e.clock.Now())
	if err != nil {
		return err
	}
	c = c.Derived()
	fmt.Fprintf(e.stderr, "created node %s for party %s in %s\n", entry.Authority, entry.Party, c.DataDir)
	fmt.Fprintf(e.stderr, "it will serve (TLS unless --insecure-plain-http):\n  peers' API  %s  (publish: %s)\n  portal      https://%s/\n  admin       http://%s/metrics, /healthz, /readyz\n",
		c.Listen, entry.Endpoint, c.PortalListen, c.AdminListen)
	fmt.Fprintf(e.stderr, "send this public entry to the network's secretariat:\n")
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(entry)
}

func runNodeRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, nodeCmd, "run")
	var f nodeFlags
	f.bind(fs)
	plain := fs.Bool("insecure-plain-http", false, "serve plain HTTP instead of TLS (loopback tests and demos only)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := f.config(e)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	m := &app.Main{Config: c, Node: node.Options{Clock: e.clock, Logger: newLogger(e, c), PlainHTTP: *plain},
		Services: app.Options{Getenv: e.getenv, Secure: !*plain}}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

func newLogger(e *env, c config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// openNode loads the configuration and opens the node (keys, database)
// without serving, for the administrative subcommands.
func openNode(ctx context.Context, e *env, c *command, sub string, args []string, extra func(*flag.FlagSet)) (*node.Node, []string, error) {
	fs := newFlagSet(e, c, sub)
	var f nodeFlags
	f.bind(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := f.config(e)
	if err != nil {
		return nil, nil, err
	}
	n, err := node.New(ctx, cfg, node.Options{Clock: e.clock, Logger: newLogger(e, cfg)})
	if err != nil {
		return nil, nil, err
	}
	return n, pos, nil
}

// nodeStatus is what "node status --json" prints.
type nodeStatus struct {
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

func runNodeStatus(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	n, _, err := openNode(ctx, e, nodeCmd, "status", args, func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") })
	if err != nil {
		return err
	}
	defer n.Close()
	d, err := n.Directory(ctx)
	if err != nil {
		return err
	}
	st := nodeStatus{
		Party: n.Config.Party, Authority: n.Config.Authority, Database: n.DB.Backend(),
		DirectorySerial: d.Serial, DirectorySource: d.Source, DirectoryParties: len(d.Parties),
		SecretariatPinned: n.Config.SecretariatKey != "",
	}
	out, err := n.Envelopes.Outbox(ctx)
	if err != nil {
		return err
	}
	st.OutboxWaiting = len(out)
	if st.InboundStored, err = n.Envelopes.CountInbound(ctx); err != nil {
		return err
	}
	if st.RejectionsByCode, err = n.Envelopes.RejectionCounts(ctx); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	serial := fmt.Sprintf("serial %d", st.DirectorySerial)
	if st.DirectorySerial == 0 {
		serial = "the starter snapshot shipped in the binary (no signed snapshot accepted yet)"
	}
	fmt.Fprintf(e.stdout, "party       %s (authority %s)\ndatabase    %s\ndirectory   %s, %d parties\noutbox      %d waiting\ninbox       %d stored\n",
		st.Party, st.Authority, st.Database, serial, st.DirectoryParties, st.OutboxWaiting, st.InboundStored)
	for code, k := range st.RejectionsByCode {
		fmt.Fprintf(e.stdout, "refused     %d %s\n", k, code)
	}
	if !st.SecretariatPinned {
		fmt.Fprintln(e.stdout, "warning     no secretariat key pinned: signed directories cannot be accepted (set secretariat_key)")
	}
	return nil
}

func runNodeAcceptDirectory(ctx context.Context, e *env, args []string) error {
	n, pos, err := openNode(ctx, e, nodeCmd, "accept-directory", args, nil)
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("accept-directory takes one signed snapshot FILE")
	}
	data, err := readArg(e, pos[0], node.MaxSnapshotSize)
	if err != nil {
		return err
	}
	signed, err := n.AcceptSnapshot(ctx, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "accepted directory snapshot serial %d (%d parties, valid until %s)\n",
		signed.Serial(), len(signed.Snapshot.Parties), signed.Snapshot.ValidUntil.Format(time.RFC3339))
	return nil
}

func runNodePullDirectory(ctx context.Context, e *env, args []string) error {
	n, _, err := openNode(ctx, e, nodeCmd, "pull-directory", args, nil)
	if err != nil {
		return err
	}
	defer n.Close()
	if n.Config.DirectoryURL == "" {
		return usagef("no directory_url configured (set directory_url in art35.toml or ART35_DIRECTORY_URL)")
	}
	res, err := n.PollDirectory(ctx, &http.Client{Timeout: 30 * time.Second}, n.Config.DirectoryURL)
	if err != nil {
		return err
	}
	if res.Changed {
		fmt.Fprintf(e.stdout, "accepted directory snapshot serial %d\n", res.Serial)
	} else {
		fmt.Fprintf(e.stdout, "directory unchanged (serial %d)\n", res.Serial)
	}
	return nil
}
