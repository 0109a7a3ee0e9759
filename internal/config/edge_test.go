package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
)

// A config file with a database password is refused when others can
// read it, with the chmod that fixes it; without a password it is not.
func TestConfigWithPasswordMustBePrivate(t *testing.T) {
	for _, tc := range []struct {
		name, db string
		mode     os.FileMode
		refused  bool
	}{
		{"password world-readable", "postgres://art35:s3cret@db.example.org/art35", 0o644, true},
		{"password group-readable", "postgres://art35:s3cret@db.example.org/art35", 0o640, true},
		{"password in query", "postgres://art35@db.example.org/art35?password=s3cret", 0o644, true},
		{"password private", "postgres://art35:s3cret@db.example.org/art35", 0o600, false},
		{"no password", "postgres://art35@db.example.org/art35", 0o644, false},
		{"sqlite", "art35.db", 0o644, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte("party = \"IT\"\ndatabase = \""+tc.db+"\"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir, func(string) string { return "" })
			if !tc.refused {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "chmod 600 "+path) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("err = %v; want a refusal with the chmod, without the password", err)
			}
		})
	}
}

func TestListenersAreSeparateByDefault(t *testing.T) {
	c := Defaults()
	if c.Listen == c.PortalListen || c.Listen == c.AdminListen || c.PortalListen == c.AdminListen {
		t.Fatalf("listeners share an address by default: %q %q %q", c.Listen, c.PortalListen, c.AdminListen)
	}
	if !strings.HasPrefix(c.AdminListen, "127.0.0.1:") {
		t.Errorf("admin listener %q is not on loopback", c.AdminListen)
	}
	env := map[string]string{"ART35_PORTAL_LISTEN": "10.0.0.5:443", "ART35_ADMIN_LISTEN": "127.0.0.1:9999", "ART35_PARTY": "IT"}
	c, err := Load(t.TempDir(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.PortalListen != "10.0.0.5:443" || c.AdminListen != "127.0.0.1:9999" {
		t.Errorf("environment not applied: %+v", c)
	}
	c.AdminListen = "nonsense"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "admin_listen") {
		t.Errorf("bad admin_listen: %v", err)
	}
	// A node serves TLS, so the inbox it publishes is https.
	if d := Defaults(); true {
		d.Party = "IT"
		if u := d.Derived().PublicURL; !strings.HasPrefix(u, "https://") {
			t.Errorf("derived public URL %q is not https", u)
		}
	}
}
