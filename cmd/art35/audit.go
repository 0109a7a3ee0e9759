package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/cli"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, auditCmd, []subcommand{
		{Name: "verify", Short: "recompute the log and check every checkpoint", Run: runAuditVerify},
		{Name: "checkpoint", Short: "sign and store a checkpoint now", Run: runAuditCheckpoint},
		{Name: "prove", Short: "export the proof bundle of a message", Run: runAuditProve},
		{Name: "check", Short: "check a proof bundle offline with public keys", Run: runAuditCheck},
		{Name: "list", Short: "show who did what (the audit view)", Run: runAuditList},
	}, args)
}

func runAuditVerify(ctx context.Context, e *env, args []string) error {
	var older cli.SigningKeys
	return e.OnAudit(ctx, auditCmd, "verify", args, 0, "", func(fs *flag.FlagSet) {
		fs.Var(&older, "pubkey", "an earlier signing key of this node (ed25519:...), for checkpoints signed before a key rotation; repeatable")
	}, func(a *app.Audit, _ []string) error {
		rep, err := auditlog.VerifyWithKeys(ctx, a.DB, a.Log.Origin, append(cli.SigningKeys{a.Key.Public().(ed25519.PublicKey)}, older...)...)
		if err != nil {
			return err
		}
		cli.PrintVerifyReport(e.Stdout, a.Log.Origin, rep)
		return nil
	})
}

func runAuditCheckpoint(ctx context.Context, e *env, args []string) error {
	return e.OnAudit(ctx, auditCmd, "checkpoint", args, 0, "", nil, func(a *app.Audit, _ []string) error {
		c, err := a.Log.Checkpoint(ctx)
		if err != nil {
			return err
		}
		_, err = e.Stdout.Write(c.Note)
		return err
	})
}

func runAuditProve(ctx context.Context, e *env, args []string) error {
	return e.OnAudit(ctx, auditCmd, "prove", args, 1, "prove takes one MESSAGE-ID", nil, func(a *app.Audit, pos []string) error {
		// When the message's newest record is not covered by the latest
		// checkpoint, one is signed now (on demand), so the bundle holds them all.
		b, signed, err := a.Log.ProveNow(ctx, pos[0])
		if signed != nil {
			fmt.Fprintf(e.Stderr, "signed a new checkpoint of %d records\n", signed.Size)
		}
		if err != nil {
			return err
		}
		out, err := b.Encode()
		if err != nil {
			return err
		}
		_, err = e.Stdout.Write(out)
		return err
	})
}

func runAuditCheck(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(auditCmd, "check")
	var pubs cli.SigningKeys
	fs.Var(&pubs, "pubkey", "the log owner's signing key from the directory (ed25519:...); repeatable")
	pos, err := cli.ParseArgs(fs, args, 1, "check takes one bundle FILE (or - for standard input)")
	if err != nil {
		return err
	}
	if len(pubs) == 0 {
		return cli.Usagef("--pubkey ed25519:... is required: the signing key of the node whose log it is, from the directory")
	}
	data, err := e.ReadArg(pos[0], maxBundleFile)
	if err != nil {
		return err
	}
	got, err := auditlog.CheckBundle(data, pubs...)
	if err != nil {
		return err
	}
	return cli.PrintBundle(e.Stdout, got)
}

func runAuditList(ctx context.Context, e *env, args []string) error {
	var q auditlog.Query
	var kind string
	return e.OnAudit(ctx, auditCmd, "list", args, 0, " (filters are flags: --message, --case, --actor, --kind)", func(fs *flag.FlagSet) {
		fs.StringVar(&q.MessageID, "message", "", "only records about this message id")
		fs.StringVar(&q.Case, "case", "", "only records about this case reference")
		fs.StringVar(&q.Actor, "actor", "", "only records of this actor (user id, system, peer authority)")
		fs.StringVar(&kind, "kind", "", "only records of this kind (e.g. data-read, data-export, data-forward)")
		fs.IntVar(&q.Limit, "limit", 100, "at most this many records, newest first")
	}, func(a *app.Audit, _ []string) error {
		q.Kind = auditlog.Kind(kind)
		got, err := auditlog.List(ctx, a.DB, q)
		if err != nil {
			return err
		}
		return cli.PrintAuditList(e.Stdout, got)
	})
}

// maxBundleFile bounds a proof bundle read by "audit check": a bundle holds
// at most a few hundred entries of a few kilobytes.
const maxBundleFile = 16 << 20
