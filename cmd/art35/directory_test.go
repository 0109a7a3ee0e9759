package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dirTestdata = "../../internal/directory/testdata/"

// dirShowResult is the part of "directory show --json" the tests read.
type dirShowResult struct {
	Party struct {
		Code     string `json:"code"`
		Budapest struct {
			Status string `json:"status"`
		} `json:"budapest"`
		Protocol2 struct {
			Status string `json:"status"`
			Signed string `json:"signed"`
		} `json:"protocol2"`
		UN2024 struct {
			Status string `json:"status"`
			Signed string `json:"signed"`
		} `json:"un2024"`
		Confidence string `json:"confidence"`
	} `json:"party"`
	InForceNow  map[string]bool `json:"in_force_now"`
	Instruments []struct {
		ID      string `json:"id"`
		InForce string `json:"in_force"`
	} `json:"instruments"`
	Duty []struct {
		Authority string `json:"authority"`
		OnDuty    *bool  `json:"on_duty"`
		LocalTime string `json:"local_time"`
	} `json:"duty"`
}

func showJSON(t *testing.T, args ...string) dirShowResult {
	t.Helper()
	r := runCLI(t, "", nil, append([]string{"directory", "show"}, args...)...)
	if r.code != 0 {
		t.Fatalf("show %v: code %d\n%s", args, r.code, r.stderr)
	}
	var v dirShowResult
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("show %v: %v\n%s", args, err, r.stdout)
	}
	return v
}

func TestDirectoryShowItalyAndChina(t *testing.T) {
	t.Parallel()
	it := showJSON(t, "IT", "--json")
	if it.Party.Budapest.Status != "party" || !it.InForceNow["budapest"] {
		t.Errorf("IT Budapest: %+v, in force %v", it.Party.Budapest, it.InForceNow)
	}
	if it.Party.Protocol2.Status != "signatory" || it.Party.Protocol2.Signed != "2022-05-12" {
		t.Errorf("IT Protocol: %+v", it.Party.Protocol2)
	}
	if len(it.Duty) != 1 || it.Duty[0].Authority != "IT-247" || it.Duty[0].OnDuty != nil || !strings.Contains(it.Duty[0].LocalTime, "04:00 CET") {
		t.Errorf("IT duty: %+v", it.Duty)
	}

	cn := showJSON(t, "cn", "--json")
	if cn.Party.Budapest.Status != "none" || cn.InForceNow["budapest"] {
		t.Errorf("CN Budapest: %+v", cn.Party.Budapest)
	}
	if cn.Party.UN2024.Status != "signatory" || cn.Party.UN2024.Signed != "2025-10-25" || cn.InForceNow["un2024"] {
		t.Errorf("CN UN 2024: %+v, in force now %v", cn.Party.UN2024, cn.InForceNow["un2024"])
	}
	for _, in := range cn.Instruments {
		if in.ID == "un2024" && in.InForce != "" {
			t.Errorf("UN 2024 Convention shown in force since %s", in.InForce)
		}
	}
}

// TestDirectoryShowUSDates: the shipped directory has the Convention's
// dates from the Council of Europe chart and says why the Protocol binds
// nobody (issue 12).
func TestDirectoryShowUSDates(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "directory", "show", "US", "--json")
	var v struct {
		Party struct {
			Budapest struct {
				Deposited string `json:"deposited"`
				InForce   string `json:"in_force"`
				Undated   bool   `json:"in_force_undated"`
			} `json:"budapest"`
			G7 *bool `json:"g7_network"`
		} `json:"party"`
		Instruments []struct {
			ID            string `json:"id"`
			State         string `json:"state"`
			Ratifications int    `json:"ratifications"`
		} `json:"instruments"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil {
		t.Fatalf("show US: code %d %s", r.code, r.stderr)
	}
	if b := v.Party.Budapest; b.Deposited != "2006-09-29" || b.InForce != "2007-01-01" || b.Undated {
		t.Errorf("US Budapest %+v, want deposit 2006-09-29, in force 2007-01-01", b)
	}
	if v.Party.G7 == nil || !*v.Party.G7 {
		t.Errorf("US G7 membership %v, want true", v.Party.G7)
	}
	found := false
	for _, in := range v.Instruments {
		if in.ID == "protocol2" {
			found = true
			if in.State != "not in force (3 of 5 ratifications)" || in.Ratifications != 3 {
				t.Errorf("Protocol state %q (%d ratifications)", in.State, in.Ratifications)
			}
		}
	}
	if !found {
		t.Error("no protocol2 instrument in show --json")
	}
	text := runCLI(t, "", nil, "directory", "show", "US").stdout
	if !strings.Contains(text, "in force for it since 2007-01-01") || !strings.Contains(text, "not in force (3 of 5 ratifications)") {
		t.Errorf("show US text:\n%s", text)
	}
}

func TestDirectoryShowText(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", nil, "directory", "show", "CN")
	for _, want := range []string{"China (CN)", "UN Convention against Cybercrime (2024):", "signatory; signed 2025-10-25; the instrument itself is not in force (0 of 40 ratifications); does not bind now", "none in the directory", "Legal profile:\n  not known"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show CN lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, "", nil, "directory", "show", "IT")
	for _, want := range []string{"signatory; signed 2022-05-12", "IT-247  24/7  name not known", "on duty: not known", "local time: 2026-11-25 04:00 CET (Wed) (Europe/Rome)", "contact: not known"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show IT lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestDirectoryErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"directory", "show"}, exitUsage, "one party code"},
		{[]string{"directory", "show", "Italy"}, 3, "did you mean IT?"},
		{[]string{"directory", "list", "--instrument", "nato"}, exitUsage, `instrument "nato" is not known`},
		{[]string{"directory", "verify", "x.json"}, exitUsage, "--pubkey ed25519:... is required"},
		{[]string{"directory", "sign", "x.json"}, exitUsage, "--key FILE"},
		{[]string{"directory", "merge", dirTestdata + "g8-list.csv"}, exitUsage, "two source lists"},
		{[]string{"directory", "nope"}, exitUsage, "unknown subcommand"},
	} {
		r := runCLI(t, "", nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v: code %d, stderr %q; want %d saying %q", tc.args, r.code, r.stderr, tc.code, tc.says)
		}
	}
}

func TestDirectoryList(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args  []string
		count int
		has   string
	}{
		{nil, 106, "IT"},
		{[]string{"--instrument", "un2024"}, 34, "CN"}, // 20 dated UN signatures and 14 reported without their day (GB, CA, ...) in parties-v2.csv
		{[]string{"--instrument", "eu", "--in-force"}, 26, "FR"},
		{[]string{"--instrument", "protocol2", "--in-force"}, 0, ""},
	} {
		r := runCLI(t, "", nil, append([]string{"directory", "list", "--json"}, tc.args...)...)
		var v struct {
			Count   int `json:"count"`
			Parties []struct {
				Code string `json:"code"`
			} `json:"parties"`
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil {
			t.Fatalf("list %v: code %d %s", tc.args, r.code, r.stderr)
		}
		found := tc.has == ""
		for _, p := range v.Parties {
			found = found || p.Code == tc.has
		}
		if v.Count != tc.count || len(v.Parties) != tc.count || !found {
			t.Errorf("list %v: %d parties (has %s: %v), want %d", tc.args, v.Count, tc.has, found, tc.count)
		}
	}
	r := runCLI(t, "", nil, "directory", "list", "--instrument", "budapest")
	if r.code != 0 || !strings.Contains(r.stdout, "CODE  NAME") || !strings.Contains(r.stdout, "party (in force)") {
		t.Errorf("list text: %s", r.stdout)
	}
}

// dirKeys creates a secretariat key with "directory keygen" and returns
// the key file and the public key text.
func dirKeys(t *testing.T, dir string) (string, string) {
	t.Helper()
	keyFile := filepath.Join(dir, "secretariat.key")
	r := runCLI(t, "", nil, "directory", "keygen", "--out", keyFile)
	if r.code != 0 {
		t.Fatalf("keygen: %d %s", r.code, r.stderr)
	}
	pub, _, _ := strings.Cut(r.stdout, "\n")
	if !strings.HasPrefix(pub, "ed25519:") {
		t.Fatalf("keygen printed %q", r.stdout)
	}
	return keyFile, pub
}

func TestDirectorySignVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile, pub := dirKeys(t, dir)
	signed := filepath.Join(dir, "dir.signed.json")
	r := runCLI(t, "", nil, "directory", "sign", "--key", keyFile, "--serial", "5", "--out", signed, dirTestdata+"example-snapshot.json")
	if r.code != 0 || !strings.Contains(r.stderr, "signed snapshot serial 5") {
		t.Fatalf("sign: %d %s", r.code, r.stderr)
	}
	r = runCLI(t, "", nil, "directory", "verify", "--pubkey", pub, "--held-serial", "4", signed)
	if r.code != 0 || !strings.Contains(r.stdout, "OK: serial 5") {
		t.Fatalf("verify: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// The pinned key may come from the environment, as on a node.
	r = runCLI(t, "", []string{"ART35_SECRETARIAT_KEY=" + pub}, "directory", "verify", signed)
	if r.code != 0 {
		t.Fatalf("verify with env key: %d %s", r.code, r.stderr)
	}

	// A lower (or equal) serial is refused as a rollback.
	r = runCLI(t, "", nil, "directory", "verify", "--pubkey", pub, "--held-serial", "6", signed)
	if r.code != 4 || !strings.Contains(r.stderr, "serial 5 is not higher than the serial held (6)") || !strings.Contains(r.stderr, "rollback") {
		t.Errorf("rollback: code %d, %s", r.code, r.stderr)
	}

	// One byte changed in the contents: refused, saying why.
	data, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.json")
	bad := strings.Replace(string(data), "+00 39 555 0100", "+00 39 555 0109", 1)
	if bad == string(data) {
		t.Fatal("fixture phone not found in the signed file")
	}
	os.WriteFile(tampered, []byte(bad), 0o644)
	r = runCLI(t, "", nil, "directory", "verify", "--pubkey", pub, tampered)
	if r.code != 5 || !strings.Contains(r.stderr, "refused") || !strings.Contains(r.stderr, "altered after signing") {
		t.Errorf("tampered: code %d, %s", r.code, r.stderr)
	}
	// Another secretariat's key: refused.
	_, otherPub := dirKeys(t, t.TempDir())
	r = runCLI(t, "", nil, "directory", "verify", "--pubkey", otherPub, signed)
	if r.code != 5 || !strings.Contains(r.stderr, "pinned secretariat key is") {
		t.Errorf("wrong key: code %d, %s", r.code, r.stderr)
	}
	checkSignedShowAndResign(t, dir, keyFile, pub, signed, tampered)
}

// checkSignedShowAndResign shows parties from the verified signed file, refuses the tampered one, and re-signs an export with a higher serial.
func checkSignedShowAndResign(t *testing.T, dir, keyFile, pub, signed, tampered string) {
	t.Helper()
	// show reads the verified signed file: fictional contacts, who is on duty.
	v := showJSON(t, "BJ", "--json", "--snapshot", signed, "--pubkey", pub)
	if len(v.Duty) != 1 || v.Duty[0].OnDuty == nil || *v.Duty[0].OnDuty || !strings.Contains(v.Duty[0].LocalTime, "04:00 WAT (Wed)") {
		t.Errorf("BJ duty at 04:00 local on a Wednesday: %+v", v.Duty)
	}
	r := runCLI(t, "", nil, "directory", "show", "IT", "--snapshot", signed, "--pubkey", pub)
	for _, want := range []string{"on duty NOW (24/7", "roster: primary 1 Giulia Esempio", "roster: backup 1 Marco Prova", "preserves on a foreign request alone: yes (by law)", "reservation p2-art7-5-notification"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show IT from signed file lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, "", nil, "directory", "show", "IT", "--snapshot", tampered, "--pubkey", pub)
	if r.code != 5 {
		t.Errorf("show from tampered file: code %d", r.code)
	}

	// export -> sign round trip keeps the serial moving up.
	r = runCLI(t, "", nil, "directory", "export", "--snapshot", signed, "--pubkey", pub)
	exported := filepath.Join(dir, "exported.json")
	os.WriteFile(exported, []byte(r.stdout), 0o644)
	r = runCLI(t, "", nil, "directory", "sign", "--key", keyFile, exported)
	if r.code != 0 || !strings.Contains(r.stderr, "serial 6") {
		t.Errorf("re-sign: %d %s", r.code, r.stderr)
	}
}

func TestDirectoryMergeAndDiff(t *testing.T) {
	t.Parallel()
	a, b := dirTestdata+"g8-list.csv", dirTestdata+"coe-list.csv"
	r := runCLI(t, "", nil, "directory", "merge", a, b)
	if r.code != 4 || !strings.Contains(r.stderr, "4 of 4 conflicts unresolved") {
		t.Fatalf("merge without resolutions: code %d, %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"TR:24/7:phone  UNRESOLVED", `a: "+00 90 555 0100"`, `b: "+00 90 555 0199"`,
		"DE:24/7:agency", "IT:24/7:phone", "the a entry is stale", "US:24/7:person",
		"JP:24/7  only in a", "BJ:24/7  only in b", "IT:central-authority  only in b",
		"conflict,choose,value",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("merge output lacks %q:\n%s", want, r.stdout)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "merged.json")
	r = runCLI(t, "", nil, "directory", "merge", a, b, "--resolutions", dirTestdata+"resolutions.csv", "--out", out)
	if r.code != 0 || strings.Contains(r.stdout, "UNRESOLVED") {
		t.Fatalf("merge with resolutions: code %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", nil, "directory", "merge", a, b, "--resolutions", dirTestdata+"resolutions.csv", "--json")
	var mr struct {
		Entries   []json.RawMessage `json:"entries"`
		Conflicts []struct {
			ID, Resolved string
		} `json:"conflicts"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &mr) != nil || len(mr.Entries) != 10 || len(mr.Conflicts) != 4 {
		t.Fatalf("merge --json: code %d, %d entries %d conflicts", r.code, len(mr.Entries), len(mr.Conflicts))
	}

	// diff starter -> merged shows the new contact fields.
	r = runCLI(t, "", nil, "directory", "diff", "starter", out)
	for _, want := range []string{"~ authority IT/IT-247", `phone: "" -> "+00 39 06 555 0142"`, "+ authority IT/IT-CA"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, "", nil, "directory", "diff", out, out, "--json")
	var d struct {
		PartiesChanged []any `json:"parties_changed"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &d) != nil || len(d.PartiesChanged) != 0 {
		t.Errorf("diff of a file with itself: %d %s", r.code, r.stdout)
	}
}

func TestDirectoryImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "parties.csv")
	os.WriteFile(good, []byte("iso2,name,budapest,budapest_note,protocol2_signed,protocol2_ratified,un2024_signed,eu,confidence\n"+
		"KE,Kenya,party,deposit 2026-01-15,,,,,confirmed by the secretariat\n"), 0o644)
	r := runCLI(t, "", nil, "directory", "import", good)
	if r.code != 0 || !strings.Contains(r.stdout, `"in_force": "2026-05-01"`) || !strings.Contains(r.stdout, `"id": "KE-247"`) {
		t.Fatalf("import: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("iso2,name,budapest,budapest_note,protocol2_signed,protocol2_ratified,un2024_signed,eu,confidence\n"+
		"KE,Kenya,party,,,,,,c\nQQ,Nowhere,party,,,,,,c\n"), 0o644)
	r = runCLI(t, "", nil, "directory", "import", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.csv: line 3, column 1 (iso2)") {
		t.Fatalf("import bad: code %d, %s", r.code, r.stderr)
	}
}
