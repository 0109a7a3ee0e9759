// Command art35 is the single binary of the art35 system: it runs a node of
// the 24/7 network of cybercrime contact points, keeps and checks the signed
// directory, composes and validates requests, attributes IP addresses and
// more. Run "art35 help" for the list of commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit statuses that are not application error codes (see apperr.ExitCode).
const (
	exitUsage = 2
)

// env is what a command may touch of the outside world. Tests build their
// own, so a command never reaches for os.Stdout or time.Now directly.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	clock  clock.Clock
}

// command is one command's help: what "art35 help", "-h", completion,
// the man page and docs/commands.md all print.
type command struct {
	name  string
	short string // one line for "art35 help"
	usage string // the usage line, without "art35 "
	long  string // paragraphs after the usage line
}

// runFunc runs a command with the arguments after its name (and after the
// sub-subcommand name for groups).
type runFunc func(ctx context.Context, e *env, args []string) error

// entry is one line of the command table: a command's help and what runs it.
type entry struct {
	*command
	run runFunc
}

// commands is art35's command table. A new command is a file holding its
// help (a *command) and its run function, and one line here; "art35 help"
// lists them by name whatever the order.
func commands() []entry {
	return []entry{
		{accessCmd, runAccess},
		{attributeCmd, runAttribute},
		{auditCmd, runAudit},
		{caseCmd, runCase},
		{completionCmd, runCompletion},
		{demoCmd, runDemo},
		{directoryCmd, runDirectory},
		{envelopeCmd, runEnvelope},
		{exerciseCmd, runExercise},
		{incidentCmd, runIncident},
		{ipdbCmd, runIPDB},
		{manCmd, runMan},
		{nodeCmd, runNode},
		{outboxCmd, runOutbox},
		{pingCmd, runPing},
		{purgeCmd, runPurge},
		{reportCmd, runReport},
		{requestCmd, runRequest},
		{routeCmd, runRoute},
		{statsCmd, runStats},
		{transferCmd, runTransfer},
		{triageCmd, runTriage},
		{usageCmd, runUsage},
		{userCmd, runUser},
		{versionCmd, runVersion},
		{watchCmd, runWatch},
		{witnessCmd, runWitness},
	}
}

// lookup finds a command of the table by name.
func lookup(name string) (entry, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return entry{}, false
}

// sortedCommands is the table in the order "art35 help" lists it.
func sortedCommands() []entry {
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	return cs
}

// usageError is returned for bad command lines: exit status 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelp means the user asked for help (-h); it exits 0.
var errHelp = errors.New("help requested")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, clock: clock.System{}}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printHelp(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := lookup(args[1]); ok {
				printCommandHelp(e.stdout, c.command)
				return 0
			}
			fmt.Fprintf(e.stderr, "art35 help: unknown command %q; run 'art35 help' for the list\n", args[1])
			return exitUsage
		}
		printHelp(e.stdout)
		return 0
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(e.stderr, "art35: unknown command %q; run 'art35 help' for the list\n", name)
		return exitUsage
	}
	err := c.run(ctx, e, args[1:])
	return report(e, c.name, err)
}

// report prints err the way a person at a terminal can act on it and
// returns the exit status.
func report(e *env, name string, err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelp) || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(e.stderr, "art35 %s: %s\n", name, u.msg)
		fmt.Fprintf(e.stderr, "run 'art35 %s -h' for usage\n", strings.Fields(name)[0])
		return exitUsage
	}
	var silent silentError
	if errors.As(err, &silent) {
		return silent.code
	}
	fmt.Fprintf(e.stderr, "art35 %s: %v\n", name, err)
	return apperr.ExitCode(apperr.Code(err))
}

// silentError carries an exit status for a command that has already printed
// its result (for example "request validate" listing problems).
type silentError struct{ code int }

func (s silentError) Error() string { return fmt.Sprintf("exit status %d", s.code) }

func printHelp(w io.Writer) {
	fmt.Fprint(w, "art35 is the software of a 24/7 network of cybercrime contact points.\n\nUsage:\n\n\tart35 <command> [arguments]\n\nThe commands are:\n\n")
	for _, c := range sortedCommands() {
		fmt.Fprintf(w, "\t%-12s %s\n", c.name, c.short)
	}
	fmt.Fprint(w, "\nUse \"art35 help <command>\" or \"art35 <command> -h\" for more about a command.\n")
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: art35 %s\n", c.usage)
	if c.long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.long))
	}
}

// newFlagSet returns a flag set for a command whose -h prints the
// command's help to stdout and whose errors go to stderr.
func newFlagSet(e *env, c *command, sub string) *flag.FlagSet {
	name := c.name
	if sub != "" {
		name += " " + sub
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fs.SetOutput(e.stdout)
		printCommandHelp(e.stdout, c)
		fmt.Fprintln(e.stdout, "\nflags:")
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// parseFlags parses args with fs, allowing flags after positional arguments
// ("art35 directory show IT --json"), and returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{msg: err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// subcommands dispatches a command group ("directory show", "node init").
type subcommand struct {
	name  string
	short string
	run   runFunc
}

func dispatch(ctx context.Context, e *env, c *command, subs []subcommand, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		printCommandHelp(e.stdout, c)
		fmt.Fprintln(e.stdout, "\nsubcommands:")
		for _, s := range subs {
			fmt.Fprintf(e.stdout, "\t%-10s %s\n", s.name, s.short)
		}
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return errHelp
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, e, args[1:])
		}
	}
	return usagef("unknown subcommand %q", args[0])
}

// readArg reads the file named on the command line, or standard input for
// "-", refusing more than max bytes (a request, an envelope, a snapshot:
// each has its limit) rather than reading without end.
func readArg(e *env, name string, max int) ([]byte, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			if os.IsNotExist(err) {
				return nil, apperr.Errorf(apperr.ENotFound, "file %s does not exist; give a file, or - for standard input", name)
			}
			return nil, apperr.Wrap(apperr.EInvalid, err, "open %s", name)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > max {
		return nil, apperr.Errorf(apperr.EInvalid, "%s is larger than %d bytes, the most allowed", name, max)
	}
	return b, nil
}
