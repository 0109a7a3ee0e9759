package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function body in cmd/art35 may be: a
// command parses its flags, calls one package function and prints; what
// is longer is logic that belongs in a package (issue 13).
const maxFuncLines = 60

// maxPackageLines bounds the lines of cmd/art35's Go files, tests left
// out (help texts live in help/*.txt): when the commands grow past it,
// their logic has moved back in from the packages it belongs to.
const maxPackageLines = 2500

// TestCommandsAreThin parses every Go file of cmd/art35, tests included,
// and fails when the files other than tests hold maxPackageLines lines or
// more, on a function (or function literal) whose body is over
// maxFuncLines lines, and on any func init: commands are registered in
// the table of commands(), not by init order.
func TestCommandsAreThin(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files found: %v", err)
	}
	fset := token.NewFileSet()
	total := 0
	for _, name := range files {
		if !strings.HasSuffix(name, "_test.go") {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			total += bytes.Count(b, []byte("\n"))
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var body *ast.BlockStmt
			what := "a function literal"
			switch x := n.(type) {
			case *ast.FuncDecl:
				body, what = x.Body, x.Name.Name
				if x.Recv == nil && x.Name.Name == "init" {
					t.Errorf("%s: func init: add the command to commands() in main.go instead", fset.Position(x.Pos()))
				}
			case *ast.FuncLit:
				body = x.Body
			}
			if body == nil {
				return true
			}
			if lines := fset.Position(body.Rbrace).Line - fset.Position(body.Lbrace).Line - 1; lines > maxFuncLines {
				t.Errorf("%s: %s is %d lines long (at most %d): move its logic to the package it belongs to, or its printing to internal/cli",
					fset.Position(body.Lbrace), what, lines, maxFuncLines)
			}
			return true
		})
	}
	if total >= maxPackageLines {
		t.Errorf("cmd/art35 has %d lines of Go outside its tests (fewer than %d allowed): move logic to the packages it belongs to, printing to internal/cli", total, maxPackageLines)
	}
}
