package notify_test

import (
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/notify"
)

func TestParseSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, toml string
		wantErr    string // substring; empty: valid
	}{
		{"empty", ``, ""},
		{"smtp and webhooks", `[smtp]
addr = "mail.example.org:587"
from = "art35 <art35@it.example.org>"
username = "art35"
password_env = "ART35_SMTP_PASSWORD"

[[webhook]]
url = "https://pager.example.org/hook"
role = "supervisor"

[[webhook]]
url = "http://127.0.0.1:9000/page"
person = "Giulia Prova (fictional)"
`, ""},
		{"addr without port", "[smtp]\naddr = \"mail.example.org\"\nfrom = \"a@example.org\"\n", "smtp.addr"},
		{"addr without from", "[smtp]\naddr = \"mail.example.org:25\"\n", "smtp.from is required"},
		{"bad from", "[smtp]\naddr = \"m.example.org:25\"\nfrom = \"not an address\"\n", "smtp.from"},
		{"username without password", "[smtp]\naddr = \"m.example.org:25\"\nfrom = \"a@example.org\"\nusername = \"u\"\n", "password_env"},
		{"helo with space", "[smtp]\nhelo_name = \"a b\"\n", "helo_name"},
		{"http to another machine", "[[webhook]]\nurl = \"http://pager.example.org/x\"\n", "use https"},
		{"relative url", "[[webhook]]\nurl = \"/x\"\n", "webhook[0].url"},
		{"ftp url", "[[webhook]]\nurl = \"ftp://pager.example.org/x\"\n", "scheme must be https"},
		{"unknown role", "[[webhook]]\nurl = \"https://p.example.org/\"\nrole = \"chief\"\n", "webhook[0].role"},
		{"unknown key", "[smtp]\nhost = \"x\"\n", "unknown setting(s) smtp.host"},
		{"not toml", "[smtp\n", "not valid TOML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := notify.ParseSettings([]byte(tc.toml), nil)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !apperr.Is(err, apperr.EInvalid) {
				t.Fatalf("err = %v, want invalid mentioning %q", err, tc.wantErr)
			}
		})
	}
}

// FuzzParseSettings: notify.toml is written by hand; no input panics, and
// what parses has only loopback-or-https webhooks.
func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{
		"",
		"[smtp]\naddr = \"mail.example.org:587\"\nfrom = \"a@example.org\"\n",
		"[[webhook]]\nurl = \"https://pager.example.org/hook\"\nrole = \"backup\"\n",
		"[[webhook]]\nurl = \"http://localhost:1/x\"\n",
		"[smtp]\naddr = \":\"\n",
		"[[webhook]]\nurl = \"http://[::1]:80/\"\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := notify.ParseSettings([]byte(in), func(string) string { return "" })
		if err != nil {
			return
		}
		for _, w := range s.Webhooks {
			if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
				t.Fatalf("accepted webhook url %q", w.URL)
			}
		}
	})
}
