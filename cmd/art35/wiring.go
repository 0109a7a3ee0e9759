package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/BurntSushi/toml"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clockrun"
	"github.com/art35/art35/internal/metrics"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/openapi"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/watch"
	"github.com/art35/art35/internal/web"
)

// ProviderTokensFile lists, in a node's data folder, the bearer tokens of
// the country's providers allowed to use the watch API (one per provider).
const ProviderTokensFile = "provider-tokens.toml"

// services is what a running node offers besides federation: the portal,
// the clocks, ping tests, the watch relay and the providers' API. "node
// run" and the demo wire the same set.
type services struct {
	Portal *web.Server
	Ping   *ping.Service
	Watch  *watch.Service
}

// mountServices registers the node's services; call it before n.Run.
// secure says whether the node serves HTTPS (the portal's cookies).
func mountServices(n *node.Node, getenv func(string) string, secure bool) (*services, error) {
	if _, err := clockrun.Register(n, clockrun.Options{Getenv: getenv}); err != nil {
		return nil, err
	}
	s := &services{Ping: ping.Register(n)}
	if _, err := metrics.Register(n); err != nil {
		return nil, err
	}
	n.Handle(openapi.Path, openapi.Handler())
	var err error
	if s.Portal, err = web.ForNode(n, secure); err != nil {
		return nil, err
	}
	n.Handle("/", s.Portal)
	if s.Watch, err = watch.Register(n, nil); err != nil {
		return nil, err
	}
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
