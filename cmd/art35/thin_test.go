package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// maxFuncLines is the longest a function body in cmd/art35 may be: a
// command parses its flags, calls one package function and prints; what
// is longer is logic that belongs in a package (issue 13).
const maxFuncLines = 60

// TestCommandsAreThin parses every Go file of cmd/art35, tests included,
// and fails on a function (or function literal) whose body is over
// maxFuncLines lines, and on any func init: commands are registered in
// the table of commands(), not by init order.
func TestCommandsAreThin(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files found: %v", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
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
}
