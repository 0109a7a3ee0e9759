package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/art35/art35/internal/cli"
)

// groups returns each command group's subcommands as its help lists them.
func groups(t *testing.T) map[string][]string {
	t.Helper()
	g := map[string][]string{}
	for _, n := range commandNames() {
		g[n] = append(g[n], cli.SubcommandNames(helpOf(context.Background(), n))...)
	}
	if len(g["directory"]) == 0 || len(g["node"]) == 0 {
		t.Fatalf("no subcommands read from the help of directory or node: %v", g)
	}
	return g
}

func TestCompletionListsEveryCommand(t *testing.T) {
	t.Parallel()
	g := groups(t)
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := runCLI(t, "", nil, "completion", shell)
		if r.code != 0 {
			t.Fatalf("completion %s: code %d, stderr %q", shell, r.code, r.stderr)
		}
		for _, n := range commandNames() {
			if !strings.Contains(r.stdout, n) {
				t.Errorf("completion %s does not name command %q", shell, n)
			}
			for _, s := range g[n] {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("completion %s does not name subcommand %q of %q", shell, s, n)
				}
			}
		}
	}
	r := runCLI(t, "", nil, "completion", "tcsh")
	if r.code != exitUsage || !strings.Contains(r.stderr, "bash, zsh and fish") {
		t.Fatalf("completion tcsh: code %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", nil, "completion")
	if r.code != exitUsage {
		t.Fatalf("completion without a shell: code %d", r.code)
	}
}

// bashComplete runs the generated bash script in a real bash and returns
// what it proposes for the command line words (the last is being typed).
func bashComplete(t *testing.T, script string, words ...string) []string {
	t.Helper()
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = cli.ShQuote(w)
	}
	prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)-1) + "\n_art35\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command("bash", "--norc", "--noprofile", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

func TestBashCompletionInBash(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	script := runCLI(t, "", nil, "completion", "bash").stdout
	cases := []struct {
		words []string
		want  []string
	}{
		{[]string{"art35", "dir"}, []string{"directory"}},
		{[]string{"art35", "help", "tri"}, []string{"triage"}},
		{[]string{"art35", "directory", "ver"}, []string{"verify"}},
		{[]string{"art35", "attribute", "--js"}, []string{"--json"}},
		{[]string{"art35", "node", "init", "--par"}, []string{"--party"}},
		{[]string{"art35", "completion", ""}, nil},
	}
	for _, c := range cases {
		got := bashComplete(t, script, c.words...)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("complete %q: got %q, want %q", c.words, got, c.want)
		}
	}
	// Every command is proposed after "art35 ".
	got := strings.Join(bashComplete(t, script, "art35", ""), " ")
	for _, n := range commandNames() {
		if !strings.Contains(" "+got+" ", " "+n+" ") {
			t.Errorf("bash does not propose %q after art35: %s", n, got)
		}
	}
}

// TestCompletionScriptsParse asks each installed shell to parse its script
// without running it.
func TestCompletionScriptsParse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ shell, check string }{{"bash", "-n"}, {"zsh", "-n"}, {"fish", "--no-execute"}} {
		if _, err := exec.LookPath(c.shell); err != nil {
			t.Logf("%s is not installed; its script is not parsed", c.shell)
			continue
		}
		path := filepath.Join(dir, "art35."+c.shell)
		if err := os.WriteFile(path, []byte(runCLI(t, "", nil, "completion", c.shell).stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(c.shell, c.check, path).CombinedOutput(); err != nil {
			t.Errorf("%s %s: %v\n%s", c.shell, c.check, err, out)
		}
	}
}

// TestFishCompletionInFish asks a real fish what it proposes, when fish is
// installed (fish's "complete -C" completes a command line without a terminal).
func TestFishCompletionInFish(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("fish is not installed")
	}
	path := filepath.Join(t.TempDir(), "art35.fish")
	if err := os.WriteFile(path, []byte(runCLI(t, "", nil, "completion", "fish").stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ line, want string }{
		{"art35 dire", "directory"},
		{"art35 directory ver", "verify"},
		{"art35 attribute --js", "--json"},
		{"art35 node init --par", "--party"},
	}
	for _, c := range cases {
		out, err := exec.Command("fish", "--no-config", "-c", "source "+cli.ShQuote(path)+"; complete -C "+cli.ShQuote(c.line)).CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			got = append(got, strings.SplitN(l, "\t", 2)[0])
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("fish completes %q to %q, want %q", c.line, got, c.want)
		}
	}
}
