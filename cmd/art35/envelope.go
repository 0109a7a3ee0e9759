package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
)

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

// readEnvelope reads and parses the envelope file name (- for standard
// input).
func readEnvelope(e *env, name string) (*envelope.Envelope, error) {
	raw, err := readArg(e, name, envelope.MaxWire)
	if err != nil {
		return nil, err
	}
	return envelope.Parse(raw)
}

// oneEnvelopeFile returns the single FILE argument.
func oneEnvelopeFile(pos []string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("want exactly one FILE (or - for standard input), got %d arguments", len(pos))
	}
	return pos[0], nil
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
	pub, err := cli.SigningKeyFlag("--sender-key", *senderKey)
	if err != nil {
		return err
	}
	env, err := readEnvelope(e, name)
	if err != nil {
		return err
	}
	v := cli.NewEnvelopeView(env, pub, e.clock.Now())
	if *asJSON {
		if err := cli.WriteJSON(e.stdout, v); err != nil {
			return err
		}
	} else {
		cli.PrintEnvelopeView(e.stdout, v, e.clock.Now())
	}
	if v.Signature.Checked && !v.Signature.Valid {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EUnauthorized)}
	}
	return nil
}

func runEnvelopeSeal(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, envelopeCmd, "seal")
	var h envelope.Header
	var data cli.DataDir
	data.Bind(fs, "the node's data folder, for its signing key (or ART35_DATA)")
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
	if err := missingFlags("--from", h.Sender, "--to", h.Recipient, "--kind", *kind, "--idempotency-key", h.IdempotencyKey,
		"--recipient-key", *recipientKey, "--body", *bodyFile); err != nil {
		return err
	}
	keyPath := data.File(e.getenv, *signKey, config.SigningKeyFile)
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
	h.Kind, h.Handling = envelope.Kind(*kind), envelope.Handling(*handling)
	env, wire, err := envelope.SealNew(h, body, signer, to, e.clock.Now(), *ttl)
	if err != nil {
		return err
	}
	if err := writeOut(e, *out, wire, 0o600); err != nil || *out == "" {
		return err
	}
	fmt.Fprintf(e.stderr, "sealed envelope %s for %s into %s\n", env.Header.ID, h.Recipient, *out)
	return nil
}

func runEnvelopeOpen(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, envelopeCmd, "open")
	var data cli.DataDir
	data.Bind(fs, "the node's data folder, for its encryption key (or ART35_DATA)")
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
	keyPath := data.File(e.getenv, *keyFile, config.EncryptionKeyFile)
	if keyPath == "" {
		return usagef("give --key FILE or --data DIR (or set ART35_DATA) for the encryption key")
	}
	pub, err := cli.SigningKeyFlag("--sender-key", *senderKey)
	if err != nil {
		return err
	}
	priv, err := keys.LoadEncryption(keyPath)
	if err != nil {
		return err
	}
	env, err := readEnvelope(e, name)
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
	pub, err := cli.SigningKeyFlag("--receiver-key", *receiverKey)
	if err != nil {
		return err
	}
	var env *envelope.Envelope
	if *envFile != "" {
		if env, err = readEnvelope(e, *envFile); err != nil {
			return err
		}
	}
	status, covers, bad := cli.CheckReceipt(r, pub, env, *envFile)
	if err := cli.PrintReceipt(e.stdout, r, status, covers); err != nil {
		return err
	}
	if bad {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EUnauthorized)}
	}
	return nil
}

func runEnvelopeImport(ctx context.Context, e *env, args []string) error {
	var receiptOut string
	return onNode(ctx, e, envelopeCmd, "import", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&receiptOut, "receipt", "", "write the signed receipt to this file instead of standard output")
	}, func(n *node.Node, pos []string) error {
		name, err := oneEnvelopeFile(pos)
		if err != nil {
			return err
		}
		raw, err := readArg(e, name, envelope.MaxWire)
		if err != nil {
			return err
		}
		res, err := n.Inbox.ReceiveFile(ctx, name, raw)
		if err != nil {
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
		return writeOut(e, receiptOut, wire, 0o644)
	})
}

func runEnvelopeExport(ctx context.Context, e *env, args []string) error {
	var out string
	return onNode(ctx, e, envelopeCmd, "export", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "write the envelope to this file instead of standard output")
	}, func(n *node.Node, pos []string) error {
		if len(pos) != 1 {
			return usagef("want exactly one message id, got %d arguments", len(pos))
		}
		raw, err := n.Envelopes.Stored(ctx, pos[0])
		if err != nil {
			return err
		}
		return writeOut(e, out, raw, 0o600)
	})
}

func runEnvelopeImportReceipt(ctx context.Context, e *env, args []string) error {
	var envFile string
	return onNode(ctx, e, envelopeCmd, "import-receipt", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&envFile, "envelope", "", "the envelope file the receipt is for (required)")
	}, func(n *node.Node, pos []string) error {
		name, err := oneEnvelopeFile(pos)
		if err != nil {
			return err
		}
		if envFile == "" {
			return usagef("--envelope FILE is required: a receipt is accepted only for the envelope it covers")
		}
		env, err := readEnvelope(e, envFile)
		if err != nil {
			return err
		}
		raw, err := readArg(e, name, envelope.MaxReceiptWire)
		if err != nil {
			return err
		}
		r, err := n.Envelopes.ImportReceipt(ctx, n.Inbox.Keys, n.Config.Authority, env, envFile, raw)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "envelope %s delivered to %s at %s (receipt signed with key %s)\n",
			env.Header.ID, r.Receiver, r.ReceivedAt.Format(time.RFC3339), r.ReceiverKeyID)
		return nil
	})
}
