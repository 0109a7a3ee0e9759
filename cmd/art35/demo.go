package main

import (
	"context"
	"errors"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/demo"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(demoCmd, "")
	o := demo.Options{Clock: e.Clock, Getenv: e.Getenv, Stdout: e.Stdout, Stderr: e.Stderr}
	fs.BoolVar(&o.ScenariosOnly, "scenarios-only", false, "play the stories headless, print a report and exit")
	fs.StringVar(&o.Dir, "dir", "", "folder for the nodes' data (default: a new temporary folder, removed at exit)")
	if _, err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	err := demo.Run(ctx, o)
	if errors.Is(err, demo.ErrFailed) {
		return cli.ExitError{Code: 1}
	}
	return err
}
