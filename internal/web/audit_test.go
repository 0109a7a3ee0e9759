package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
)

// TestAuditPage: the audit log of a case lists its records in words,
// including who read it in the portal, and the proof bundle of its
// message downloads in the form "art35 audit check" reads.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk)
	const id = "US-2026-000101"
	it := pn.signIn(t, "IT")
	if code, _, _ := get(t, it, pn.url("IT", "/requests/"+id)); code != http.StatusOK {
		t.Fatal(code)
	}
	code, body, _ := get(t, it, pn.url("IT", "/requests/"+id+"/audit"))
	if code != http.StatusOK {
		t.Fatalf("audit: %d", code)
	}
	for _, want := range []string{`<tr data-kind="envelope-received">`, `<td data-label="What">Read by a person</td>`, `<td data-label="Who">officer</td>`, `href="/requests/` + id + `/proof"`} {
		if !strings.Contains(body, want) {
			t.Errorf("audit page lacks %s", want)
		}
	}
	// Sequenced into the log (the sequencer runs in batches), the
	// records are provable.
	if _, err := pn.Node("IT").Audit.Sequence(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := pn.Node("IT").Audit.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, body, _ := get(t, it, pn.url("IT", "/requests/"+id+"/audit")); strings.Contains(body, "being added") || !strings.Contains(body, "Read by a person") {
		t.Error("after sequencing, records are still shown as being added")
	}
	code, proof, h := get(t, it, pn.url("IT", "/requests/"+id+"/proof"))
	if code != http.StatusOK || !strings.Contains(h.Get("Content-Disposition"), "art35-proof-"+id) {
		t.Fatalf("proof: %d %q", code, h.Get("Content-Disposition"))
	}
	var b auditlog.Bundle
	if err := json.Unmarshal([]byte(proof), &b); err != nil || len(b.Entries) == 0 || b.Checkpoint == "" {
		t.Fatalf("proof bundle: %v %+v", err, b)
	}
	if _, err := auditlog.CheckBundle([]byte(proof)); err != nil && !strings.Contains(err.Error(), "key") {
		t.Errorf("the bundle does not check: %v", err)
	}
}
