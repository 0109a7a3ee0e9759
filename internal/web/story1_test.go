package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
)

// trafficPathJSON is IT's answer to US-2026-000101: the traffic went
// through a provider in GB.
const trafficPathJSON = `{
  "id": "IT-2027-000007", "type": "traffic-path", "sender_ref": "IT-TP-7", "created_at": "2027-01-01T10:10:00Z",
  "requesting": {"party": "IT", "name": "Example 24/7 Contact Point (fictional)", "office_hours": "24/7", "time_zone": "Europe/Rome",
    "contact": {"name": "Giulia Esempio", "phone": "+00 39 555 0100"}},
  "requested": {"party": "US", "name": "Example National 24/7 Unit (fictional)"},
  "priority": "urgent", "legal_basis": {"instrument": "budapest", "article": "30"}, "language": "en", "handling": {"code": "H0"},
  "links": [{"rel": "answers", "id": "US-2026-000101"}],
  "traffic_path": {"preservation_id": "US-2026-000101",
    "provider": {"name": "Example Transit Ltd (fictional)", "address": "1 Example Street, London", "country": "GB"},
    "identifiers": [{"kind": "ip", "value": "81.2.69.142", "port": 40001, "time": "2026-11-20T14:01:59Z"},
                    {"kind": "ip", "value": "81.2.69.143", "time": "2026-11-20T14:02:03Z"}],
    "path": "the connection came from GB"}
}`

// TestStory1OnwardPreserve: the requesting officer, from IT's traffic-path
// answer, opens the preservation request to the third country (GB) in one
// click, with the provider, every identifier and its time filled in and
// the link to the answer; the chain shows the preserve, then the answer.
func TestStory1OnwardPreserve(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	pn := acknowledgedOnIT(t, clk)
	ctx := context.Background()
	clk.Advance(10 * time.Minute)
	if _, problems, err := pn.Node("IT").Cases.Submit(ctx, []byte(trafficPathJSON), pn.names["IT"]); err != nil {
		t.Fatal(err, problems)
	}
	waitCase(t, pn.Node("US"), "IT-2027-000007")
	us := pn.signIn(t, "US")
	_, view, _ := get(t, us, pn.url("US", "/requests/IT-2027-000007"))
	m := regexp.MustCompile(`<a class="button" href="([^"]+)">Ask GB to preserve`).FindStringSubmatch(view)
	if m == nil {
		t.Fatal("the traffic-path answer offers no onward preservation to GB")
	}
	chain := regexp.MustCompile(`(?s)<ol class="chain" id="chain">.*?</ol>`).FindString(view)
	if i, j := strings.Index(chain, "US-2026-000101"), strings.Index(chain, "IT-2027-000007"); i < 0 || j < 0 || i > j {
		t.Errorf("chain out of order: %s", chain)
	}
	code, form, _ := get(t, us, pn.url("US", htmlUnescape(m[1])))
	if code != http.StatusOK {
		t.Fatalf("compose: %d", code)
	}
	for _, want := range []string{`<option value="GB" selected>`, `name="links[0].rel" value="traffic-path"`, `name="links[0].id" value="IT-2027-000007"`,
		`name="preserve.data[0].identifiers[0].value" type="text" value="81.2.69.142"`, `name="preserve.data[0].identifiers[0].port" type="number" value="40001"`,
		`name="preserve.data[0].identifiers[1].value" type="text" value="81.2.69.143"`, `value="Example Transit Ltd (fictional), 1 Example Street, London, GB"`} {
		if !strings.Contains(form, want) {
			t.Errorf("onward preserve form lacks %s", want)
		}
	}
	// The times, in the officer's zone (UTC here: no zone cookie).
	if !strings.Contains(form, `value="2026-11-20T14:01:59"`) || !strings.Contains(form, `value="2026-11-20T14:02:03"`) {
		t.Error("identifier times not filled in")
	}
}
