package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

// TestSearchAndExport: a case is found by the IP address it asks about,
// by the sender's reference or by its own; an empty search says so in
// words; the inbox exports as CSV with its filter, and a cell that a
// spreadsheet would run as a formula is defused.
func TestSearchAndExport(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT")
	doc := strings.Replace(preserveJSON, `"EX-24-7-2026-0412"`, `"=HYPERLINK(\"http://example.org\")"`, 1)
	if _, problems, err := pn.Node("US").Cases.Submit(context.Background(), []byte(doc), pn.names["US"]); err != nil {
		t.Fatal(err, problems)
	}
	waitCase(t, pn.Node("IT"), "US-2026-000101")
	it := pn.signIn(t, "IT")
	for q, why := range map[string]string{"121.16.109.40": "IP address 121.16.109.40", "us-2026-000101": "reference", "HYPERLINK": "sender&#39;s reference"} {
		code, body, _ := get(t, it, pn.url("IT", "/search?q="+q))
		if code != http.StatusOK || !strings.Contains(body, `<tr data-id="US-2026-000101">`) || !strings.Contains(body, `<td data-label="Found by">`+why+`</td>`) {
			t.Errorf("search %q: %d, found by %q: %v", q, code, why, strings.Contains(body, why))
		}
	}
	if _, body, _ := get(t, it, pn.url("IT", "/search?q=198.51.100.7")); !strings.Contains(body, `id="no-hits"`) || strings.Contains(body, "<tr data-id") {
		t.Error("a search without hits does not say so")
	}
	_, inbox, _ := get(t, it, pn.url("IT", "/inbox?dir=in"))
	if !strings.Contains(inbox, `href="/inbox.csv?dir=in"`) {
		t.Error("the inbox has no CSV link with its filter")
	}
	code, body, h := get(t, it, pn.url("IT", "/inbox.csv?dir=in"))
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", code, h.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != "US-2026-000101" || recs[1][1] != "in" {
		t.Fatalf("csv: %v %q", err, recs)
	}
	if !strings.HasPrefix(recs[1][6], "'=HYPERLINK") {
		t.Errorf("formula not defused: %q", recs[1][6])
	}
	if _, body, _ := get(t, it, pn.url("IT", "/inbox.csv?dir=out")); strings.Count(body, "\n") != 1 {
		t.Errorf("the filter is not applied to the export: %q", body)
	}
}
