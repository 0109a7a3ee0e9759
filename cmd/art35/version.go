// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/art35/art35/internal/cli"
)

// The version is stamped at build time (Makefile: -X main.version=...);
// "dev" means a plain "go build" or "go run".

func runVersion(ctx context.Context, e *env, args []string) error {
	c := versionCmd
	fs := e.FlagSet(c, "")
	asJSON := fs.Bool("json", false, "print the version, Go version, OS and architecture as JSON")
	if _, err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if *asJSON {
		return cli.WriteJSON(e.Stdout, struct {
			Version string `json:"version"`
			Go      string `json:"go"`
			OS      string `json:"os"`
			Arch    string `json:"arch"`
		}{version, runtime.Version(), runtime.GOOS, runtime.GOARCH})
	}
	fmt.Fprintf(e.Stdout, "art35 %s %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
