package outbox

import (
	"testing"
	"time"

	"github.com/art35/art35/internal/envelope"
)

func TestBackoffDoublesWithJitterAndCaps(t *testing.T) {
	t.Parallel()
	p := Policy{First: time.Second, Max: time.Minute}
	for _, tc := range []struct {
		attempts int
		full     time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {7, time.Minute}, {50, time.Minute}} {
		lo, hi := p.Backoff(tc.attempts, func() float64 { return 0 }), p.Backoff(tc.attempts, func() float64 { return 0.999999 })
		if lo != tc.full/2 || hi <= lo || hi > tc.full {
			t.Errorf("attempt %d: jitter range [%s, %s], want [%s, %s]", tc.attempts, lo, hi, tc.full/2, tc.full)
		}
	}
}

func TestIsEmergency(t *testing.T) {
	t.Parallel()
	for sub, want := range map[string]bool{"emergency-disclosure": true, "emergency-mla": true, "preserve": false} {
		if got := IsEmergency(envelope.Header{Kind: envelope.KindRequest, Subkind: sub}); got != want {
			t.Errorf("%s: %v", sub, got)
		}
	}
	if IsEmergency(envelope.Header{Kind: envelope.KindEvidence, Subkind: "acknowledged"}) {
		t.Error("an evidence is not an emergency request")
	}
	if !IsEmergency(envelope.Header{Kind: envelope.KindWatchEvent}) {
		t.Error("a watch event must jump the queue")
	}
}
