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
	fs := newFlagSet(e, c, "")
	asJSON := fs.Bool("json", false, "print the version, Go version, OS and architecture as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *asJSON {
		return cli.WriteJSON(e.stdout, struct {
			Version string `json:"version"`
			Go      string `json:"go"`
			OS      string `json:"os"`
			Arch    string `json:"arch"`
		}{version, runtime.Version(), runtime.GOOS, runtime.GOARCH})
	}
	fmt.Fprintf(e.stdout, "art35 %s %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
