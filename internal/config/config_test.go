package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
)

func TestLayering(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("party = \"IT\"\nlisten = \"127.0.0.1:9000\"\nlog_level = \"debug\"\n"), 0o600)
	env := map[string]string{"ART35_LISTEN": "127.0.0.1:9100"}
	c, err := Load(dir, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Party != "IT" || c.LogLevel != "debug" {
		t.Errorf("file values lost: %+v", c)
	}
	if c.Listen != "127.0.0.1:9100" {
		t.Errorf("environment did not override the file: listen = %q", c.Listen)
	}
	if c.LogFormat != "text" || c.Database != "art35.db" {
		t.Errorf("defaults lost: %+v", c)
	}
	if got := c.DatabaseDSN(); got != filepath.Join(dir, "art35.db") {
		t.Errorf("DSN = %q", got)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBadConfig(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ file, want string }{
		"unknown key":  {"party = \"IT\"\nlisen = \"x\"\n", `unknown setting "lisen"`},
		"syntax":       {"party = \n", "line 1"},
		"party":        {"party = \"Italy\"\n", `party "Italy"`},
		"listen":       {"party = \"IT\"\nlisten = \"8435\"\n", `listen "8435"`},
		"log level":    {"party = \"IT\"\nlog_level = \"loud\"\n", `log_level "loud"`},
		"public url":   {"party = \"IT\"\npublic_url = \"ftp://x\"\n", `public_url "ftp://x"`},
		"empty dbname": {"party = \"IT\"\ndatabase = \"\"\n", "database: empty"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, FileName), []byte(tc.file), 0o600)
			c, err := Load(dir, func(string) string { return "" })
			if err == nil {
				err = c.Validate()
			}
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want invalid containing %q", err, tc.want)
			}
		})
	}
}

func TestWriteRefusesOverwrite(t *testing.T) {
	t.Parallel()
	c := Defaults()
	c.DataDir, c.Party = t.TempDir(), "FR"
	if err := c.Write(); err != nil {
		t.Fatal(err)
	}
	back, err := Load(c.DataDir, func(string) string { return "" })
	if err != nil || back.Party != "FR" {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if err := c.Write(); !apperr.Is(err, apperr.EConflict) {
		t.Fatalf("second write: %v", err)
	}
}

// TestLoadFlags: a flag that was set wins over the file and the
// environment; one left empty keeps them.
func TestLoadFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"ART35_DATA": dir, "ART35_PARTY": "IT", "ART35_LISTEN": "127.0.0.1:9000"}
	c, err := LoadFlags(Flags{Listen: "127.0.0.1:9100", LogFormat: "json"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Party != "IT" || c.Listen != "127.0.0.1:9100" || c.LogFormat != "json" {
		t.Fatalf("party %q listen %q log format %q", c.Party, c.Listen, c.LogFormat)
	}
}
