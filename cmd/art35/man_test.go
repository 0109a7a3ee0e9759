package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// roffPlain undoes roffText, to compare the page with the help it came from.
func roffPlain(s string) string {
	return strings.NewReplacer(`\&`, "", `\-`, "-", `\e`, `\`).Replace(s)
}

func TestManHasEveryCommandsUsage(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "man")
	if r.code != 0 {
		t.Fatalf("man: code %d, stderr %q", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, `.\"`) || !strings.Contains(r.stdout, "\n.TH ART35 1 ") {
		t.Fatalf("man: not a man page: %.200q", r.stdout)
	}
	plain := roffPlain(r.stdout)
	for _, c := range sortedCommands() {
		n := c.Name
		if !strings.Contains(r.stdout, "\n.SS "+n+"\n") && !strings.Contains(plain, "\n.SS "+n+"\n") {
			t.Errorf("man: no section for command %q", n)
		}
		usage := "usage: art35 " + c.Usage
		if !strings.Contains(plain, usage) {
			t.Errorf("man: no usage line %q", usage)
		}
	}
	// A line of help that starts with a dot would be a roff request.
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, ".") && !isRoffRequest(l) {
			t.Errorf("man: help text read as a roff request: %q", l)
		}
	}
}

func isRoffRequest(l string) bool {
	for _, p := range []string{`.\"`, ".TH ", ".SH ", ".SS ", ".B ", ".BR ", ".I ", ".RI ", ".RB ", ".br", ".PP", ".TP", ".nf", ".fi", ".RS ", ".RE"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// TestManRendersWithGroff formats the page with groff, warnings on, when
// groff is installed: a broken escape or request fails here.
func TestManRendersWithGroff(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("groff is not installed")
	}
	page := runCLI(t, "", nil, "man").stdout
	cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-P-cbou")
	cmd.Stdin = strings.NewReader(page)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, errb.String())
	}
	text := out.String()
	// groff may use a different hyphen glyph; compare on plain ASCII words.
	for _, want := range []string{"ART35(1)", "attribute", "directory", "EXIT STATUS"} {
		if !strings.Contains(text, want) {
			t.Errorf("groff output lacks %q", want)
		}
	}
}
