package envelope

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/art35/art35/internal/keys"
)

// Run "go test ./internal/envelope -run TestVectors -update" to write new
// vectors. Do that only for a new protocol version: the committed vectors
// are what other implementations test against.
var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

const vectorsFile = "testdata/vectors.json"

// vector is one test vector of docs/protocol.md. Binary values are hex
// (or unpadded base64url where the wire uses it); wire forms are strings
// so that their exact bytes are pinned.
type vector struct {
	Name                  string `json:"name"`
	SenderSeedHex         string `json:"sender_ed25519_seed_hex"`
	SenderPublic          string `json:"sender_public"`
	SenderKeyID           string `json:"sender_key_id"`
	RecipientPrivateHex   string `json:"recipient_x25519_private_hex"`
	RecipientPublic       string `json:"recipient_public"`
	RecipientKeyID        string `json:"recipient_key_id"`
	ReceiverSeedHex       string `json:"receiver_ed25519_seed_hex"`
	ReceiverPublic        string `json:"receiver_public"`
	ReceiverKeyID         string `json:"receiver_key_id"`
	BodyHex               string `json:"body_hex"`
	CanonicalHeaderHex    string `json:"canonical_header_hex"`
	CiphertextSHA256Hex   string `json:"ciphertext_sha256_hex"`
	SignatureInputHex     string `json:"signature_input_hex"`
	Signature             string `json:"signature_b64url"`
	EnvelopeDigestHex     string `json:"envelope_digest_hex"`
	EnvelopeWire          string `json:"envelope_wire"`
	ReceiptReceivedAt     string `json:"receipt_received_at"`
	ReceiptCanonicalHex   string `json:"receipt_canonical_hex"`
	ReceiptSignature      string `json:"receipt_signature_b64url"`
	ReceiptWire           string `json:"receipt_wire"`
	HPKEEncapsulatedKeyHx string `json:"hpke_enc_hex"`
}

type vectorFile struct {
	Comment string   `json:"comment"`
	Vectors []vector `json:"vectors"`
}

func vectorHeaders() []struct {
	name string
	h    Header
	body []byte
} {
	h1 := testHeader()
	h2 := Header{
		ID:             "fedcba9876543210fedcba9876543210",
		IdempotencyKey: "ev:US-2026-0042:acknowledged",
		Kind:           KindEvidence,
		Subkind:        "acknowledged",
		Sender:         "IT-POC",
		Recipient:      "US-POC",
		Created:        time.Date(2026, 11, 25, 3, 7, 42, 0, time.UTC),
		Expires:        time.Date(2026, 12, 2, 3, 7, 42, 0, time.UTC),
		InReplyTo:      "0123456789abcdef0123456789abcdef",
		CaseRef:        "Büro-7/ü",
		Handling:       H2,
		Exercise:       true,
	}
	return []struct {
		name string
		h    Header
		body []byte
	}{
		{"request-preserve", h1, []byte(`{"type":"preserve","summary":"intrusion at example.org"}`)},
		{"evidence-acknowledged-exercise-empty-body", h2, nil},
	}
}

func TestVectors(t *testing.T) {
	t.Parallel()
	if *update {
		writeVectors(t)
	}
	data, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(data, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Vectors) != len(vectorHeaders()) {
		t.Fatalf("%d vectors, want %d", len(vf.Vectors), len(vectorHeaders()))
	}
	for i, v := range vf.Vectors {
		want := vectorHeaders()[i]
		t.Run(v.Name, func(t *testing.T) { checkVector(t, v, want.h, want.body) })
	}
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func checkVector(t *testing.T, v vector, h Header, body []byte) {
	signer := ed25519.NewKeyFromSeed(unhex(t, v.SenderSeedHex))
	receiver := ed25519.NewKeyFromSeed(unhex(t, v.ReceiverSeedHex))
	recipient, err := ecdh.X25519().NewPrivateKey(unhex(t, v.RecipientPrivateHex))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"sender public", keys.FormatSigningPublic(signer.Public().(ed25519.PublicKey)), v.SenderPublic},
		{"sender key id", keys.ID(v.SenderPublic), v.SenderKeyID},
		{"recipient public", keys.FormatEncryptionPublic(recipient.PublicKey()), v.RecipientPublic},
		{"recipient key id", keys.ID(v.RecipientPublic), v.RecipientKeyID},
		{"receiver public", keys.FormatSigningPublic(receiver.Public().(ed25519.PublicKey)), v.ReceiverPublic},
		{"receiver key id", keys.ID(v.ReceiverPublic), v.ReceiverKeyID},
		{"body", hex.EncodeToString(body), v.BodyHex},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, c.got, c.want)
		}
	}

	// The canonical header of the fixed header is fixed bytes.
	h.SenderKeyID, h.RecipientKeyID = v.SenderKeyID, v.RecipientKeyID
	if got := hex.EncodeToString(h.CanonicalHeader()); got != v.CanonicalHeaderHex {
		t.Fatalf("canonical header\n got %s\nwant %s", got, v.CanonicalHeaderHex)
	}

	env, err := Parse([]byte(v.EnvelopeWire))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if env.Header != h {
		t.Fatalf("parsed header %+v, want %+v", env.Header, h)
	}
	ctSum := sha256.Sum256(env.Ciphertext)
	if got := hex.EncodeToString(ctSum[:]); got != v.CiphertextSHA256Hex {
		t.Errorf("ciphertext sha256 %s, want %s", got, v.CiphertextSHA256Hex)
	}
	if got := hex.EncodeToString(env.SignatureInput()); got != v.SignatureInputHex {
		t.Errorf("signature input %s, want %s", got, v.SignatureInputHex)
	}
	// Ed25519 is deterministic: signing the input again gives the vector's bytes.
	if got := b64.EncodeToString(ed25519.Sign(signer, unhex(t, v.SignatureInputHex))); got != v.Signature {
		t.Errorf("signature %s, want %s", got, v.Signature)
	}
	if got := b64.EncodeToString(env.Signature); got != v.Signature {
		t.Errorf("wire signature %s, want %s", got, v.Signature)
	}
	if err := Verify(env, signer.Public().(ed25519.PublicKey)); err != nil {
		t.Errorf("Verify: %v", err)
	}
	d := env.Digest()
	if got := hex.EncodeToString(d[:]); got != v.EnvelopeDigestHex {
		t.Errorf("digest %s, want %s", got, v.EnvelopeDigestHex)
	}
	if again, _ := env.Marshal(); string(again) != v.EnvelopeWire {
		t.Errorf("Marshal\n got %s\nwant %s", again, v.EnvelopeWire)
	}
	got, err := Open(env, signer.Public().(ed25519.PublicKey), recipient)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("Open: %q, %v", got, err)
	}

	// Decrypt again with crypto/hpke directly and only the parameters
	// docs/protocol.md gives, as a second implementation would.
	if hex.EncodeToString(env.Ciphertext[:32]) != v.HPKEEncapsulatedKeyHx {
		t.Errorf("enc %x, want %s", env.Ciphertext[:32], v.HPKEEncapsulatedKeyHx)
	}
	sk, err := hpke.NewDHKEMPrivateKey(recipient)
	if err != nil {
		t.Fatal(err)
	}
	kdf, err := hpke.NewKDF(0x0001)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := hpke.NewAEAD(0x0003)
	if err != nil {
		t.Fatal(err)
	}
	r, err := hpke.NewRecipient(env.Ciphertext[:32], sk, kdf, aead, []byte("art35-envelope-v1"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := r.Open(unhex(t, v.CanonicalHeaderHex), env.Ciphertext[32:])
	if err != nil || !bytes.Equal(plain, body) {
		t.Fatalf("independent HPKE open: %q, %v", plain, err)
	}

	at, err := time.Parse(TimeLayout, v.ReceiptReceivedAt)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := NewReceipt(env, at, receiver)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(rc.canonical()); got != v.ReceiptCanonicalHex {
		t.Errorf("receipt canonical %s, want %s", got, v.ReceiptCanonicalHex)
	}
	if got := b64.EncodeToString(rc.Signature); got != v.ReceiptSignature {
		t.Errorf("receipt signature %s, want %s", got, v.ReceiptSignature)
	}
	if w, _ := rc.Marshal(); string(w) != v.ReceiptWire {
		t.Errorf("receipt wire\n got %s\nwant %s", w, v.ReceiptWire)
	}
	pr, err := ParseReceipt([]byte(v.ReceiptWire))
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyReceipt(pr, receiver.Public().(ed25519.PublicKey)); err != nil {
		t.Errorf("VerifyReceipt: %v", err)
	}
}

func writeVectors(t *testing.T) {
	vf := vectorFile{Comment: "art35 envelope protocol version 1 test vectors; see docs/protocol.md. " +
		"Keys are derived from fixed seeds and are public: never use them for anything else. " +
		"HPKE encryption is randomised, so the ciphertext is stored and checked by decryption; " +
		"the canonical bytes and the Ed25519 signatures are deterministic."}
	signerSeed, recipientPriv, receiverSeed := seed(0x01), seed(0x02), seed(0x03)
	signer := ed25519.NewKeyFromSeed(signerSeed)
	receiver := ed25519.NewKeyFromSeed(receiverSeed)
	recipient, err := ecdh.X25519().NewPrivateKey(recipientPriv)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range vectorHeaders() {
		env, err := Seal(c.h, c.body, signer, recipient.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		w, _ := env.Marshal()
		at := c.h.Created.Add(time.Duration(3+i) * time.Second)
		rc, err := NewReceipt(env, at, receiver)
		if err != nil {
			t.Fatal(err)
		}
		rw, _ := rc.Marshal()
		sum := sha256.Sum256(env.Ciphertext)
		d := env.Digest()
		sp, rp := keys.FormatSigningPublic(signer.Public().(ed25519.PublicKey)), keys.FormatEncryptionPublic(recipient.PublicKey())
		vp := keys.FormatSigningPublic(receiver.Public().(ed25519.PublicKey))
		vf.Vectors = append(vf.Vectors, vector{
			Name:          c.name,
			SenderSeedHex: hex.EncodeToString(signerSeed), SenderPublic: sp, SenderKeyID: keys.ID(sp),
			RecipientPrivateHex: hex.EncodeToString(recipientPriv), RecipientPublic: rp, RecipientKeyID: keys.ID(rp),
			ReceiverSeedHex: hex.EncodeToString(receiverSeed), ReceiverPublic: vp, ReceiverKeyID: keys.ID(vp),
			BodyHex:               hex.EncodeToString(c.body),
			CanonicalHeaderHex:    hex.EncodeToString(env.Header.CanonicalHeader()),
			CiphertextSHA256Hex:   hex.EncodeToString(sum[:]),
			SignatureInputHex:     hex.EncodeToString(env.SignatureInput()),
			Signature:             b64.EncodeToString(env.Signature),
			EnvelopeDigestHex:     hex.EncodeToString(d[:]),
			EnvelopeWire:          string(w),
			ReceiptReceivedAt:     at.Format(TimeLayout),
			ReceiptCanonicalHex:   hex.EncodeToString(rc.canonical()),
			ReceiptSignature:      b64.EncodeToString(rc.Signature),
			ReceiptWire:           string(rw),
			HPKEEncapsulatedKeyHx: hex.EncodeToString(env.Ciphertext[:32]),
		})
	}
	out, err := json.MarshalIndent(vf, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vectorsFile, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
