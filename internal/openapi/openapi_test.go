package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/openapi"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/watch"
)

func load(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapi.Document())
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi.json says OpenAPI %q, want 3.1.0", doc.OpenAPI)
	}
	return doc
}

// TestDocumentDescribesEveryRoute validates the document with kin-openapi
// and checks that it describes each JSON route a node serves.
func TestDocumentDescribesEveryRoute(t *testing.T) {
	doc := load(t)
	for _, route := range []string{"POST " + federation.InboxPath, "GET /v1/directory", "GET /healthz", watch.ProviderPath,
		watch.OrdersPath, watch.AnswersPath, "GET /stats", openapi.Path} {
		method, path, _ := strings.Cut(route, " ")
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("the document does not describe %s", route)
		}
	}
}

// jsonFields returns the JSON names of a struct type's fields (embedded
// structs flattened) and those that are always written (no omitempty or
// omitzero).
func jsonFields(t reflect.Type) (all, always []string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			a, b := jsonFields(f.Type)
			all, always = append(all, a...), append(always, b...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			always = append(always, name)
		}
	}
	slices.Sort(all)
	slices.Sort(always)
	return all, always
}

// TestSchemasMatchGoTypes checks each schema against the Go type its
// handler encodes: the same properties, and required exactly when the
// field is always written.
func TestSchemasMatchGoTypes(t *testing.T) {
	doc := load(t)
	for name, v := range map[string]any{
		"StatsReport": stats.Report{}, "Figures": stats.Figures{}, "Durations": stats.Durations{}, "StatsRow": stats.Row{},
		"PingRow": stats.PingRow{}, "Excluded": stats.Excluded{},
		"WatchOutcome": watch.Outcome{}, "WatchEvent": watch.Event{}, "Hop": watch.Hop{}, "LocationOrder": watch.Order{},
		"DirectorySnapshot": directory.Snapshot{},
	} {
		ref := doc.Components.Schemas[name]
		if ref == nil {
			t.Errorf("no schema %s", name)
			continue
		}
		var props []string
		for p := range ref.Value.Properties {
			props = append(props, p)
		}
		slices.Sort(props)
		required := slices.Sorted(slices.Values(ref.Value.Required))
		all, always := jsonFields(reflect.TypeOf(v))
		if !slices.Equal(props, all) {
			t.Errorf("schema %s has properties %v; the Go type %T writes %v", name, props, v, all)
		}
		if !slices.Equal(required, always) {
			t.Errorf("schema %s requires %v; the Go type %T always writes %v", name, required, v, always)
		}
	}
}

// validator checks decoded JSON against the document's schemas.
type validator struct {
	t   *testing.T
	doc *openapi3.T
}

func (v validator) schema(ref string) *openapi3.Schema {
	v.t.Helper()
	s := v.doc.Components.Schemas[ref]
	if s == nil {
		v.t.Fatalf("no schema %s", ref)
	}
	return s.Value
}

func (v validator) check(what string, s *openapi3.Schema, data []byte) {
	v.t.Helper()
	var value any
	if err := json.Unmarshal(data, &value); err != nil {
		v.t.Fatalf("%s: not JSON: %v: %s", what, err, data)
	}
	if err := v.doc.ValidateSchemaJSON(s, value, openapi3.EnableJSONSchema2020()); err != nil {
		v.t.Errorf("%s does not match the document: %v\n%s", what, err, data)
	}
}

// response returns the schema of an operation's JSON answer with status.
func (v validator) response(method, path string, status int) *openapi3.Schema {
	v.t.Helper()
	op := v.doc.Paths.Find(path).GetOperation(method)
	r := op.Responses.Status(status)
	if r == nil {
		v.t.Fatalf("%s %s: the document has no answer %d", method, path, status)
	}
	return r.Value.Content.Get("application/json").Schema.Value
}

func call(t *testing.T, method, url, token string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestRealAnswersMatch runs two real nodes, exchanges real envelopes and
// asks each API for real answers (and refusals), and validates every
// body against the document, in both directions where the node reads
// JSON: what the document accepts, the node accepts, and the reverse.
func TestRealAnswersMatch(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef-fictional"
	h := statstest.Start(t, store.SQLite, statstest.Options{Setup: func(party string, n *node.Node) error {
		n.Handle(openapi.Path, openapi.Handler())
		if party != "IT" {
			return nil
		}
		svc, err := app.RegisterWatch(n, nil)
		if err != nil {
			return err
		}
		api, err := watch.NewProviderAPI(svc, map[string]string{"Example ISP (fictional)": token})
		if err != nil {
			return err
		}
		api.Mount(n)
		return nil
	}})
	h.Play(t)
	spec := load(t)
	v := validator{t, spec}
	ctx := context.Background()
	us, it := h.Net.Node("US"), h.Net.Node("IT")
	base := "http://" + it.Addr()

	// The inbox: a real envelope, its receipt, a refusal.
	doc := statstest.Doc(t, "US-2026-000900", "routine", "EX-OPENAPI", "US", "IT")
	env, err := us.Seal(ctx, envelope.Header{IdempotencyKey: "openapi-1", Kind: envelope.KindRequest, Subkind: "preserve", Recipient: "IT-247", CaseRef: "EX-OPENAPI"}, doc)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	v.check("a sealed envelope", v.schema("Envelope"), raw)
	st, body := call(t, "POST", base+federation.InboxPath, "", raw)
	if st != http.StatusOK {
		t.Fatalf("inbox: %d %s", st, body)
	}
	v.check("the inbox's receipt", v.response("POST", federation.InboxPath, st), body)
	st, body = call(t, "POST", base+federation.InboxPath, "", []byte(`{"v":1}`))
	v.check("the inbox's refusal", v.response("POST", federation.InboxPath, st), body)

	st, body = call(t, "GET", base+"/v1/directory", "", nil)
	if st != http.StatusOK {
		t.Fatalf("directory: %d", st)
	}
	v.check("the signed directory", v.response("GET", "/v1/directory", st), body)
	st, body = call(t, "GET", base+"/healthz", "", nil)
	v.check("health", v.response("GET", "/healthz", st), body)

	// The providers' API: a push for no such watch, an unauthenticated
	// call, the (empty) list of orders.
	push := []byte(`{"request":"US-2026-999999","address":"192.0.2.10","port":51234,"time":"2026-11-25T02:00:00Z"}`)
	v.check("a provider's push", v.schema("ProviderPush"), push)
	if _, _, err := watch.ParsePush(bytes.NewReader(push)); err != nil {
		t.Errorf("the node refuses a push the document accepts: %v", err)
	}
	extra := []byte(`{"request":"US-2026-999999","address":"192.0.2.10","port":1,"time":"2026-11-25T02:00:00Z","name":"x"}`)
	var value any
	_ = json.Unmarshal(extra, &value)
	if spec.ValidateSchemaJSON(v.schema("ProviderPush"), value, openapi3.EnableJSONSchema2020()) == nil {
		t.Error("the document accepts a push with an unknown field")
	}
	if _, _, err := watch.ParsePush(bytes.NewReader(extra)); err == nil {
		t.Error("the node accepts a push with an unknown field")
	}
	path := strings.TrimPrefix(watch.ProviderPath, "POST ")
	st, body = call(t, "POST", base+path, token, push)
	if st < 400 {
		t.Fatalf("push for no watch: %d %s", st, body)
	}
	v.check("a refused push", v.response("POST", path, st), body)
	st, body = call(t, "POST", base+path, "wrong-token", push)
	if st != http.StatusUnauthorized {
		t.Fatalf("push with a wrong token: %d", st)
	}
	v.check("an unauthenticated push", v.response("POST", path, st), body)
	orders := strings.TrimPrefix(watch.OrdersPath, "GET ")
	st, body = call(t, "GET", base+orders, token, nil)
	v.check("the orders", v.response("GET", orders, st), body)

	// The statistics the portal answers as JSON.
	rep, err := stats.New(it.DB, h.Clock).Compute(ctx, stats.Query{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	v.check("a statistics report", v.response("GET", "/stats", http.StatusOK), b)

	// The node serves the document itself.
	st, body = call(t, "GET", base+"/openapi.json", "", nil)
	if st != http.StatusOK || !bytes.Equal(body, openapi.Document()) {
		t.Errorf("/openapi.json: %d, %d bytes", st, len(body))
	}
}
