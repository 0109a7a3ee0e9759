package testnet

import (
	"context"
	"fmt"
	"time"
)

// WaitFor polls cond every 20 ms until it holds, the time d is up or ctx
// ends, and names what it waited for in its error (with cond's last
// error, if any). It is the wait of programs that run a test network
// without a testing.T (the demo, the benchmarks); tests use
// testkit.Eventually.
func WaitFor(ctx context.Context, what string, d time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(d)
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("%s: not within %v: %w", what, d, err)
			}
			return fmt.Errorf("%s: not within %v", what, d)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
