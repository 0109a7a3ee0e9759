package federation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/httperr"
	"github.com/art35/art35/internal/ratelimit"
)

// InboxPath is where a node receives envelopes (docs/protocol.md, "HTTP exchange").
const InboxPath = "/v1/inbox"

// ContentType is the media type of envelopes and receipts on the wire.
const ContentType = "application/json"

// DuplicateHeader is set to "true" on the answer to an envelope that was
// already stored; the receipt is then the original one.
const DuplicateHeader = "Art35-Duplicate"

// maxErrorBody bounds how much of a peer's error answer the client reads.
const maxErrorBody = 64 << 10

// errorBody is the JSON of a refusal or failure answer.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Handler serves POST /v1/inbox: it reads one envelope, runs the inbox
// checks and answers 200 with the signed receipt, or a refusal status with
// {"code", "message"}, or 503 when this node failed (the sender retries).
//
// It holds under a flood: a body is read through a limit and refused on
// the first byte past it (at once when Content-Length says so); the bytes
// of bodies being read across all connections stay within Budget; and a
// source address whose unauthenticated refusals exceed Refusals is
// answered 429 before its body is read.
type Handler struct {
	Inbox *Inbox
	Log   *slog.Logger // nil: slog.Default()
	// Budget, if set, bounds the body bytes in flight across connections;
	// a request that finds no room within BudgetWait gets 503 and retries.
	Budget     *ratelimit.Budget
	BudgetWait time.Duration // 0 means 5 seconds
	// Refusals, if set, limits unauthenticated refusals (Code.
	// Unauthenticated) per source address: each takes a token, and a
	// source with none left is answered 429 without reading its body.
	// Authenticated peers never spend tokens.
	Refusals *ratelimit.PerSource
	// Refused, if set, is told of every refusal, for metrics: the
	// rejection code, or "rate_limited" and "busy" for the edge's own.
	Refused func(code Code)
	// Witness, if set, adds headers to the answer to an envelope whose
	// signature verified (accepted, duplicate, or refused after the
	// check): the node's audit-log checkpoint (internal/witness). It is
	// not run for unauthenticated input, which must cost the node nothing
	// but its refusal.
	Witness func(r *http.Request, out http.Header)
}

// Edge answers that are not rejections of an envelope: the sender retries.
const (
	CodeRateLimited Code = "rate_limited" // 429: too many unauthenticated refusals from this source address
	CodeBusy        Code = "busy"         // 503: too many bytes in flight; retry later
)

func (h *Handler) refused(code Code) {
	if h.Refused != nil {
		h.Refused(code)
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Code: "method_not_allowed", Message: "POST an envelope to " + InboxPath})
		return
	}
	source := ratelimit.Source(r.RemoteAddr)
	ctx := WithRemote(r.Context(), source)
	if h.Refusals != nil && h.Refusals.Exhausted(source, time.Now()) {
		h.refused(CodeRateLimited)
		w.Header().Set("Retry-After", "60")
		w.Header().Set("Connection", "close")
		writeJSON(w, http.StatusTooManyRequests, errorBody{Code: string(CodeRateLimited), Message: "too many refused envelopes from your address; retry in a minute"})
		return
	}
	via := "http"
	if r.TLS != nil {
		via = "https"
	}
	limit := int64(h.Inbox.MaxWire())
	if r.ContentLength > limit {
		// Refused before a byte of the body is read.
		h.reject(ctx, w, log, reject(CodeOversized, nil, "envelope has %d bytes; this inbox accepts at most %d", r.ContentLength, limit), via, int(min(r.ContentLength, 1<<30)), 0, source)
		return
	}
	want := limit + 1
	if r.ContentLength >= 0 {
		want = r.ContentLength
	}
	if h.Budget != nil {
		wait := h.BudgetWait
		if wait <= 0 {
			wait = 5 * time.Second
		}
		release, ok := h.Budget.Reserve(want, wait)
		if !ok {
			h.refused(CodeBusy)
			w.Header().Set("Retry-After", "5")
			writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: string(CodeBusy), Message: "the receiving node is reading many envelopes now; retry later"})
			return
		}
		defer release()
	}
	raw, err := readLimited(w, r, want, limit)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.reject(ctx, w, log, reject(CodeOversized, nil, "envelope has more than %d bytes; this inbox accepts at most %d", limit, limit), via, int(limit)+1, int(limit)+1, source)
		return
	}
	if err != nil {
		log.Warn("inbox: read request body", "remote", r.RemoteAddr, "err", err)
		h.refused(CodeMalformed)
		writeJSON(w, http.StatusBadRequest, errorBody{Code: string(CodeMalformed), Message: "could not read the request body"})
		return
	}
	res, err := h.Inbox.Receive(ctx, raw, via)
	if rej, ok := AsRejection(err); ok {
		if !rej.Code.Unauthenticated() && h.Witness != nil {
			h.Witness(r, w.Header())
		}
		h.answerRejection(w, log, rej, source, len(raw))
		return
	}
	if err != nil {
		h.unavailable(w, r, log, "inbox: failed to receive envelope", err)
		return
	}
	out, err := res.Receipt.Marshal()
	if err != nil {
		h.unavailable(w, r, log, "inbox: encode receipt", err)
		return
	}
	if res.Duplicate {
		w.Header().Set(DuplicateHeader, "true")
	}
	if h.Witness != nil {
		h.Witness(r, w.Header())
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// readLimited reads the body into a buffer of the expected size, and
// fails with *http.MaxBytesError on the first byte past limit.
func readLimited(w http.ResponseWriter, r *http.Request, want, limit int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	var buf bytes.Buffer
	buf.Grow(int(min(want, limit)) + bytes.MinRead)
	_, err := buf.ReadFrom(body)
	return buf.Bytes(), err
}

// reject records a refusal the handler made itself (before Inbox.Receive
// saw the body) and answers it; size is the body's size as far as known,
// read how much of it was read.
func (h *Handler) reject(ctx context.Context, w http.ResponseWriter, log *slog.Logger, rej *Rejection, via string, size, read int, source string) {
	if h.Inbox.Audit != nil {
		rec := RejectionRecord{At: h.Inbox.Clock.Now().UTC(), Code: rej.Code, Message: rej.Message, Via: via, Size: size}
		if err := h.Inbox.Audit.RecordRejection(ctx, rec); err != nil {
			log.Error("inbox: record rejection", "code", rej.Code, "err", err)
		}
	}
	h.answerRejection(w, log, rej, source, read)
}

// bytesPerToken is what reading a refused body costs a source's
// allowance: one token per started mebibyte, so a source sending
// oversized bodies runs out after a few.
const bytesPerToken = 1 << 20

func (h *Handler) answerRejection(w http.ResponseWriter, log *slog.Logger, rej *Rejection, source string, read int) {
	h.refused(rej.Code)
	if rej.Code.Unauthenticated() {
		if h.Refusals != nil {
			h.Refusals.Charge(source, time.Now(), 1+read/bytesPerToken)
		}
		log.Debug("inbox: unauthenticated envelope refused", "code", rej.Code, "remote", source)
	} else {
		log.Info("inbox: envelope refused", "code", rej.Code, "remote", source, "reason", rej.Message)
	}
	if rej.Code == CodeOversized {
		w.Header().Set("Connection", "close")
	}
	writeJSON(w, rej.Code.HTTPStatus(), errorBody{Code: string(rej.Code), Message: rej.Message})
}

// unavailable answers a failure of this node: 503, the sender retries.
// The error is logged with a request id and only the id is sent
// (package httperr's rule).
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, log *slog.Logger, what string, err error) {
	id := httperr.RequestID(w, r)
	log.Error(what, "request_id", id, "remote", r.RemoteAddr, "err", err)
	w.Header().Set("Retry-After", "5")
	writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: "unavailable", Message: "the receiving node could not store the envelope now; retry later (reference " + id + ")"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	w.Write(b)
}

// Fingerprint returns the pin of a DER certificate as the directory
// publishes it: "sha256:" and the lowercase hex of its SHA-256.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ParsePin checks a published fingerprint and returns its 32 bytes.
func ParsePin(pin string) ([]byte, error) {
	rest, ok := strings.CutPrefix(pin, "sha256:")
	b, err := hex.DecodeString(rest)
	if !ok || err != nil || len(b) != sha256.Size || hex.EncodeToString(b) != rest {
		return nil, apperr.Errorf(apperr.EInvalid, "TLS fingerprint %q: want \"sha256:\" and 64 lowercase hex characters, as published in the directory", pin)
	}
	return b, nil
}

// PinnedTLSConfig returns a client TLS configuration that accepts exactly
// the certificate whose SHA-256 fingerprint is pin, self-signed or not.
// Nodes need no public certificate authority: the signed directory is the
// trust anchor, and it publishes each node's fingerprint. The check runs
// in VerifyConnection, which (unlike VerifyPeerCertificate) also runs on
// resumed sessions.
func PinnedTLSConfig(pin string) (*tls.Config, error) {
	want, err := ParsePin(pin)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		// Chain verification is replaced by the pin check below, not skipped.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("peer sent no TLS certificate")
			}
			got := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(got[:], want) != 1 {
				return fmt.Errorf("peer TLS certificate %s does not match the pinned fingerprint %s from the directory", Fingerprint(cs.PeerCertificates[0].Raw), pin)
			}
			return nil
		},
	}, nil
}

// Peer is where and how to reach another node, from the directory.
type Peer struct {
	Authority string // the recipient authority id
	URL       string // its inbox endpoint, e.g. https://node.example.org:8435/v1/inbox
	Pin       string // its TLS certificate fingerprint, "sha256:..."
}

// Client delivers envelopes to peers and checks their receipts.
type Client struct {
	// Keys finds the peer's signing key to verify its receipt.
	Keys Keys
	// AllowInsecure allows plain HTTP to any host and HTTPS without a pin
	// (then checked against the system's CAs). For tests and labs only.
	AllowInsecure bool
	// Timeout bounds one delivery attempt; 0 means 30 seconds.
	Timeout time.Duration

	// Exchange, if set, adds headers to each delivery and reads those of
	// each answer: the nodes' audit-log checkpoints travel this way, so
	// every exchange is also a witnessing (internal/witness).
	Exchange Exchange

	mu      sync.Mutex
	clients map[string]*http.Client // by pin ("" for plain HTTP)
}

// Exchange rides along the deliveries to a peer.
type Exchange interface {
	// Headers returns headers to add to a delivery to peer.
	Headers(ctx context.Context, peer string) http.Header
	// Answered reads the headers of the peer's answer. It runs for every
	// answer, whatever its status; its failures are its own business
	// (they never fail the delivery).
	Answered(ctx context.Context, peer string, h http.Header)
}

func (c *Client) httpClient(pin string) (*http.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hc, ok := c.clients[pin]; ok {
		return hc, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // nodes talk directly (SPEC section 3)
	tr.MaxIdleConnsPerHost = 32
	if pin != "" {
		cfg, err := PinnedTLSConfig(pin)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = cfg
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	hc := &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if c.clients == nil {
		c.clients = map[string]*http.Client{}
	}
	c.clients[pin] = hc
	return hc, nil
}

// checkURL applies the transport rules: HTTPS with a pin, or plain HTTP
// to a loopback address; anything else only with AllowInsecure.
func (c *Client) checkURL(p Peer) (*url.URL, error) {
	u, err := url.Parse(p.URL)
	if err != nil || u.Host == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "peer %s: endpoint %q is not an absolute URL", p.Authority, p.URL)
	}
	switch u.Scheme {
	case "https":
		if p.Pin == "" && !c.AllowInsecure {
			return nil, apperr.Errorf(apperr.EInvalid, "peer %s: no TLS fingerprint in the directory for %s; refusing to send without a pin", p.Authority, p.URL)
		}
	case "http":
		if !isLoopback(u.Hostname()) && !c.AllowInsecure {
			return nil, apperr.Errorf(apperr.EInvalid, "peer %s: plain HTTP to %s is allowed only on loopback addresses (fix: use the https endpoint from the directory, or the insecure flag in a test network)", p.Authority, u.Host)
		}
	default:
		return nil, apperr.Errorf(apperr.EInvalid, "peer %s: endpoint %q must be https:// (or http:// on loopback)", p.Authority, p.URL)
	}
	return u, nil
}

// isLoopback reports whether host is a loopback IP literal or "localhost".
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// Send POSTs env to the peer's inbox and returns its verified receipt. The
// receipt must be signed by a key the directory lists for the peer and
// must cover env (the same id and digest, or, for a business duplicate,
// the same sender and idempotency key). A refusal is returned as a
// *Rejection; use Retryable to decide whether to try again.
func (c *Client) Send(ctx context.Context, p Peer, env *envelope.Envelope) (*envelope.Receipt, error) {
	if p.Authority != env.Header.Recipient {
		return nil, apperr.Errorf(apperr.EInvalid, "envelope %s is addressed to %s, not to peer %s", env.Header.ID, env.Header.Recipient, p.Authority)
	}
	u, err := c.checkURL(p)
	if err != nil {
		return nil, err
	}
	pin := ""
	if u.Scheme == "https" {
		pin = p.Pin
	}
	hc, err := c.httpClient(pin)
	if err != nil {
		return nil, err
	}
	wire, err := env.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode envelope: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(wire))
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "peer %s", p.Authority)
	}
	req.Header.Set("Content-Type", ContentType)
	if c.Exchange != nil {
		for k, vs := range c.Exchange.Headers(ctx, p.Authority) {
			req.Header[k] = vs
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("deliver %s to %s: %w", env.Header.ID, p.Authority, err)
	}
	defer resp.Body.Close()
	if c.Exchange != nil {
		c.Exchange.Answered(ctx, p.Authority, resp.Header)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return nil, fmt.Errorf("deliver %s to %s: read answer: %w", env.Header.ID, p.Authority, err)
	}
	if resp.StatusCode != http.StatusOK {
		var eb errorBody
		// 429 (rate limited) is the edge's, not a judgement of the
		// envelope: like a 5xx, it is retried later.
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && json.Unmarshal(body, &eb) == nil && eb.Code != "" {
			return nil, &Rejection{Code: Code(eb.Code), Message: eb.Message,
				Err: fmt.Errorf("peer %s answered %s", p.Authority, resp.Status)}
		}
		return nil, fmt.Errorf("deliver %s to %s: peer answered %s", env.Header.ID, p.Authority, resp.Status)
	}
	return CheckReceipt(ctx, c.Keys, env, body)
}

// CheckReceipt reads a wire receipt and accepts it only as proof that
// env was delivered: signed by a signing key that keys lists for env's
// recipient and that is not revoked, and covering env (Receipt.Covers).
// The client runs it on every answer; "art35 envelope import-receipt" runs
// it on a receipt that came back out of band.
func CheckReceipt(ctx context.Context, k Keys, env *envelope.Envelope, raw []byte) (*envelope.Receipt, error) {
	to := env.Header.Recipient
	r, err := envelope.ParseReceipt(raw)
	if err != nil {
		return nil, apperr.Wrap(apperr.EUnauthorized, err, "%s answered %s with an unreadable receipt", to, env.Header.ID)
	}
	if r.Receiver != to {
		return nil, apperr.Errorf(apperr.EUnauthorized, "receipt for %s names receiver %s, want %s", env.Header.ID, r.Receiver, to)
	}
	key, err := k.SigningKey(ctx, to, r.ReceiverKeyID)
	if err != nil {
		return nil, apperr.Wrap(apperr.EUnauthorized, err, "receipt for %s is signed by key %s, which the directory does not list for %s", env.Header.ID, r.ReceiverKeyID, to)
	}
	if !key.Revoked.IsZero() {
		return nil, apperr.Errorf(apperr.EUnauthorized, "receipt for %s is signed by %s key %s, revoked at %s", env.Header.ID, to, r.ReceiverKeyID, key.Revoked.Format(time.RFC3339))
	}
	if err := envelope.VerifyReceipt(r, key.Public); err != nil {
		return nil, err
	}
	if !r.Covers(env) {
		return nil, apperr.Errorf(apperr.EUnauthorized, "%s answered %s with a receipt for another envelope (%s)", to, env.Header.ID, r.MessageID)
	}
	return r, nil
}

// Retryable reports whether a failed Send should be tried again later:
// network errors and failures of the peer yes, refusals only when their
// code says so (Code.RetryLater), and errors of our own configuration or
// of the peer's receipt no (they need a person).
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if rej, ok := AsRejection(err); ok {
		return rej.Code.RetryLater()
	}
	switch apperr.Code(err) {
	case apperr.EInvalid, apperr.EUnauthorized:
		return false
	}
	return true
}
