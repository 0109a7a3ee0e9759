package node

import (
	"context"
	"fmt"

	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/users"
)

// openUsers loads the node's key for secrets at rest (creating it for a
// node made before it existed), builds the accounts service and seals
// any TOTP secret still stored in clear.
func (n *Node) openUsers(ctx context.Context) error {
	key, err := keys.LoadOrCreateSecret(n.Config.Path(config.SecretKeyFile))
	if err != nil {
		return fmt.Errorf("node %s: %w", n.Config.DataDir, err)
	}
	n.Users = users.New(n.DB, n.Clock, key)
	sealed, err := n.Users.SealClearSecrets(ctx)
	if err != nil {
		return fmt.Errorf("node %s: encrypt TOTP secrets at rest: %w", n.Config.DataDir, err)
	}
	if sealed > 0 {
		n.Log.Info("TOTP secrets encrypted at rest", "accounts", sealed, "key", config.SecretKeyFile)
	}
	return nil
}
