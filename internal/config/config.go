// Package config is a node's configuration: defaults, then the TOML file in
// the node's data folder, then ART35_* environment variables, then command
// line flags, each layer overriding the one before. Every value is checked
// once, here, with an error that names the setting, where it came from and
// how to fix it.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/art35/art35/internal/apperr"
)

// FileName is the configuration file inside a node's data folder.
const FileName = "art35.toml"

// Config is a node's configuration.
type Config struct {
	// DataDir is the node's data folder (keys, database, config file). It
	// is where the config file is found, so it is not itself in the file.
	DataDir string `toml:"-"`
	// Party is the ISO 3166-1 alpha-2 code of the country (or the code of
	// the organisation) this node speaks for.
	Party string `toml:"party"`
	// Authority is the id of this node's authority in the directory.
	Authority string `toml:"authority"`
	// Database is a SQLite file path (relative to DataDir) or a
	// postgres:// URL.
	Database string `toml:"database"`
	// Listen is the address of the peers' API (/v1/inbox, /v1/directory,
	// the providers' /v1/watch/...): the only listener other nodes reach.
	Listen string `toml:"listen"`
	// PortalListen is the address of the officers' portal. Keep it on an
	// internal network or behind a reverse proxy (docs/operations.md).
	PortalListen string `toml:"portal_listen"`
	// AdminListen is the address of /metrics, /healthz and /readyz, on
	// loopback by default: it is for the host's monitoring, not the world.
	AdminListen string `toml:"admin_listen"`
	// PublicURL is the inbox endpoint peers reach this node at; it is what
	// the node's directory entry publishes.
	PublicURL string `toml:"public_url"`
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string `toml:"log_level"`
	LogFormat string `toml:"log_format"`
	// SecretariatKey is the pinned public key ("ed25519:...") that signs the
	// directory snapshots this node accepts.
	SecretariatKey string `toml:"secretariat_key"`
	// DirectoryURL is where the secretariat serves the signed directory.
	DirectoryURL string `toml:"directory_url"`
	// AuditCheckpointInterval is how often the node signs a checkpoint of
	// its audit log (also made on demand, e.g. for a proof bundle).
	AuditCheckpointInterval Duration `toml:"audit_checkpoint_interval"`
	// RetentionDays is how long personal data received from other parties
	// is kept after receipt before it is purged (once its case is finished).
	RetentionDays int `toml:"retention_days"`
}

// Duration is a time.Duration written as text ("1h", "15m") in TOML and
// the environment.
type Duration struct{ time.Duration }

// UnmarshalText parses a duration such as "1h30m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 1h or 15m", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Key files inside DataDir.
const (
	SigningKeyFile    = "keys/signing.key"
	EncryptionKeyFile = "keys/encryption.key"
	TLSCertFile       = "keys/tls.crt"
	TLSKeyFile        = "keys/tls.key"
	// SecretKeyFile encrypts secrets kept in the database (TOTP secrets).
	SecretKeyFile = "keys/secrets.key"
)

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		Database:     "art35.db",
		Listen:       "127.0.0.1:8435",
		PortalListen: "127.0.0.1:8436",
		AdminListen:  "127.0.0.1:8437",
		LogLevel:     "info",
		LogFormat:    "text",
		// Hourly: a peer or a court can then be shown a signed state of
		// the log that is at most an hour old.
		AuditCheckpointInterval: Duration{time.Hour},
		// Two years: long enough for the formal MLA request that follows a
		// preservation to be decided.
		RetentionDays: 730,
	}
}

// Env is the environment variable for each setting.
var Env = map[string]func(c *Config) *string{
	"ART35_PARTY":           func(c *Config) *string { return &c.Party },
	"ART35_AUTHORITY":       func(c *Config) *string { return &c.Authority },
	"ART35_DATABASE":        func(c *Config) *string { return &c.Database },
	"ART35_LISTEN":          func(c *Config) *string { return &c.Listen },
	"ART35_PORTAL_LISTEN":   func(c *Config) *string { return &c.PortalListen },
	"ART35_ADMIN_LISTEN":    func(c *Config) *string { return &c.AdminListen },
	"ART35_PUBLIC_URL":      func(c *Config) *string { return &c.PublicURL },
	"ART35_LOG_LEVEL":       func(c *Config) *string { return &c.LogLevel },
	"ART35_LOG_FORMAT":      func(c *Config) *string { return &c.LogFormat },
	"ART35_SECRETARIAT_KEY": func(c *Config) *string { return &c.SecretariatKey },
	"ART35_DIRECTORY_URL":   func(c *Config) *string { return &c.DirectoryURL },
}

// EnvDurations are the duration settings' environment variables.
var EnvDurations = map[string]func(c *Config) *Duration{
	"ART35_AUDIT_CHECKPOINT_INTERVAL": func(c *Config) *Duration { return &c.AuditCheckpointInterval },
}

// Load builds the configuration of the node in dataDir: defaults, then
// dataDir/art35.toml if it exists, then the ART35_* variables read through
// getenv. Flags are applied by the caller with Override, then Validate.
func Load(dataDir string, getenv func(string) string) (Config, error) {
	c := Defaults()
	c.DataDir = dataDir
	if dataDir == "" {
		return c, apperr.Errorf(apperr.EInvalid, "no data folder: give --data DIR or set ART35_DATA (create one with 'art35 node init')")
	}
	path := filepath.Join(dataDir, FileName)
	md, err := toml.DecodeFile(path, &c)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A node may run on defaults and environment alone.
	case err != nil:
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return c, apperr.Errorf(apperr.EInvalid, "config %s: line %d: %s", path, perr.Position.Line, perr.Message)
		}
		return c, apperr.Wrap(apperr.EInvalid, err, "config %s", path)
	default:
		if err := checkSecretFile(path, c.Database); err != nil {
			return c, err
		}
		if und := md.Undecoded(); len(und) > 0 {
			return c, apperr.Errorf(apperr.EInvalid, "config %s: unknown setting %q (known: party, authority, database, listen, portal_listen, admin_listen, public_url, log_level, log_format, secretariat_key, directory_url, audit_checkpoint_interval, retention_days)", path, und[0].String())
		}
	}
	for name, field := range Env {
		if v := getenv(name); v != "" {
			*field(&c) = v
		}
	}
	for name, field := range EnvDurations {
		if v := getenv(name); v != "" {
			if err := field(&c).UnmarshalText([]byte(v)); err != nil {
				return c, apperr.Errorf(apperr.EInvalid, "%s: %v", name, err)
			}
		}
	}
	return c, nil
}

var (
	partyRE = regexp.MustCompile(`^[A-Z]{2}$`)
	levels  = map[string]bool{"debug": true, "info": true, "warn": true, "error": true}
)

// Validate checks every setting and returns all problems at once.
func (c Config) Validate() error {
	var problems []string
	if !partyRE.MatchString(c.Party) {
		problems = append(problems, fmt.Sprintf("party %q: must be an ISO 3166-1 alpha-2 code in capitals, e.g. IT (set party in %s, ART35_PARTY or --party)", c.Party, FileName))
	}
	for _, l := range []struct{ name, addr, eg string }{
		{"listen", c.Listen, "0.0.0.0:8435"}, {"portal_listen", c.PortalListen, "127.0.0.1:8436"}, {"admin_listen", c.AdminListen, "127.0.0.1:8437"},
	} {
		if _, _, err := net.SplitHostPort(l.addr); err != nil {
			problems = append(problems, fmt.Sprintf("%s %q: must be host:port, e.g. %s", l.name, l.addr, l.eg))
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("public_url %q: must be an absolute https:// URL (http:// only for loopback tests)", c.PublicURL))
		}
	}
	if !levels[c.LogLevel] {
		problems = append(problems, fmt.Sprintf("log_level %q: must be one of debug, info, warn, error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, fmt.Sprintf("log_format %q: must be text or json", c.LogFormat))
	}
	if c.AuditCheckpointInterval.Duration < time.Minute {
		problems = append(problems, fmt.Sprintf("audit_checkpoint_interval %s: must be at least 1m (e.g. 1h)", c.AuditCheckpointInterval))
	}
	if c.RetentionDays < 1 || c.RetentionDays > 3650 {
		problems = append(problems, fmt.Sprintf("retention_days %d: must be between 1 and 3650", c.RetentionDays))
	}
	if c.Database == "" {
		problems = append(problems, "database: empty; give a SQLite file name or a postgres:// URL")
	}
	if len(problems) > 0 {
		return apperr.Errorf(apperr.EInvalid, "configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// Derived fills the settings whose defaults follow from others: the
// authority id (CC-247, the party's 24/7 point of contact) and the public
// inbox URL (https:// on the listen address, because a node serves TLS;
// a plain-HTTP test node sets public_url itself).
func (c Config) Derived() Config {
	if c.Authority == "" {
		c.Authority = c.Party + "-247"
	}
	if c.PublicURL == "" {
		c.PublicURL = "https://" + c.Listen + "/v1/inbox"
	}
	return c
}

// DatabaseDSN returns the DSN to open: a SQLite path made absolute inside
// DataDir, or the PostgreSQL URL as given.
func (c Config) DatabaseDSN() string {
	if strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://") || filepath.IsAbs(c.Database) {
		return c.Database
	}
	return filepath.Join(c.DataDir, strings.TrimPrefix(c.Database, "sqlite:"))
}

// Path returns a path inside the data folder.
func (c Config) Path(rel string) string { return filepath.Join(c.DataDir, rel) }

// Write writes c as the data folder's config file (mode 0600, because it
// may hold a PostgreSQL password), refusing to overwrite one.
func (c Config) Write() error {
	path := filepath.Join(c.DataDir, FileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return apperr.Errorf(apperr.EConflict, "%s exists already: this folder holds a node; choose another --data folder", path)
		}
		return fmt.Errorf("create config: %w", err)
	}
	fmt.Fprintf(f, "# art35 node configuration. Environment variables ART35_* and flags override it.\n")
	if err := toml.NewEncoder(f).Encode(c); err != nil {
		f.Close()
		return fmt.Errorf("write config: %w", err)
	}
	return f.Close()
}

// checkSecretFile refuses a config file that holds a database password
// (in a postgres:// URL) while its group or others may read it.
func checkSecretFile(path, database string) error {
	u, err := url.Parse(database)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.User == nil {
		if !strings.Contains(database, "password=") {
			return nil
		}
	} else if _, has := u.User.Password(); !has && !strings.Contains(u.RawQuery, "password=") {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("stat config: %w", err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return apperr.Errorf(apperr.EInvalid, "config %s holds a database password and has mode %04o: group or others may read it (fix: chmod 600 %s, or give the password in ART35_DATABASE instead)", path, perm, path)
	}
	return nil
}
