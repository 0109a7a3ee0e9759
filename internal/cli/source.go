package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/keys"
)

// DirSource is the --snapshot/--pubkey pair of the commands that read the
// directory: the shipped starter snapshot, or a signed file checked
// against the secretariat's pinned key.
type DirSource struct{ Snapshot, Pubkey string }

// Bind defines --snapshot and --pubkey on fs.
func (s *DirSource) Bind(fs *flag.FlagSet) {
	fs.StringVar(&s.Snapshot, "snapshot", "", "signed snapshot file to read instead of the shipped one")
	fs.StringVar(&s.Pubkey, "pubkey", "", "the secretariat's public key (ed25519:...) to verify --snapshot (or ART35_SECRETARIAT_KEY)")
}

// Load returns the shipped starter snapshot, or the signed file after
// verifying it against the pinned key at now, and where it came from.
func (s *DirSource) Load(getenv func(string) string, now time.Time) (*directory.Snapshot, string, error) {
	if s.Snapshot == "" {
		return directory.LoadStarter()
	}
	pub, err := PinnedKey(getenv, s.Pubkey)
	if err != nil {
		return nil, "", err
	}
	return directory.LoadSigned(s.Snapshot, pub, now)
}

// PinnedKey is the secretariat's public key: the --pubkey flag's value,
// else $ART35_SECRETARIAT_KEY; a usage error when neither is given.
func PinnedKey(getenv func(string) string, flagValue string) ([]byte, error) {
	k := flagValue
	if k == "" {
		k = getenv("ART35_SECRETARIAT_KEY")
	}
	if k == "" {
		return nil, Usagef("--pubkey ed25519:... is required (the secretariat's published key), or set ART35_SECRETARIAT_KEY")
	}
	pub, err := keys.ParseSigningPublic(k)
	if err != nil {
		return nil, fmt.Errorf("--pubkey: %w", err)
	}
	return pub, nil
}

// IPDBSubdir is the folder under the node's data folder holding imported
// IP layers.
const IPDBSubdir = "ipdb"

// IPDBDataFlag binds --data to p for the commands that read IP data,
// defaulting to $ART35_DATA.
func IPDBDataFlag(fs *flag.FlagSet, p *string, getenv func(string) string) {
	fs.StringVar(p, "data", getenv("ART35_DATA"), "the node's data folder; imported IP data lives in its ipdb/ folder (default $ART35_DATA)")
}

// OpenIPDB opens the embedded snapshot plus the layers imported into
// dataDir ("" for the embedded data alone).
func OpenIPDB(dataDir string) (*ipdb.DB, error) {
	dir := ""
	if dataDir != "" {
		dir = filepath.Join(dataDir, IPDBSubdir)
	}
	return ipdb.Open(dir)
}

// RequestingParty is the requesting party of a route: --from when given,
// else the party in the node's configuration in dataDir, else
// $ART35_PARTY; "" when none says.
func RequestingParty(from, dataDir string, getenv func(string) string) string {
	if cc := strings.ToUpper(strings.TrimSpace(from)); cc != "" {
		return cc
	}
	if dataDir != "" {
		if c, err := config.Load(dataDir, getenv); err == nil && c.Party != "" {
			return c.Party
		}
	}
	return strings.ToUpper(getenv("ART35_PARTY"))
}

// IsTerminal reports whether w is a character device (a terminal), the
// only place progress output belongs.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
