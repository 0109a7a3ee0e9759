package main

import (
	"context"
	"fmt"
	"runtime"
)

func init() {
	register(&command{
		name:  "version",
		short: "print the art35 version",
		usage: "version",
		run: func(ctx context.Context, e *env, args []string) error {
			c := commands["version"]
			fs := newFlagSet(e, c, "")
			if _, err := parseFlags(fs, args); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "art35 %s %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	})
}
