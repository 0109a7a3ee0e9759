package main

import (
	"encoding/json"
	"runtime"
	"testing"
)

// TestVersionJSON sets the package variable version: it must not run in parallel.
func TestVersionJSON(t *testing.T) {
	t.Parallel()
	old := version
	version = "v9.8.7-test"
	defer func() { version = old }()
	r := runCLI(t, "", nil, "version", "--json")
	if r.code != 0 {
		t.Fatalf("version --json: code %d, stderr %q", r.code, r.stderr)
	}
	var v struct{ Version, Go, OS, Arch string }
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("version --json is not JSON: %v\n%s", err, r.stdout)
	}
	if v.Version != "v9.8.7-test" || v.Go != runtime.Version() || v.OS != runtime.GOOS || v.Arch != runtime.GOARCH {
		t.Fatalf("version --json = %+v", v)
	}
}
