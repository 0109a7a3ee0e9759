package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/stats/statstest"
	"github.com/art35/art35/internal/store/storetest"
)

// TestStatsCLI plays the statistics history between two real nodes and
// reads the US figures through the command in JSON, CSV and text: they
// are the history's timeline.
func TestStatsCLI(t *testing.T) {
	t.Parallel()
	for _, backend := range storetest.Backends {
		t.Run(backend, func(t *testing.T) {
			h := statstest.Start(t, backend, statstest.Options{})
			h.Play(t)
			us := h.Net.Config("US").DataDir
			cli := func(args ...string) cliResult {
				var out, errb bytes.Buffer
				e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Clock: h.Clock}
				full := []string{"stats"}
				if len(args) > 0 && args[0] == "classify" {
					full, args = append(full, args[0]), args[1:]
				}
				code := run(context.Background(), e, append(append(full, "--data", us), args...))
				return cliResult{stdout: out.String(), stderr: errb.String(), code: code}
			}
			r := cli("--json")
			if r.code != 0 {
				t.Fatalf("stats --json: %d %s", r.code, r.stderr)
			}
			var rep stats.Report
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Sent.Requests != 4 || rep.Sent.ToAcknowledgement.MaxSeconds != statstest.AckB.Seconds() ||
				rep.Sent.ToReceipt.MaxSeconds != statstest.ReceiptC.Seconds() || rep.Sent.FollowedByMLA != 1 {
				t.Errorf("stats --json sent = %+v", rep.Sent)
			}

			r = cli("--csv", "--by", "type", "--from", "2026-11-25", "--to", "2026-11-25")
			if r.code != 0 {
				t.Fatalf("stats --csv: %d %s", r.code, r.stderr)
			}
			recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			col := map[string]int{}
			for i, c := range recs[0] {
				col[c] = i
			}
			got := map[string]string{}
			for _, rec := range recs[1:] {
				got[rec[col["direction"]]+"/"+rec[col["key"]]] = rec[col["requests"]]
			}
			if len(recs) != 5 || got["sent/ALL"] != "4" || got["sent/preserve"] != "3" || got["sent/mla-followup"] != "1" || got["received/ALL"] != "0" {
				t.Errorf("stats --csv by type: %v\n%s", got, r.stdout)
			}
			if v := recs[1][col["declines_by_code"]]; v != string(statstest.DeclineCode)+"=1" {
				t.Errorf("declines_by_code = %q", v)
			}

			checkStatsClassifyAndFormats(t, cli)
		})
	}
}

// TestStatsShareAndNetworkCLI: three nodes write their signed shares with
// the command, the secretariat's command combines them; the fourth node,
// which shared nothing, is shown as such, and a share of another period
// is refused.
func TestStatsShareAndNetworkCLI(t *testing.T) {
	t.Parallel()
	h := statstest.Start(t, "sqlite", statstest.Options{Extra: []string{"FR", "GB"}})
	h.Play(t)
	dir := t.TempDir()
	cli := func(party string, args ...string) cliResult {
		var out, errb bytes.Buffer
		e := &env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Clock: h.Clock}
		code := run(context.Background(), e, append([]string{"stats", args[0], "--data", h.Net.Config(party).DataDir}, args[1:]...))
		return cliResult{stdout: out.String(), stderr: errb.String(), code: code}
	}
	var files []string
	for _, p := range []string{"US", "IT", "FR"} {
		f := dir + "/" + p + ".share.json"
		if r := cli(p, "share", "--from", "2026-01-01", "--to", "2026-12-31", "--out", f); r.code != 0 {
			t.Fatalf("share %s: %d %s", p, r.code, r.stderr)
		}
		files = append(files, f)
	}
	if r := cli("US", "share", "--from", "2026-01-01", "--to", "2026-11-30", "--out", dir+"/early.json"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := cli("US", append([]string{"network", "--json", "--from", "2026-01-01", "--to", "2026-12-31"}, append(files, dir+"/early.json")...)...)
	if r.code != 0 {
		t.Fatalf("network: %d %s", r.code, r.stderr)
	}
	var net stats.Network
	if err := json.Unmarshal([]byte(r.stdout), &net); err != nil {
		t.Fatal(err)
	}
	shared := map[string]bool{}
	for _, row := range net.Rows {
		shared[row.Party] = row.Shared
		if row.Party == "IT" && (row.SeenBy.Requests != 4 || row.Received.Requests != 4) {
			t.Errorf("IT row = %+v", row)
		}
	}
	if len(shared) != 4 || !shared["US"] || !shared["IT"] || !shared["FR"] || shared["GB"] || len(net.Refused) != 1 {
		t.Errorf("network: shared %v, refused %v", shared, net.Refused)
	}
	r = cli("US", append([]string{"network", "--from", "2026-01-01", "--to", "2026-12-31"}, files...)...)
	if r.code != 0 || !regexp.MustCompile(`(?m)^GB\s+no share`).MatchString(r.stdout) || !regexp.MustCompile(`(?m)^IT\s+yes\s+0\s+4`).MatchString(r.stdout) {
		t.Errorf("network (text): %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := cli("US", "share", "--out", dir+"/x.json"); r.code != exitUsage {
		t.Errorf("share without a period: %d", r.code)
	}
}

// checkStatsClassifyAndFormats classifies a case by offence and checks the
// figures in every format, the period filter and the refused command lines.
func checkStatsClassifyAndFormats(t *testing.T, cli func(args ...string) cliResult) {
	t.Helper()
	if r := cli("classify", statstest.IDA, "--offence", "illegal-access,computer-related-fraud", "--by", "Alex Example"); r.code != 0 {
		t.Fatalf("classify: %d %s", r.code, r.stderr)
	}
	if r := cli("classify", statstest.IDA, "--offence", "hacking", "--by", "Alex Example"); r.code != 1 {
		t.Errorf("classify with an unknown class: %d %s", r.code, r.stderr)
	}
	r := cli("--csv", "--by", "offence")
	if r.code != 0 || !strings.Contains(r.stdout, "sent,offence,illegal-access,1,") || !strings.Contains(r.stdout, "sent,offence,unclassified,3,") {
		t.Errorf("stats --by offence: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli("--csv", "--pings")
	if r.code != 0 || !strings.Contains(r.stdout, "sent,IT,1,1,1,1,0,0,1,420,420,420") {
		t.Errorf("stats --csv --pings: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli()
	if r.code != 0 || !strings.Contains(r.stdout, "30m / 40m / 40m") || !strings.Contains(r.stdout, "67% (2/3)") {
		t.Errorf("stats (text): %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Nothing of November 24th.
	r = cli("--json", "--from", "2026-11-24", "--to", "2026-11-24")
	var rep stats.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Sent.Requests != 0 {
		t.Errorf("stats of the day before: %v %+v", err, rep.Sent)
	}
	for _, bad := range [][]string{{"--by", "person"}, {"--from", "yesterday"}, {"--json", "--csv"}, {"--pings"},
		{"--from", "2026-11-25", "--to", "2026-11-24"}} {
		if r := cli(bad...); r.code != exitUsage {
			t.Errorf("stats %v: code %d, want %d; %s", bad, r.code, exitUsage, r.stderr)
		}
	}
}
