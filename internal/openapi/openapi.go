// Package openapi holds the OpenAPI 3.1 description of every JSON API an
// art35 node serves (peers' inbox and directory, the providers' watch
// API, health, the statistics) and serves it at /openapi.json.
//
// The description is written by hand (openapi.json) and kept true by
// tests: they validate it with a maintained validator (kin-openapi), check
// each schema's properties against the Go types the handlers encode, and
// validate real answers of real nodes against it.
package openapi

import (
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var document []byte

// Path is where a node serves the description.
const Path = "GET /openapi.json"

// Document returns the OpenAPI document (JSON).
func Document() []byte { return append([]byte(nil), document...) }

// Handler serves the document.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(document)
	})
}
