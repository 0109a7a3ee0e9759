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
	return e.Dispatch(ctx, envelopeCmd, []subcommand{
		{Name: "inspect", Short: "show an envelope's header; check its signature with --sender-key", Run: runEnvelopeInspect},
		{Name: "seal", Short: "sign and encrypt a body into a new envelope", Run: runEnvelopeSeal},
		{Name: "open", Short: "check an envelope's signature and print its decrypted body", Run: runEnvelopeOpen},
		{Name: "receipt", Short: "show a transport receipt; check it with --receiver-key", Run: runEnvelopeReceipt},
		{Name: "import", Short: "check and store an envelope file in the node's inbox; print its signed receipt", Run: runEnvelopeImport},
		{Name: "export", Short: "write a stored envelope by message id, for another channel or as proof", Run: runEnvelopeExport},
		{Name: "import-receipt", Short: "check a receipt that came back out of band and mark the envelope delivered", Run: runEnvelopeImportReceipt},
	}, args)
}

// envelopeFile parses args with fs and returns the single FILE argument.
func envelopeFile(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return "", err
	}
	return cli.OneFile(pos)
}

func runEnvelopeInspect(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(envelopeCmd, "inspect")
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
	env, err := cli.ReadEnvelope(e.Stdin, name)
	if err != nil {
		return err
	}
	v := cli.NewEnvelopeView(env, pub, e.Clock.Now())
	if err := cli.Show(e.Stdout, *asJSON, v, nil, func() error { cli.PrintEnvelopeView(e.Stdout, v, e.Clock.Now()); return nil }); err != nil {
		return err
	}
	if v.Signature.Checked && !v.Signature.Valid {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EUnauthorized)}
	}
	return nil
}

func runEnvelopeSeal(ctx context.Context, e *env, args []string) error {
	var f cli.SealFlags
	fs := e.FlagSet(envelopeCmd, "seal")
	f.Bind(fs)
	if err := cli.NoArgs(fs, args, "seal takes no arguments, only flags (got %q)"); err != nil {
		return err
	}
	env, wire, err := f.Seal(e.Stdin, e.Getenv, e.Clock.Now())
	if err != nil {
		return err
	}
	if err := e.WriteOut(f.Out, wire, 0o600); err != nil || f.Out == "" {
		return err
	}
	fmt.Fprintf(e.Stderr, "sealed envelope %s for %s into %s\n", env.Header.ID, env.Header.Recipient, f.Out)
	return nil
}

func runEnvelopeOpen(ctx context.Context, e *env, args []string) error {
	var f cli.OpenFlags
	fs := e.FlagSet(envelopeCmd, "open")
	f.Bind(fs)
	name, err := envelopeFile(fs, args)
	if err != nil {
		return err
	}
	body, err := f.Open(e.Stdin, e.Getenv, name)
	if err != nil {
		return err
	}
	_, err = e.Stdout.Write(body)
	return err
}

func runEnvelopeReceipt(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(envelopeCmd, "receipt")
	receiverKey := fs.String("receiver-key", "", "the receiver's signing key from the directory (ed25519:...); checks the signature")
	envFile := fs.String("envelope", "", "the envelope file the receipt should cover")
	name, err := envelopeFile(fs, args)
	if err != nil {
		return err
	}
	bad, err := cli.ShowReceipt(e.Stdout, e.Stdin, name, *receiverKey, *envFile)
	if err == nil && bad {
		return cli.ExitError{Code: apperr.ExitCode(apperr.EUnauthorized)}
	}
	return err
}

func runEnvelopeImport(ctx context.Context, e *env, args []string) error {
	var receiptOut string
	return e.OnNode(ctx, envelopeCmd, "import", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&receiptOut, "receipt", "", "write the signed receipt to this file instead of standard output")
	}, func(n *node.Node, pos []string) error {
		name, err := cli.OneFile(pos)
		if err != nil {
			return err
		}
		raw, err := e.ReadArg(name, envelope.MaxWire)
		if err != nil {
			return err
		}
		res, err := n.Inbox.ReceiveFile(ctx, name, raw)
		if err != nil {
			return err
		}
		wire, err := cli.PrintStored(e.Stderr, res)
		if err != nil {
			return err
		}
		return e.WriteOut(receiptOut, wire, 0o644)
	})
}

func runEnvelopeExport(ctx context.Context, e *env, args []string) error {
	var out string
	return e.OnNode(ctx, envelopeCmd, "export", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "write the envelope to this file instead of standard output")
	}, func(n *node.Node, pos []string) error {
		if len(pos) != 1 {
			return cli.Usagef("want exactly one message id, got %d arguments", len(pos))
		}
		raw, err := n.Envelopes.Stored(ctx, pos[0])
		if err != nil {
			return err
		}
		return e.WriteOut(out, raw, 0o600)
	})
}

func runEnvelopeImportReceipt(ctx context.Context, e *env, args []string) error {
	var envFile string
	return e.OnNode(ctx, envelopeCmd, "import-receipt", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&envFile, "envelope", "", "the envelope file the receipt is for (required)")
	}, func(n *node.Node, pos []string) error {
		name, err := cli.OneFile(pos)
		if err != nil {
			return err
		}
		if envFile == "" {
			return cli.Usagef("--envelope FILE is required: a receipt is accepted only for the envelope it covers")
		}
		env, err := cli.ReadEnvelope(e.Stdin, envFile)
		if err != nil {
			return err
		}
		raw, err := e.ReadArg(name, envelope.MaxReceiptWire)
		if err != nil {
			return err
		}
		r, err := n.Envelopes.ImportReceipt(ctx, n.Inbox.Keys, n.Config.Authority, env, envFile, raw)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "envelope %s delivered to %s at %s (receipt signed with key %s)\n",
			env.Header.ID, r.Receiver, r.ReceivedAt.Format(time.RFC3339), r.ReceiverKeyID)
		return nil
	})
}
