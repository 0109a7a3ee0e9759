package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
)

var envelopeCmd = &command{
	name:  "envelope",
	short: "seal, inspect and open envelopes and receipts (files, out of band)",
	usage: "envelope <inspect|seal|open|receipt|import|export|import-receipt> [flags] [FILE|ID]",
	long: `An envelope is one signed, encrypted message between nodes (docs/protocol.md).
These commands work on envelope and receipt files, so a message can cross any
channel (a USB stick, an e-mail attachment) and still be checked. FILE "-" is
standard input.

"inspect" shows the clear header of an envelope and, with --sender-key, checks
its signature (exit status 5 if it does not verify). "seal" writes a new
envelope, signed with the node's key and encrypted to the recipient's key from
the directory. "open" checks and decrypts one with the node's encryption key.
"receipt" shows a transport receipt and, with --receiver-key, checks it.
"import" hands an envelope file to the node's inbox, with exactly the checks
and the receipt of an HTTPS delivery, and prints the signed receipt to carry
back. "export" writes a stored envelope (as received, byte for byte) so it can
be carried out of band or shown as proof. "import-receipt" takes the receipt
that came back for an envelope this node sent, checks it against the
directory and the envelope, and marks the envelope delivered in the outbox.

Examples:
	art35 envelope inspect msg.json --sender-key ed25519:iojj3XQJ...
	art35 envelope seal --data ./us-node --from US-247 --to IT-247 \
	    --recipient-key x25519:zo06... --kind request --subkind preserve \
	    --idempotency-key US-2026-0042:send --body request.json > msg.json
	art35 envelope open msg.json --data ./it-node --sender-key ed25519:iojj3XQJ...
	art35 envelope receipt receipt.json --receiver-key ed25519:7Uko...
	art35 envelope import msg.json --data ./it-node > receipt.json
	art35 envelope export 0123456789abcdef0123456789abcdef --data ./it-node > msg.json
	art35 envelope import-receipt receipt.json --envelope msg.json --data ./us-node`,
}

func runEnvelope(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, envelopeCmd, []subcommand{
		{"inspect", "show an envelope's header; check its signature with --sender-key", runEnvelopeInspect},
		{"seal", "sign and encrypt a body into a new envelope", runEnvelopeSeal},
		{"open", "check an envelope's signature and print its decrypted body", runEnvelopeOpen},
		{"receipt", "show a transport receipt; check it with --receiver-key", runEnvelopeReceipt},
		{"import", "check and store an envelope file in the node's inbox; print its signed receipt", runEnvelopeImport},
		{"export", "write a stored envelope by message id, for another channel or as proof", runEnvelopeExport},
		{"import-receipt", "check a receipt that came back out of band and mark the envelope delivered", runEnvelopeImportReceipt},
	}, args)
}

// oneEnvelopeFile returns the single FILE argument.
func oneEnvelopeFile(pos []string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("want exactly one FILE (or - for standard input), got %d arguments", len(pos))
	}
	return pos[0], nil
}

// envelopeSignatureStatus is what inspect says about the signature.
type envelopeSignatureStatus struct {
	Checked bool   `json:"checked"`
	Valid   bool   `json:"valid"`
	Detail  string `json:"detail"`
}

// envelopeView is the JSON form of "envelope inspect --json".
type envelopeView struct {
	ID              string                  `json:"id"`
	IdempotencyKey  string                  `json:"idempotency_key"`
	Kind            string                  `json:"kind"`
	Subkind         string                  `json:"subkind"`
	Sender          string                  `json:"sender"`
	Recipient       string                  `json:"recipient"`
	SenderKeyID     string                  `json:"sender_key_id"`
	RecipientKeyID  string                  `json:"recipient_key_id"`
	Created         time.Time               `json:"created"`
	Expires         time.Time               `json:"expires"`
	Expired         bool                    `json:"expired"`
	InReplyTo       string                  `json:"in_reply_to"`
	CaseRef         string                  `json:"case_ref"`
	Handling        string                  `json:"handling"`
	Exercise        bool                    `json:"exercise"`
	CiphertextBytes int                     `json:"ciphertext_bytes"`
	BodyBytes       int                     `json:"body_bytes"`
	Digest          string                  `json:"digest"`
	Signature       envelopeSignatureStatus `json:"signature"`
}

var envelopeHandlingMeaning = map[envelope.Handling]string{
	envelope.H0: "use only for preventing and fighting crime",
	envelope.H1: "not for judicial proceedings without the sender's permission",
	envelope.H2: "not to be passed on without permission",
	envelope.H3: "other conditions, stated in the body",
}

func runEnvelopeInspect(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, envelopeCmd, "inspect")
	senderKey := fs.String("sender-key", "", "the sender's signing key from the directory (ed25519:...); checks the signature")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	name, err := oneEnvelopeFile(pos)
	if err != nil {
		return err
	}
	var pub ed25519.PublicKey
	if *senderKey != "" {
		if pub, err = keys.ParseSigningPublic(*senderKey); err != nil {
			return apperr.Wrap(apperr.EInvalid, err, "--sender-key")
		}
	}
	raw, err := readArg(e, name, envelope.MaxWire)
	if err != nil {
		return err
	}
	env, err := envelope.Parse(raw)
	if err != nil {
		return err
	}
	h := env.Header
	d := env.Digest()
	now := e.clock.Now()
	v := envelopeView{
		ID: h.ID, IdempotencyKey: h.IdempotencyKey, Kind: string(h.Kind), Subkind: h.Subkind,
		Sender: h.Sender, Recipient: h.Recipient, SenderKeyID: h.SenderKeyID, RecipientKeyID: h.RecipientKeyID,
		Created: h.Created, Expires: h.Expires, Expired: !now.Before(h.Expires), InReplyTo: h.InReplyTo,
		CaseRef: h.CaseRef, Handling: string(h.Handling), Exercise: h.Exercise,
		CiphertextBytes: len(env.Ciphertext), BodyBytes: len(env.Ciphertext) - 48,
		Digest:    "sha256:" + hex.EncodeToString(d[:]),
		Signature: envelopeSignatureStatus{Detail: "not checked (give --sender-key to check it)"},
	}
	if pub != nil {
		v.Signature.Checked = true
		if err := envelope.Verify(env, pub); err != nil {
			v.Signature.Detail = err.Error()
		} else {
			v.Signature.Valid = true
			v.Signature.Detail = "valid, signed by " + h.Sender + " key " + h.SenderKeyID
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
	} else {
		printEnvelopeView(e.stdout, v, now)
	}
	if v.Signature.Checked && !v.Signature.Valid {
		return silentError{code: apperr.ExitCode(apperr.EUnauthorized)}
	}
	return nil
}

func printEnvelopeView(w io.Writer, v envelopeView, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	kind := v.Kind
	if v.Subkind != "" {
		kind += " / " + v.Subkind
	}
	expires := v.Expires.Format(time.RFC3339)
	if v.Expired {
		expires += fmt.Sprintf(" (expired %s ago)", now.Sub(v.Expires).Round(time.Second))
	} else {
		expires += fmt.Sprintf(" (in %s)", v.Expires.Sub(now).Round(time.Second))
	}
	exercise := "no"
	if v.Exercise {
		exercise = "YES: a drill, not real casework"
	}
	rows := [][2]string{
		{"message id", v.ID},
		{"idempotency key", v.IdempotencyKey},
		{"kind", kind},
		{"sender", v.Sender + " (signing key " + v.SenderKeyID + ")"},
		{"recipient", v.Recipient + " (encryption key " + v.RecipientKeyID + ")"},
		{"created", v.Created.Format(time.RFC3339)},
		{"expires", expires},
		{"in reply to", dash(v.InReplyTo)},
		{"case reference", dash(v.CaseRef)},
		{"handling", v.Handling + ": " + envelopeHandlingMeaning[envelope.Handling(v.Handling)]},
		{"exercise", exercise},
		{"body", fmt.Sprintf("%d bytes, encrypted", v.BodyBytes)},
		{"digest", v.Digest},
		{"signature", v.Signature.Detail},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	tw.Flush()
}

// envelopeKeyPath returns flagValue, or the key file inside the node's data
// folder (--data or ART35_DATA), or "" if neither is given.
func envelopeKeyPath(e *env, flagValue, data, rel string) string {
	if flagValue != "" {
		return flagValue
	}
	if data == "" {
		data = e.getenv("ART35_DATA")
	}
	if data == "" {
		return ""
	}
	return filepath.Join(data, rel)
}

func runEnvelopeSeal(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, envelopeCmd, "seal")
	var h envelope.Header
	data := fs.String("data", "", "the node's data folder, for its signing key (or ART35_DATA)")
	signKey := fs.String("sign-key", "", "Ed25519 private key file (default DATA/"+config.SigningKeyFile+")")
	recipientKey := fs.String("recipient-key", "", "the recipient's encryption key from the directory (x25519:...)")
	fs.StringVar(&h.Sender, "from", "", "sending authority id (this node's, e.g. US-247)")
	fs.StringVar(&h.Recipient, "to", "", "receiving authority id (e.g. IT-247)")
	kind := fs.String("kind", "", "request, evidence, ping, watch-event, directory-notice or receipt")
	fs.StringVar(&h.Subkind, "subkind", "", "request type (preserve, ...) or evidence step (acknowledged, ...)")
	fs.StringVar(&h.IdempotencyKey, "idempotency-key", "", "business key of the event, the same every time it is sent")
	fs.StringVar(&h.InReplyTo, "in-reply-to", "", "message id this envelope answers")
	fs.StringVar(&h.CaseRef, "case-ref", "", "your case reference")
	handling := fs.String("handling", "H0", "handling code H0, H1, H2 or H3")
	fs.BoolVar(&h.Exercise, "exercise", false, "mark as a drill, not real casework")
	ttl := fs.Duration("ttl", 7*24*time.Hour, "how long the envelope stays valid (at most 720h)")
	bodyFile := fs.String("body", "", "file with the body to encrypt, - for standard input (required)")
	out := fs.String("out", "", "write the envelope to this file instead of standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("seal takes no arguments, only flags (got %q)", pos[0])
	}
	var missing []string
	for _, m := range []struct{ flag, val string }{
		{"--from", h.Sender}, {"--to", h.Recipient}, {"--kind", *kind}, {"--idempotency-key", h.IdempotencyKey},
		{"--recipient-key", *recipientKey}, {"--body", *bodyFile},
	} {
		if m.val == "" {
			missing = append(missing, m.flag)
		}
	}
	if len(missing) > 0 {
		return usagef("missing %s", strings.Join(missing, ", "))
	}
	keyPath := envelopeKeyPath(e, *signKey, *data, config.SigningKeyFile)
	if keyPath == "" {
		return usagef("give --sign-key FILE or --data DIR (or set ART35_DATA) for the signing key")
	}
	signer, err := keys.LoadSigning(keyPath)
	if err != nil {
		return err
	}
	to, err := keys.ParseEncryptionPublic(*recipientKey)
	if err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "--recipient-key")
	}
	body, err := readArg(e, *bodyFile, envelope.MaxBody)
	if err != nil {
		return err
	}
	if h.ID, err = envelope.NewID(nil); err != nil {
		return err
	}
	h.Kind, h.Handling = envelope.Kind(*kind), envelope.Handling(*handling)
	h.Created = e.clock.Now().UTC().Truncate(time.Second)
	h.Expires = h.Created.Add(ttl.Truncate(time.Second))
	env, err := envelope.Seal(h, body, signer, to)
	if err != nil {
		return err
	}
	wire, err := env.Marshal()
	if err != nil {
		return err
	}
	wire = append(wire, '\n')
	if *out == "" {
		_, err = e.stdout.Write(wire)
		return err
	}
	if err := os.WriteFile(*out, wire, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(e.stderr, "sealed envelope %s for %s into %s\n", h.ID, h.Recipient, *out)
	return nil
}

func runEnvelopeOpen(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, envelopeCmd, "open")
	data := fs.String("data", "", "the node's data folder, for its encryption key (or ART35_DATA)")
	keyFile := fs.String("key", "", "X25519 private key file (default DATA/"+config.EncryptionKeyFile+")")
	senderKey := fs.String("sender-key", "", "the sender's signing key from the directory (ed25519:...; required)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	name, err := oneEnvelopeFile(pos)
	if err != nil {
		return err
	}
	if *senderKey == "" {
		return usagef("--sender-key is required: a body is never shown before its signature is checked")
	}
	keyPath := envelopeKeyPath(e, *keyFile, *data, config.EncryptionKeyFile)
	if keyPath == "" {
		return usagef("give --key FILE or --data DIR (or set ART35_DATA) for the encryption key")
	}
	pub, err := keys.ParseSigningPublic(*senderKey)
	if err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "--sender-key")
	}
	priv, err := keys.LoadEncryption(keyPath)
	if err != nil {
		return err
	}
	raw, err := readArg(e, name, envelope.MaxWire)
	if err != nil {
		return err
	}
	env, err := envelope.Parse(raw)
	if err != nil {
		return err
	}
	body, err := envelope.Open(env, pub, priv)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(body)
	return err
}

func runEnvelopeReceipt(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, envelopeCmd, "receipt")
	receiverKey := fs.String("receiver-key", "", "the receiver's signing key from the directory (ed25519:...); checks the signature")
	envFile := fs.String("envelope", "", "the envelope file the receipt should cover")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	name, err := oneEnvelopeFile(pos)
	if err != nil {
		return err
	}
	raw, err := readArg(e, name, envelope.MaxReceiptWire)
	if err != nil {
		return err
	}
	r, err := envelope.ParseReceipt(raw)
	if err != nil {
		return err
	}
	status := "not checked (give --receiver-key to check it)"
	bad := false
	if *receiverKey != "" {
		pub, err := keys.ParseSigningPublic(*receiverKey)
		if err != nil {
			return apperr.Wrap(apperr.EInvalid, err, "--receiver-key")
		}
		if err := envelope.VerifyReceipt(r, ed25519.PublicKey(pub)); err != nil {
			status, bad = err.Error(), true
		} else {
			status = "valid, signed by " + r.Receiver + " key " + r.ReceiverKeyID
		}
	}
	covers := "-"
	if *envFile != "" {
		rawEnv, err := readArg(e, *envFile, envelope.MaxWire)
		if err != nil {
			return err
		}
		env, err := envelope.Parse(rawEnv)
		if err != nil {
			return err
		}
		if r.Covers(env) {
			covers = "yes: " + *envFile + " was delivered"
		} else {
			covers, bad = "NO: this receipt is for another envelope", true
		}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, row := range [][2]string{
		{"message id", r.MessageID},
		{"idempotency key", r.IdempotencyKey},
		{"sender", r.Sender},
		{"receiver", r.Receiver + " (signing key " + r.ReceiverKeyID + ")"},
		{"received at", r.ReceivedAt.Format(time.RFC3339)},
		{"digest", "sha256:" + hex.EncodeToString(r.Digest[:])},
		{"signature", status},
		{"covers envelope", covers},
	} {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	tw.Flush()
	if bad {
		return silentError{code: apperr.ExitCode(apperr.EUnauthorized)}
	}
	return nil
}

func runEnvelopeImport(ctx context.Context, e *env, args []string) error {
	var receiptOut string
	n, pos, err := openNode(ctx, e, envelopeCmd, "import", args, func(fs *flag.FlagSet) {
		fs.StringVar(&receiptOut, "receipt", "", "write the signed receipt to this file instead of standard output")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	name, err := oneEnvelopeFile(pos)
	if err != nil {
		return err
	}
	raw, err := readArg(e, name, envelope.MaxWire)
	if err != nil {
		return err
	}
	res, err := n.Inbox.Receive(ctx, raw, "file")
	if err != nil {
		if rej, ok := federation.AsRejection(err); ok {
			return apperr.Wrap(rej.AppCode(), rej, "%s refused", name)
		}
		return err
	}
	wire, err := res.Receipt.Marshal()
	if err != nil {
		return err
	}
	wire = append(wire, '\n')
	h := res.Envelope.Header
	if res.Duplicate {
		fmt.Fprintf(e.stderr, "envelope %s from %s was already stored; this is its original receipt (message %s)\n", h.ID, h.Sender, res.Receipt.MessageID)
	} else {
		fmt.Fprintf(e.stderr, "stored envelope %s (%s) from %s; carry the receipt back to the sender\n", h.ID, h.Kind, h.Sender)
	}
	if receiptOut == "" {
		_, err = e.stdout.Write(wire)
		return err
	}
	if err := os.WriteFile(receiptOut, wire, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", receiptOut, err)
	}
	return nil
}

func runEnvelopeExport(ctx context.Context, e *env, args []string) error {
	var out string
	n, pos, err := openNode(ctx, e, envelopeCmd, "export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "write the envelope to this file instead of standard output")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("want exactly one message id, got %d arguments", len(pos))
	}
	id := strings.ToLower(pos[0])
	if len(id) != envelope.IDLen || strings.Trim(id, "0123456789abcdef") != "" {
		return apperr.Errorf(apperr.EInvalid, "message id %q: want %d hex characters (see 'art35 node status' or the case view)", pos[0], envelope.IDLen)
	}
	raw, err := n.Envelopes.InboundEnvelope(ctx, id)
	if apperr.Is(err, apperr.ENotFound) {
		raw, err = n.Envelopes.OutboundEnvelope(ctx, id)
	}
	if err != nil {
		return err
	}
	if out == "" {
		_, err = e.stdout.Write(raw)
		return err
	}
	if err := os.WriteFile(out, raw, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

func runEnvelopeImportReceipt(ctx context.Context, e *env, args []string) error {
	var envFile string
	n, pos, err := openNode(ctx, e, envelopeCmd, "import-receipt", args, func(fs *flag.FlagSet) {
		fs.StringVar(&envFile, "envelope", "", "the envelope file the receipt is for (required)")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	name, err := oneEnvelopeFile(pos)
	if err != nil {
		return err
	}
	if envFile == "" {
		return usagef("--envelope FILE is required: a receipt is accepted only for the envelope it covers")
	}
	rawEnv, err := readArg(e, envFile, envelope.MaxWire)
	if err != nil {
		return err
	}
	env, err := envelope.Parse(rawEnv)
	if err != nil {
		return err
	}
	if env.Header.Sender != n.Config.Authority {
		return apperr.Errorf(apperr.EInvalid, "%s was sent by %s, not by this node (%s)", envFile, env.Header.Sender, n.Config.Authority)
	}
	raw, err := readArg(e, name, envelope.MaxReceiptWire)
	if err != nil {
		return err
	}
	r, err := federation.CheckReceipt(ctx, n.Inbox.Keys, env, raw)
	if err != nil {
		return err
	}
	if err := n.Envelopes.MarkDelivered(ctx, env.Header.ID, r); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "envelope %s delivered to %s at %s (receipt signed with key %s)\n",
		env.Header.ID, r.Receiver, r.ReceivedAt.Format(time.RFC3339), r.ReceiverKeyID)
	return nil
}
