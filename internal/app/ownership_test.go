package app

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readOwners parses the table of docs/architecture.md that names, for each
// database table, the one package that owns it.
func readOwners(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	owners := map[string]string{}
	inside := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "<!-- tables") {
			inside = true
			continue
		}
		if !inside {
			continue
		}
		if strings.TrimSpace(line) == "" {
			break
		}
		cols := strings.Split(line, "|")
		if len(cols) < 4 || strings.HasPrefix(strings.TrimSpace(cols[1]), "---") || strings.TrimSpace(cols[1]) == "tables" {
			continue
		}
		owner := strings.TrimSpace(cols[2])
		for _, table := range strings.Split(cols[1], ",") {
			owners[strings.TrimSpace(table)] = owner
		}
	}
	if len(owners) == 0 {
		t.Fatalf("%s: no table of owners found", path)
	}
	return owners
}

var (
	createTable = regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)`)
	sqlTable    = regexp.MustCompile(`\b(FROM|JOIN|UPDATE|INTO|TABLE)\s+([a-z_]+)\b`)
	readersLine = regexp.MustCompile(`<!-- readers: ([^>]*) -->`)
)

// readReaders returns the read models of docs/architecture.md: packages
// that may read, never write, other features' tables.
func readReaders(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	if m := readersLine.FindSubmatch(data); m != nil {
		for _, p := range strings.Fields(string(m[1])) {
			out[p] = true
		}
	}
	return out
}

// TestSQLOwnership checks the rule of docs/architecture.md, "each feature
// owns its tables and SQL in its own package": every table the migrations
// create has one owner in the document, and no Go file outside the owner's
// package names the table in SQL.
func TestSQLOwnership(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	owners := readOwners(t, filepath.Join(root, "docs", "architecture.md"))
	readers := readReaders(t, filepath.Join(root, "docs", "architecture.md"))
	migrations, err := filepath.Glob(filepath.Join(root, "internal", "store", "migrations", "*.sql"))
	if err != nil || len(migrations) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	for _, m := range migrations {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range createTable.FindAllStringSubmatch(string(data), -1) {
			if owners[c[1]] == "" {
				t.Errorf("%s creates table %s, which has no owner in docs/architecture.md", filepath.Base(m), c[1])
			}
		}
	}
	for _, dir := range []string{"internal", "cmd", "bench"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			rel = filepath.ToSlash(rel)
			for _, m := range sqlTable.FindAllStringSubmatch(string(data), -1) {
				owner, ok := owners[m[2]]
				if !ok || owner == rel || (readers[rel] && (m[1] == "FROM" || m[1] == "JOIN")) {
					continue
				}
				t.Errorf("%s: SQL (%s) on table %s, which belongs to %s (ask its owner, or pass a function into its transaction)", filepath.ToSlash(path[len(root)+1:]), m[1], m[2], owner)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestSQLOwnershipCatches shows the pattern finds a foreign table in SQL
// text, and not a table name in ordinary prose.
func TestSQLOwnershipCatches(t *testing.T) {
	t.Parallel()
	src := "q := `SELECT id FROM requests WHERE type = $1`\n// the requests from a peer\nx := `UPDATE inbound_envelopes SET body = $1`"
	var got []string
	for _, m := range sqlTable.FindAllStringSubmatch(src, -1) {
		got = append(got, m[2])
	}
	if strings.Join(got, ",") != "requests,inbound_envelopes" {
		t.Fatalf("found %v", got)
	}
}
