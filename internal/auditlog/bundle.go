package auditlog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/strict"
)

// BundleFormat names version 1 of the proof bundle.
const BundleFormat = "art35-audit-bundle/v1"

// MaxBundleEntries bounds a bundle, and so the work of checking one.
const MaxBundleEntries = 1000

// Bundle is the self-contained proof that a log holds the records about one
// message: the records' leaves, their inclusion proofs, and a checkpoint
// signed by the log's node. Anyone with the node's public key (from the
// directory) can check it offline, without the node's database.
type Bundle struct {
	Format    string `json:"format"`
	MessageID string `json:"message_id"`
	// Checkpoint is the signed checkpoint note the proofs lead to.
	Checkpoint string  `json:"checkpoint"`
	Entries    []Entry `json:"entries"`
	// Cosignatures are peers' signatures over the checkpoint (witnessing).
	// Version 1 carries them but does not check them yet.
	Cosignatures []Cosignature `json:"cosignatures"`
}

// Entry is one record of the bundle and its inclusion proof.
type Entry struct {
	Index int64 `json:"index"`
	// Leaf is the record's canonical encoding (see Record.Encode).
	Leaf string `json:"leaf"`
	// LeafHash is the standard base64 of SHA-256(0x00 || leaf).
	LeafHash string `json:"leaf_hash"`
	// InclusionProof is the RFC 6962 audit path from the leaf to the
	// checkpoint's root, leaf level first, each hash standard base64.
	InclusionProof []string `json:"inclusion_proof"`
}

// Cosignature is a peer's signature over the checkpoint: reserved for the
// witnessing protocol.
type Cosignature struct {
	Witness   string `json:"witness"`
	Signature string `json:"signature"`
}

// Encode returns the bundle's canonical JSON: two-space indentation, no
// HTML escaping, a final newline. CheckBundle accepts only this form, so
// that changing any byte of a bundle makes it fail.
func (b *Bundle) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("encode bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// Prove builds the bundle for messageID: every record with that message id
// that the latest checkpoint covers, each with its inclusion proof in that
// checkpoint. The checkpoint is the latest periodic one when it covers all
// the message's records, else the tree head of the last sequenced batch.
// Records still staged are in neither: wait for the sequencer
// (WaitSequenced) or make a checkpoint first (the CLI does).
func Prove(ctx context.Context, db *store.DB, messageID string) (*Bundle, error) {
	if messageID == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "audit prove: give a message id")
	}
	rows, err := db.QueryContext(ctx, `SELECT idx, leaf FROM audit_records WHERE message_id = $1 ORDER BY idx LIMIT $2`, messageID, MaxBundleEntries+1)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInternal, store.MapError(err), "audit prove: read records")
	}
	type row struct {
		idx  int64
		leaf []byte
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.idx, &r.leaf); err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, apperr.Errorf(apperr.ENotFound, "audit prove: the log holds no record for message %q", messageID)
	}
	if len(found) > MaxBundleEntries {
		return nil, apperr.Errorf(apperr.EInvalid, "audit prove: message %q has more than %d records; a bundle holds at most %d", messageID, MaxBundleEntries, MaxBundleEntries)
	}
	// The latest periodic checkpoint carries peers' cosignatures: use it
	// when it covers the message's records; otherwise the sequencer's tree
	// head, signed with the batch that sequenced them.
	cp, err := Latest(ctx, db)
	if last := found[len(found)-1].idx; err != nil || cp.Size <= last {
		if h, herr := Head(ctx, db); herr == nil && (err != nil || h.Size > cp.Size) {
			cp, err = h, nil
		}
	}
	if err != nil {
		return nil, err
	}
	b := &Bundle{Format: BundleFormat, MessageID: messageID, Checkpoint: string(cp.Note), Entries: []Entry{}, Cosignatures: []Cosignature{}}
	r := hashReader{ctx: ctx, q: db}
	for _, f := range found {
		if f.idx >= cp.Size {
			continue
		}
		p, err := tlog.ProveRecord(cp.Size, f.idx, r)
		if err != nil {
			return nil, apperr.Wrap(apperr.EInvalid, err, "audit prove: inclusion proof of record %d", f.idx)
		}
		h := tlog.RecordHash(f.leaf)
		e := Entry{Index: f.idx, Leaf: string(f.leaf), LeafHash: b64(h), InclusionProof: make([]string, len(p))}
		for i, x := range p {
			e.InclusionProof[i] = b64(x)
		}
		b.Entries = append(b.Entries, e)
	}
	if len(b.Entries) == 0 {
		return nil, apperr.Errorf(apperr.ENotFound, "audit prove: the records of message %q are newer than the latest checkpoint (size %d); make a checkpoint ('art35 audit checkpoint') and try again", messageID, cp.Size)
	}
	// Peers that witnessed this checkpoint sent their cosignatures
	// (internal/witness checks them, AddCosignature keeps them).
	if b.Cosignatures, err = Cosignatures(ctx, db, cp.Size); err != nil {
		return nil, err
	}
	return b, nil
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

// Checked is what CheckBundle established.
type Checked struct {
	Bundle     *Bundle
	Checkpoint Checkpoint
	// Records are the decoded records, in the order of Bundle.Entries.
	Records []Record
	// SignedBy is the given key that signed the checkpoint.
	SignedBy ed25519.PublicKey
	// UncheckedCosignatures counts cosignatures this version does not check.
	UncheckedCosignatures int
}

// CheckBundle verifies a bundle offline: it must be in canonical form, its
// checkpoint signed by one of keys under the log's origin, and every entry's
// leaf a valid record about the bundle's message whose hash leads, through
// its inclusion proof, to the checkpoint's root.
func CheckBundle(data []byte, keys ...ed25519.PublicKey) (*Checked, error) {
	bad := func(format string, args ...any) (*Checked, error) {
		return nil, apperr.Errorf(apperr.EInvalid, "audit bundle: %s", fmt.Sprintf(format, args...))
	}
	if len(keys) == 0 {
		return bad("no public key given; give the log owner's signing key from the directory (ed25519:...)")
	}
	if len(data) > 64<<20 {
		return bad("%d bytes is too large for a bundle", len(data))
	}
	var b Bundle
	if err := strict.DecodeJSON(data, &b); err != nil {
		return bad("not a bundle: %v", err)
	}
	canon, err := b.Encode()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(canon, data) {
		i := 0
		for i < len(canon) && i < len(data) && canon[i] == data[i] {
			i++
		}
		return bad("not in canonical form from byte %d on: the bundle was edited (check the file exactly as exported)", i)
	}
	if b.Format != BundleFormat {
		return bad("format %q, want %q", trunc(b.Format), BundleFormat)
	}
	if len(b.Entries) == 0 || len(b.Entries) > MaxBundleEntries {
		return bad("%d entries; a bundle holds 1 to %d", len(b.Entries), MaxBundleEntries)
	}
	origin, _, _ := strings.Cut(b.Checkpoint, "\n")
	if err := checkOrigin(origin); err != nil {
		return bad("checkpoint: %v", err)
	}
	var verifiers []note.Verifier
	for _, k := range keys {
		v, err := NewVerifier(origin, k)
		if err != nil {
			return nil, err
		}
		verifiers = append(verifiers, v)
	}
	cp, err := OpenCheckpoint([]byte(b.Checkpoint), verifiers...)
	if err != nil {
		return nil, err
	}
	out := &Checked{Bundle: &b, Checkpoint: cp, UncheckedCosignatures: len(b.Cosignatures)}
	n, _ := note.Open([]byte(b.Checkpoint), note.VerifierList(verifiers...))
	for i, v := range verifiers {
		for _, s := range n.Sigs {
			if s.Name == v.Name() && s.Hash == v.KeyHash() {
				out.SignedBy = keys[i]
			}
		}
	}
	prev := int64(-1)
	for i, e := range b.Entries {
		where := fmt.Sprintf("entry %d (record %d)", i, e.Index)
		if e.Index <= prev || e.Index >= cp.Size {
			return bad("%s: index must be increasing and below the checkpoint's size %d", where, cp.Size)
		}
		prev = e.Index
		leaf := []byte(e.Leaf)
		rec, err := Decode(leaf)
		if err != nil {
			return bad("%s: %v", where, err)
		}
		if rec.MessageID != b.MessageID {
			return bad("%s: the record is about message %q, not %q", where, trunc(rec.MessageID), trunc(b.MessageID))
		}
		h := tlog.RecordHash(leaf)
		if e.LeafHash != b64(h) {
			return bad("%s: leaf_hash is not SHA-256(0x00 || leaf): the leaf or its hash was changed", where)
		}
		if len(e.InclusionProof) > 64 {
			return bad("%s: inclusion proof has %d hashes, more than a log can need", where, len(e.InclusionProof))
		}
		proof := make(tlog.RecordProof, len(e.InclusionProof))
		for j, s := range e.InclusionProof {
			raw, err := base64.StdEncoding.Strict().DecodeString(s)
			if err != nil || len(raw) != tlog.HashSize || base64.StdEncoding.EncodeToString(raw) != s {
				return bad("%s: inclusion proof hash %d is not the base64 of %d bytes", where, j, tlog.HashSize)
			}
			proof[j] = tlog.Hash(raw)
		}
		if err := tlog.CheckRecord(proof, cp.Size, cp.Root, e.Index, h); err != nil {
			return bad("%s: the inclusion proof does not lead to the checkpoint's root: the record is not in this log at this index", where)
		}
		out.Records = append(out.Records, rec)
	}
	return out, nil
}
