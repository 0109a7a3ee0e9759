package request

import (
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// TestCheckFile: an invalid document's error names the file and lists
// each error-level problem with its field and rule, one a line.
func TestCheckFile(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	_, err := CheckFile("req.json", []byte(`{"id":"A","colour":"red"}`), now)
	if !apperr.Is(err, apperr.EInvalid) {
		t.Fatalf("got %v, want invalid", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "req.json is not a valid request:\n  colour [json-unknown-field]") {
		t.Errorf("error does not name the file and the unknown field:\n%s", msg)
	}
	if _, err := CheckFile("x.json", []byte(`nope`), now); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), "[json-syntax]") {
		t.Errorf("not JSON: %v", err)
	}
}

func TestTypeNames(t *testing.T) {
	t.Parallel()
	names := TypeNames()
	if len(names) != len(Types) || len(names) == 0 || names[0] != string(Types[0]) {
		t.Fatalf("TypeNames() = %v, Types = %v", names, Types)
	}
}
