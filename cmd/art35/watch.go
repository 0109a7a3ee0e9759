package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/app"
	"github.com/art35/art35/internal/watch"
)

var watchCmd = &command{
	name:  "watch",
	short: "relay and show the events of realtime-traffic watches (Art. 33)",
	usage: "watch <push|assign|show> --data DIR [flags]",
	long: `A realtime-traffic watch (Budapest Art. 33) makes the watched side pass each
login event of an account (address, source port, UTC time to the second) at once
to the requester and to the country where the address is.

"watch push" is run on the watched side's node (by its provider's system or an
officer) for a realtime-traffic request it received and accepted (acknowledged
or in-progress): the address is attributed with the node's IP data and the
event is relayed, signed and encrypted, to the requester and, when a route
exists, to the address's country. With no route, the event is kept here for
the officers and goes to the requester only.

"watch assign" passes a received realtime-traffic watch to one of the node's
providers (its name as in provider-tokens.toml): the provider API answers a
provider's token only for the watches passed to it.

"watch show" lists the events of a request on any of the three sides, each
with its end-to-end time and the time of every hop.

Examples:
	art35 watch push NO-2026-000777 --address 80.58.61.250 --port 51234 --time 2026-11-25T02:00:00Z --data ./gb-node
	art35 watch assign NO-2026-000777 --provider "Example Mail (fictional)" --by "Alice Example" --data ./gb-node
	art35 watch show NO-2026-000777 --data ./no-node
	art35 watch show NO-2026-000777 --data ./es-node --json`,
}

func runWatch(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, watchCmd, []subcommand{
		{"push", "relay one login event of an accepted realtime-traffic request", runWatchPush},
		{"assign", "pass a received watch to a provider of this node (provider API)", runWatchAssign},
		{"show", "list a request's events with end-to-end and per-hop times", runWatchShow},
	}, args)
}

func runWatchPush(ctx context.Context, e *env, args []string) error {
	var address, at string
	var port int
	var asJSON bool
	n, pos, err := openNode(ctx, e, watchCmd, "push", args, func(fs *flag.FlagSet) {
		fs.StringVar(&address, "address", "", "IPv4 or IPv6 address the account was used from (required)")
		fs.IntVar(&port, "port", 0, "source port (0 if the provider does not log it)")
		fs.StringVar(&at, "time", "", "UTC time of the event to the second, RFC 3339 (required)")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("give exactly one request id (the realtime-traffic request this node received)")
	}
	if address == "" || at == "" {
		return usagef("--address and --time are required (e.g. --address 80.58.61.250 --time 2026-11-25T02:00:00Z)")
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return usagef("--time %q: not RFC 3339 (e.g. 2026-11-25T02:00:00Z)", at)
	}
	s, err := app.Watch(n, nil)
	if err != nil {
		return err
	}
	out, err := s.Push(ctx, pos[0], watch.Login{Address: address, Port: port, Time: t})
	if err != nil {
		return err
	}
	if asJSON {
		return pingJSON(e, out)
	}
	where := out.Event.Country
	if where == "" {
		where = "unknown country"
	}
	fmt.Fprintf(e.stdout, "event %s (%s port %d at %s, %s %s) %s to %s\n", out.Event.ID, out.Event.Address, out.Event.Port,
		out.Event.Time.Format(time.RFC3339), where, out.Event.Operator, out.Status, strings.Join(out.SentTo, ", "))
	if out.Note != "" {
		fmt.Fprintf(e.stdout, "note: %s\n", out.Note)
	}
	return nil
}

func runWatchAssign(ctx context.Context, e *env, args []string) error {
	var provider, by string
	n, pos, err := openNode(ctx, e, watchCmd, "assign", args, func(fs *flag.FlagSet) {
		fs.StringVar(&provider, "provider", "", "the provider's name, as in provider-tokens.toml (required)")
		fs.StringVar(&by, "by", "", "who passes the watch to the provider (required)")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 || provider == "" || by == "" {
		return usagef("give one request id, --provider and --by")
	}
	s, err := app.Watch(n, nil)
	if err != nil {
		return err
	}
	if err := s.Assign(ctx, pos[0], provider, by); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "watch %s passed to %s\n", pos[0], provider)
	return nil
}

func runWatchShow(ctx context.Context, e *env, args []string) error {
	var asJSON bool
	n, pos, err := openNode(ctx, e, watchCmd, "show", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if len(pos) != 1 {
		return usagef("give exactly one request id")
	}
	s := &watch.Service{DB: n.DB} // reading events needs the database only
	evs, err := s.Events(ctx, pos[0])
	if err != nil {
		return err
	}
	if asJSON {
		if evs == nil {
			evs = []watch.Stored{}
		}
		return pingJSON(e, evs)
	}
	if len(evs) == 0 {
		fmt.Fprintf(e.stdout, "no watch events for request %s on this node\n", pos[0])
		return nil
	}
	for _, ev := range evs {
		fmt.Fprintf(e.stdout, "%s  %s port %d  %s %s  [%s, %s from %s]  end to end %s\n", ev.Time.Format("2006-01-02 15:04:05Z"),
			ev.Address, ev.Port, pingDash(ev.Country), ev.Operator, ev.Role, ev.Status, ev.Peer, watchMillis(ev.EndToEnd))
		if ev.Note != "" {
			fmt.Fprintf(e.stdout, "    note: %s\n", ev.Note)
		}
		if ev.Location != "" {
			fmt.Fprintf(e.stdout, "    LOCATION: %s (answered by %s)\n", ev.Location, ev.LocatedBy)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		for i, h := range ev.Hops {
			step := "start"
			if i > 0 {
				step = "+" + watchMillis(h.At.Sub(ev.Hops[i-1].At))
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", h.At.Format("15:04:05.000000"), step, h.Where)
		}
		tw.Flush()
	}
	return nil
}

// watchMillis prints a duration in milliseconds with three decimals: the unit the
// story-2 chain is judged in.
func watchMillis(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}
