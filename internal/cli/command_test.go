package cli

import (
	"errors"
	"flag"
	"io"
	"testing"
)

func TestDataDir(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	parse := func(args ...string) *DataDir {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var d DataDir
		d.Bind(fs, "data")
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return &d
	}
	if _, err := parse().Require(getenv, "give --data"); !errors.As(err, new(UsageError)) || err.Error() != "give --data" {
		t.Fatalf("no folder: %v, want the usage error", err)
	}
	env["ART35_DATA"] = "/from/env"
	if got := parse().Path(getenv); got != "/from/env" {
		t.Errorf("ART35_DATA: %q", got)
	}
	if got, err := parse("--data", "/from/flag").Require(getenv, "give --data"); err != nil || got != "/from/flag" {
		t.Errorf("--data wins over ART35_DATA: %q %v", got, err)
	}
	if got := parse("--data", "/d").File(getenv, "", "keys/x.key"); got != "/d/keys/x.key" {
		t.Errorf("key file in the data folder: %q", got)
	}
	if got := parse("--data", "/d").File(getenv, "/elsewhere.key", "keys/x.key"); got != "/elsewhere.key" {
		t.Errorf("an explicit key file wins: %q", got)
	}
	delete(env, "ART35_DATA")
	if got := parse().File(getenv, "", "keys/x.key"); got != "" {
		t.Errorf("no folder, no key file: %q", got)
	}
}
