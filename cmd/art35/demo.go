package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/testnet"
	"github.com/art35/art35/internal/users"
)

var demoCmd = &command{
	name:  "demo",
	short: "run a small art35 network on this machine, with the portal and a story played",
	usage: "demo [--scenarios-only] [--dir DIR]",
	long: `Demo starts a network of real art35 nodes in this one process, on 127.0.0.1:
the secretariat's party (FR), US, IT, GB, ES, NO, EE and a non-party (CN), each
with its own keys and SQLite database in a temporary folder, and a directory
signed by a fresh secretariat key that lists them all. Every node serves the
portal; demo officers are created on each node and their user name, password
and TOTP secret are printed (add the secret to an authenticator app, or use
the current code printed beside it).

Story 1 of the specification is played: the US point of contact sends a
preserve request to Italy; Italy acknowledges it, starts work and reports the
data preserved with the provider's reference and end date; the US sends the
MLA follow-up linked to it, so the chain shows in the request view.

The demo runs until Ctrl-C and removes its folder when it stops (unless --dir
was given). With --scenarios-only it plays the stories without the portal
banner, prints a short report and exits: 0 when every story passed,
non-zero naming the step that failed.

Everything here is demo data: fictional people, example.org, +00 numbers.
Never use demo accounts or keys outside the demo.`,
}

func init() {
	demoCmd.run = runDemo
	register(demoCmd)
}

// demoParties are the nodes of the demo network: FR stands in for the
// secretariat's own party; CN is not a party to any instrument the
// network runs on, to show what "no route" looks like.
var demoParties = []string{"FR", "US", "IT", "GB", "ES", "NO", "EE", "CN"}

// demoOfficers are fictional names for each node's demo officer.
var demoOfficers = map[string]string{
	"FR": "Camille Exemple", "US": "Alex Example", "IT": "Giulia Esempio", "GB": "Sam Sample",
	"ES": "Lucía Ejemplo", "NO": "Kari Eksempel", "EE": "Mari Näide", "CN": "Li Shili",
}

type demoUser struct {
	Party, Username, Name, Password, Secret string
}

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, demoCmd, "")
	scenariosOnly := fs.Bool("scenarios-only", false, "play the stories headless, print a report and exit")
	dir := fs.String("dir", "", "folder for the nodes' data (default: a new temporary folder, removed at exit)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	folder := *dir
	if folder == "" {
		tmp, err := os.MkdirTemp("", "art35-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		folder = tmp
	}
	parties := demoParties
	svcs := map[string]*app.Services{}
	net, err := testnet.Start(ctx, testnet.Options{Parties: parties, Dir: folder, Clock: e.clock,
		Setup: func(party string, n *node.Node) error {
			// The same services as "node run": portal, clocks, pings, watch.
			s, err := app.Mount(n, app.Options{Getenv: e.getenv, Secure: false})
			svcs[party] = s
			return err
		}})
	if err != nil {
		return fmt.Errorf("demo network: %w", err)
	}
	defer net.Close()

	var accounts []demoUser
	for _, party := range parties {
		n := net.Node(party)
		u := demoUser{Party: party, Username: "officer", Name: demoOfficers[party], Password: randomPassword()}
		svc := n.Users
		if u.Secret, err = svc.Add(ctx, users.Account{Username: u.Username, Name: u.Name, Role: users.Officer}, u.Password, "demo"); err != nil {
			return fmt.Errorf("demo user on %s: %w", party, err)
		}
		accounts = append(accounts, u)
	}

	report, storyErr := playStory1(ctx, e, net)
	report3, story3Err := playStory3(ctx, e, net)
	report4, story4Err := playStory4(ctx, e, net) // demo_story4.go
	report5, story5Err := playPings(ctx, e, net, svcs)
	report7, story7Err := playStory7(ctx, e, net) // demo_story7.go
	if *scenariosOnly {
		fmt.Fprintf(e.stdout, "art35 demo: %d nodes (%s) on 127.0.0.1\n", len(parties), strings.Join(parties, ", "))
		failed := false
		for _, st := range []struct {
			name  string
			lines []string
			err   error
		}{{"story 1 (intrusion trace)", report, storyErr}, {"story 3 (Estonia 2007: a DDoS log triaged)", report3, story3Err},
			{"story 4 (life and limb: an emergency request)", report4, story4Err},
			{"story 5 (a ping test of the network)", report5, story5Err},
			{"story 7 (a forged emergency request)", report7, story7Err}} {
			for _, line := range st.lines {
				fmt.Fprintln(e.stdout, "  "+line)
			}
			if st.err != nil {
				fmt.Fprintf(e.stdout, "%s: FAILED: %v\n", st.name, st.err)
				failed = true
				continue
			}
			fmt.Fprintf(e.stdout, "%s: ok\n", st.name)
		}
		if failed {
			return silentError{code: 1}
		}
		return nil
	}
	if storyErr != nil {
		fmt.Fprintf(e.stderr, "warning: story 1 did not complete: %v\n", storyErr)
	}
	if story3Err != nil {
		fmt.Fprintf(e.stderr, "warning: story 3 did not complete: %v\n", story3Err)
	}
	if story4Err != nil {
		fmt.Fprintf(e.stderr, "warning: story 4 did not complete: %v\n", story4Err)
	}
	if story5Err != nil {
		fmt.Fprintf(e.stderr, "warning: story 5 did not complete: %v\n", story5Err)
	}
	if story7Err != nil {
		fmt.Fprintf(e.stderr, "warning: story 7 did not complete: %v\n", story7Err)
	}
	fmt.Fprintln(e.stdout, "art35 demo network is running (demo data only; Ctrl-C stops it and removes its data).")
	fmt.Fprintln(e.stdout)
	now := e.clock.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tPORTAL\tUSER\tNAME\tPASSWORD\tTOTP SECRET\tCODE NOW")
	for _, u := range accounts {
		code, _ := users.TOTPCode(u.Secret, now)
		fmt.Fprintf(tw, "%s\thttp://%s/\t%s\t%s\t%s\t%s\t%s\n", u.Party, net.Node(u.Party).Addr(), u.Username, u.Name, u.Password, u.Secret, code)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout)
	fmt.Fprintln(e.stdout, "Story 1 (intrusion trace) was played:")
	for _, line := range report {
		fmt.Fprintln(e.stdout, "  "+line)
	}
	fmt.Fprintln(e.stdout, "Story 3 (Estonia 2007: a DDoS log triaged):")
	for _, line := range report3 {
		fmt.Fprintln(e.stdout, "  "+line)
	}
	fmt.Fprintln(e.stdout, "Story 4 (life and limb: an emergency request):")
	for _, line := range report4 {
		fmt.Fprintln(e.stdout, "  "+line)
	}
	fmt.Fprintln(e.stdout, "Story 5 (a ping test of the network; answer the others in each portal or with 'art35 ping answer'):")
	for _, line := range report5 {
		fmt.Fprintln(e.stdout, "  "+line)
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintln(e.stdout, "A code is valid for about 30 seconds and once per account: for later sign-ins add the")
	fmt.Fprintln(e.stdout, "TOTP secret to an authenticator app (otpauth URI: 'art35 user totp' prints one for real accounts).")
	fmt.Fprintf(e.stdout, "Data folder: %s\n", folder)
	<-ctx.Done()
	fmt.Fprintln(e.stdout, "stopping the demo network")
	return nil
}

// waitFor polls cond until it holds or the time is up, and names what it
// waited for in its error.
func waitFor(ctx context.Context, what string, d time.Duration, cond func() (bool, error)) error {
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

// story1Preserve is the US preserve request of story 1 (fictional data).
func story1Preserve(id string, now time.Time) map[string]any {
	return map[string]any{
		"id": id, "type": "preserve", "sender_ref": "DEMO-NY-2026-0001", "created_at": now.UTC().Format(time.RFC3339),
		"requesting": map[string]any{"party": "US", "name": "US 24/7 point of contact (demo)", "office_hours": "24/7 duty line",
			"time_zone": "America/New_York", "contact": map[string]any{"name": demoOfficers["US"], "phone": "+00 1 555 0100"}},
		"requested": map[string]any{"party": "IT", "name": "IT 24/7 point of contact (demo)"},
		"priority":  "urgent", "legal_basis": map[string]any{"instrument": "budapest", "article": "29"}, "language": "en",
		"handling": map[string]any{"code": "H0"},
		"preserve": map[string]any{
			"status": "new", "offence": "unauthorised access (Art. 2)",
			"facts": "A company network in New York was entered on 20 November 2026 from an address in Italy (demo).",
			"data": []any{map[string]any{"category": "traffic", "description": "connection logs of the session",
				"identifiers": []any{map[string]any{"kind": "ip", "value": "151.99.125.1", "port": 51234, "time": "2026-11-20T14:02:07Z"}}}},
			"relation": "the logs show where the intruder connected from", "custodian": "Example Hosting (fictional), Milan",
			"necessity": "logs are erased after 30 days", "mla_will_follow": true, "reply_channel": "node",
			"confirmation_contact": map[string]any{"name": demoOfficers["US"], "phone": "+00 1 555 0100"},
		},
	}
}

// playStory1 plays story 1 between US and IT and returns one report line
// per step.
func playStory1(ctx context.Context, e *env, net *testnet.Net) ([]string, error) {
	us, it := net.Node("US"), net.Node("IT")
	var report []string
	now := e.clock.Now()
	id := fmt.Sprintf("US-%d-%06d", now.Year(), now.UnixNano()/1000%1000000)
	doc, _ := json.Marshal(story1Preserve(id, now))
	start := time.Now()
	if _, problems, err := us.Cases.Submit(ctx, doc, demoOfficers["US"]); err != nil {
		var msgs []string
		for _, p := range problems {
			msgs = append(msgs, p.String())
		}
		return report, fmt.Errorf("US sends the preserve: %w %s", err, strings.Join(msgs, "; "))
	}
	if err := waitFor(ctx, "preserve "+id+" reaches IT", 10*time.Second, func() (bool, error) {
		_, err := it.Cases.Get(ctx, id)
		return err == nil, err
	}); err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("US sent preserve %s to IT: stored at IT after %v", id, time.Since(start).Round(time.Millisecond)))
	if err := waitFor(ctx, "US receives IT's transport receipt for "+id, 10*time.Second, stateIs(ctx, us, id, request.StateDelivered)); err != nil {
		report = append(report, "warning: "+err.Error())
	} else {
		report = append(report, "US holds IT's signed transport receipt: delivered")
	}
	steps := []request.Step{
		{To: request.StateAcknowledged, By: demoOfficers["IT"]},
		{To: request.StateInProgress, By: demoOfficers["IT"], Details: "order sent to Example Hosting (fictional)"},
		{To: request.StatePreserved, By: demoOfficers["IT"], ProviderRef: "EXH-PRES-0412", Until: now.Add(90 * 24 * time.Hour)},
	}
	for _, st := range steps {
		if _, err := it.Cases.Act(ctx, id, st, nil); err != nil {
			return report, fmt.Errorf("IT marks %s %s: %w", id, st.To, err)
		}
		if err := waitFor(ctx, "US sees "+id+" "+string(st.To), 10*time.Second, stateIs(ctx, us, id, st.To)); err != nil {
			return report, err
		}
		report = append(report, fmt.Sprintf("IT: %s by %s; US sees it", st.To, st.By))
	}
	// The MLA follow-up keeps the preservation alive and links the chain.
	mla := fmt.Sprintf("US-%d-%06d", now.Year(), (now.UnixNano()/1000+1)%1000000)
	fu := story1Preserve(mla, now)
	delete(fu, "preserve")
	fu["type"], fu["sender_ref"], fu["priority"] = "mla-followup", "DEMO-NY-2026-0001-MLA", "routine"
	fu["links"] = []any{map[string]any{"rel": "follows-up", "id": id}}
	fu["mla_followup"] = map[string]any{"preservation_id": id, "mla_date": now.UTC().Format(time.RFC3339), "ticket": "DEMO-MLA-77",
		"channel": "central-authority", "requesting_authority": "US central authority (demo)", "executing_authority": "IT central authority (demo)"}
	doc, _ = json.Marshal(fu)
	if _, problems, err := us.Cases.Submit(ctx, doc, demoOfficers["US"]); err != nil {
		var msgs []string
		for _, p := range problems {
			if p.Severity == request.SeverityError {
				msgs = append(msgs, p.String())
			}
		}
		return report, fmt.Errorf("US sends the MLA follow-up: %w %s", err, strings.Join(msgs, "; "))
	}
	if err := waitFor(ctx, "MLA follow-up "+mla+" reaches IT", 10*time.Second, func() (bool, error) {
		_, err := it.Cases.Get(ctx, mla)
		return err == nil, err
	}); err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("US sent mla-followup %s linked to %s: the chain shows in both request views", mla, id))
	return report, nil
}
