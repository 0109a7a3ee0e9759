package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/node"
)

func runExercise(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, exerciseCmd, []subcommand{
		{Name: "open", Short: "sign and send the opening of an exercise (secretariat)", Run: runExerciseOpen},
		{Name: "close", Short: "sign and send the closing of an exercise; its cases are archived (secretariat)", Run: runExerciseClose},
		{Name: "play", Short: "send a script's injects to the participants at their minutes (secretariat)", Run: runExercisePlay},
		{Name: "list", Short: "the exercises this node knows", Run: runExerciseList},
		{Name: "show", Short: "one exercise with its cases on this node", Run: runExerciseShow},
	}, args)
}

// exerciseFlags are the flags of the secretariat's subcommands.
type exerciseFlags struct {
	key, by string
	json    bool
}

func (f *exerciseFlags) bind(fs *flag.FlagSet, secretariat bool) {
	if secretariat {
		fs.StringVar(&f.key, "key", "", "the secretariat's signing key file (required)")
		fs.StringVar(&f.by, "by", "", "your name (required)")
	}
	fs.BoolVar(&f.json, "json", false, "print JSON")
}

// exerciseService opens the node's exercise service, with the
// secretariat's key when --key is given, registered on the node so that
// what it sends is filed under the exercise.
func exerciseService(n *node.Node, f exerciseFlags) (*exercise.Service, error) {
	var key ed25519.PrivateKey
	if f.key != "" {
		var err error
		if key, err = keys.LoadSigning(f.key); err != nil {
			return nil, err
		}
	}
	return app.RegisterExercise(n, key), nil
}

func exerciseOne(ctx context.Context, e *env, sub string, args []string, secretariat bool, run func(x *exercise.Service, arg string, f exerciseFlags) (any, error)) error {
	var f exerciseFlags
	usage := fmt.Sprintf("exercise %s takes one argument", sub)
	return e.OnNode(ctx, exerciseCmd, sub, args, 1, usage, func(fs *flag.FlagSet) { f.bind(fs, secretariat) }, func(n *node.Node, pos []string) error {
		if secretariat && (f.key == "" || strings.TrimSpace(f.by) == "") {
			return cli.Usagef("--key FILE and --by NAME are required: only the secretariat's key opens, closes and plays exercises")
		}
		x, err := exerciseService(n, f)
		if err != nil {
			return err
		}
		v, err := run(x, pos[0], f)
		return cli.Show(e.Stdout, f.json, v, err, func() error { return cli.PrintExercise(e.Stdout, v) })
	})
}

func runExerciseOpen(ctx context.Context, e *env, args []string) error {
	return exerciseOne(ctx, e, "open", args, true, func(x *exercise.Service, file string, f exerciseFlags) (any, error) {
		a, err := exercise.ReadPlanFile(file)
		if err != nil {
			return nil, err
		}
		return x.Open(ctx, a, f.by)
	})
}

func runExerciseClose(ctx context.Context, e *env, args []string) error {
	return exerciseOne(ctx, e, "close", args, true, func(x *exercise.Service, id string, f exerciseFlags) (any, error) {
		return x.Close(ctx, id, f.by)
	})
}

func runExerciseShow(ctx context.Context, e *env, args []string) error {
	return exerciseOne(ctx, e, "show", args, false, func(x *exercise.Service, id string, _ exerciseFlags) (any, error) {
		ex, err := x.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		cs, err := x.CasesOf(ctx, id)
		if err != nil {
			return nil, err
		}
		return cli.ExerciseShown{Exercise: ex, Cases: cs}, nil
	})
}

func runExerciseList(ctx context.Context, e *env, args []string) error {
	var f exerciseFlags
	return e.OnNode(ctx, exerciseCmd, "list", args, -1, "", func(fs *flag.FlagSet) { f.bind(fs, false) }, func(n *node.Node, pos []string) error {
		if len(pos) > 0 {
			return cli.Usagef("unexpected argument %q: exercise list takes flags only", pos[0])
		}
		list, err := app.Exercise(n, nil).List(ctx)
		return cli.Show(e.Stdout, f.json, list, err, func() error { return cli.PrintExercise(e.Stdout, list) })
	})
}

func runExercisePlay(ctx context.Context, e *env, args []string) error {
	var speed float64
	var noWait bool
	var f exerciseFlags
	const usage = "exercise play SCRIPT --key FILE --by NAME: one script, the secretariat's key and your name"
	return e.OnNode(ctx, exerciseCmd, "play", args, 1, usage, func(fs *flag.FlagSet) {
		f.bind(fs, true)
		fs.Float64Var(&speed, "speed", 1, "play the script this many times faster than real time (60: a minute a second)")
		fs.BoolVar(&noWait, "no-wait", false, "send every inject at once, in order, without waiting for its minute")
	}, func(n *node.Node, pos []string) error {
		if f.key == "" || strings.TrimSpace(f.by) == "" {
			return cli.Usagef("%s", usage)
		}
		if speed <= 0 {
			return cli.Usagef("--speed must be above 0")
		}
		sc, err := exercise.ReadScriptFile(pos[0])
		if err != nil {
			return err
		}
		x, err := exerciseService(n, f)
		if err != nil {
			return err
		}
		opt := exercise.PlayOptions{By: f.by, Speed: speed}
		if noWait {
			opt.Wait = func(context.Context, time.Time) error { return nil }
		}
		if !f.json {
			opt.Played = func(p exercise.Played) { cli.PrintPlayed(e.Stdout, p) }
		}
		played, err := x.Play(ctx, sc, opt)
		if f.json && err == nil {
			return cli.WriteJSON(e.Stdout, played)
		}
		return err
	})
}
