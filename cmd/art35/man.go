// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"

	"github.com/art35/art35/internal/cli"
)

func runMan(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(manCmd, "")
	_, err := cli.ParseArgs(fs, args, 0, "man takes no arguments")
	if err != nil {
		return err
	}
	cli.WriteMan(e.Stdout, collectHelp(ctx), version)
	return nil
}
