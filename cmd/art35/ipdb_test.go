package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIPDBImport(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	src := t.TempDir()
	overlay := writeFile(t, src, "overlay.csv", "prefix,operator,desk,country\n121.16.109.0/24,Example Unicom Reseller,lea-desk@example.org +00 10 5550100,CN\n")
	rir := writeFile(t, src, "delegated.txt", "2|apnic|20261125|1|19830613|20261124|+1000\napnic|*|ipv4|*|1|summary\napnic|HK|ipv4|121.16.0.0|65536|20050101|allocated\n")
	env := []string{"ART35_DATA=" + data}

	r := runCLI(t, "", env, "ipdb", "import", "--format", "overlay", "--name", "overlay-cn", "--as-of", "2026-11-01", overlay)
	if r.code != 0 || !strings.Contains(r.stdout, "overlay layer") {
		t.Fatalf("overlay import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", env, "ipdb", "import", "--format", "rir", "--name", "rir-apnic", "--label", "APNIC", rir)
	if r.code != 0 {
		t.Fatalf("rir import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", env, "attribute", "121.16.109.40")
	for _, want := range []string{"Example Unicom Reseller", "lea-desk@example.org", "AS4837", "121.16.109.0/24", "sources disagree: overlay-cn says CN, APNIC says HK, NRO says CN, IPFire says CN"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("attribute after imports lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	r = runCLI(t, "", env, "ipdb", "info")
	if r.code != 0 || !strings.Contains(r.stdout, "overlay-cn") || !strings.Contains(r.stdout, "rir-apnic") || !strings.Contains(r.stdout, "embedded") {
		t.Errorf("info: %s %s", r.stdout, r.stderr)
	}
	// Without the data folder, the embedded snapshot alone answers.
	r = runCLI(t, "", nil, "attribute", "121.16.109.40")
	if strings.Contains(r.stdout, "Example Unicom") {
		t.Errorf("imported layer leaked without --data: %s", r.stdout)
	}
}

func TestIPDBImportMMDB(t *testing.T) {
	t.Parallel()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "art35-test", IncludeReservedNetworks: true, DisableIPv4Aliasing: true})
	if err != nil {
		t.Fatal(err)
	}
	_, n, _ := net.ParseCIDR("151.1.0.0/16")
	if err := tree.Insert(n, mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(64500), "autonomous_system_organization": mmdbtype.String("Example Fibra SpA")}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := tree.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	file := writeFile(t, src, "asn.mmdb", buf.String())
	data := t.TempDir()
	// Re-using the embedded ASN layer's name replaces it.
	r := runCLI(t, "", nil, "ipdb", "import", "--data", data, "--format", "mmdb", "--name", "routeviews-asn", file)
	if r.code != 0 || !strings.Contains(r.stdout, "asn layer") {
		t.Fatalf("mmdb import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "attribute", "--data", data, "151.1.1.1")
	if !strings.Contains(r.stdout, "AS64500 Example Fibra SpA") || !strings.Contains(r.stdout, "IT Italy") {
		t.Errorf("attribute after mmdb import:\n%s%s", r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "attribute", "--data", data, "121.16.109.40")
	if strings.Contains(r.stdout, "AS4837") {
		t.Errorf("the embedded ASN layer was not replaced:\n%s", r.stdout)
	}
}

func TestIPDBImportErrors(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	garbage := writeFile(t, src, "garbage.csv", "this,is\nnot,a,range,file,at,all\n")
	data := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no data folder", []string{"ipdb", "import", "--format", "csv", "--name", "x", garbage}, exitUsage, "--data DIR"},
		{"bad name", []string{"ipdb", "import", "--data", data, "--format", "csv", "--name", "Bad Name", garbage}, exitUsage, "--name"},
		{"bad format", []string{"ipdb", "import", "--data", data, "--format", "xls", "--name", "x", garbage}, exitUsage, "--format"},
		{"bad date", []string{"ipdb", "import", "--data", data, "--format", "csv", "--name", "x", "--as-of", "June", garbage}, exitUsage, "--as-of"},
		{"missing file", []string{"ipdb", "import", "--data", data, "--format", "csv", "--name", "x", filepath.Join(src, "nope.csv")}, 1, "nope.csv"},
		{"garbage", []string{"ipdb", "import", "--data", data, "--format", "csv", "--name", "x", garbage}, 1, "no usable range"},
		{"mmdb garbage", []string{"ipdb", "import", "--data", data, "--format", "mmdb", "--name", "x", garbage}, 1, "mmdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("code %d stderr %q, want %d and %q", r.code, r.stderr, tt.code, tt.msg)
			}
		})
	}
	if m, _ := filepath.Glob(filepath.Join(data, "ipdb", "*")); len(m) != 0 {
		t.Errorf("failed imports left files: %v", m)
	}
}
