package main

import (
	"strings"
	"testing"
)

// TestDemoFlags checks the command line of "art35 demo"; the stories
// themselves are played by internal/demo's tests.
func TestDemoFlags(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "demo", "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "usage: art35 demo [--scenarios-only] [--dir DIR]") || !strings.Contains(r.stdout, "-scenarios-only") {
		t.Fatalf("demo -h: exit %d\nstdout: %s", r.code, r.stdout)
	}
	r = runCLI(t, "", nil, "demo", "--no-such-flag")
	if r.code != exitUsage || !strings.Contains(r.stderr, "flag provided but not defined") {
		t.Fatalf("demo --no-such-flag: exit %d\nstderr: %s", r.code, r.stderr)
	}
}
