package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"strings"

	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
)

// caseCountersign is the second person's signature of an emergency
// request this node sent (SPEC story 7; Protocol Art. 9): with their own
// signing key, which the directory lists for this authority, never the
// node's (internal/cases.Countersign).
func caseCountersign(ctx context.Context, e *env, args []string) error {
	var by, keyFile string
	return onNode(ctx, e, caseCmd, "countersign", args, 1, "countersign needs one case ID", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "the name of the second person, who countersigns (required)")
		fs.StringVar(&keyFile, "key", "", "that person's own signing key file, listed in the directory for this authority (required)")
	}, func(n *node.Node, pos []string) error {
		if strings.TrimSpace(by) == "" || keyFile == "" {
			return usagef("countersign needs --by NAME and --key FILE: the second person and their own signing key")
		}
		key, err := keys.LoadSigning(keyFile)
		if err != nil {
			return err
		}
		if err := n.Cases.Countersign(ctx, pos[0], by, key); err != nil {
			return err
		}
		id := keys.ID(keys.FormatSigningPublic(key.Public().(ed25519.PublicKey)))
		fmt.Fprintf(e.stdout, "%s: countersigned by %s (key %s); the countersignature is queued for the requested side\n", pos[0], by, id)
		return nil
	})
}
