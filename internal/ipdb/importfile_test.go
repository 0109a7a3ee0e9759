package ipdb

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// TestImportFiles builds one layer from a plain and a gzip file, writes
// it, and reads it back; a bad name, an unknown format and a file of
// mostly bad lines are refused with nothing written.
func TestImportFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain := filepath.Join(dir, "a.csv")
	os.WriteFile(plain, []byte("1.0.0.0,1.0.0.255,au\n"), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("1.0.1.0,1.0.3.255,CN\n"))
	zw.Close()
	zipped := filepath.Join(dir, "b.csv.gz")
	os.WriteFile(zipped, gz.Bytes(), 0o644)

	out := filepath.Join(dir, "ipdb")
	src := Source{Name: "test-layer", Label: "Test", AsOf: time.Date(2026, 6, 17, 0, 0, 0, 0, time.UTC)}
	var done []string
	res, err := ImportFiles(context.Background(), ImportOptions{Dir: out, Format: "csv", Source: src, Files: []string{plain, zipped},
		Done: func(file string, st ImportStats) { done = append(done, filepath.Base(file)) }})
	if err != nil {
		t.Fatal(err)
	}
	if v4, _ := res.Layer.Len(); v4 != 2 || res.Layer.Source.Kind != KindCountry || res.Size == 0 || strings.Join(done, ",") != "a.csv,b.csv.gz" {
		t.Fatalf("layer: %d ranges, kind %q, %d bytes, done %v", v4, res.Layer.Source.Kind, res.Size, done)
	}
	layers, err := LoadFile(res.Path)
	if err != nil || len(layers) != 1 || layers[0].Source.Name != "test-layer" {
		t.Fatalf("read back %s: %v %v", res.Path, layers, err)
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("1.0.0.0,1.0.0.255,AU\nnot,a,range\nnor,this,one\n"), 0o644)
	for _, o := range []ImportOptions{
		{Dir: out, Format: "csv", Source: Source{Name: "Bad Name"}, Files: []string{plain}},
		{Dir: out, Format: "xml", Source: Source{Name: "x"}, Files: []string{plain}},
		{Dir: out, Format: "csv", Source: Source{Name: "mostly-bad"}, Files: []string{bad}},
	} {
		if _, err := ImportFiles(context.Background(), o); apperr.Code(err) != apperr.EInvalid {
			t.Errorf("%+v: error %v, want invalid", o, err)
		}
		if _, err := os.Stat(filepath.Join(out, o.Source.Name+FileExt)); err == nil {
			t.Errorf("%s was written", o.Source.Name)
		}
	}
}
