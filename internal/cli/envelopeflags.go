package cli

import (
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
)

// MissingFlags takes pairs of a flag's name and its value and names, in a
// usage error, the required flags left empty.
func MissingFlags(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			missing = append(missing, pairs[i])
		}
	}
	if len(missing) > 0 {
		return Usagef("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// SealFlags are the flags of "envelope seal".
type SealFlags struct {
	Header                                           envelope.Header
	Data                                             DataDir
	SignKey, RecipientKey, Kind, Handling, Body, Out string
	TTL                                              time.Duration
}

// Bind defines the flags of "envelope seal" on fs.
func (f *SealFlags) Bind(fs *flag.FlagSet) {
	h := &f.Header
	f.Data.Bind(fs, "the node's data folder, for its signing key (or ART35_DATA)")
	fs.StringVar(&f.SignKey, "sign-key", "", "Ed25519 private key file (default DATA/"+config.SigningKeyFile+")")
	fs.StringVar(&f.RecipientKey, "recipient-key", "", "the recipient's encryption key from the directory (x25519:...)")
	fs.StringVar(&h.Sender, "from", "", "sending authority id (this node's, e.g. US-247)")
	fs.StringVar(&h.Recipient, "to", "", "receiving authority id (e.g. IT-247)")
	fs.StringVar(&f.Kind, "kind", "", "request, evidence, ping, watch-event, directory-notice or receipt")
	fs.StringVar(&h.Subkind, "subkind", "", "request type (preserve, ...) or evidence step (acknowledged, ...)")
	fs.StringVar(&h.IdempotencyKey, "idempotency-key", "", "business key of the event, the same every time it is sent")
	fs.StringVar(&h.InReplyTo, "in-reply-to", "", "message id this envelope answers")
	fs.StringVar(&h.CaseRef, "case-ref", "", "your case reference")
	fs.StringVar(&f.Handling, "handling", "H0", "handling code H0, H1, H2 or H3")
	fs.BoolVar(&h.Exercise, "exercise", false, "mark as a drill, not real casework")
	fs.DurationVar(&f.TTL, "ttl", 7*24*time.Hour, "how long the envelope stays valid (at most 720h)")
	fs.StringVar(&f.Body, "body", "", "file with the body to encrypt, - for standard input (required)")
	fs.StringVar(&f.Out, "out", "", "write the envelope to this file instead of standard output")
}

// Seal checks the flags, loads the signing key, reads the body (stdin for
// -) and seals a new envelope; it returns the envelope and its wire form.
func (f *SealFlags) Seal(stdin io.Reader, getenv func(string) string, now time.Time) (*envelope.Envelope, []byte, error) {
	h := f.Header
	if err := MissingFlags("--from", h.Sender, "--to", h.Recipient, "--kind", f.Kind, "--idempotency-key", h.IdempotencyKey,
		"--recipient-key", f.RecipientKey, "--body", f.Body); err != nil {
		return nil, nil, err
	}
	keyPath := f.Data.File(getenv, f.SignKey, config.SigningKeyFile)
	if keyPath == "" {
		return nil, nil, Usagef("give --sign-key FILE or --data DIR (or set ART35_DATA) for the signing key")
	}
	signer, err := keys.LoadSigning(keyPath)
	if err != nil {
		return nil, nil, err
	}
	to, err := keys.ParseEncryptionPublic(f.RecipientKey)
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.EInvalid, err, "--recipient-key")
	}
	body, err := ReadArg(stdin, f.Body, envelope.MaxBody)
	if err != nil {
		return nil, nil, err
	}
	h.Kind, h.Handling = envelope.Kind(f.Kind), envelope.Handling(f.Handling)
	return envelope.SealNew(h, body, signer, to, now, f.TTL)
}

// OpenFlags are the flags of "envelope open".
type OpenFlags struct {
	Data           DataDir
	Key, SenderKey string
}

// Bind defines the flags of "envelope open" on fs.
func (f *OpenFlags) Bind(fs *flag.FlagSet) {
	f.Data.Bind(fs, "the node's data folder, for its encryption key (or ART35_DATA)")
	fs.StringVar(&f.Key, "key", "", "X25519 private key file (default DATA/"+config.EncryptionKeyFile+")")
	fs.StringVar(&f.SenderKey, "sender-key", "", "the sender's signing key from the directory (ed25519:...; required)")
}

// Open checks the flags, reads the envelope file name (stdin for -),
// checks its signature with the sender's key and returns its body.
func (f *OpenFlags) Open(stdin io.Reader, getenv func(string) string, name string) ([]byte, error) {
	if f.SenderKey == "" {
		return nil, Usagef("--sender-key is required: a body is never shown before its signature is checked")
	}
	keyPath := f.Data.File(getenv, f.Key, config.EncryptionKeyFile)
	if keyPath == "" {
		return nil, Usagef("give --key FILE or --data DIR (or set ART35_DATA) for the encryption key")
	}
	pub, err := SigningKeyFlag("--sender-key", f.SenderKey)
	if err != nil {
		return nil, err
	}
	priv, err := keys.LoadEncryption(keyPath)
	if err != nil {
		return nil, err
	}
	env, err := ReadEnvelope(stdin, name)
	if err != nil {
		return nil, err
	}
	return envelope.Open(env, pub, priv)
}

// ReadEnvelope reads and parses the envelope file name (- for stdin).
func ReadEnvelope(stdin io.Reader, name string) (*envelope.Envelope, error) {
	raw, err := ReadArg(stdin, name, envelope.MaxWire)
	if err != nil {
		return nil, err
	}
	return envelope.Parse(raw)
}

// OneFile returns the single FILE argument of the envelope subcommands.
func OneFile(pos []string) (string, error) {
	if len(pos) != 1 {
		return "", Usagef("want exactly one FILE (or - for standard input), got %d arguments", len(pos))
	}
	return pos[0], nil
}

// ShowReceipt reads the receipt file name (stdin for -), checks it with
// the receiver's key (ed25519:...; "" checks nothing) and against the
// envelope file envFile when given, and prints it; bad says that a check
// failed.
func ShowReceipt(w io.Writer, stdin io.Reader, name, receiverKey, envFile string) (bad bool, err error) {
	raw, err := ReadArg(stdin, name, envelope.MaxReceiptWire)
	if err != nil {
		return false, err
	}
	r, err := envelope.ParseReceipt(raw)
	if err != nil {
		return false, err
	}
	pub, err := SigningKeyFlag("--receiver-key", receiverKey)
	if err != nil {
		return false, err
	}
	var env *envelope.Envelope
	if envFile != "" {
		if env, err = ReadEnvelope(stdin, envFile); err != nil {
			return false, err
		}
	}
	status, covers, bad := CheckReceipt(r, pub, env, envFile)
	return bad, PrintReceipt(w, r, status, covers)
}

// PrintStored says on w what "envelope import" stored (or had stored
// already) and returns the receipt to carry back, as one line of JSON.
func PrintStored(w io.Writer, res *federation.Result) ([]byte, error) {
	wire, err := res.Receipt.Marshal()
	if err != nil {
		return nil, err
	}
	h := res.Envelope.Header
	if res.Duplicate {
		fmt.Fprintf(w, "envelope %s from %s was already stored; this is its original receipt (message %s)\n", h.ID, h.Sender, res.Receipt.MessageID)
	} else {
		fmt.Fprintf(w, "stored envelope %s (%s) from %s; carry the receipt back to the sender\n", h.ID, h.Kind, h.Sender)
	}
	return append(wire, '\n'), nil
}

// SigningKeys is a repeatable flag of Ed25519 public keys (ed25519:...).
type SigningKeys []ed25519.PublicKey

func (p *SigningKeys) String() string { return fmt.Sprintf("%d keys", len(*p)) }

// Set adds one key, refusing text that is not a signing key.
func (p *SigningKeys) Set(s string) error {
	k, err := keys.ParseSigningPublic(s)
	if err != nil {
		return err
	}
	*p = append(*p, k)
	return nil
}
