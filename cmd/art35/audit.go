package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/store"
)

var auditCmd = &command{
	name:  "audit",
	short: "verify the tamper-evident audit log, make checkpoints, export and check proofs",
	usage: "audit <verify|checkpoint|prove|check|list> [flags]",
	long: `Every node keeps an append-only Merkle log of every envelope sent and
received (by digest, never its content), every access to personal data, every
sign-in, administrative change and inbox rejection, with checkpoints (size and
root hash) signed by the node's Ed25519 key.

	art35 audit verify --data DIR
		recompute every hash and check every signed checkpoint; exit 1
		naming the first record where the log breaks
	art35 audit checkpoint --data DIR
		sign a checkpoint of the log now and print it
	art35 audit prove MESSAGE-ID --data DIR > bundle.json
		export the proof that the log holds the records of a message
		(makes a checkpoint first if the latest does not cover them)
	art35 audit check --pubkey ed25519:... bundle.json
		check a bundle offline with the log owner's public key from the
		directory; needs no database; exit 1 if any byte was changed
	art35 audit list --data DIR [--message ID] [--case REF] [--actor WHO] [--kind KIND]
		the audit view: who did what, when, for which case, newest first

The data folder may also be given as ART35_DATA. See docs/audit.md for the
formats and for checking a bundle by hand.`,
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

// auditNode is what the audit subcommands open of a node: its database and
// signing key. It does not start the node.
type auditNode struct {
	cfg config.Config
	db  *store.DB
	key ed25519.PrivateKey
	log *auditlog.Log
}

func (a *auditNode) Close() { a.db.Close() }

// openAudit opens the node in --data (or ART35_DATA).
func openAudit(ctx context.Context, e *env, data string) (*auditNode, error) {
	if data == "" {
		data = e.getenv("ART35_DATA")
	}
	if data == "" {
		return nil, usagef("--data DIR is required: the node's data folder (or set ART35_DATA)")
	}
	cfg, err := config.Load(data, e.getenv)
	if err != nil {
		return nil, err
	}
	key, err := keys.LoadSigning(cfg.Path(config.SigningKeyFile))
	if err != nil {
		return nil, err
	}
	if cfg.Authority == "" && cfg.Party != "" {
		cfg.Authority = cfg.Party + "-247" // node init's default
	}
	if cfg.Authority == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "config in %s: authority is not set; the log is named after it (set authority in %s or ART35_AUTHORITY)", data, config.FileName)
	}
	db, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return nil, err
	}
	l, err := auditlog.New(db, cfg.Authority, key, e.clock)
	if err != nil {
		db.Close()
		return nil, err
	}
	// Records staged by commands run without the node (or while it was
	// down) are sequenced now, so every audit command sees the whole log.
	if _, err := l.Sequence(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &auditNode{cfg: cfg, db: db, key: key, log: l}, nil
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
	pubs := append(pubkeyList{a.key.Public().(ed25519.PublicKey)}, older...)
	var verifiers []note.Verifier
	for _, p := range pubs {
		v, err := auditlog.NewVerifier(a.log.Origin, p)
		if err != nil {
			return err
		}
		verifiers = append(verifiers, v)
	}
	rep, err := auditlog.Verify(ctx, a.db, verifiers...)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "audit log %s is intact: %d records, root %s\n", a.log.Origin, rep.Size, auditB64(rep.Root[:]))
	if rep.Latest != nil {
		fmt.Fprintf(e.stdout, "%d signed checkpoints verified; latest covers %d records, signed %s\n",
			rep.Checkpoints, rep.Latest.Size, rep.Latest.Time.Format(time.RFC3339))
		if rep.Latest.Size < rep.Size {
			fmt.Fprintf(e.stdout, "%d records are newer than the latest checkpoint (run 'art35 audit checkpoint')\n", rep.Size-rep.Latest.Size)
		}
	} else {
		fmt.Fprintln(e.stdout, "no signed checkpoint yet: nothing protects the log against rewriting (run 'art35 audit checkpoint')")
	}
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
	c, err := a.log.Checkpoint(ctx)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(c.Note)
	return err
}

func runAuditProve(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, auditCmd, "prove")
	data := fs.String("data", "", "the node's data folder (or ART35_DATA)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("prove takes one MESSAGE-ID")
	}
	a, err := openAudit(ctx, e, *data)
	if err != nil {
		return err
	}
	defer a.Close()
	// When the message's newest record is not covered by the latest
	// checkpoint, sign one now (on demand), so the bundle holds them all.
	newest, err := auditlog.List(ctx, a.db, auditlog.Query{MessageID: pos[0], Limit: 1})
	if err != nil {
		return err
	}
	if len(newest) > 0 {
		last, err := auditlog.Latest(ctx, a.db)
		if err != nil && !apperr.Is(err, apperr.ENotFound) {
			return err
		}
		if err != nil || last.Size <= newest[0].Index {
			c, err := a.log.Checkpoint(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "signed a new checkpoint of %d records\n", c.Size)
		}
	}
	b, err := auditlog.Prove(ctx, a.db, pos[0])
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
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("check takes one bundle FILE (or - for standard input)")
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
	cp := got.Checkpoint
	fmt.Fprintf(e.stdout, "bundle OK: %d records about message %s are in log %s\n", len(got.Records), got.Bundle.MessageID, cp.Origin)
	fmt.Fprintf(e.stdout, "checkpoint of %d records, root %s, signed %s by %s\n",
		cp.Size, auditB64(cp.Root[:]), cp.Time.Format(time.RFC3339), keys.FormatSigningPublic(got.SignedBy))
	if got.UncheckedCosignatures > 0 {
		fmt.Fprintf(e.stdout, "%d peer cosignatures present, not checked by this version\n", got.UncheckedCosignatures)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tTIME\tKIND\tACTOR\tCASE\tDIGEST")
	for i, r := range got.Records {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", got.Bundle.Entries[i].Index, r.Time.Format(time.RFC3339), r.Kind, r.Actor, auditDash(r.Case), auditDash(r.Digest))
	}
	return tw.Flush()
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
	got, err := auditlog.List(ctx, a.db, q)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tTIME\tKIND\tACTOR\tCASE\tMESSAGE\tPURPOSE")
	for _, l := range got {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Index, l.Time.Format(time.RFC3339), l.Kind, l.Actor, auditDash(l.Case), auditDash(l.MessageID), auditDash(l.Purpose))
	}
	return tw.Flush()
}

func auditB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func auditDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

var _ flag.Value = (*pubkeyList)(nil)

// maxBundleFile bounds a proof bundle read by "audit check": a bundle holds
// at most a few hundred entries of a few kilobytes.
const maxBundleFile = 16 << 20
