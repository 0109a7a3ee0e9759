package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// commandsDoc renders docs/commands.md from the commands' own help, so the
// reference cannot drift from the binary.
func commandsDoc(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("# art35 commands\n\nGenerated from `art35 <command> -h` by `ART35_UPDATE_DOCS=1 go test ./cmd/art35 -run TestCommandsDoc`;\na test fails when this file and the binary disagree.\n\n")
	for _, c := range sortedCommands() {
		fmt.Fprintf(&b, "- [`%s`](#%s): %s\n", c.Name, c.Name, c.Short)
	}
	for _, n := range commandNames() {
		r := runCLI(t, "", nil, n, "-h")
		fmt.Fprintf(&b, "\n## %s\n\n```\n%s```\n", n, strings.TrimLeft(r.stdout, "\n"))
	}
	return b.Bytes()
}

func TestCommandsDoc(t *testing.T) {
	t.Parallel()
	want := commandsDoc(t)
	const path = "../../docs/commands.md"
	if os.Getenv("ART35_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	// Name the commands the file lacks, the most common drift, before the
	// byte comparison that catches every other.
	for _, n := range commandNames() {
		if err == nil && !bytes.Contains(got, []byte("\n## "+n+"\n")) {
			t.Errorf("docs/commands.md has no section for the command %q", n)
		}
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("docs/commands.md is not what the commands' help says; regenerate it: ART35_UPDATE_DOCS=1 go test ./cmd/art35 -run TestCommandsDoc (%v)", err)
	}
}
