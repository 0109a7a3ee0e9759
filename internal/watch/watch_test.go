package watch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/testkit"
	"github.com/art35/art35/internal/testnet"
	"github.com/art35/art35/internal/watch"
)

// runningClock runs at real speed from a fixed start, so that hops get
// real durations while dates stay inside the fixture's watch period.
type runningClock struct {
	base  time.Time
	start time.Time
}

func (c runningClock) Now() time.Time { return c.base.Add(time.Since(c.start)).UTC() }

var t0 = time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

const (
	providerToken = "0123456789abcdef0123456789abcdef-test-only"
	operatorToken = "fedcba9876543210fedcba9876543210-test-only"
)

// testIPDB is the attribution fixture: a Spanish operator with its
// law-enforcement desk (a national overlay), and a range in a country
// with no route from GB. Fictional operators; documentation-style data.
func testIPDB(t *testing.T) *ipdb.DB {
	t.Helper()
	b := ipdb.NewBuilder(ipdb.Source{Name: "test-overlay", Label: "test", Kind: ipdb.KindOverlay, AsOf: t0.Truncate(24 * time.Hour)})
	for _, r := range []struct {
		prefix string
		rec    ipdb.Record
	}{
		{"80.58.61.0/24", ipdb.Record{Country: "ES", ASN: 64500, Operator: "Ejemplo Telecom (fictional)", Desk: "lea-desk@ejemplo.example.org"}},
		{"1.2.3.0/24", ipdb.Record{Country: "CN", ASN: 64501, Operator: "Example Far Net (fictional)"}},
		{"81.2.69.0/24", ipdb.Record{Country: "GB", ASN: 64502, Operator: "Example UK ISP (fictional)"}},
	} {
		if err := b.AddPrefix(netip.MustParsePrefix(r.prefix), r.rec); err != nil {
			t.Fatal(err)
		}
	}
	l, _ := b.Build()
	return ipdb.New(l)
}

type watchNet struct {
	*testnet.Net
	svc map[string]*watch.Service
}

func startNet(t *testing.T, backend string) *watchNet {
	t.Helper()
	db := testIPDB(t)
	wn := &watchNet{svc: map[string]*watch.Service{}}
	var mu sync.Mutex
	parties := []string{"NO", "GB", "ES"}
	opt := testnet.Options{Parties: parties, Clock: runningClock{base: t0, start: time.Now()},
		Setup: func(party string, n *node.Node) error {
			s, err := app.RegisterWatch(n, db)
			if err != nil {
				return err
			}
			api, err := watch.NewProviderAPI(s, map[string]string{"Example Mail (fictional)": providerToken, "Ejemplo Telecom (fictional)": operatorToken})
			if err != nil {
				return err
			}
			api.Mount(n)
			mu.Lock()
			wn.svc[party] = s
			mu.Unlock()
			return err
		}}
	n := testnet.StartTest(t, backend, opt)
	wn.Net = n
	return wn
}

func events(t *testing.T, s *watch.Service, id string) []watch.Stored {
	t.Helper()
	es, err := s.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func checkHops(t *testing.T, who string, e watch.Stored, want []string) {
	t.Helper()
	var got []string
	for i, h := range e.Hops {
		got = append(got, h.Where)
		if i > 0 && h.At.Before(e.Hops[i-1].At) {
			t.Errorf("%s: hop %q at %s is before the previous one", who, h.Where, h.At)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s hops = %q, want %q", who, got, want)
	}
	if e.EndToEnd != e.Hops[len(e.Hops)-1].At.Sub(e.Hops[0].At) || e.EndToEnd <= 0 {
		t.Errorf("%s end to end = %s, want last hop minus first (> 0)", who, e.EndToEnd)
	}
}

// TestWatchChain is story 2 on a three-node network: Norway asks the UK
// for a realtime-traffic watch; once the UK accepts, each login event the
// UK's provider reports is attributed and relayed at once to Norway and
// to Spain, where the address is, which routes it to the Spanish
// operator's desk. An event from a country with no route stays with the
// UK's officers and goes to Norway only.
func TestWatchChain(t *testing.T) {
	storetest.ForEachEngine(t, testWatchChain)
}

func testWatchChain(t *testing.T, backend string) {
	ctx := context.Background()
	wn := startNet(t, backend)
	no, gb, es := wn.svc["NO"], wn.svc["GB"], wn.svc["ES"]
	doc, err := os.ReadFile("testdata/realtime-traffic.json")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := wn.Node("NO").Cases.Submit(ctx, doc, "Ola Eksempel")
	if err != nil {
		t.Fatal(err)
	}
	id := c.Request.ID
	testkit.Eventually(t, "the request at GB", func() bool {
		c, err := wn.Node("GB").Cases.Get(ctx, id)
		return err == nil && c.Lifecycle.State == request.StateDelivered
	})
	login := watch.Login{Address: "80.58.61.250", Port: 51234, Time: t0.Add(-time.Hour)}
	if _, err := gb.Push(ctx, id, login); !apperr.Is(err, apperr.EConflict) {
		t.Fatalf("push before the watch is accepted: err %v, want EConflict", err)
	}
	for _, to := range []request.State{request.StateAcknowledged, request.StateInProgress} {
		if _, err := wn.Node("GB").Cases.Act(ctx, id, request.Step{To: to, By: "Alice Example"}, nil); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		name  string
		login watch.Login
		want  string
	}{
		{"bad address", watch.Login{Address: "80.58.61", Port: 1, Time: t0}, "watch event address"},
		{"no time", watch.Login{Address: "80.58.61.250", Port: 1}, "watch event time"},
		{"before the period", watch.Login{Address: "80.58.61.250", Port: 1, Time: t0.AddDate(0, 0, -30)}, "outside the watch period"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := gb.Push(ctx, id, tc.login); !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EInvalid containing %q", err, tc.want)
			}
		})
	}
	if _, err := no.Push(ctx, id, login); !apperr.Is(err, apperr.EInvalid) {
		t.Errorf("the requester pushing on its own request: err %v, want EInvalid", err)
	}

	out, err := gb.Push(ctx, id, login)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != watch.StatusRelayed || !slices.Equal(out.SentTo, []string{"NO-247", "ES-247"}) || out.Event.Country != "ES" {
		t.Fatalf("outcome = %+v, want relayed to NO-247 and ES-247 with country ES", out)
	}
	testkit.Eventually(t, "the event at NO and ES", func() bool { return len(events(t, no, id)) == 1 && len(events(t, es, id)) == 1 })
	n := events(t, no, id)[0]
	if n.Role != watch.RoleRequester || n.Address != "80.58.61.250" || n.Port != 51234 || !n.Time.Equal(login.Time) || n.Peer != "GB-247" {
		t.Errorf("NO event = %+v", n)
	}
	checkHops(t, "NO", n, []string{"GB-247 received from provider", "GB-247 attributed and relayed", "NO-247 received"})
	e := events(t, es, id)[0]
	if e.Role != watch.RoleLocation || !strings.Contains(e.Note, "lea-desk@ejemplo.example.org") || !strings.Contains(e.Basis, "NO-2026-000777") {
		t.Errorf("ES event = %+v, want location role routed to the operator's desk under the request's basis", e)
	}
	checkHops(t, "ES", e, []string{"GB-247 received from provider", "GB-247 attributed and relayed", "ES-247 received", "ES-247 routed to operator"})

	// An address in a country with no route: kept for the UK's officers,
	// sent to Norway (the watch's requester) only.
	far, err := gb.Push(ctx, id, watch.Login{Address: "1.2.3.4", Port: 40000, Time: t0.Add(-30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if far.Status != watch.StatusNoRoute || !slices.Equal(far.SentTo, []string{"NO-247"}) || !strings.Contains(far.Note, "No route") {
		t.Errorf("outcome for CN = %+v, want no-route, sent to NO-247 only, with the reason", far)
	}
	testkit.Eventually(t, "the second event at NO", func() bool { return len(events(t, no, id)) == 2 })
	if got := events(t, es, id); len(got) != 1 {
		t.Errorf("ES holds %d events, want 1: the CN event must not be relayed to Spain", len(got))
	}
	gbs := events(t, gb, id)
	if len(gbs) != 2 || gbs[1].Status != watch.StatusNoRoute || gbs[1].Role != watch.RoleSource || gbs[0].Status != watch.StatusRelayed {
		t.Errorf("GB events = %+v, want the ES one relayed and the CN one marked no-route", gbs)
	}

	// The UK mail provider pushes the next login through its API.
	url := "http://" + wn.Node("GB").Addr() + "/v1/watch/events"
	call := func(method, url, token, body string) (int, string) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(token, body string) (int, string) { return call(http.MethodPost, url, token, body) }
	good := `{"request":"` + id + `","address":"80.58.61.251","port":51999,"time":"2026-11-25T02:10:00Z"}`
	// Until the UK's officers pass the watch to its provider, the
	// provider's token gets the very answer an unknown id gets: it cannot
	// learn which ids exist nor push to a watch that is not its own.
	unknownStatus, unknownBody := post(providerToken, `{"request":"NO-0000","address":"80.58.61.251","time":"2026-11-25T02:10:00Z"}`)
	if status, body := post(providerToken, strings.Replace(good, id, "NO-0000", 1)); status != unknownStatus || body != unknownBody {
		t.Fatalf("unknown id answered differently: %d %s vs %d %s", status, body, unknownStatus, unknownBody)
	}
	if status, body := post(providerToken, good); status != unknownStatus || body != unknownBody || status != http.StatusNotFound {
		t.Errorf("a watch not passed to the provider: %d %s; want the unknown id's %d %s", status, body, unknownStatus, unknownBody)
	}
	if err := gb.Assign(ctx, id, "Example Mail (fictional)", "Alice Example"); err != nil {
		t.Fatal(err)
	}
	if status, body := post(operatorToken, good); status != unknownStatus || body != unknownBody {
		t.Errorf("another provider's watch: %d %s; want the unknown id's %d %s", status, body, unknownStatus, unknownBody)
	}
	for _, tc := range []struct {
		name, token, body string
		status            int
		want              string
	}{
		{"no token", "", good, http.StatusUnauthorized, "bearer token"},
		{"wrong token", strings.Repeat("x", 40), good, http.StatusUnauthorized, "bearer token"},
		{"unknown field", providerToken, `{"request":"` + id + `","ip":"1.2.3.4"}`, http.StatusBadRequest, "body must be"},
		{"bad time", providerToken, `{"request":"` + id + `","address":"80.58.61.251","time":"yesterday"}`, http.StatusBadRequest, "RFC 3339"},
		{"unknown request", providerToken, `{"request":"NO-0000","address":"80.58.61.251","time":"2026-11-25T02:10:00Z"}`, http.StatusNotFound, "no watch with this request id"},
		{"relayed", providerToken, good, http.StatusAccepted, `"status":"relayed"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(tc.token, tc.body)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d body %s; want %d containing %q", status, body, tc.status, tc.want)
			}
		})
	}
	testkit.Eventually(t, "the provider's event at NO", func() bool { return len(events(t, no, id)) == 3 })
	for _, e := range events(t, no, id) {
		if e.Address == "80.58.61.251" && e.Hops[0].Where != "GB-247 received from provider Example Mail (fictional)" {
			t.Errorf("first hop of the provider's event = %q, want it to name the provider", e.Hops[0].Where)
		}
	}

	// The Spanish operator takes its location queries from ES's node and
	// answers the first: the cybercafé reaches ES's officers and NO.
	esURL := "http://" + wn.Node("ES").Addr()
	testkit.Eventually(t, "both queries at ES", func() bool { return len(events(t, es, id)) == 2 })
	if status, body := call(http.MethodGet, esURL+"/v1/watch/orders", providerToken, ""); status != http.StatusOK || body != "[]\n" {
		t.Errorf("orders for the UK mail provider at ES: %d %s; want none", status, body)
	}
	status, body := call(http.MethodGet, esURL+"/v1/watch/orders", operatorToken, "")
	var orders []watch.Order
	if err := json.Unmarshal([]byte(body), &orders); status != http.StatusOK || err != nil || len(orders) != 2 {
		t.Fatalf("orders for the Spanish operator: %d %s", status, body)
	}
	const cafe = "Cibercafé Ejemplo (fictional), Calle de Ejemplo 1, 29001 Málaga, seat 7"
	ans := `{"event":"` + e.ID + `","location":"` + cafe + `"}`
	if status, body := call(http.MethodPost, esURL+"/v1/watch/answers", providerToken, ans); status != http.StatusUnauthorized {
		t.Errorf("answer by another provider: %d %s, want 401", status, body)
	}
	if status, body := call(http.MethodPost, esURL+"/v1/watch/answers", operatorToken, ans); status != http.StatusAccepted {
		t.Fatalf("answer: %d %s", status, body)
	}
	if status, _ := call(http.MethodPost, esURL+"/v1/watch/answers", operatorToken, ans); status != http.StatusConflict {
		t.Errorf("second answer: %d, want 409", status)
	}
	for _, got := range events(t, es, id) {
		if got.ID == e.ID && got.Location != cafe {
			t.Errorf("ES officers see location %q, want the cybercafé", got.Location)
		}
	}
	var located watch.Stored
	testkit.Eventually(t, "the location at NO", func() bool {
		for _, got := range events(t, no, id) {
			if got.ID == e.ID && got.Location != "" {
				located = got
				return true
			}
		}
		return false
	})
	if located.Location != cafe || located.LocatedBy != "Ejemplo Telecom (fictional)" {
		t.Errorf("NO event = %+v, want the cybercafé from the Spanish operator", located)
	}
	checkHops(t, "NO located", located, []string{"GB-247 received from provider", "GB-247 attributed and relayed", "ES-247 received",
		"ES-247 routed to operator", "ES-247 answer from Ejemplo Telecom (fictional)", "NO-247 received location"})
}

func TestProviderTokenLength(t *testing.T) {
	if _, err := watch.NewProviderAPI(nil, map[string]string{"Short": "abc"}); !apperr.Is(err, apperr.EInvalid) {
		t.Errorf("short token: err %v, want EInvalid", err)
	}
}

func TestParseEvent(t *testing.T) {
	const ok = `{"id":"0123456789abcdef0123456789abcdef","request":"NO-2026-000777","address":"80.58.61.250","port":51234,"time":"2026-11-25T02:00:00Z","country":"ES","basis":"realtime-traffic request NO-2026-000777","hops":[{"where":"GB-247 received from provider","at":"2026-11-25T02:00:01.5Z"}]}`
	for _, tc := range []struct{ name, in, want string }{
		{"valid", ok, ""},
		{"bad id", strings.Replace(ok, `"0123456789abcdef0123456789abcdef"`, `"x"`, 1), "watch event id"},
		{"bad address", strings.Replace(ok, `80.58.61.250`, `80.58.61.999`, 1), "watch event address"},
		{"zone", strings.Replace(ok, `80.58.61.250`, `fe80::1%eth0`, 1), "watch event address"},
		{"bad port", strings.Replace(ok, `51234`, `70000`, 1), "watch event port"},
		{"fractional time", strings.Replace(ok, `02:00:00Z`, `02:00:00.5Z`, 1), "watch event time"},
		{"lower-case country", strings.Replace(ok, `"ES"`, `"es"`, 1), "watch event country"},
		{"no basis", strings.Replace(ok, `"basis":"realtime-traffic request NO-2026-000777"`, `"basis":""`, 1), "watch event basis"},
		{"no hops", strings.Replace(ok, `[{"where":"GB-247 received from provider","at":"2026-11-25T02:00:01.5Z"}]`, `[]`, 1), "watch event hops"},
		{"hop without time", strings.Replace(ok, `,"at":"2026-11-25T02:00:01.5Z"`, ``, 1), "hops[0]"},
		{"unknown field", strings.Replace(ok, `"port"`, `"extra":1,"port"`, 1), "watch event: not a JSON object"},
		{"trailing", ok + "{}", "data after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := watch.ParseEvent([]byte(tc.in))
			if tc.want == "" {
				if err != nil || e.Port != 51234 {
					t.Fatalf("valid event: %+v, %v", e, err)
				}
				return
			}
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EInvalid containing %q", err, tc.want)
			}
		})
	}
}

// FuzzParseEvent: an event from a peer never panics, and an accepted one
// is valid.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"id":"0123456789abcdef0123456789abcdef","request":"NO-2026-000777","address":"80.58.61.250","port":51234,"time":"2026-11-25T02:00:00Z","basis":"b","hops":[{"where":"w","at":"2026-11-25T02:00:01Z"}]}`))
	f.Add([]byte(`{"address":"::ffff:1.2.3.4"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := watch.ParseEvent(data)
		if err != nil {
			if !apperr.Is(err, apperr.EInvalid) {
				t.Fatalf("error without EInvalid: %v", err)
			}
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("accepted an invalid event: %v", err)
		}
	})
}

// FuzzParsePush: a provider's push never panics the node, and an accepted
// one has a request id, a parseable address, a port and a time.
func FuzzParsePush(f *testing.F) {
	f.Add([]byte(`{"request":"NO-2026-000777","address":"80.58.61.251","port":51999,"time":"2026-11-25T02:10:00Z"}`))
	f.Add([]byte(`{"request":"x","address":"::1","time":"2026-11-25T02:10:00+01:00"}`))
	f.Add([]byte(`{"request":"x","address":"80.58.61.251","port":-1,"time":"2026-11-25T02:10:00Z"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, l, err := watch.ParsePush(bytes.NewReader(data))
		if err != nil {
			if !apperr.Is(err, apperr.EInvalid) {
				t.Fatalf("error without EInvalid: %v", err)
			}
			return
		}
		if _, aerr := watch.ParseAddress(l.Address); id == "" || aerr != nil || l.Port < 0 || l.Port > 65535 || l.Time.IsZero() {
			t.Fatalf("accepted %q as %q %+v", data, id, l)
		}
	})
}

// TestParsePushRefusals: a push with data after its object, an unknown
// field or a body over MaxPushBody is refused, naming what is wrong.
func TestParsePushRefusals(t *testing.T) {
	t.Parallel()
	good := `{"request":"NO-2026-000777","address":"80.58.61.251","port":51999,"time":"2026-11-25T02:10:00Z"}`
	for _, tc := range []struct{ name, in, says string }{
		{"trailing", good + ` {}`, "data after the JSON object"},
		{"unknown field", `{"request":"x","adress":"80.58.61.251"}`, `unknown field "adress"`},
		{"too large", good + strings.Repeat(" ", watch.MaxPushBody), "body over"},
	} {
		_, _, err := watch.ParsePush(strings.NewReader(tc.in))
		if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v, want invalid saying %q", tc.name, err, tc.says)
		}
	}
	if id, _, err := watch.ParsePush(strings.NewReader(good)); err != nil || id != "NO-2026-000777" {
		t.Fatalf("good push: %q %v", id, err)
	}
}
