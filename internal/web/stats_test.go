package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/users"
)

// TestStatsPage plays the statistics history between two real nodes that
// serve the portal and reads the US statistics page: its tables show the
// timeline's figures, its JSON is the report "art35 stats --json" gives,
// exercises are apart, and nobody signed out sees it.
func TestStatsPage(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngineParallel(t, func(t *testing.T, backend string) {
		h := statstest.Start(t, backend, statstest.Options{Setup: func(_ string, n *node.Node) error {
			p, err := forNode(n)
			if err != nil {
				return err
			}
			n.Handle("/", p)
			return nil
		}})
		h.Play(t)
		ctx := context.Background()
		us := h.Net.Node("US")
		base := "http://" + us.Addr()
		secret := addAccount(t, us, h.Clock, users.Account{Username: "supervisor", Name: "Sam Sample", Role: users.Officer})
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		fetch := func(path string) (int, string) {
			t.Helper()
			resp, err := c.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if st, _ := fetch("/stats"); st != http.StatusSeeOther {
			t.Fatalf("stats without a session: status %d, want a redirect to sign in", st)
		}
		code, err := users.TOTPCode(secret, h.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.PostForm(base+"/signin", url.Values{"username": {"supervisor"}, "password": {testPassword}, "code": {code}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %s", resp.Status)
		}

		st, page := fetch("/stats?from=2026-11-25&to=2026-11-25&by=country")
		if st != http.StatusOK {
			t.Fatalf("stats page: %d\n%s", st, page)
		}
		row := regexp.MustCompile(`(?s)<table class="dir stats" id="stats-sent">.*?<td>IT</td><td>(\d+)</td><td>(\d+)</td>\s*<td>([^<]*)</td><td>([^<]*)</td>\s*<td>([^<]*)<small>`).FindStringSubmatch(page)
		if row == nil {
			t.Fatalf("no IT row in the sent table:\n%s", page)
		}
		if row[1] != "4" || row[3] != "0s / 6m / 6m" || row[4] != "30m / 40m / 40m" || strings.TrimSpace(row[5]) != "67%" {
			t.Errorf("IT row = %q, want 4 requests, receipt 0s / 6m / 6m, ack 30m / 40m / 40m, 67%% in time", row[1:])
		}
		if !strings.Contains(page, `href="/stats?by=country&amp;format=json&amp;from=2026-11-25&amp;to=2026-11-25"`) {
			t.Errorf("the page does not link its JSON:\n%s", page)
		}
		if !strings.Contains(page, "<td>sent</td><td>IT</td><td>1</td><td>1</td><td>1</td><td>1</td><td>0</td><td>0</td><td>7m / 7m / 7m</td>") {
			t.Errorf("the ping row is missing:\n%s", page)
		}
		for _, s := range append(append([]string{}, statstest.Officers[:2]...), statstest.SenderRefs...) {
			if strings.Contains(page, s) {
				t.Errorf("the statistics page shows %q", s)
			}
		}

		// The page's JSON is the report computed directly.
		st, body := fetch("/stats?from=2026-11-25&to=2026-11-25&format=json")
		if st != http.StatusOK {
			t.Fatalf("stats JSON: %d %s", st, body)
		}
		var got, want stats.Report
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		direct, err := stats.New(us.DB, h.Clock).Compute(ctx, stats.Query{From: statstest.T0.Truncate(24 * time.Hour), To: statstest.T0.Truncate(24*time.Hour).AddDate(0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(direct)
		_ = json.Unmarshal(b, &want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("page JSON differs from the report:\n%s\n%s", body, b)
		}

		// Italy's exercise is on Italy's page of exercises, not on the US's.
		if st, page = fetch("/stats?from=2026-11-25&to=2026-11-25&scope=exercise"); st != http.StatusOK || !strings.Contains(page, "of exercises") {
			t.Errorf("exercise page: %d", st)
		}
		if st, body = fetch("/stats?from=yesterday&format=json"); st != http.StatusBadRequest || !strings.Contains(body, "YYYY-MM-DD") {
			t.Errorf("bad date: %d %s", st, body)
		}
		if st, _ = fetch("/stats?by=person"); st != http.StatusBadRequest {
			t.Errorf("bad grouping: %d", st)
		}
	})
}
