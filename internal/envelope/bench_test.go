package envelope

import (
	"github.com/art35/art35/internal/testkit"

	"crypto/ed25519"
	"testing"
)

// Benchmarks of one envelope with a 1 KiB body, the size of a typical
// request. Run: go test ./internal/envelope -run XXX -bench .

func BenchmarkSeal(b *testing.B) {
	k := fixedKeys(b)
	body := make([]byte, 1024)
	h := testHeader()
	testkit.ReportCPU(b)
	for b.Loop() {
		if _, err := Seal(h, body, k.signer, k.recipient.PublicKey()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseVerifyOpen(b *testing.B) {
	k := fixedKeys(b)
	env := mustSeal(b, k, testHeader(), make([]byte, 1024))
	wire, _ := env.Marshal()
	pub := k.signer.Public().(ed25519.PublicKey)
	b.SetBytes(int64(len(wire)))
	testkit.ReportCPU(b)
	for b.Loop() {
		e, err := Parse(wire)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Open(e, pub, k.recipient); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	k := fixedKeys(b)
	wire, _ := mustSeal(b, k, testHeader(), make([]byte, 1024)).Marshal()
	testkit.ReportCPU(b)
	for b.Loop() {
		if _, err := Parse(wire); err != nil {
			b.Fatal(err)
		}
	}
}
