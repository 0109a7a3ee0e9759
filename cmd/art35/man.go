// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"

	"github.com/art35/art35/internal/cli"
)

var manCmd = &command{
	Name:  "man",
	Short: "print the manual page art35(1) in roff, from the commands' help",
	Usage: "man",
	Long:  help("man"),
}

func runMan(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, manCmd, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("man takes no arguments")
	}
	cli.WriteMan(e.stdout, collectHelp(ctx), version)
	return nil
}
