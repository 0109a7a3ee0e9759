package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/ipdb"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/stats"
)

// isUsage reports whether err is a usage error (exit status 2) whose
// message holds want.
func isUsage(err error, want string) bool {
	var u UsageError
	return errors.As(err, &u) && strings.Contains(u.Msg, want)
}

// parsed binds with bind, parses args and fails the test on a parse error.
func parsed(t *testing.T, bind func(*flag.FlagSet), args ...string) []string {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bind(fs)
	pos, err := ParseFlags(fs, args)
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

func noEnv(string) string { return "" }

func TestTriageFlagsExtractor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string // usage error, or "" for none
	}{
		{[]string{}, "at least one FILE"},
		{[]string{"--json", "--csv", "x.log"}, "exclude each other"},
		{[]string{"--field", "-1", "x.log"}, "numbered from 1"},
		{[]string{"--field", "2", "--regex", "(.*)", "x.log"}, "--field and --regex"},
		{[]string{"--field", "2", "--sep", ";;", "x.log"}, "one character"},
		{[]string{"--type", "nonsense", "x.log"}, "not a request type"},
		{[]string{"--regex", "(", "x.log"}, "--regex"},
		{[]string{"--field", "3", "--sep", "tab", "x.log"}, ""},
	} {
		var f TriageFlags
		pos := parsed(t, func(fs *flag.FlagSet) { f.Bind(fs, noEnv) }, c.args...)
		x, err := f.Extractor(pos)
		if c.want != "" {
			if !isUsage(err, c.want) {
				t.Errorf("%v: %v, want a usage error with %q", c.args, err, c.want)
			}
			continue
		}
		if err != nil || x.Field != 3 || x.Sep != '\t' {
			t.Errorf("%v: %+v %v, want field 3 separated by tabs", c.args, x, err)
		}
	}
	// A field of .csv files is comma-separated unless --sep says otherwise.
	var f TriageFlags
	pos := parsed(t, func(fs *flag.FlagSet) { f.Bind(fs, noEnv) }, "--field", "2", "a.csv", "b.CSV")
	if x, err := f.Extractor(pos); err != nil || x.Sep != ',' {
		t.Errorf("csv files: sep %q %v, want ','", x.Sep, err)
	}
}

func TestAttributeFlagsArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "exactly one IP address"},
		{[]string{"192.0.2.1", "192.0.2.2"}, "exactly one IP address"},
		{[]string{"example.org"}, "not an IP address"},
		{[]string{"--port", "70000", "192.0.2.1"}, "out of range"},
		{[]string{"--time", "2026-11-20 14:02:07", "192.0.2.1"}, "has no time zone"},
		{[]string{"--time", "yesterday", "192.0.2.1"}, "not an RFC 3339 time"},
		{[]string{"--type", "nonsense", "192.0.2.1"}, "not a request type"},
	} {
		var f AttributeFlags
		pos := parsed(t, func(fs *flag.FlagSet) { f.Bind(fs, noEnv) }, c.args...)
		if _, _, err := f.Args(pos); !isUsage(err, c.want) {
			t.Errorf("%v: %v, want a usage error with %q", c.args, err, c.want)
		}
	}
	var f AttributeFlags
	pos := parsed(t, func(fs *flag.FlagSet) { f.Bind(fs, noEnv) }, "--time", "2026-11-20T15:02:07+01:00", "[2001:db8::1]")
	ip, at, err := f.Args(pos)
	if err != nil || ip.String() != "2001:db8::1" || !at.Equal(time.Date(2026, 11, 20, 14, 2, 7, 0, time.UTC)) || at.Location() != time.UTC {
		t.Errorf("got %v %v %v, want the bracketed IPv6 address and the time in UTC", ip, at, err)
	}
}

func TestIPDBImportFlagsOptions(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 6, 17, 15, 4, 5, 0, time.UTC))
	env := map[string]string{"ART35_DATA": "/data"}
	getenv := func(k string) string { return env[k] }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "rir", "--name", "rir-x"}, "at least one FILE"},
		{[]string{"--format", "rir", "--name", "Bad Name", "f"}, "--name"},
		{[]string{"--format", "rir", "--name", "rir-x", "--as-of", "17/06/2026", "f"}, "not a date"},
		{[]string{"--format", "xls", "--name", "rir-x", "f"}, "--format"},
		{[]string{"--data", "", "--format", "rir", "--name", "rir-x", "f"}, "--data DIR"},
	} {
		var f IPDBImportFlags
		pos := parsed(t, func(fs *flag.FlagSet) { f.Bind(fs, getenv) }, c.args...)
		if _, err := f.Options(pos, clk, io.Discard, io.Discard); !isUsage(err, c.want) {
			t.Errorf("%v: %v, want a usage error with %q", c.args, err, c.want)
		}
	}
	var f IPDBImportFlags
	pos := parsed(t, func(fs *flag.FlagSet) { f.Bind(fs, getenv) }, "--format", "rir", "--name", "rir-x", "a", "b")
	o, err := f.Options(pos, clk, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Dir != filepath.Join("/data", IPDBSubdir) || o.Source.Label != "rir-x" || !o.Source.AsOf.Equal(time.Date(2026, 6, 17, 0, 0, 0, 0, time.UTC)) || len(o.Files) != 2 {
		t.Errorf("options %+v: want the data folder's ipdb/, the name as label and today as the date", o)
	}
	if o.Progress != nil {
		t.Error("progress is shown on a terminal only")
	}
	var out bytes.Buffer
	o, _ = f.Options(pos, clk, &out, io.Discard)
	o.Done("a", ipdb.ImportStats{Lines: 3, Ranges: 2, Bad: 1, Examples: []string{"line 3: no country"}})
	if out.String() != "a: 3 lines, 2 ranges, 0 skipped, 1 bad\n  bad line 3: no country\n" {
		t.Errorf("done: %q", out.String())
	}
}

func TestImportProgress(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(time.Date(2026, 6, 17, 0, 0, 0, 0, time.UTC))
	var out bytes.Buffer
	p := ImportProgress(&out, clk)
	p("a.csv", 0, 40e6)
	clk.Advance(10 * time.Second)
	out.Reset()
	p("a.csv", 10e6, 40e6)
	if got := out.String(); got != "\r\033[Ka.csv: 10 MB of 40 MB, about 30 s left" {
		t.Errorf("progress: %q", got)
	}
}

func TestRequestingParty(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "art35.toml"), []byte("party = \"IT\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	party := func(k string) string { return map[string]string{"ART35_PARTY": "fr"}[k] }
	for _, c := range []struct {
		from, data string
		getenv     func(string) string
		want       string
	}{
		{" us ", data, party, "US"}, // the flag wins, upper-cased
		{"", data, noEnv, "IT"},     // then the node's configuration
		{"", "", party, "FR"},       // then $ART35_PARTY
	} {
		if got := RequestingParty(c.from, c.data, c.getenv); got != c.want {
			t.Errorf("RequestingParty(%q, %q) = %q, want %q", c.from, c.data, got, c.want)
		}
	}
}

func TestDirSource(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	snap, from, err := (&DirSource{}).Load(noEnv, now)
	if err != nil || len(snap.Parties) == 0 || from == "" {
		t.Fatalf("starter: %v %q %v", snap, from, err)
	}
	if _, _, err := (&DirSource{Snapshot: "signed.json"}).Load(noEnv, now); !isUsage(err, "--pubkey") {
		t.Errorf("a snapshot without a key: %v, want a usage error", err)
	}
	pub, _, err := keys.GenerateSigning()
	if err != nil {
		t.Fatal(err)
	}
	k, err := PinnedKey(func(string) string { return keys.FormatSigningPublic(pub) }, "")
	if err != nil || !bytes.Equal(k, pub) {
		t.Errorf("key from ART35_SECRETARIAT_KEY: %v", err)
	}
	if _, err := PinnedKey(noEnv, "ed25519:nonsense"); err == nil || !strings.Contains(err.Error(), "--pubkey") {
		t.Errorf("bad key: %v", err)
	}
}

func TestShow(t *testing.T) {
	t.Parallel()
	texts := 0
	text := func() error { texts++; return nil }
	var out bytes.Buffer
	boom := errors.New("boom")
	if err := Show(&out, true, map[string]int{"a": 1}, boom, text); err != boom || out.Len() != 0 || texts != 0 {
		t.Errorf("with an error: %v %q %d, want the error alone", err, out.String(), texts)
	}
	if err := Show(&out, true, map[string]int{"a": 1}, nil, text); err != nil || out.String() != "{\n  \"a\": 1\n}\n" || texts != 0 {
		t.Errorf("JSON: %q", out.String())
	}
	out.Reset()
	if err := Show(&out, false, 1, nil, text); err != nil || out.Len() != 0 || texts != 1 {
		t.Errorf("text: %v %q %d", err, out.String(), texts)
	}
	var none []string
	if err := ShowList(&out, true, none, nil, text); err != nil || out.String() != "[]\n" {
		t.Errorf("empty list: %q, want []", out.String())
	}
	out.Reset()
	if err := PrintList(&out, ListOutput{CSV: true}, none, func() error { out.WriteString("csv"); return nil }, text); err != nil || out.String() != "csv" {
		t.Errorf("csv: %q", out.String())
	}
	if err := (ListOutput{JSON: true, CSV: true}).Check(); !isUsage(err, "exclude each other") {
		t.Errorf("--json --csv: %v", err)
	}
}

func TestStatsFlagsQuery(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--json", "--csv"}, "exclude each other"},
		{[]string{"--pings"}, "--pings goes with --csv"},
		{[]string{"--by", "colour"}, "not a grouping"},
		{[]string{"--from", "soon"}, "--from"},
		{[]string{"--from", "2026-02-01", "--to", "2026-01-01"}, "must be after"},
	} {
		var f StatsFlags
		parsed(t, f.Bind, c.args...)
		if _, err := f.Query(); !isUsage(err, c.want) {
			t.Errorf("%v: %v, want a usage error with %q", c.args, err, c.want)
		}
	}
	var f StatsFlags
	parsed(t, f.Bind, "--exercise", "EX-1", "--by", "type", "--from", "2026-01-01", "--to", "2026-01-31")
	q, err := f.Query()
	if err != nil || q.Scope != stats.ScopeExercise || q.Exercise != "EX-1" || !q.To.After(q.From) {
		t.Errorf("query %+v %v", q, err)
	}
}

func TestSmallParsers(t *testing.T) {
	t.Parallel()
	if got, err := ParseUntil("2027-02-28"); err != nil || !got.Equal(time.Date(2027, 2, 28, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("a day ends at its last second: %v %v", got, err)
	}
	if _, err := ParseUntil("2027-02-28T23:59:59"); !isUsage(err, "--until") {
		t.Errorf("no zone: %v", err)
	}
	def := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, err := ParseNow("", def); err != nil || !got.Equal(def) {
		t.Errorf("no --now: %v %v", got, err)
	}
	if _, err := ParseNow("noon", def); !isUsage(err, "--now") {
		t.Errorf("bad --now: %v", err)
	}
	if err := MissingFlags("--from", "US-247", "--to", "", "--kind", ""); !isUsage(err, "missing --to, --kind") {
		t.Errorf("missing flags: %v", err)
	}
	if pw, gen := ReadPassword(strings.NewReader("s3cret pass\r\nmore\n")); pw != "s3cret pass" || gen {
		t.Errorf("password line: %q %v", pw, gen)
	}
	if pw, gen := ReadPassword(strings.NewReader("")); pw == "" || !gen {
		t.Errorf("no line makes a password: %q %v", pw, gen)
	}
	var ks SigningKeys
	if err := ks.Set("ed25519:nonsense"); err == nil || len(ks) != 0 {
		t.Errorf("bad key accepted: %v", err)
	}
}

func TestEnv(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: noEnv, Clock: clock.NewManual(time.Unix(0, 0))}
	h := &Help{Name: "grp", Short: "a group", Usage: "grp <a|b>"}
	var ran []string
	sub := func(name string) RunFunc {
		return func(_ context.Context, _ *Env, args []string) error {
			ran = append(ran, name+strings.Join(args, ","))
			return nil
		}
	}
	subs := []Subcommand{{Name: "a", Short: "first", Run: sub("a")}, {Name: "b", Short: "second", Run: sub("b")}}
	if err := e.Dispatch(context.Background(), h, subs, []string{"b", "x", "y"}); err != nil || len(ran) != 1 || ran[0] != "bx,y" {
		t.Errorf("dispatch: %v %v", ran, err)
	}
	if err := e.Dispatch(context.Background(), h, subs, nil); !isUsage(err, "missing subcommand") || !strings.Contains(out.String(), "first") {
		t.Errorf("no subcommand: %v %q", err, out.String())
	}
	fs := e.FlagSet(h, "a")
	if err := NoArgs(fs, []string{"extra"}, "a takes no arguments (got %q)"); !isUsage(err, `(got "extra")`) {
		t.Errorf("NoArgs: %v", err)
	}
	if _, err := ParseArgs(e.FlagSet(h, "a"), []string{"1"}, 2, "a needs two"); !isUsage(err, "a needs two") {
		t.Errorf("ParseArgs: %v", err)
	}
	path := filepath.Join(t.TempDir(), "out")
	if err := e.WriteOut(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "x" {
		t.Errorf("written: %q %v", b, err)
	}
	out.Reset()
	if err := e.WriteOut("", []byte("y"), 0o600); err != nil || out.String() != "y" {
		t.Errorf("to stdout: %q %v", out.String(), err)
	}
}

func TestRouteFlagsQuestion(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--date", "3/12/2026"}, "--date"},
		{[]string{"--recipient", "court"}, "--recipient"},
	} {
		var f RouteFlags
		parsed(t, f.Bind, c.args...)
		if _, err := f.Question("US", "IT", "preserve", now); !isUsage(err, c.want) {
			t.Errorf("%v: %v, want a usage error with %q", c.args, err, c.want)
		}
	}
	var f RouteFlags
	parsed(t, f.Bind, "--date", "2026-11-25", "--recipient", "provider")
	q, err := f.Question("US", "IT", "preserve", now)
	if err != nil || q.From != "US" || q.To != "IT" || q.Type != "preserve" || !q.At.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)) || q.Addressee == "" {
		t.Errorf("question %+v %v", q, err)
	}
}
