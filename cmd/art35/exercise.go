package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/exercise"
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

// exerciseOne is a subcommand on one argument (a plan file or an
// exercise id) whose result run returns and is printed.
func exerciseOne(ctx context.Context, e *env, sub string, args []string, secretariat bool, run func(x *exercise.Service, arg string, f cli.ExerciseFlags) (any, error)) error {
	var f cli.ExerciseFlags
	usage := fmt.Sprintf("exercise %s takes one argument", sub)
	return e.OnNode(ctx, exerciseCmd, sub, args, 1, usage, func(fs *flag.FlagSet) { f.Bind(fs, secretariat) }, func(n *node.Node, pos []string) error {
		if secretariat {
			if err := f.Secretariat("--key FILE and --by NAME are required: only the secretariat's key opens, closes and plays exercises"); err != nil {
				return err
			}
		}
		x, err := f.Service(n)
		if err != nil {
			return err
		}
		v, err := run(x, pos[0], f)
		return cli.Show(e.Stdout, f.JSON, v, err, func() error { return cli.PrintExercise(e.Stdout, v) })
	})
}

func runExerciseOpen(ctx context.Context, e *env, args []string) error {
	return exerciseOne(ctx, e, "open", args, true, func(x *exercise.Service, file string, f cli.ExerciseFlags) (any, error) {
		a, err := exercise.ReadPlanFile(file)
		if err != nil {
			return nil, err
		}
		return x.Open(ctx, a, f.By)
	})
}

func runExerciseClose(ctx context.Context, e *env, args []string) error {
	return exerciseOne(ctx, e, "close", args, true, func(x *exercise.Service, id string, f cli.ExerciseFlags) (any, error) {
		return x.Close(ctx, id, f.By)
	})
}

func runExerciseShow(ctx context.Context, e *env, args []string) error {
	return exerciseOne(ctx, e, "show", args, false, func(x *exercise.Service, id string, _ cli.ExerciseFlags) (any, error) {
		ex, err := x.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		cs, err := x.CasesOf(ctx, id)
		return cli.ExerciseShown{Exercise: ex, Cases: cs}, err
	})
}

func runExerciseList(ctx context.Context, e *env, args []string) error {
	var f cli.ExerciseFlags
	return e.OnNode(ctx, exerciseCmd, "list", args, -1, "", func(fs *flag.FlagSet) { f.Bind(fs, false) }, func(n *node.Node, pos []string) error {
		if len(pos) > 0 {
			return cli.Usagef("unexpected argument %q: exercise list takes flags only", pos[0])
		}
		list, err := app.Exercise(n, nil).List(ctx)
		return cli.Show(e.Stdout, f.JSON, list, err, func() error { return cli.PrintExercise(e.Stdout, list) })
	})
}

func runExercisePlay(ctx context.Context, e *env, args []string) error {
	var speed float64
	var noWait bool
	var f cli.ExerciseFlags
	const usage = "exercise play SCRIPT --key FILE --by NAME: one script, the secretariat's key and your name"
	return e.OnNode(ctx, exerciseCmd, "play", args, 1, usage, func(fs *flag.FlagSet) {
		f.Bind(fs, true)
		fs.Float64Var(&speed, "speed", 1, "play the script this many times faster than real time (60: a minute a second)")
		fs.BoolVar(&noWait, "no-wait", false, "send every inject at once, in order, without waiting for its minute")
	}, func(n *node.Node, pos []string) error {
		if err := f.Secretariat(usage); err != nil {
			return err
		}
		played, err := f.Play(ctx, n, e.Stdout, pos[0], speed, noWait)
		if f.JSON && err == nil {
			return cli.WriteJSON(e.Stdout, played)
		}
		return err
	})
}
