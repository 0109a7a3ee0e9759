// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/clock"
)

func runCompletion(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(completionCmd, "")
	pos, err := cli.ParseArgs(fs, args, 1, "name one shell: bash, zsh or fish")
	if err != nil {
		return err
	}
	helps := collectHelp(ctx)
	switch pos[0] {
	case "bash":
		cli.WriteBash(e.Stdout, helps)
	case "zsh":
		cli.WriteZsh(e.Stdout, helps)
	case "fish":
		cli.WriteFish(e.Stdout, helps)
	default:
		return cli.Usagef("unknown shell %q; the shells are bash, zsh and fish", pos[0])
	}
	return nil
}

// commandNames returns the command table's names in order.
func commandNames() []string {
	var names []string
	for _, c := range sortedCommands() {
		names = append(names, c.Name)
	}
	return names
}

// helpOf returns what "art35 args... -h" prints on standard output. Asking
// for help runs nothing else: every command parses its flags (and a group
// its subcommand) before it opens anything.
func helpOf(ctx context.Context, args ...string) string {
	var out bytes.Buffer
	e := &env{
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: io.Discard,
		Getenv: func(string) string { return "" },
		Clock:  clock.System{},
	}
	run(ctx, e, append(args, "-h"))
	return out.String()
}

// collectHelp reads every command's help, and each subcommand's.
func collectHelp(ctx context.Context) []cli.CommandHelp {
	var names [][2]string
	for _, c := range sortedCommands() {
		names = append(names, [2]string{c.Name, c.Short})
	}
	return cli.CollectHelp(names, func(args ...string) string { return helpOf(ctx, args...) })
}
