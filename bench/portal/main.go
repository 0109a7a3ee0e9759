// Command portal measures issue 16's compose target in real Chromium on a
// loopback test network (US and IT, SQLite): a preservation request for
// one IP address, from the officer's open inbox to "Sent", counting the
// interactions (a click, a selection or typing into one field) and the
// seconds the scripted browser takes.
//
//  1. art35: "From IP addresses": paste the address and its time,
//     Attribute, open the prefilled request to IT, add the offence and
//     the facts, check, tick the confirmation, send.
//  2. The baseline, in the same run and the same portal: the plain
//     compose form, every required field typed by hand.
//
// The seconds are the scripted browser's, not a person's: they show the
// portal's own latency; the interaction count is what a person does. Run
// it with bench/portal/run.sh or go run ./bench/portal -h. Bounded: at
// most 10 runs of each, loopback only.
package main

import (
	"github.com/art35/art35/internal/testkit/chrome"

	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/testnet"
	"github.com/art35/art35/internal/users"
)

const password = "a long enough passphrase"

func main() {
	runs := flag.Int("runs", 3, "runs of each way (1-10)")
	chromium := flag.String("chromium", "/usr/bin/chromium", "Chromium to drive")
	flag.Parse()
	if *runs < 1 || *runs > 10 {
		fmt.Fprintln(os.Stderr, "refusing: the benchmark is bounded (runs 1-10)")
		os.Exit(2)
	}
	if _, err := os.Stat(*chromium); err != nil {
		fmt.Fprintf(os.Stderr, "Chromium not found at %s (apt-get install -y --no-install-recommends chromium)\n", *chromium)
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "art35-bench-portal")
	check(err)
	defer os.RemoveAll(dir)
	ctx := context.Background()
	net, err := testnet.Start(ctx, testnet.Options{Parties: []string{"US", "IT"}, Dir: dir, Clock: clock.System{},
		Setup: func(party string, n *node.Node) error {
			p, err := app.Portal(n, false)
			if err != nil {
				return err
			}
			n.Handle("/", p)
			return nil
		}})
	check(err)
	defer net.Close()
	us := net.Node("US")
	svc := &users.Service{DB: us.DB, Clock: clock.System{}, Params: users.Params{Memory: 64, Time: 1, Threads: 1}, SecretKey: us.Users.SecretKey}
	secret, err := svc.Add(ctx, users.Account{Username: "officer", Name: "Alex Example", Role: users.Officer}, password, "bench")
	check(err)
	base := "http://" + us.Addr()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(*chromium), chromedp.UserDataDir(dir+"/chromium"),
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1366, 900), chromedp.Env("TZ=America/New_York"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	b, cancel := chromedp.NewContext(alloc)
	defer cancel()
	// Start the browser without a timeout: a timeout on the first run
	// would stop the whole browser when it ends.
	check(chromedp.Do(b, chromedp.Navigate("about:blank")))
	code, err := users.TOTPCode(secret, time.Now())
	check(err)
	do(b, "sign in", chromedp.Navigate(base+"/signin"), chromedp.SendKeys("#username", "officer"),
		chromedp.SendKeys("#password", password), chromedp.SendKeys("#code", code),
		chromedp.Click("#signin"), chromedp.WaitVisible("table.inbox"))
	// Once, not per request: the officer's phone in the profile.
	do(b, "profile", chromedp.Navigate(base+"/profile"), chromedp.SendKeys("#phone", "+00 1 555 0100"),
		chromedp.Click("#save-profile"), chromedp.WaitVisible("#flash"))

	fmt.Printf("art35 portal compose measure (issue 16): one IP address, inbox to sent, scripted Chromium, loopback\n\n")
	ways := []struct {
		name  string
		steps func(n int) []chromedp.Action[chromedp.Void]
	}{
		{"art35: from the IP address (attribute, prefilled draft)", fromIP},
		{"baseline: the plain compose form, typed by hand", byHand},
	}
	type result struct {
		steps int
		secs  []float64
	}
	var results []result
	for _, w := range ways {
		var r result
		for i := range *runs {
			do(b, "inbox", chromedp.Navigate(base+"/inbox"), chromedp.WaitVisible("table.inbox"))
			steps := w.steps(i)
			start := time.Now()
			do(b, w.name, append(steps, chromedp.WaitVisible("#flash"))...)
			r.secs = append(r.secs, time.Since(start).Seconds())
			r.steps = len(steps)
			sent, err := chromedp.Run(b, chromedp.Evaluate[string](`document.getElementById("flash").innerText`))
			if err != nil || !strings.Contains(sent, "Sent to IT") {
				fmt.Fprintf(os.Stderr, "%s: not sent: %q %v\n", w.name, sent, err)
				os.Exit(1)
			}
		}
		results = append(results, r)
	}
	fmt.Printf("%-58s %6s %9s %9s %9s\n", "way", "steps", "median s", "min s", "max s")
	for i, w := range ways {
		r := results[i]
		fmt.Printf("%-58s %6d %9.1f %9.1f %9.1f\n", w.name, r.steps, median(r.secs), slices.Min(r.secs), slices.Max(r.secs))
	}
	fmt.Printf("%-58s %6.2f %9.2f\n", "ratio art35 / baseline", float64(results[0].steps)/float64(results[1].steps), median(results[0].secs)/median(results[1].secs))
	fmt.Printf("\ntarget: under 60 s and at most 10 interactions for a person who has never seen the form\n")
}

// fromIP is what the officer does with art35's attribution.
func fromIP(n int) []chromedp.Action[chromedp.Void] {
	ip := fmt.Sprintf("79.20.0.%d", n+1)
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(`a[href="/attribute"]`),
		chromedp.SendKeys("#addresses", ip+" 2026-11-20T14:02:07Z", chromedp.NodeVisible),
		chromedp.Click("#attribute", chromedp.NodeVisible),
		chromedp.Click("#draft-IT", chromedp.NodeVisible),
		chromedp.SendKeys("#f-preserve-offence", "unauthorised access (Art. 2)", chromedp.NodeVisible),
		chromedp.SendKeys("#f-preserve-facts", "A company network was entered from this address.", chromedp.NodeVisible),
		chromedp.Click("#check", chromedp.NodeVisible),
		chrome.Tick("#confirm"),
		chrome.Press("#send"),
	}
}

// byHand fills the plain compose form: every field the checklist needs
// that the form does not fill by itself.
func byHand(n int) []chromedp.Action[chromedp.Void] {
	ip := fmt.Sprintf("79.20.1.%d", n+1)
	set := func(id, v string) chromedp.Action[chromedp.Void] {
		return chromedp.SetValue("#"+id, v, chromedp.NodeVisible)
	}
	typ := func(id, v string) chromedp.Action[chromedp.Void] {
		return chromedp.SendKeys("#"+id, v, chromedp.NodeVisible)
	}
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(`header a[href="/compose"]`),
		chromedp.Click(`a[href="/compose/preserve"]`, chromedp.NodeVisible),
		set("f-requested-party", "IT"),
		typ("f-preserve-offence", "unauthorised access (Art. 2)"),
		typ("f-preserve-facts", "A company network was entered from this address."),
		set("f-preserve-data-0-category", "traffic"),
		typ("f-preserve-data-0-description", "connection records of the address"),
		set("f-preserve-data-0-identifiers-0-kind", "ip"),
		typ("f-preserve-data-0-identifiers-0-value", ip),
		set("f-preserve-data-0-identifiers-0-time", "2026-11-20T09:02:07"),
		typ("f-preserve-relation", "the address was used for the offence"),
		typ("f-preserve-custodian", "Telecom Italia S.p.A. (AS3269)"),
		typ("f-preserve-necessity", "connection records are kept for a short time only"),
		chromedp.Click("#check", chromedp.NodeVisible),
		chrome.Tick("#confirm"),
		chrome.Press("#send"),
	}
}

func do(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	c, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		text, _ := chromedp.Run(ctx, chromedp.Text("main"))
		fmt.Fprintf(os.Stderr, "%s: %v (page %s: %.500s)\n", what, err, loc, text)
		os.Exit(1)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/portal:", err)
		os.Exit(1)
	}
}
