package testnet_test

import (
	"testing"
	"time"

	reqpkg "github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/testnet"
)

func TestRequestDocPassesItsChecklist(t *testing.T) {
	t.Parallel()
	now := time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, typ := range []string{"preserve", "emergency-disclosure"} {
		r, ps := reqpkg.Check(testnet.RequestDoc(typ, "US-T-1", "US", "IT", now), now)
		if r == nil || reqpkg.HasErrors(ps) {
			t.Errorf("%s: %v", typ, ps)
		}
	}
}
