package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/notify"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/watch"
)

// testPassword is the password of every test account.
const testPassword = "a long enough passphrase"

// portalNet is a test network whose nodes serve the portal, with one
// officer on each node.
type portalNet struct {
	*testnet.Net
	clock   clock.Clock
	secrets map[string]string // party -> TOTP secret of its officer
	names   map[string]string // party -> officer's display name

	// steps remembers the last TOTP step used per party's officer: a
	// code is accepted once, so a second sign-in of the same account
	// waits for the next step.
	stepsMu sync.Mutex
	steps   map[string]uint64
}

// officer names per party: fictional.
var officerNames = map[string]string{"US": "Alex Example", "IT": "Giulia Esempio", "GB": "Sam Sample"}

func startPortalNet(t *testing.T, parties ...string) *portalNet {
	t.Helper()
	return startPortalNetClock(t, clock.System{}, parties...)
}

// startPortalNetClock starts the network on a given clock.
func startPortalNetClock(t *testing.T, clk clock.Clock, parties ...string) *portalNet {
	t.Helper()
	return startPortalNetWith(t, clk, func(_ string, n *node.Node) (Deps, error) { return testDeps(n), nil }, parties...)
}

// startPortalNetWith starts the network on a given clock with each node's
// portal built from deps (after the ping service is registered, as the
// art35 command does) and an officer account on every node.
func startPortalNetWith(t *testing.T, clk clock.Clock, deps func(party string, n *node.Node) (Deps, error), parties ...string) *portalNet {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex // Setup runs per node, possibly at once; deps may fill shared maps
	net, err := testnet.Start(ctx, testnet.Options{Parties: parties, Dir: t.TempDir(), Clock: clk,
		Setup: func(party string, n *node.Node) error {
			mu.Lock()
			defer mu.Unlock()
			statstest.PingService(n).Register(n) // as the art35 command does: pings arrive and are swept
			d, err := deps(party, n)
			if err != nil {
				return err
			}
			p, err := New(d)
			if err != nil {
				return err
			}
			n.Handle("/", p)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	pn := &portalNet{Net: net, clock: clk, secrets: map[string]string{}, names: map[string]string{}, steps: map[string]uint64{}}
	for _, party := range parties {
		name := officerNames[party]
		pn.secrets[party] = addAccount(t, net.Node(party), clk, users.Account{Username: "officer", Name: name, Role: users.Officer})
		pn.names[party] = name
	}
	return pn
}

// addAccount makes an account on a node with testPassword and a cheap
// password hash (the tests' accounts; the cost is not what they test)
// and returns its TOTP secret.
func addAccount(t *testing.T, n *node.Node, clk clock.Clock, a users.Account) string {
	t.Helper()
	svc := &users.Service{DB: n.DB, Clock: clk, Params: users.Params{Memory: 64, Time: 1, Threads: 1}, SecretKey: n.Users.SecretKey}
	secret, err := svc.Add(context.Background(), a, testPassword, "test")
	if err != nil {
		t.Fatalf("add account %s on %s: %v", a.Username, n.Config.Party, err)
	}
	return secret
}

// signInNew makes an account on party's node and signs it in over HTTP
// with its password and its TOTP code of the clock's current step, as a
// person would; the client holds the session.
func (pn *portalNet) signInNew(t *testing.T, party string, a users.Account) *http.Client {
	t.Helper()
	secret := addAccount(t, pn.Node(party), pn.clock, a)
	code, err := users.TOTPCode(secret, pn.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := client(t)
	if st, body, _ := post(t, c, pn.url(party, "/signin"), url.Values{"username": {a.Username}, "password": {testPassword}, "code": {code}}, nil); st != http.StatusSeeOther {
		t.Fatalf("%s (%s) signs in on %s: %d, want 303: %.300s", a.Username, a.Role, party, st, body)
	}
	return c
}

func (pn *portalNet) url(party, path string) string { return "http://" + pn.Node(party).Addr() + path }

// client returns an HTTP client that keeps cookies and does not follow
// redirects, so tests see them.
func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	// testkit.Timeout, not 10 s: the first /sources loads the IP data,
	// which took over 10 s under -race on a loaded machine (CI, 2026-12-03).
	return &http.Client{Jar: jar, Timeout: testkit.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (pn *portalNet) code(t *testing.T, party string) string {
	t.Helper()
	pn.stepsMu.Lock()
	defer pn.stepsMu.Unlock()
	now := pn.clock.Now()
	for pn.steps[party] == users.TOTPStep(now) {
		if m, ok := pn.clock.(*clock.Manual); ok {
			m.Advance(users.TOTPPeriod)
		} else {
			time.Sleep(time.Until(time.Unix((now.Unix()/30+1)*30, 0)))
		}
		now = pn.clock.Now()
	}
	pn.steps[party] = users.TOTPStep(now)
	c, err := users.TOTPCode(pn.secrets[party], now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (pn *portalNet) signIn(t *testing.T, party string) *http.Client {
	t.Helper()
	c := client(t)
	resp, err := c.PostForm(pn.url(party, "/signin"), url.Values{"username": {"officer"}, "password": {testPassword}, "code": {pn.code(t, party)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inbox" {
		t.Fatalf("sign in on %s: %s", party, resp.Status)
	}
	return c
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func post(t *testing.T, c *http.Client, u string, form url.Values, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestUnauthenticatedRefused: every page other than sign-in and the static
// files refuses a request without a session, and shows nothing of the
// node's data.
func TestUnauthenticatedRefused(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT")
	c := client(t)
	gets := []string{"/", "/inbox", "/inbox/rows", "/requests/US-2026-000101", "/requests/US-2026-000101/letter",
		"/compose", "/compose/preserve", "/directory", "/directory/IT", "/sources", "/pings", "/search?q=1.2.3.4", "/inbox.csv", "/attribute", "/profile", "/supervisor", "/roster", "/requests/US-2026-000101/audit", "/requests/US-2026-000101/proof", "/requests/US-2026-000101/live", "/no-such-page",
		"/watches", "/watches/US-2026-000101", "/transfers", "/requests/US-2026-000101/transfers"}
	for _, p := range gets {
		t.Run("GET "+p, func(t *testing.T) {
			code, body, h := get(t, c, pn.url("US", p))
			if code != http.StatusSeeOther || h.Get("Location") != "/signin" {
				t.Errorf("status %d, location %q; want 303 to /signin", code, h.Get("Location"))
			}
			if strings.Contains(body, "Directory") || strings.Contains(body, "Inbox") {
				t.Errorf("body shows a page: %.200s", body)
			}
		})
	}
	t.Run("htmx poll", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, pn.url("US", "/inbox/rows"), nil)
		req.Header.Set("HX-Request", "true")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/signin" {
			t.Errorf("status %d, HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
		}
	})
	for _, p := range []string{"/signout", "/requests/US-2026-000101/act", "/compose/preserve", "/compose/preserve/send", "/pings/X/answer", "/attribute", "/compose/preserve/draft", "/profile",
		"/roster/slots", "/roster/slots/X", "/roster/slots/X/remove", "/requests/US-2026-000101/transfers"} {
		t.Run("POST "+p, func(t *testing.T) {
			code, _, _ := post(t, c, pn.url("US", p), url.Values{"to": {"acknowledged"}, "confirm": {"yes"}, "doc": {"{}"}}, nil)
			if code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", code)
			}
		})
	}
	for _, p := range []string{"/signin", "/static/htmx.min.js", "/static/portal.css"} {
		if code, _, _ := get(t, c, pn.url("US", p)); code != http.StatusOK {
			t.Errorf("GET %s without a session: %d, want 200", p, code)
		}
	}
	// A made-up cookie is no session.
	u, _ := url.Parse(pn.url("US", "/"))
	c.Jar.SetCookies(u, []*http.Cookie{{Name: SessionCookie + "US", Value: "forged"}})
	if code, _, _ := get(t, c, pn.url("US", "/inbox")); code != http.StatusSeeOther {
		t.Errorf("forged cookie: %d, want 303", code)
	}
}

// TestCrossSitePostRefused: a browser POST from another site is refused
// before any handler runs, even with a valid session.
func TestCrossSitePostRefused(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT")
	c := pn.signIn(t, "US")
	tests := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"fetch metadata cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// signout is harmless to repeat and redirects when allowed.
			code, _, _ := post(t, c, pn.url("US", "/signout"), url.Values{}, tc.hdr)
			if code != tc.want {
				t.Errorf("status %d, want %d", code, tc.want)
			}
		})
	}
	code, _, _ := post(t, client(t), pn.url("US", "/signin"), url.Values{"username": {"officer"}}, map[string]string{"Sec-Fetch-Site": "cross-site"})
	if code != http.StatusForbidden {
		t.Errorf("cross-site sign-in POST: %d, want 403", code)
	}
}

func TestSignInRefusesWrongFactors(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US")
	tests := []struct {
		name, user, pw, code string
	}{
		{"wrong password", "officer", "not the password!", ""},
		{"wrong code", "officer", testPassword, "000000"},
		{"no code", "officer", testPassword, ""},
		{"unknown user", "nobody", testPassword, "123456"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := tc.code
			if code == "" && tc.pw != testPassword {
				code = "123456"
			}
			st, body, h := post(t, client(t), pn.url("US", "/signin"), url.Values{"username": {tc.user}, "password": {tc.pw}, "code": {code}}, nil)
			if st != http.StatusUnauthorized || !strings.Contains(body, "sign-in failed") || h.Get("Set-Cookie") != "" {
				t.Errorf("status %d, set-cookie %q, body has message: %v", st, h.Get("Set-Cookie"), strings.Contains(body, "sign-in failed"))
			}
		})
	}
}

var preserveForm = url.Values{
	"requested.party":                       {"IT"},
	"sender_ref":                            {"EX-24-7-2026-0412"},
	"requesting.time_zone":                  {"America/New_York"},
	"requesting.contact.phone":              {"+00 1 555 0100"},
	"requesting.contact.name":               {"Alex Example"},
	"requesting.office_hours":               {"Mon-Fri 08:00-18:00; duty line 24/7"},
	"priority":                              {"urgent"},
	"legal_basis.instrument":                {"budapest"},
	"language":                              {"en"},
	"handling.code":                         {"H0"},
	"preserve.status":                       {"new"},
	"preserve.offence":                      {"unauthorised access (Art. 2)"},
	"preserve.facts":                        {"A company network was entered from abroad on 20 November 2026."},
	"preserve.data[0].category":             {"traffic"},
	"preserve.data[0].description":          {"connection logs of the account used"},
	"preserve.data[0].identifiers[0].kind":  {"ip"},
	"preserve.data[0].identifiers[0].value": {"121.16.109.40"},
	"preserve.data[0].identifiers[0].port":  {"51234"},
	"preserve.data[0].identifiers[0].time":  {"2026-11-20T14:02:07Z"},
	"preserve.relation":                     {"the logs show who connected"},
	"preserve.custodian":                    {"Example Hosting (fictional), Milan"},
	"preserve.necessity":                    {"logs are erased after 30 days"},
	"preserve.mla_will_follow":              {"true"},
	"preserve.reply_channel":                {"node"},
	"preserve.confirmation_contact.name":    {"Alex Example"},
	"preserve.confirmation_contact.phone":   {"+00 1 555 0100"},
}

// composeValues returns the compose form of a fresh preserve with the
// hidden fields the portal fills in, plus the given values.
func composeValues(t *testing.T, c *http.Client, u string, values url.Values) url.Values {
	t.Helper()
	code, body, _ := get(t, c, u)
	if code != http.StatusOK {
		t.Fatalf("compose form: %d", code)
	}
	out := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
		out.Set(m[1], htmlUnescape(m[2]))
	}
	for k, v := range values {
		out[k] = v
	}
	return out
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#43;", "+", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`).Replace(s)
}

func TestComposeSendActAcrossNodes(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT")
	us := pn.signIn(t, "US")

	// A missing field: the problem appears beside it, nothing is sent.
	form := composeValues(t, us, pn.url("US", "/compose/preserve"), preserveForm)
	form.Del("preserve.custodian")
	code, body, _ := post(t, us, pn.url("US", "/compose/preserve"), form, nil)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("missing custodian: %d", code)
	}
	if !regexp.MustCompile(`(?s)id="f-preserve-custodian".*?class="problem"[^>]*data-field="preserve.custodian"`).MatchString(body) {
		t.Errorf("the custodian problem is not beside its field")
	}
	// Fixed: the preview shows the letter and asks for confirmation.
	form.Set("preserve.custodian", "Example Hosting (fictional), Milan")
	code, body, _ = post(t, us, pn.url("US", "/compose/preserve"), form, nil)
	if !strings.Contains(body, "Legal route US → IT for Preservation request") {
		t.Error("the preview does not show the legal route")
	}
	// The same decision as 'art35 route' (route.DecideFor): article, recipient and clock.
	if !strings.Contains(body, "recipient: 24/7 point of contact") || !strings.Contains(body, "clock: preserved at least 60 days (Art. 29(7))") || !strings.Contains(body, "G7 24/7 network") {
		t.Error("the preview does not show the route's recipient and clock")
	}
	if code != http.StatusOK || !strings.Contains(body, `id="confirm"`) || !strings.Contains(body, "srcdoc=") {
		t.Fatalf("preview: %d %v", code, regexp.MustCompile(`(<li>|class="problem")[^<]*`).FindAllString(body, -1))
	}
	doc := htmlUnescape(regexp.MustCompile(`name="doc" value="([^"]*)"`).FindStringSubmatch(body)[1])
	id := form.Get("id")
	// Not confirmed: refused, nothing sent.
	code, _, _ = post(t, us, pn.url("US", "/compose/preserve/send"), url.Values{"doc": {doc}}, nil)
	if code != http.StatusBadRequest {
		t.Errorf("send without confirm: %d, want 400", code)
	}
	if _, err := pn.Node("US").Cases.Get(context.Background(), id); err == nil {
		t.Fatal("a request was stored without confirmation")
	}
	code, _, h := post(t, us, pn.url("US", "/compose/preserve/send"), url.Values{"doc": {doc}, "confirm": {"yes"}}, nil)
	if code != http.StatusSeeOther || h.Get("Location") != "/requests/"+id+"?sent=1" {
		t.Fatalf("send: %d %q", code, h.Get("Location"))
	}

	// IT sees it arrive in the inbox rows (what htmx polls).
	it := pn.signIn(t, "IT")
	testkit.Eventually(t, "request "+id+" in IT's inbox", func() bool {
		_, rows, _ := get(t, it, pn.url("IT", "/inbox/rows"))
		return strings.Contains(rows, id)
	})
	code, body, _ = get(t, it, pn.url("IT", "/requests/"+id))
	if code != http.StatusOK || !strings.Contains(body, `id="act-acknowledged"`) {
		t.Fatalf("IT request view: %d, acknowledge offered: %v", code, strings.Contains(body, `id="act-acknowledged"`))
	}
	code, _, _ = post(t, it, pn.url("IT", "/requests/"+id+"/act"), url.Values{"to": {"acknowledged"}}, nil)
	if code != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", code)
	}
	// A step not allowed now is refused with the lifecycle's message.
	code, body, _ = post(t, it, pn.url("IT", "/requests/"+id+"/act"), url.Values{"to": {"closed"}, "confirm": {"yes"}}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="act-error"`) {
		t.Errorf("closing by the receiver was not refused: %d", code)
	}
	// US sees "acknowledged by Giulia Esempio".
	ackBy := regexp.MustCompile(`<strong>Acknowledged</strong> by <span class="by">Giulia Esempio</span>`)
	testkit.Eventually(t, "US to show the acknowledgement by Giulia Esempio", func() bool {
		_, body, _ = get(t, us, pn.url("US", "/requests/"+id))
		return ackBy.MatchString(body)
	})
}

func TestDirectoryPages(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT")
	c := pn.signIn(t, "US")
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/directory", 200, "IT-247"},
		{"/directory?q=ital", 200, "Italy"},
		{"/directory/IT", 200, "Authorities"},
		{"/directory/ZZ", 404, "not in the directory"},
		{"/compose", 200, "type-preserve"},
		{"/compose/nonsense", 400, "unknown"},
		{"/requests/NOPE-1", 404, "no request &#34;NOPE-1&#34; on this node"},
		{"/sources", 200, `<a href="https://db-ip.com">`},
		{"/sources", 200, "RouteViews"},
	}
	for _, tc := range tests {
		code, body, _ := get(t, c, pn.url("US", tc.path))
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d (want %d), has %q: %v", tc.path, code, tc.code, tc.want, strings.Contains(body, tc.want))
		}
	}
}

// preserveJSON is a complete preserve request from US to IT.
var preserveJSON = func() string {
	b, err := os.ReadFile("testdata/preserve.json")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

func waitCase(t *testing.T, n *node.Node, id string) {
	t.Helper()
	testkit.Eventually(t, id+" to reach "+n.Config.Party, func() bool {
		_, err := n.Cases.Get(context.Background(), id)
		return err == nil
	})
}

// startWithSent starts a US-IT portal network on a manual clock at 26
// November 2026, 02:30 UTC, where the US officer has submitted doc (a
// request US-2026-000101 to IT); it returns once IT holds the request.
func startWithSent(t *testing.T, doc []byte) (*portalNet, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC))
	pn := startPortalNetClock(t, clk, "US", "IT")
	if _, problems, err := pn.Node("US").Cases.Submit(context.Background(), doc, pn.names["US"]); err != nil {
		t.Fatal(err, problems)
	}
	waitCase(t, pn.Node("IT"), "US-2026-000101")
	return pn, clk
}

func waitState(t *testing.T, n *node.Node, id string, want request.State) {
	t.Helper()
	testkit.Eventually(t, fmt.Sprintf("%s on %s to be %s", id, n.Config.Party, want), func() bool {
		c, err := n.Cases.Get(context.Background(), id)
		return err == nil && c.Lifecycle.State == want
	})
}

// TestFollowUps: the receiver of a preserve can answer with a traffic
// path, the sender of a preserved request can extend it or send the MLA
// follow-up; each opens a compose form with the link and the party filled
// in, and the link survives into the document.
func TestFollowUps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pn, clk := startWithSent(t, []byte(preserveJSON))
	us, it := pn.Node("US"), pn.Node("IT")
	const id = "US-2026-000101"
	waitState(t, us, id, request.StateDelivered)
	itc := pn.signIn(t, "IT")
	_, body, _ := get(t, itc, pn.url("IT", "/requests/"+id))
	if strings.Contains(body, "Answer with a traffic path") {
		t.Error("traffic-path answer offered before the request was acknowledged")
	}
	for _, st := range []request.Step{{To: request.StateAcknowledged, By: pn.names["IT"]}, {To: request.StateInProgress, By: pn.names["IT"]},
		{To: request.StatePreserved, By: pn.names["IT"], ProviderRef: "R-1", Until: clk.Now().Add(90 * 24 * time.Hour)}} {
		clk.Advance(time.Minute)
		if _, err := it.Cases.Act(ctx, id, st, nil); err != nil {
			t.Fatal(err)
		}
		waitState(t, us, id, st.To)
	}
	tests := []struct {
		party, label string
		want         []string
	}{
		{"IT", "Answer with a traffic path", []string{`name="links[0].rel" value="answers"`, `name="links[0].id" value="` + id + `"`, `value="` + id + `"`, `<option value="US" selected>`}},
		{"US", "Extend the preservation", []string{`name="links[0].rel" value="extends"`, `<option value="extension" selected>extension of an earlier preservation</option>`, `<option value="IT" selected>`}},
		{"US", "Send the MLA follow-up", []string{`name="links[0].rel" value="follows-up"`, `name="mla_followup.preservation_id" type="text" value="` + id + `"`}},
	}
	usc := pn.signIn(t, "US")
	for _, tc := range tests {
		c := map[string]*http.Client{"US": usc, "IT": itc}[tc.party]
		_, view, _ := get(t, c, pn.url(tc.party, "/requests/"+id))
		m := regexp.MustCompile(`<a class="button" href="([^"]+)">` + tc.label).FindStringSubmatch(view)
		if m == nil {
			t.Errorf("%s: %q not offered", tc.party, tc.label)
			continue
		}
		code, form, _ := get(t, c, pn.url(tc.party, htmlUnescape(m[1])))
		if code != http.StatusOK {
			t.Errorf("%s: form %d", tc.label, code)
		}
		for _, w := range tc.want {
			if !strings.Contains(form, w) {
				t.Errorf("%s: form lacks %s", tc.label, w)
			}
		}
	}
}

// TestAuditorReadsOnly: an auditor sees the inbox but cannot send or act.
func TestAuditorReadsOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pn := startPortalNet(t, "US")
	c := pn.signInNew(t, "US", users.Account{Username: "auditor", Name: "Ada Auditor", Role: users.Auditor})
	if st, _, _ := get(t, c, pn.url("US", "/inbox")); st != http.StatusOK {
		t.Errorf("auditor inbox: %d", st)
	}
	for _, p := range []string{"/requests/US-2026-000101/act", "/compose/preserve/send"} {
		st, body, _ := post(t, c, pn.url("US", p), url.Values{"to": {"closed"}, "confirm": {"yes"}, "doc": {preserveJSON}}, nil)
		if st != http.StatusUnauthorized || !strings.Contains(body, "reads only") {
			t.Errorf("POST %s as auditor: %d", p, st)
		}
	}
	if _, err := pn.Node("US").Cases.Get(ctx, "US-2026-000101"); err == nil {
		t.Error("an auditor sent a request")
	}
}

// TestPortalOnAnyDate: the node's clock and the client's (the cookie jar
// reads the real one) may be years apart, as they are in every test on a
// manual clock. Sign-in, the inbox, a request view and an action must work
// with the node five years ahead of the real date and five years behind it.
// It guards against the 2026-11-26 failure, when the session cookie's
// Expires came from the node's clock and the jar dropped it.
func TestPortalOnAnyDate(t *testing.T) {
	t.Parallel()
	for _, years := range []int{5, -5} {
		t.Run(fmt.Sprintf("%+d years", years), func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewManual(time.Now().UTC().AddDate(years, 0, 0).Truncate(time.Second))
			pn := startPortalNetClock(t, clk, "US", "IT")
			us, it := pn.Node("US"), pn.Node("IT")
			doc := strings.ReplaceAll(preserveJSON, "2026", strconv.Itoa(clk.Now().Year()))
			id := fmt.Sprintf("US-%d-000101", clk.Now().Year())
			if _, problems, err := us.Cases.Submit(ctx, []byte(doc), pn.names["US"]); err != nil {
				t.Fatal(err, problems)
			}
			waitCase(t, it, id)
			itc := pn.signIn(t, "IT")
			if st, body, _ := get(t, itc, pn.url("IT", "/inbox")); st != http.StatusOK || !strings.Contains(body, id) {
				t.Fatalf("inbox on a clock %+d years away: status %d, lists %s: %v", years, st, id, strings.Contains(body, id))
			}
			if st, _, _ := get(t, itc, pn.url("IT", "/requests/"+id)); st != http.StatusOK {
				t.Fatalf("request view: status %d", st)
			}
			st, _, _ := post(t, itc, pn.url("IT", "/requests/"+id+"/act"), url.Values{"to": {"acknowledged"}}, nil)
			if st != http.StatusSeeOther && st != http.StatusOK {
				t.Fatalf("acknowledge: status %d", st)
			}
			waitState(t, us, id, request.StateAcknowledged)
		})
	}
}

// forNode builds the portal of a test node the way internal/app does (the
// portal's own tests cannot import app, which imports web).
func forNode(n *node.Node) (*Server, error) { return New(testDeps(n)) }

// testDeps are a portal's dependencies on a test node, as app.Portal
// fills them (web cannot import app).
func testDeps(n *node.Node) Deps {
	return Deps{Party: n.Config.Party, Cases: n.Cases, Users: n.Users, Directory: n.Directory,
		Clock: n.Clock, Log: n.Log, IPData: n.Config.Path("ipdb"), Pings: statstest.PingService(n),
		Authority: n.Config.Authority, Roster: &notify.Roster{DB: n.DB, Clock: n.Clock},
		Watches: &watch.Service{DB: n.DB, Clock: n.Clock}} // the pages only read the events
}
