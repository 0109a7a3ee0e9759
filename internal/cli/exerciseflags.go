package cli

import (
	"context"
	"crypto/ed25519"
	"flag"
	"io"
	"strings"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
)

// ExerciseFlags are the flags of the "exercise" subcommands: the
// secretariat's (open, close, play) take its key and the person's name.
type ExerciseFlags struct {
	Key, By string
	JSON    bool
}

// Bind defines the flags on fs; --key and --by with secretariat only.
func (f *ExerciseFlags) Bind(fs *flag.FlagSet, secretariat bool) {
	if secretariat {
		fs.StringVar(&f.Key, "key", "", "the secretariat's signing key file (required)")
		fs.StringVar(&f.By, "by", "", "your name (required)")
	}
	fs.BoolVar(&f.JSON, "json", false, "print JSON")
}

// Secretariat refuses a secretariat subcommand without --key and --by;
// usage says what to give.
func (f *ExerciseFlags) Secretariat(usage string) error {
	if f.Key == "" || strings.TrimSpace(f.By) == "" {
		return Usagef("%s", usage)
	}
	return nil
}

// Service opens the node's exercise service, with the secretariat's key
// when --key is given, registered on the node so that what it sends is
// filed under the exercise.
func (f *ExerciseFlags) Service(n *node.Node) (*exercise.Service, error) {
	var key ed25519.PrivateKey
	if f.Key != "" {
		var err error
		if key, err = keys.LoadSigning(f.Key); err != nil {
			return nil, err
		}
	}
	return app.RegisterExercise(n, key), nil
}

// Play sends the injects of the script file to the participants, speed
// times faster than real time or, with noWait, at once; without --json
// each inject is printed to w as it goes.
func (f *ExerciseFlags) Play(ctx context.Context, n *node.Node, w io.Writer, file string, speed float64, noWait bool) ([]exercise.Played, error) {
	if speed <= 0 {
		return nil, Usagef("--speed must be above 0")
	}
	sc, err := exercise.ReadScriptFile(file)
	if err != nil {
		return nil, err
	}
	x, err := f.Service(n)
	if err != nil {
		return nil, err
	}
	opt := exercise.PlayOptions{By: f.By, Speed: speed}
	if noWait {
		opt.Wait = func(context.Context, time.Time) error { return nil }
	}
	if !f.JSON {
		opt.Played = func(p exercise.Played) { PrintPlayed(w, p) }
	}
	return x.Play(ctx, sc, opt)
}
