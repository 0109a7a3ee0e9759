package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/keys"
)

var auditCmd = &command{
	Name:  "audit",
	Short: "verify the tamper-evident audit log, make checkpoints, export and check proofs",
	Usage: "audit <verify|checkpoint|prove|check|list> [flags]",
	Long:  help("audit"),
}

func runAudit(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, auditCmd, []subcommand{
		{"verify", "recompute the log and check every checkpoint", runAuditVerify},
		{"checkpoint", "sign and store a checkpoint now", runAuditCheckpoint},
		{"prove", "export the proof bundle of a message", runAuditProve},
		{"check", "check a proof bundle offline with public keys", runAuditCheck},
		{"list", "show who did what (the audit view)", runAuditList},
	}, args)
}

// openAudit opens the audit log of the node in --data (or ART35_DATA).
func openAudit(ctx context.Context, e *env, data string) (*app.Audit, error) {
	if data == "" {
		data = e.getenv("ART35_DATA")
	}
	if data == "" {
		return nil, usagef("--data DIR is required: the node's data folder (or set ART35_DATA)")
	}
	return app.OpenAudit(ctx, data, e.getenv, e.clock)
}

// pubkeyList is a repeatable --pubkey flag.
type pubkeyList []ed25519.PublicKey

func (p *pubkeyList) String() string { return fmt.Sprintf("%d keys", len(*p)) }

func (p *pubkeyList) Set(s string) error {
	k, err := keys.ParseSigningPublic(s)
	if err != nil {
		return err
	}
	*p = append(*p, k)
	return nil
}

func runAuditVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, auditCmd, "verify")
	data := fs.String("data", "", "the node's data folder (or ART35_DATA)")
	var older pubkeyList
	fs.Var(&older, "pubkey", "an earlier signing key of this node (ed25519:...), for checkpoints signed before a key rotation; repeatable")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("verify takes no arguments, got %q", pos)
	}
	a, err := openAudit(ctx, e, *data)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := auditlog.VerifyWithKeys(ctx, a.DB, a.Log.Origin, append(pubkeyList{a.Key.Public().(ed25519.PublicKey)}, older...)...)
	if err != nil {
		return err
	}
	cli.PrintVerifyReport(e.stdout, a.Log.Origin, rep)
	return nil
}

func runAuditCheckpoint(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, auditCmd, "checkpoint")
	data := fs.String("data", "", "the node's data folder (or ART35_DATA)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("checkpoint takes no arguments, got %q", pos)
	}
	a, err := openAudit(ctx, e, *data)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.Log.Checkpoint(ctx)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(c.Note)
	return err
}

func runAuditProve(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, auditCmd, "prove")
	data := fs.String("data", "", "the node's data folder (or ART35_DATA)")
	pos, err := parseArgs(fs, args, 1, "prove takes one MESSAGE-ID")
	if err != nil {
		return err
	}
	a, err := openAudit(ctx, e, *data)
	if err != nil {
		return err
	}
	defer a.Close()
	// When the message's newest record is not covered by the latest
	// checkpoint, one is signed now (on demand), so the bundle holds them all.
	b, signed, err := a.Log.ProveNow(ctx, pos[0])
	if signed != nil {
		fmt.Fprintf(e.stderr, "signed a new checkpoint of %d records\n", signed.Size)
	}
	if err != nil {
		return err
	}
	out, err := b.Encode()
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}

func runAuditCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, auditCmd, "check")
	var pubs pubkeyList
	fs.Var(&pubs, "pubkey", "the log owner's signing key from the directory (ed25519:...); repeatable")
	pos, err := parseArgs(fs, args, 1, "check takes one bundle FILE (or - for standard input)")
	if err != nil {
		return err
	}
	if len(pubs) == 0 {
		return usagef("--pubkey ed25519:... is required: the signing key of the node whose log it is, from the directory")
	}
	data, err := readArg(e, pos[0], maxBundleFile)
	if err != nil {
		return err
	}
	got, err := auditlog.CheckBundle(data, pubs...)
	if err != nil {
		return err
	}
	return cli.PrintBundle(e.stdout, got)
}

func runAuditList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, auditCmd, "list")
	data := fs.String("data", "", "the node's data folder (or ART35_DATA)")
	var q auditlog.Query
	var kind string
	fs.StringVar(&q.MessageID, "message", "", "only records about this message id")
	fs.StringVar(&q.Case, "case", "", "only records about this case reference")
	fs.StringVar(&q.Actor, "actor", "", "only records of this actor (user id, system, peer authority)")
	fs.StringVar(&kind, "kind", "", "only records of this kind (e.g. data-read, data-export, data-forward)")
	fs.IntVar(&q.Limit, "limit", 100, "at most this many records, newest first")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("list takes no arguments, got %q (filters are flags: --message, --case, --actor, --kind)", pos)
	}
	q.Kind = auditlog.Kind(kind)
	a, err := openAudit(ctx, e, *data)
	if err != nil {
		return err
	}
	defer a.Close()
	got, err := auditlog.List(ctx, a.DB, q)
	if err != nil {
		return err
	}
	return cli.PrintAuditList(e.stdout, got)
}

var _ flag.Value = (*pubkeyList)(nil)

// maxBundleFile bounds a proof bundle read by "audit check": a bundle holds
// at most a few hundred entries of a few kilobytes.
const maxBundleFile = 16 << 20
