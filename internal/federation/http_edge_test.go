package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/art35/art35/internal/ratelimit"
)

// countingBody counts the bytes the handler reads of a body of n bytes.
type countingBody struct {
	n, read int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), c.n-c.read)
	c.read += k
	return int(k), nil
}
func (c *countingBody) Close() error { return nil }

func post(h http.Handler, remote string, body io.ReadCloser, length int64) (*httptest.ResponseRecorder, errorBody) {
	r := httptest.NewRequest("POST", InboxPath, nil)
	r.Body, r.ContentLength, r.RemoteAddr = body, length, remote
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var eb errorBody
	_ = json.Unmarshal(w.Body.Bytes(), &eb)
	return w, eb
}

// The attack of issue 11: 11 MB bodies were read whole before refusal.
// Now a declared length past the limit is refused before a byte is read,
// and an undeclared one on the first byte past the limit.
func TestOversizedBodyRefusedWithoutReadingIt(t *testing.T) {
	f := newFixture(t)
	h := &Handler{Inbox: f.inbox}
	limit := int64(f.inbox.MaxWire())
	body := &countingBody{n: 11 << 20}
	w, eb := post(h, "192.0.2.1:1000", body, body.n)
	if w.Code != http.StatusRequestEntityTooLarge || eb.Code != string(CodeOversized) || body.read != 0 {
		t.Fatalf("declared 11 MB: %d %+v, read %d bytes; want 413 oversized and nothing read", w.Code, eb, body.read)
	}
	body = &countingBody{n: limit + 5<<20}
	w, eb = post(h, "192.0.2.1:1000", body, -1)
	if w.Code != http.StatusRequestEntityTooLarge || eb.Code != string(CodeOversized) || body.read > limit+64<<10 {
		t.Fatalf("undeclared: %d %+v, read %d bytes of %d (limit %d)", w.Code, eb, body.read, body.n, limit)
	}
	if len(f.store.rejections) != 2 {
		t.Errorf("rejections recorded: %d, want 2", len(f.store.rejections))
	}
}

// blockingBody blocks its first read until released.
type blockingBody struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
	r       io.Reader
}

func (b *blockingBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	return b.r.Read(p)
}
func (b *blockingBody) Close() error { return nil }

// Bodies being read share one budget of bytes: when it is spent, a further
// request waits briefly and is told to retry (503 busy), whatever the
// number of connections.
func TestBytesInFlightBounded(t *testing.T) {
	f := newFixture(t)
	h := &Handler{Inbox: f.inbox, Budget: ratelimit.NewBudget(2500), BudgetWait: 50 * time.Millisecond}
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		b := &blockingBody{started: make(chan struct{}), release: release, r: strings.NewReader(strings.Repeat("x", 1000))}
		wg.Go(func() { post(h, "192.0.2.1:1", b, 1000) })
		<-b.started
	}
	if got := h.Budget.InUse(); got != 2000 {
		t.Fatalf("in use %d, want 2000", got)
	}
	w, eb := post(h, "192.0.2.2:1", io.NopCloser(strings.NewReader(strings.Repeat("y", 1000))), 1000)
	if w.Code != http.StatusServiceUnavailable || eb.Code != string(CodeBusy) || w.Header().Get("Retry-After") == "" {
		t.Fatalf("over budget: %d %+v", w.Code, eb)
	}
	close(release)
	wg.Wait()
	if got := h.Budget.InUse(); got != 0 {
		t.Fatalf("budget not given back: %d in use", got)
	}
}

// A source whose unauthenticated refusals exceed its allowance is
// answered 429 before its body is read; a peer whose envelopes verify
// never spends the allowance; other sources are not affected. The sender
// retries a 429.
func TestUnauthenticatedRefusalsLimitedPerSource(t *testing.T) {
	f := newFixture(t)
	h := &Handler{Inbox: f.inbox, Refusals: ratelimit.NewPerSource(rate.Every(time.Hour), 5)}
	var refused atomic.Int64
	h.Refused = func(Code) { refused.Add(1) }
	for i := range 10 {
		raw := f.seal(t, header(byte(i)), []byte("genuine"), f.us, nil)
		if w, eb := post(h, "198.51.100.1:1", io.NopCloser(bytes.NewReader(raw)), int64(len(raw))); w.Code != 200 {
			t.Fatalf("genuine %d: %d %+v", i, w.Code, eb)
		}
	}
	for i := range 5 {
		if w, eb := post(h, "203.0.113.9:1", io.NopCloser(strings.NewReader(`{"v":1,"garbage":true}`)), -1); w.Code != 400 || eb.Code != string(CodeMalformed) {
			t.Fatalf("garbage %d: %d %+v", i, w.Code, eb)
		}
	}
	body := &countingBody{n: 1000}
	w, eb := post(h, "203.0.113.9:2", body, body.n)
	if w.Code != http.StatusTooManyRequests || eb.Code != string(CodeRateLimited) || body.read != 0 {
		t.Fatalf("6th garbage: %d %+v read %d; want 429 unread", w.Code, eb, body.read)
	}
	raw := f.seal(t, header(11), []byte("genuine"), f.us, nil)
	if w, eb := post(h, "198.51.100.1:1", io.NopCloser(bytes.NewReader(raw)), int64(len(raw))); w.Code != 200 {
		t.Fatalf("genuine peer after the flood: %d %+v", w.Code, eb)
	}
	if len(f.store.rejections) != 5 || refused.Load() != 6 {
		t.Errorf("rejections %d (want 5), refusals counted %d (want 6)", len(f.store.rejections), refused.Load())
	}
	// The client takes a 429 as "retry later", not as a final refusal.
	c := &Client{Keys: f.keys}
	hsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"code":"rate_limited","message":"slow down"}`))
	}))
	defer hsrv.Close()
	_, err := c.Send(context.Background(), Peer{Authority: "IT-POC", URL: hsrv.URL + InboxPath}, f.sealEnv(t, header(12), nil))
	if _, isRej := AsRejection(err); isRej || !Retryable(err) {
		t.Errorf("429: %v; want a retryable failure", err)
	}
}

// A failure of ours is a 503 with a reference, never its text.
func TestInboxFailureSendsNoInternalText(t *testing.T) {
	f := newFixture(t)
	f.store.failSave = errors.New("pq: could not write /var/lib/art35/base/16384: disk full")
	raw := f.seal(t, header(1), []byte("x"), f.us, nil)
	w, eb := post(&Handler{Inbox: f.inbox}, "192.0.2.1:1", io.NopCloser(bytes.NewReader(raw)), int64(len(raw)))
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "disk full") || strings.Contains(w.Body.String(), "/var/lib") || !strings.Contains(eb.Message, "reference") {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
}

// Oversized bodies that had to be read cost a source its allowance by the
// mebibyte: a flood of them from one address is cut off after a few.
func TestOversizedReadsSpendTheAllowance(t *testing.T) {
	f := newFixture(t)
	h := &Handler{Inbox: f.inbox, Refusals: ratelimit.NewPerSource(rate.Every(time.Hour), 100)}
	limit := int64(f.inbox.MaxWire())
	perBody := 1 + int(limit+1)/bytesPerToken
	served := 0
	for range 20 {
		w, _ := post(h, "203.0.113.5:1", &countingBody{n: limit + 1<<20}, -1)
		if w.Code == http.StatusTooManyRequests {
			break
		}
		served++
	}
	if want := (100 + perBody - 1) / perBody; served != want {
		t.Errorf("%d oversized bodies read before 429, want %d (%d tokens each)", served, want, perBody)
	}
}

// The witness headers (a database read, and a cosignature to check) are
// for envelopes whose signature verified; forged input never costs them.
func TestWitnessOnlyForSignedEnvelopes(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int64
	h := &Handler{Inbox: f.inbox, Witness: func(_ *http.Request, out http.Header) { calls.Add(1); out.Set("Art35-Test-Witness", "yes") }}
	forged := f.sealEnv(t, header(1), nil)
	forged.Signature = make([]byte, 64)
	for _, body := range [][]byte{[]byte("garbage"), wire(t, forged)} {
		if w, _ := post(h, "203.0.113.1:1", io.NopCloser(bytes.NewReader(body)), int64(len(body))); w.Header().Get("Art35-Test-Witness") != "" {
			t.Errorf("witness headers on a refusal of %.20q", body)
		}
	}
	raw := f.seal(t, header(2), []byte("genuine"), f.us, nil)
	if w, _ := post(h, "198.51.100.1:1", io.NopCloser(bytes.NewReader(raw)), int64(len(raw))); w.Code != 200 || w.Header().Get("Art35-Test-Witness") != "yes" {
		t.Errorf("genuine: %d, witness %q", w.Code, w.Header().Get("Art35-Test-Witness"))
	}
	if calls.Load() != 1 {
		t.Errorf("witness ran %d times, want 1", calls.Load())
	}
}
