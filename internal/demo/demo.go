// Package demo plays the stories of the specification on a network of
// real art35 nodes started in this one process, on 127.0.0.1: what
// "art35 demo" runs. Each story is a file of its own (story1.go,
// story3.go, ...) with one play function, listed once in Stories.
//
// Everything here is demo data: fictional people, example.org, +00 numbers.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/testnet"
	"github.com/art35/art35/internal/users"
)

// Options is what Run needs from its caller.
type Options struct {
	// Dir is the folder for the nodes' data; "" makes a temporary folder,
	// removed when Run returns.
	Dir string
	// ScenariosOnly plays the stories without the portal banner, prints a
	// short report and returns (ErrFailed when a story failed) instead of
	// running until ctx is done.
	ScenariosOnly bool
	Clock         clock.Clock
	Getenv        func(string) string
	Stdout        io.Writer
	Stderr        io.Writer
}

// ErrFailed is what Run returns in ScenariosOnly mode when a story did not
// pass; the report it printed names the story and the step.
var ErrFailed = errors.New("a demo story failed")

// World is what a story plays on: the running network, the services each
// node runs (the same as "node run": portal, clocks, pings, watch) and the
// demo's clock.
type World struct {
	Net      *testnet.Net
	Services map[string]*app.Services
	Clock    clock.Clock
}

// Story is one story of the demo.
type Story struct {
	// Title names the story in the report ("story 1 (intrusion trace)").
	Title string
	// Banner heads the story's lines in the running demo; a story with no
	// banner is played and checked but not shown there.
	Banner string
	// Play plays the story and returns one report line per step; its
	// error names the step that failed.
	Play func(ctx context.Context, w *World) ([]string, error)
}

// Stories lists the demo's stories in the order they are played. A new
// story is a file storyN.go with its play function, and one line here.
func Stories() []Story {
	return []Story{
		{"story 1 (intrusion trace)", "Story 1 (intrusion trace) was played:", playStory1},
		{"story 2 (the Oslo bank robber: a watch relayed)", "Story 2 (the Oslo bank robber; open Watches in the NO, GB and ES portals: another login arrives every 45 s):", playStory2},
		{"story 3 (Estonia 2007: a DDoS log triaged)", "Story 3 (Estonia 2007: a DDoS log triaged):", playStory3},
		{"story 4 (life and limb: an emergency request)", "Story 4 (life and limb: an emergency request):", playStory4},
		{"story 5 (a ping test of the network)", "Story 5 (a ping test of the network; answer the others in each portal or with 'art35 ping answer'):", playStory5},
		{"story 7 (a forged emergency request)", "", playStory7},
		{"exercise (a desktop exercise run by the secretariat)", "An exercise is running (a drill: its banner is on every page of FR, US and IT):", playExercise}, // exercise.go
	}
}

// Result is the outcome of one story.
type Result struct {
	Story Story
	Lines []string
	Err   error
}

// parties are the nodes of the demo network: FR stands in for the
// secretariat's own party; CN is not a party to any instrument the
// network runs on, to show what "no route" looks like.
var parties = []string{"FR", "US", "IT", "GB", "ES", "NO", "EE", "CN"}

// officers are fictional names for each node's demo officer.
var officers = map[string]string{
	"FR": "Camille Exemple", "US": "Alex Example", "IT": "Giulia Esempio", "GB": "Sam Sample",
	"ES": "Lucía Ejemplo", "NO": "Kari Eksempel", "EE": "Mari Näide", "CN": "Li Shili",
}

// Account is a demo officer's account on one node.
type Account struct {
	Party, Username, Name, Password, Secret string
}

// Run starts the demo network, creates an officer on every node, plays
// every story and then either prints the report and returns
// (ScenariosOnly) or prints the portals and accounts and runs until ctx is
// done.
func Run(ctx context.Context, o Options) error {
	folder := o.Dir
	if folder == "" {
		tmp, err := os.MkdirTemp("", "art35-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		folder = tmp
	}
	w, err := Start(ctx, folder, o.Clock, o.Getenv)
	if err != nil {
		return err
	}
	defer w.Net.Close()
	accounts, err := addOfficers(ctx, w)
	if err != nil {
		return err
	}
	results := Play(ctx, w, Stories())
	if o.ScenariosOnly {
		return printReport(o.Stdout, results)
	}
	printRunning(o, w, accounts, results, folder)
	go story2Live(ctx, w, story2Every) // another login now and then, live on the watches pages
	<-ctx.Done()
	fmt.Fprintln(o.Stdout, "stopping the demo network")
	return nil
}

// Start starts the demo network in folder: every party's node with the
// services "node run" mounts. The caller closes w.Net.
func Start(ctx context.Context, folder string, clk clock.Clock, getenv func(string) string) (*World, error) {
	w := &World{Services: map[string]*app.Services{}, Clock: clk}
	net, err := testnet.Start(ctx, testnet.Options{Parties: parties, Dir: folder, Clock: clk,
		Setup: func(party string, n *node.Node) error {
			// The same services as "node run": portal, clocks, pings, watch.
			s, err := app.Mount(n, app.Options{Getenv: getenv, Secure: false})
			w.Services[party] = s
			return err
		}})
	if err != nil {
		return nil, fmt.Errorf("demo network: %w", err)
	}
	w.Net = net
	return w, nil
}

// addOfficers creates the demo officer on every node.
func addOfficers(ctx context.Context, w *World) ([]Account, error) {
	var accounts []Account
	for _, party := range parties {
		u := Account{Party: party, Username: "officer", Name: officers[party], Password: users.RandomPassword()}
		var err error
		if u.Secret, err = w.Net.Node(party).Users.Add(ctx, users.Account{Username: u.Username, Name: u.Name, Role: users.Officer}, u.Password, "demo"); err != nil {
			return nil, fmt.Errorf("demo user on %s: %w", party, err)
		}
		accounts = append(accounts, u)
	}
	return accounts, nil
}

// Play plays the stories in order, each to its end or its first failure.
func Play(ctx context.Context, w *World, stories []Story) []Result {
	results := make([]Result, 0, len(stories))
	for _, st := range stories {
		lines, err := st.Play(ctx, w)
		results = append(results, Result{Story: st, Lines: lines, Err: err})
	}
	return results
}

// printReport is the ScenariosOnly report: every story's lines and its
// verdict.
func printReport(out io.Writer, results []Result) error {
	fmt.Fprintf(out, "art35 demo: %d nodes (%s) on 127.0.0.1\n", len(parties), strings.Join(parties, ", "))
	failed := false
	for _, r := range results {
		for _, line := range r.Lines {
			fmt.Fprintln(out, "  "+line)
		}
		if r.Err != nil {
			fmt.Fprintf(out, "%s: FAILED: %v\n", r.Story.Title, r.Err)
			failed = true
			continue
		}
		fmt.Fprintf(out, "%s: ok\n", r.Story.Title)
	}
	if failed {
		return ErrFailed
	}
	return nil
}

// printRunning is the running demo's banner: the warnings of stories that
// did not complete, the portals and accounts, and the stories played.
func printRunning(o Options, w *World, accounts []Account, results []Result, folder string) {
	for _, r := range results {
		if r.Err != nil {
			name, _, _ := strings.Cut(r.Story.Title, " (")
			fmt.Fprintf(o.Stderr, "warning: %s did not complete: %v\n", name, r.Err)
		}
	}
	out := o.Stdout
	fmt.Fprintln(out, "art35 demo network is running (demo data only; Ctrl-C stops it and removes its data).")
	fmt.Fprintln(out)
	now := w.Clock.Now()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tPORTAL\tUSER\tNAME\tPASSWORD\tTOTP SECRET\tCODE NOW")
	for _, u := range accounts {
		code, _ := users.TOTPCode(u.Secret, now)
		fmt.Fprintf(tw, "%s\thttp://%s/\t%s\t%s\t%s\t%s\t%s\n", u.Party, w.Net.Node(u.Party).Addr(), u.Username, u.Name, u.Password, u.Secret, code)
	}
	tw.Flush()
	fmt.Fprintln(out)
	for _, r := range results {
		if r.Story.Banner == "" {
			continue
		}
		fmt.Fprintln(out, r.Story.Banner)
		for _, line := range r.Lines {
			fmt.Fprintln(out, "  "+line)
		}
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "A code is valid for about 30 seconds and once per account: for later sign-ins add the")
	fmt.Fprintln(out, "TOTP secret to an authenticator app (otpauth URI: 'art35 user totp' prints one for real accounts).")
	fmt.Fprintf(out, "Data folder: %s\n", folder)
}

// waitFor is testnet.WaitFor, shared with the benchmarks that run a
// test network.
var waitFor = testnet.WaitFor

func stateIs(ctx context.Context, n *node.Node, id string, want ...request.State) func() (bool, error) {
	return func() (bool, error) {
		c, err := n.Cases.Get(ctx, id)
		if err != nil {
			return false, err
		}
		if !slices.Contains(want, c.Lifecycle.State) {
			return false, fmt.Errorf("state is %s", c.Lifecycle.State)
		}
		return true, nil
	}
}
