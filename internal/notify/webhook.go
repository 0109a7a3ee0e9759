package notify

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// Webhook request headers. The signature covers the method, the path
// (with query), the timestamp and the SHA-256 of the body, so a captured
// call cannot be replayed later (the receiver checks the time) nor sent
// to another path or with another body.
const (
	HeaderKeyID     = "Art35-Key-Id"    // keys.ID of the node's Ed25519 signing key (as in the directory)
	HeaderAuthority = "Art35-Authority" // the sending authority, e.g. "IT-247"
	HeaderTimestamp = "Art35-Timestamp" // Unix seconds
	HeaderSignature = "Art35-Signature" // base64 (standard, padded) Ed25519 signature
	HeaderDigest    = "Content-Digest"  // RFC 9530: sha-256=:BASE64:
)

// signedString is what a webhook signature covers: a fixed label, then
// one field a line. Hex of the body digest keeps it printable for
// receivers that log what they verify.
func signedString(method, path string, ts int64, body []byte) []byte {
	d := sha256.Sum256(body)
	return fmt.Appendf(nil, "art35-webhook-v1\n%s\n%s\n%d\n%s", strings.ToUpper(method), path, ts, hex.EncodeToString(d[:]))
}

// SignWebhook sets the signature headers on r for body, signed at now.
func SignWebhook(r *http.Request, body []byte, key ed25519.PrivateKey, keyID, authority string, now time.Time) {
	ts := now.Unix()
	sig := ed25519.Sign(key, signedString(r.Method, r.URL.RequestURI(), ts, body))
	d := sha256.Sum256(body)
	r.Header.Set(HeaderKeyID, keyID)
	r.Header.Set(HeaderAuthority, authority)
	r.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	r.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	r.Header.Set(HeaderDigest, "sha-256=:"+base64.StdEncoding.EncodeToString(d[:])+":")
}

// VerifyWebhook checks a signed webhook call as a paging system would:
// pub is the sender's signing key (from the directory, by the key id
// header), body the request body as read, and the timestamp must be
// within skew of now. It returns an EUnauthorized error naming what failed.
func VerifyWebhook(r *http.Request, body []byte, pub ed25519.PublicKey, now time.Time, skew time.Duration) error {
	tsText := r.Header.Get(HeaderTimestamp)
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return apperr.Errorf(apperr.EUnauthorized, "webhook header %s %q: must be Unix seconds", HeaderTimestamp, tsText)
	}
	at := time.Unix(ts, 0)
	if d := now.Sub(at); d > skew || d < -skew {
		return apperr.Errorf(apperr.EUnauthorized, "webhook header %s: signed at %s, more than %s from now (%s); a replayed or delayed call", HeaderTimestamp, at.UTC().Format(time.RFC3339), skew, now.UTC().Format(time.RFC3339))
	}
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(HeaderSignature))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return apperr.Errorf(apperr.EUnauthorized, "webhook header %s: must be a base64 Ed25519 signature (%d bytes)", HeaderSignature, ed25519.SignatureSize)
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, signedString(r.Method, r.URL.RequestURI(), ts, body), sig) {
		return apperr.Errorf(apperr.EUnauthorized, "webhook signature does not verify for key %s over method, path, timestamp and body digest", r.Header.Get(HeaderKeyID))
	}
	return nil
}

// postWebhook delivers one notification to a paging system: a JSON POST,
// signed; any 2xx answer is a delivery.
func (n *Notifier) postWebhook(ctx context.Context, target string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, n.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	SignWebhook(req, body, n.Signing, n.KeyID, n.Authority, n.Clock.Now())
	client := n.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s: %s", resp.Status, strings.TrimSpace(string(snippet)))
	}
	return nil
}
