// Command art35 is the single binary of the art35 system: it runs a node of
// the 24/7 network of cybercrime contact points, keeps and checks the signed
// directory, composes and validates requests, attributes IP addresses and
// more. Run "art35 help" for the list of commands.
package main

import (
	"context"
	"embed"

	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/request"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitUsage is the exit status of a bad command line.
const exitUsage = cli.ExitUsage

// env is what a command may touch of the outside world (cli.Env).
type env = cli.Env

// command is one command's help.
type command = cli.Help

// runFunc runs a command with the arguments after its name.
type runFunc = cli.RunFunc

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
		if c.Name == name {
			return c, true
		}
	}
	return entry{}, false
}

// sortedCommands is the table in the order "art35 help" lists it.
func sortedCommands() []entry {
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Clock: clock.System{}}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printHelp(e.Stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := lookup(args[1]); ok {
				c.Print(e.Stdout)
				return 0
			}
			fmt.Fprintf(e.Stderr, "art35 help: unknown command %q; run 'art35 help' for the list\n", args[1])
			return exitUsage
		}
		printHelp(e.Stdout)
		return 0
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(e.Stderr, "art35: unknown command %q; run 'art35 help' for the list\n", name)
		return exitUsage
	}
	err := c.run(ctx, e, args[1:])
	return cli.ExitStatus(e.Stderr, c.Name, err)
}

// printHelp prints "art35 help": the commands by name.
func printHelp(w io.Writer) {
	var hs []*command
	for _, c := range sortedCommands() {
		hs = append(hs, c.command)
	}
	cli.PrintCommands(w, hs)
}

// subcommand is one subcommand of a group ("directory show").
type subcommand = cli.Subcommand

// helpFiles holds each command's help, help/NAME.txt: prose, kept
// apart from the code that parses flags; -h, docs/commands.md, the man
// page and completion all print it.
//
//go:embed help/*.txt
var helpFiles embed.FS

// helpFor returns the help of the command name, from help/NAME.txt, with
// the lists that the code knows filled in.
func helpFor(name string) *command {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err == nil {
		var h *command
		if h, err = cli.ParseHelp(name, string(b), helpVars); err == nil {
			return h
		}
	}
	panic("art35: " + err.Error()) // a build without its help files; the tests catch it
}

// helpVars are the {{key}}s the help files may hold.
var helpVars = map[string]string{
	"request-types": strings.Join(request.TypeNames(), ", "),
	"answer-codes":  strings.Join(request.AnswerCodeNames(), ", "),
}

// The commands' help, read from help/NAME.txt.
var (
	accessCmd     = helpFor("access")
	attributeCmd  = helpFor("attribute")
	auditCmd      = helpFor("audit")
	caseCmd       = helpFor("case")
	completionCmd = helpFor("completion")
	demoCmd       = helpFor("demo")
	directoryCmd  = helpFor("directory")
	envelopeCmd   = helpFor("envelope")
	exerciseCmd   = helpFor("exercise")
	incidentCmd   = helpFor("incident")
	ipdbCmd       = helpFor("ipdb")
	manCmd        = helpFor("man")
	nodeCmd       = helpFor("node")
	outboxCmd     = helpFor("outbox")
	pingCmd       = helpFor("ping")
	purgeCmd      = helpFor("purge")
	reportCmd     = helpFor("report")
	requestCmd    = helpFor("request")
	routeCmd      = helpFor("route")
	statsCmd      = helpFor("stats")
	transferCmd   = helpFor("transfer")
	triageCmd     = helpFor("triage")
	usageCmd      = helpFor("usage")
	userCmd       = helpFor("user")
	versionCmd    = helpFor("version")
	watchCmd      = helpFor("watch")
	witnessCmd    = helpFor("witness")
)
