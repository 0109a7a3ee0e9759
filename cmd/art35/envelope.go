package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/envelope"
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

// envelopeFile parses args with fs and returns the single FILE argument.
func envelopeFile(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return "", err
	}
	return cli.OneFile(pos)
}

func runEnvelopeInspect(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, envelopeCmd, "inspect")
	senderKey := fs.String("sender-key", "", "the sender's signing key from the directory (ed25519:...); checks the signature")
	asJSON := fs.Bool("json", false, "print JSON")
	name, err := envelopeFile(fs, args)
	if err != nil {
		return err
	}
	pub, err := cli.SigningKeyFlag("--sender-key", *senderKey)
	if err != nil {
		return err
	}
	env, err := cli.ReadEnvelope(e.stdin, name)
	if err != nil {
		return err
	}
	v := cli.NewEnvelopeView(env, pub, e.clock.Now())
	if err := cli.Show(e.stdout, *asJSON, v, nil, func() error { cli.PrintEnvelopeView(e.stdout, v, e.clock.Now()); return nil }); err != nil {
		return err
	}
	if v.Signature.Checked && !v.Signature.Valid {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EUnauthorized)}
	}
	return nil
}

func runEnvelopeSeal(ctx context.Context, e *env, args []string) error {
	var f cli.SealFlags
	fs := newFlagSet(e, envelopeCmd, "seal")
	f.Bind(fs)
	if err := noArgs(fs, args, "seal takes no arguments, only flags (got %q)"); err != nil {
		return err
	}
	env, wire, err := f.Seal(e.stdin, e.getenv, e.clock.Now())
	if err != nil {
		return err
	}
	if err := writeOut(e, f.Out, wire, 0o600); err != nil || f.Out == "" {
		return err
	}
	fmt.Fprintf(e.stderr, "sealed envelope %s for %s into %s\n", env.Header.ID, env.Header.Recipient, f.Out)
	return nil
}

func runEnvelopeOpen(ctx context.Context, e *env, args []string) error {
	var f cli.OpenFlags
	fs := newFlagSet(e, envelopeCmd, "open")
	f.Bind(fs)
	name, err := envelopeFile(fs, args)
	if err != nil {
		return err
	}
	body, err := f.Open(e.stdin, e.getenv, name)
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
	name, err := envelopeFile(fs, args)
	if err != nil {
		return err
	}
	bad, err := cli.ShowReceipt(e.stdout, e.stdin, name, *receiverKey, *envFile)
	if err == nil && bad {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EUnauthorized)}
	}
	return err
}

func runEnvelopeImport(ctx context.Context, e *env, args []string) error {
	var receiptOut string
	return onNode(ctx, e, envelopeCmd, "import", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&receiptOut, "receipt", "", "write the signed receipt to this file instead of standard output")
	}, func(n *node.Node, pos []string) error {
		name, err := cli.OneFile(pos)
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
		wire, err := cli.PrintStored(e.stderr, res)
		if err != nil {
			return err
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
		name, err := cli.OneFile(pos)
		if err != nil {
			return err
		}
		if envFile == "" {
			return usagef("--envelope FILE is required: a receipt is accepted only for the envelope it covers")
		}
		env, err := cli.ReadEnvelope(e.stdin, envFile)
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
