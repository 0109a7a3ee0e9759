package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseHelp(t *testing.T) {
	t.Parallel()
	text := "do a thing\nusage: art35 thing [--json] FILE\n       art35 thing other\n\nThe long help, with {{kinds}}.\n\nA second paragraph.\n"
	h, err := ParseHelp("thing", text, map[string]string{"kinds": "a, b"})
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "thing" || h.Short != "do a thing" || h.Usage != "thing [--json] FILE\n       art35 thing other" {
		t.Fatalf("got %+v", h)
	}
	var b bytes.Buffer
	h.Print(&b)
	want := "usage: art35 thing [--json] FILE\n       art35 thing other\n\nThe long help, with a, b.\n\nA second paragraph.\n"
	if b.String() != want {
		t.Fatalf("Print:\n%s\nwant:\n%s", b.String(), want)
	}
	// A help with no long part prints the usage alone.
	h, err = ParseHelp("v", "print it\nusage: art35 v\n", nil)
	if err != nil || h.Long != "" || h.Usage != "v" {
		t.Fatalf("short help: %+v, %v", h, err)
	}
}

func TestParseHelpRefusesMalformed(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"",
		"only a summary\n",
		"summary\nusage: thing\n",              // no "art35 "
		"summary\nusage: art35 t\nmore\n\nx\n", // unindented continuation
		"summary\nusage: art35 t\n\n{{missing}}\n",
	} {
		if _, err := ParseHelp("t", text, nil); err == nil || !strings.Contains(err.Error(), "help of t") {
			t.Errorf("ParseHelp(%q) = %v, want an error naming the command", text, err)
		}
	}
}
