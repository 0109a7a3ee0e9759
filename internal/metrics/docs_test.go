package metrics_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/art35/art35/internal/metrics"
)

// described returns the names of the series the collector exports.
func described(t *testing.T) map[string]bool {
	t.Helper()
	ch := make(chan *prometheus.Desc, 64)
	metrics.New(metrics.Sources{}).Describe(ch)
	close(ch)
	names := map[string]bool{}
	re := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range ch {
		m := re.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read the name of %s", d)
		}
		names[m[1]] = true
	}
	// Series the node registers itself (package node: the inbox's edge).
	names["art35_inbox_refusals_total"] = true
	return names
}

// checkNames fails for every art35_ series named in text that the
// collector does not export (histograms add _bucket, _sum and _count).
func checkNames(t *testing.T, file, text string, names map[string]bool) {
	t.Helper()
	used := regexp.MustCompile(`art35_[a-z0-9_]+`).FindAllString(text, -1)
	if len(used) == 0 {
		t.Fatalf("%s names no art35 series", file)
	}
	for _, n := range used {
		base := n
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(n, suf); ok && names[b] {
				base = b
			}
		}
		if !names[base] {
			t.Errorf("%s uses %s, which the node does not export", file, n)
		}
	}
}

// TestAlertRulesAndDashboard keeps docs/alerts.yml and the Grafana
// dashboard true to the series the node exports, and checks the rules
// with promtool when it is installed (Debian's prometheus package).
func TestAlertRulesAndDashboard(t *testing.T) {
	names := described(t)
	rules, err := os.ReadFile("../../docs/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "docs/alerts.yml", string(rules), names)
	raw, err := os.ReadFile("../../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("docs/grafana-dashboard.json: %v", err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	checkNames(t, "docs/grafana-dashboard.json", strings.Join(exprs, "\n"), names)
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus); the names were checked, the rules' syntax was not")
	}
	out, err := exec.Command(promtool, "check", "rules", "../../docs/alerts.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules docs/alerts.yml: %v\n%s", err, out)
	}
}
