package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/art35/art35/internal/clock"
)

// Env is what a command may touch of the outside world. Tests build
// their own, so a command never reaches for os.Stdout or time.Now.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Clock  clock.Clock
}

// RunFunc runs a command (or a subcommand of a group) with the arguments
// after its name.
type RunFunc func(ctx context.Context, e *Env, args []string) error

// Subcommand is one subcommand of a group ("directory show", "node
// init"): its name, one line of help and what runs it.
type Subcommand struct {
	Name, Short string
	Run         RunFunc
}

// Dispatch runs the subcommand of the group h that args name; with none,
// or a request for help, it prints the group's help and subcommands.
func (e *Env) Dispatch(ctx context.Context, h *Help, subs []Subcommand, args []string) error {
	names := make([]Sub, len(subs))
	for i, s := range subs {
		names[i] = Sub{Name: s.Name, Short: s.Short}
	}
	i, err := Dispatch(e.Stdout, h, names, args)
	if err != nil {
		return err
	}
	return subs[i].Run(ctx, e, args[1:])
}

// FlagSet returns a flag set for the command h (its subcommand sub, if
// any) whose -h prints the command's help.
func (e *Env) FlagSet(h *Help, sub string) *flag.FlagSet {
	return NewFlagSet(e.Stdout, e.Stderr, h, sub)
}

// ReadArg reads the file named on the command line, or standard input
// for "-", refusing more than max bytes.
func (e *Env) ReadArg(name string, max int) ([]byte, error) { return ReadArg(e.Stdin, name, max) }

// WriteOut writes b to the file path (created with perm), or to standard
// output when path is "".
func (e *Env) WriteOut(path string, b []byte, perm os.FileMode) error {
	if path == "" {
		_, err := e.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(path, b, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ParseArgs parses args with fs and checks that they hold want positional
// arguments (usage says what to give otherwise).
func ParseArgs(fs *flag.FlagSet, args []string, want int, usage string) ([]string, error) {
	pos, err := ParseFlags(fs, args)
	if err == nil && len(pos) != want {
		err = Usagef("%s", usage)
	}
	return pos, err
}

// NoArgs parses args with fs and refuses positional arguments: format
// says so, with %q for the first one given.
func NoArgs(fs *flag.FlagSet, args []string, format string) error {
	pos, err := ParseFlags(fs, args)
	if err == nil && len(pos) != 0 {
		err = Usagef(format, pos[0])
	}
	return err
}
