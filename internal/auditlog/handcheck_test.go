package auditlog

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

// TestHandCheckScript runs the Python script of docs/audit.md ("Checking a
// bundle by hand") on a bundle made here, so the documentation stays true:
// it must accept the bundle, and refuse it with a changed leaf or another
// key. It skips where python3 or openssl is not installed.
func TestHandCheckScript(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"python3", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "audit.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```python\n")
	script, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("docs/audit.md has no ```python block")
	}
	dir := t.TempDir()
	scriptFile := filepath.Join(dir, "check_bundle.py")
	os.WriteFile(scriptFile, []byte(script), 0o644)

	db := storetest.Open(t, store.SQLite)
	l, data := proveSetup(t, db)
	pub := keys.FormatSigningPublic(l.pub)
	otherPub, _, _ := keys.GenerateSigning()
	for name, tc := range map[string]struct {
		bundle []byte
		key    string
		ok     bool
	}{
		"as exported":  {data, pub, true},
		"leaf changed": {bytes.Replace(data, []byte("FR-247"), []byte("FR-248"), 1), pub, false},
		"other key":    {data, keys.FormatSigningPublic(otherPub), false},
	} {
		f := filepath.Join(dir, "bundle.json")
		os.WriteFile(f, tc.bundle, 0o644)
		out, err := exec.Command("python3", scriptFile, f, tc.key).CombinedOutput()
		if (err == nil) != tc.ok {
			t.Fatalf("%s: script error %v, want ok=%v\n%s", name, err, tc.ok, out)
		}
		if tc.ok && strings.Count(string(out), "is in art35/IT-247 of 20 records") != 3 {
			t.Fatalf("%s: output %s", name, out)
		}
	}
}
