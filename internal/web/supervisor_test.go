package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/users"
)

// TestSupervisorAndRoster: a supervisor sees the open and overdue work by
// person (an emergency nobody has acknowledged counts as overdue and
// nobody's), and who is on duty; an officer is refused the page but sees
// the roster.
func TestSupervisorAndRoster(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk)
	ctx := context.Background()
	doc := strings.NewReplacer(`"US-2026-000101"`, `"US-2026-000102"`, `"urgent"`, `"emergency"`).Replace(preserveJSON)
	if _, problems, err := pn.Node("US").Cases.Submit(ctx, []byte(doc), pn.names["US"]); err != nil {
		t.Fatal(err, problems)
	}
	waitCase(t, pn.Node("IT"), "US-2026-000102")
	waitState(t, pn.Node("IT"), "US-2026-000102", request.StateDelivered)
	clk.Advance(20 * time.Minute) // past the 15 minutes of an emergency

	officer := pn.signIn(t, "IT")
	if code, _, _ := get(t, officer, pn.url("IT", "/supervisor")); code != http.StatusUnauthorized {
		t.Errorf("officer on the supervisor page: %d, want 401", code)
	}
	if code, body, _ := get(t, officer, pn.url("IT", "/roster")); code != http.StatusOK || !strings.Contains(body, `<table class="inbox duty">`) {
		t.Errorf("roster: %d", code)
	}

	sup := pn.signInNew(t, "IT", users.Account{Username: "chief", Name: "Paola Esempio", Role: users.Supervisor})
	st, body, _ := get(t, sup, pn.url("IT", "/supervisor"))
	if st != http.StatusOK {
		t.Fatalf("supervisor page: %d", st)
	}
	for _, want := range []string{`Open work: 2 · overdue: <span class="flag" id="overdue-count">1</span>`,
		`<td data-label="Person">nobody yet</td><td data-label="Open">1</td><td data-label="Overdue"><strong class="flag">⚠ 1</strong>`,
		`<td data-label="Person">` + pn.names["IT"] + `</td><td data-label="Open">1</td><td data-label="Overdue">0</td>`,
		`href="/requests/US-2026-000102">US-2026-000102</a>`, `id="duty-h"`} {
		if !strings.Contains(body, want) {
			t.Errorf("supervisor page lacks %s", want)
		}
	}
}
