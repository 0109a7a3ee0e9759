package main

import (
	"context"
	"errors"

	"github.com/art35/art35/internal/demo"
)

var demoCmd = &command{
	name:  "demo",
	short: "run a small art35 network on this machine, with the portal and a story played",
	usage: "demo [--scenarios-only] [--dir DIR]",
	long: `Demo starts a network of real art35 nodes in this one process, on 127.0.0.1:
the secretariat's party (FR), US, IT, GB, ES, NO, EE and a non-party (CN), each
with its own keys and SQLite database in a temporary folder, and a directory
signed by a fresh secretariat key that lists them all. Every node serves the
portal; demo officers are created on each node and their user name, password
and TOTP secret are printed (add the secret to an authenticator app, or use
the current code printed beside it).

Story 1 of the specification is played: the US point of contact sends a
preserve request to Italy; Italy acknowledges it, starts work and reports the
data preserved with the provider's reference and end date; the US sends the
MLA follow-up linked to it, so the chain shows in the request view.

The demo runs until Ctrl-C and removes its folder when it stops (unless --dir
was given). With --scenarios-only it plays the stories without the portal
banner, prints a short report and exits: 0 when every story passed,
non-zero naming the step that failed.

Everything here is demo data: fictional people, example.org, +00 numbers.
Never use demo accounts or keys outside the demo.`,
}

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, demoCmd, "")
	o := demo.Options{Clock: e.clock, Getenv: e.getenv, Stdout: e.stdout, Stderr: e.stderr}
	fs.BoolVar(&o.ScenariosOnly, "scenarios-only", false, "play the stories headless, print a report and exit")
	fs.StringVar(&o.Dir, "dir", "", "folder for the nodes' data (default: a new temporary folder, removed at exit)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	err := demo.Run(ctx, o)
	if errors.Is(err, demo.ErrFailed) {
		return silentError{code: 1}
	}
	return err
}
