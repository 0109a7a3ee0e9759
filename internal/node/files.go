package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/keys"
)

// checkFiles refuses a data folder, keys folder or TLS key that its group
// or others may read: they hold the keys that speak for the node and the
// database with personal data. Each refusal gives the chmod that fixes it.
// (The signing and encryption keys are checked as they are loaded.)
func checkFiles(cfg config.Config) error {
	for _, d := range []string{cfg.DataDir, cfg.Path("keys")} {
		st, err := os.Stat(d)
		if errors.Is(err, fs.ErrNotExist) {
			continue // the key loaders say what is missing
		}
		if err != nil {
			return fmt.Errorf("stat %s: %w", d, err)
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			return apperr.Errorf(apperr.EInvalid, "folder %s has mode %04o: group or others may open it; a node's data folder must be 0700 (fix: chmod 700 %s)", d, perm, d)
		}
	}
	if err := keys.CheckPrivateFile(cfg.Path(config.TLSKeyFile), "TLS key file"); err != nil && !apperr.Is(err, apperr.ENotFound) {
		return err
	}
	return nil
}
