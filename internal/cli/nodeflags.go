package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/node"
)

// NodeFlags are the configuration flags the node subcommands share; what
// they set wins over $ART35_* and the data folder's art35.toml.
type NodeFlags config.Flags

// Bind defines the node's configuration flags on fs.
func (f *NodeFlags) Bind(fs *flag.FlagSet) {
	fs.StringVar(&f.Data, "data", "", "the node's data folder (or ART35_DATA)")
	fs.StringVar(&f.Party, "party", "", "ISO 3166-1 alpha-2 code of the party this node speaks for")
	fs.StringVar(&f.Authority, "authority", "", "the node's authority id in the directory (default CC-247)")
	fs.StringVar(&f.Database, "database", "", "SQLite file (inside the data folder) or postgres:// URL")
	fs.StringVar(&f.Listen, "listen", "", "address of the peers' API, /v1/... (default 127.0.0.1:8435)")
	fs.StringVar(&f.PortalListen, "portal-listen", "", "address of the officers' portal (default 127.0.0.1:8436)")
	fs.StringVar(&f.AdminListen, "admin-listen", "", "address of /metrics, /healthz, /readyz (default 127.0.0.1:8437, loopback)")
	fs.StringVar(&f.PublicURL, "public-url", "", "inbox URL peers reach this node at")
	fs.StringVar(&f.LogLevel, "log-level", "", "debug, info, warn or error")
	fs.StringVar(&f.LogFormat, "log-format", "", "text or json")
}

// Config loads the layered configuration and applies the flags that
// were set.
func (f *NodeFlags) Config(getenv func(string) string) (config.Config, error) {
	return config.LoadFlags(config.Flags(*f), getenv)
}

// OnNode parses the node's configuration flags and those extra adds for
// the subcommand sub of h, opens the node (keys, database) without
// serving, checks that the command line holds want positional arguments
// (any number when want < 0; usage says what to give otherwise), runs f
// and closes the node.
func (e *Env) OnNode(ctx context.Context, h *Help, sub string, args []string, want int, usage string, extra func(*flag.FlagSet), f func(n *node.Node, pos []string) error) error {
	fs := e.FlagSet(h, sub)
	var nf NodeFlags
	nf.Bind(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := ParseFlags(fs, args)
	if err != nil {
		return err
	}
	cfg, err := nf.Config(e.Getenv)
	if err != nil {
		return err
	}
	n, err := node.New(ctx, cfg, node.Options{Clock: e.Clock, Logger: cfg.Logger(e.Stderr)})
	if err != nil {
		return err
	}
	defer n.Close()
	if want >= 0 && len(pos) != want {
		return Usagef("%s", usage)
	}
	return f(n, pos)
}

// PrintNodeInit says what "node init" created in the folder of c (its
// configuration, derived) and where the node will serve, for a person;
// entry goes to the secretariat.
func PrintNodeInit(w io.Writer, c config.Config, entry node.PublicEntry) {
	c = c.Derived()
	fmt.Fprintf(w, "created node %s for party %s in %s\n", entry.Authority, entry.Party, c.DataDir)
	fmt.Fprintf(w, "it will serve (TLS unless --insecure-plain-http):\n  peers' API  %s  (publish: %s)\n  portal      https://%s/\n  admin       http://%s/metrics, /healthz, /readyz\n",
		c.Listen, entry.Endpoint, c.PortalListen, c.AdminListen)
	fmt.Fprintf(w, "send this public entry to the network's secretariat:\n")
}

// OnAudit parses the flags of the audit subcommand sub (--data and those
// extra adds), checks that it has want positional arguments (usage says
// what to give; with want 0 it is a hint after "takes no arguments"),
// opens the audit log of the node in --data (or $ART35_DATA), runs f and
// closes the log.
func (e *Env) OnAudit(ctx context.Context, h *Help, sub string, args []string, want int, usage string, extra func(*flag.FlagSet), f func(a *app.Audit, pos []string) error) error {
	fs := e.FlagSet(h, sub)
	var data DataDir
	data.Bind(fs, "the node's data folder (or ART35_DATA)")
	if extra != nil {
		extra(fs)
	}
	pos, err := ParseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != want {
		if want == 0 {
			return Usagef("%s takes no arguments, got %q%s", sub, pos, usage)
		}
		return Usagef("%s", usage)
	}
	dir, err := data.Require(e.Getenv, "--data DIR is required: the node's data folder (or set ART35_DATA)")
	if err != nil {
		return err
	}
	a, err := app.OpenAudit(ctx, dir, e.Getenv, e.Clock)
	if err != nil {
		return err
	}
	defer a.Close()
	return f(a, pos)
}
