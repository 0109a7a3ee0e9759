package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/art35/art35/internal/apperr"
)

// Help is one command's help: what "art35 help", -h, completion, the man
// page and docs/commands.md all print.
type Help struct {
	Name  string
	Short string // one line for "art35 help"
	Usage string // the usage line, without "art35 "
	Long  string // paragraphs after the usage line
}

// Print prints the usage line and the long help.
func (h *Help) Print(w io.Writer) {
	fmt.Fprintf(w, "usage: art35 %s\n", h.Usage)
	if h.Long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(h.Long))
	}
}

// ErrHelp means the user asked for help (-h); the command exits 0.
var ErrHelp = errors.New("help requested")

// NewFlagSet returns a flag set for the command h (its subcommand sub, if
// any) whose -h prints the command's help to stdout and whose errors go
// to stderr.
func NewFlagSet(stdout, stderr io.Writer, h *Help, sub string) *flag.FlagSet {
	name := h.Name
	if sub != "" {
		name += " " + sub
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fs.SetOutput(stdout)
		h.Print(stdout)
		fmt.Fprintln(stdout, "\nflags:")
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	return fs
}

// ParseFlags parses args with fs, allowing flags after positional
// arguments ("art35 directory show IT --json"), and returns the
// positional arguments.
func ParseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, ErrHelp
			}
			return nil, UsageError{Msg: err.Error()}
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

// Sub is one subcommand of a group: its name and one line of help.
type Sub struct{ Name, Short string }

// Dispatch finds the subcommand args[0] of the group h among subs and
// returns its index; with no subcommand or a request for help it prints
// the group's help and the subcommands to w.
func Dispatch(w io.Writer, h *Help, subs []Sub, args []string) (int, error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		h.Print(w)
		fmt.Fprintln(w, "\nsubcommands:")
		for _, s := range subs {
			fmt.Fprintf(w, "\t%-10s %s\n", s.Name, s.Short)
		}
		if len(args) == 0 {
			return 0, Usagef("missing subcommand")
		}
		return 0, ErrHelp
	}
	for i, s := range subs {
		if s.Name == args[0] {
			return i, nil
		}
	}
	return 0, Usagef("unknown subcommand %q", args[0])
}

// ReadArg reads the file named on the command line, or stdin for "-",
// refusing more than max bytes (a request, an envelope, a snapshot: each
// has its limit) rather than reading without end.
func ReadArg(stdin io.Reader, name string, max int) ([]byte, error) {
	r := stdin
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

// ExitStatus prints err for the command name the way a person at a
// terminal can act on it, and returns the exit status: 0 for none or a
// request for help, 2 for a bad command line, apperr's code otherwise.
func ExitStatus(stderr io.Writer, name string, err error) int {
	if err == nil || errors.Is(err, ErrHelp) || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u UsageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "art35 %s: %s\n", name, u.Msg)
		fmt.Fprintf(stderr, "run 'art35 %s -h' for usage\n", strings.Fields(name)[0])
		return ExitUsage
	}
	var silent ExitError
	if errors.As(err, &silent) {
		return silent.Code
	}
	fmt.Fprintf(stderr, "art35 %s: %v\n", name, err)
	return apperr.ExitCode(apperr.Code(err))
}

// DataDir is the --data flag that many commands share: the node's data
// folder, or $ART35_DATA when the flag is not given.
type DataDir struct{ flag string }

// Bind defines --data on fs; usage says what the command reads there.
func (d *DataDir) Bind(fs *flag.FlagSet, usage string) {
	fs.StringVar(&d.flag, "data", "", usage)
}

// Path is the data folder given, or "" when neither --data nor
// ART35_DATA is set.
func (d *DataDir) Path(getenv func(string) string) string {
	if d.flag != "" {
		return d.flag
	}
	return getenv("ART35_DATA")
}

// File is explicit when given (a --key FILE flag's value), else the file
// rel inside the data folder, else "" when no folder is given either.
func (d *DataDir) File(getenv func(string) string, explicit, rel string) string {
	if explicit != "" {
		return explicit
	}
	if dir := d.Path(getenv); dir != "" {
		return filepath.Join(dir, rel)
	}
	return ""
}

// Require is Path, or a usage error saying missing when no folder is
// given.
func (d *DataDir) Require(getenv func(string) string, missing string) (string, error) {
	p := d.Path(getenv)
	if p == "" {
		return "", Usagef("%s", missing)
	}
	return p, nil
}

// PrintCommands prints what "art35 help" prints: what art35 is and the
// commands cs, in the order given, each with its one line.
func PrintCommands(w io.Writer, cs []*Help) {
	fmt.Fprint(w, "art35 is the software of a 24/7 network of cybercrime contact points.\n\nUsage:\n\n\tart35 <command> [arguments]\n\nThe commands are:\n\n")
	for _, c := range cs {
		fmt.Fprintf(w, "\t%-12s %s\n", c.Name, c.Short)
	}
	fmt.Fprint(w, "\nUse \"art35 help <command>\" or \"art35 <command> -h\" for more about a command.\n")
}
