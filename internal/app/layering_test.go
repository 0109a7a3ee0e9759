package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/art35/art35/"

// layer is one line of the table in docs/architecture.md.
type layer struct {
	name     string
	may      map[string]bool // layers it may import ("*": any)
	packages []string        // module-relative paths; "x/..." is x and below
}

// readLayers parses the layer table of docs/architecture.md, so that the
// document and this test cannot drift apart.
func readLayers(t *testing.T, path string) []layer {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out    []layer
		inside bool
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "<!-- layers"):
			inside = true
			continue
		case strings.HasPrefix(line, "<!-- end layers"):
			inside = false
		}
		if !inside || strings.HasPrefix(line, "```") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "|")
		if len(cols) != 3 {
			t.Fatalf("%s: layer line %q: want name | may import | packages", path, line)
		}
		l := layer{name: strings.TrimSpace(cols[0]), may: map[string]bool{}, packages: strings.Fields(cols[2])}
		for _, m := range strings.Fields(cols[1]) {
			l.may[m] = true
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no layer table found", path)
	}
	return out
}

// layerOf returns the layer a module package belongs to.
func layerOf(layers []layer, pkg string) (layer, bool) {
	for _, l := range layers {
		for _, p := range l.packages {
			if base, ok := strings.CutSuffix(p, "/..."); ok {
				if pkg == base || strings.HasPrefix(pkg, base+"/") {
					return l, true
				}
			} else if pkg == p {
				return l, true
			}
		}
	}
	return layer{}, false
}

type listed struct {
	ImportPath string
	Imports    []string
	Module     *struct{ Path string }
}

// goList runs "go list -json ./..." at the module root and returns
// the module's own packages.
func goList(t *testing.T, root string) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.ImportPath, module) {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs
}

// checkLayering returns one message per import against the table, and per
// package in no layer.
func checkLayering(layers []layer, pkgs []listed) []string {
	var bad []string
	for _, p := range pkgs {
		from := strings.TrimPrefix(p.ImportPath, module)
		lf, ok := layerOf(layers, from)
		if !ok {
			bad = append(bad, from+" is in no layer: add it to the table in docs/architecture.md")
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to := strings.TrimPrefix(imp, module)
			lt, ok := layerOf(layers, to)
			if !ok || lt.name == lf.name || lf.may["*"] || lf.may[lt.name] {
				continue // a package in no layer is reported once, as itself
			}
			bad = append(bad, from+" ("+lf.name+") imports "+to+" ("+lt.name+"), which docs/architecture.md does not allow")
		}
	}
	return bad
}

// TestLayering checks every import between the module's packages against
// the layer table of docs/architecture.md: no store package imports the
// domain or delivery, no service imports the node, nothing imports a
// layer above it.
func TestLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	layers := readLayers(t, filepath.Join(root, "docs", "architecture.md"))
	for _, bad := range checkLayering(layers, goList(t, root)) {
		t.Error(bad)
	}
}

// TestLayeringCatches shows the check fails on the imports it exists to
// forbid (a service importing the node, the store importing the domain)
// and on a package left out of the table.
func TestLayeringCatches(t *testing.T) {
	t.Parallel()
	layers := readLayers(t, filepath.Join("..", "..", "docs", "architecture.md"))
	pkgs := []listed{
		{ImportPath: module + "internal/ping", Imports: []string{module + "internal/node", module + "internal/store"}},
		{ImportPath: module + "internal/store", Imports: []string{module + "internal/federation", "database/sql"}},
		{ImportPath: module + "internal/newthing"},
		{ImportPath: module + "cmd/art35", Imports: []string{module + "internal/node"}},
	}
	bad := checkLayering(layers, pkgs)
	want := []string{"internal/ping (services) imports internal/node", "internal/store (store) imports internal/federation", "internal/newthing is in no layer"}
	if len(bad) != len(want) {
		t.Fatalf("got %d findings, want %d: %q", len(bad), len(want), bad)
	}
	for i, w := range want {
		if !strings.HasPrefix(bad[i], w) {
			t.Errorf("finding %d = %q, want it to start with %q", i, bad[i], w)
		}
	}
}
