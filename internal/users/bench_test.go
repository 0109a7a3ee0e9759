package users

import "testing"

// BenchmarkVerifyPassword measures the cost of one sign-in's password
// check with the default argon2id parameters.
func BenchmarkVerifyPassword(b *testing.B) {
	h := HashPassword("a long enough passphrase", DefaultParams)
	for b.Loop() {
		if ok, _ := VerifyPassword("a long enough passphrase", h); !ok {
			b.Fatal("no match")
		}
	}
}
