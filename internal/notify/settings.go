package notify

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/art35/art35/internal/apperr"
)

// SettingsFile is the name of the notification settings in a node's data
// folder. The directory says who the people are and their e-mail
// addresses; how this node reaches a mail server and which paging systems
// it calls are local facts, so they live here and not in the directory.
const SettingsFile = "notify.toml"

// Settings are a node's notification channels.
type Settings struct {
	SMTP     SMTP      `toml:"smtp"`
	Webhooks []Webhook `toml:"webhook"`
}

// SMTP says how to hand mail to the node's mail server. Without Addr no
// e-mail is sent (the notification is recorded as undeliverable by e-mail).
type SMTP struct {
	// Addr is host:port of the submission server, e.g. "mail.example.org:587".
	Addr string `toml:"addr"`
	// From is the sender address, e.g. "art35 IT-247 <art35@it.example.org>".
	From string `toml:"from"`
	// Username, when set, authenticates with PLAIN (only over TLS, or to
	// a server on this machine).
	Username string `toml:"username"`
	// PasswordEnv names the environment variable holding the password, so
	// the secret is not written in the data folder.
	PasswordEnv string `toml:"password_env"`
	// HeloName is the name given in EHLO; default "localhost".
	HeloName string `toml:"helo_name"`

	password string
}

// Webhook routes notifications to a paging system. A webhook applies to a
// person when each of Role and Person that is set matches (both empty:
// everyone on the roster).
type Webhook struct {
	URL    string `toml:"url"`
	Role   string `toml:"role"`   // primary, backup or supervisor
	Person string `toml:"person"` // the person's name as the directory spells it
}

// ParseSettings reads notify.toml. getenv resolves smtp.password_env (nil:
// no password). Every problem names the field and the fix.
func ParseSettings(data []byte, getenv func(string) string) (Settings, error) {
	var s Settings
	md, err := toml.Decode(string(data), &s)
	if err != nil {
		return Settings{}, apperr.Wrap(apperr.EInvalid, err, "%s: not valid TOML; see docs/notifications.md for the format", SettingsFile)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return Settings{}, apperr.Errorf(apperr.EInvalid, "%s: unknown setting(s) %s; known: smtp.addr, smtp.from, smtp.username, smtp.password_env, smtp.helo_name, [[webhook]] url, role, person", SettingsFile, strings.Join(keys, ", "))
	}
	if err := s.validate(); err != nil {
		return Settings{}, err
	}
	if s.SMTP.PasswordEnv != "" && getenv != nil {
		s.SMTP.password = getenv(s.SMTP.PasswordEnv)
	}
	return s, nil
}

func (s *Settings) validate() error {
	m := s.SMTP
	if m.Addr != "" {
		host, port, err := net.SplitHostPort(m.Addr)
		if err != nil || host == "" || port == "" {
			return apperr.Errorf(apperr.EInvalid, "%s: smtp.addr %q must be host:port, e.g. \"mail.example.org:587\"", SettingsFile, m.Addr)
		}
		if m.From == "" {
			return apperr.Errorf(apperr.EInvalid, "%s: smtp.from is required when smtp.addr is set, e.g. \"art35@it.example.org\"", SettingsFile)
		}
	}
	if m.From != "" {
		if _, err := mail.ParseAddress(m.From); err != nil || strings.ContainsAny(m.From, "\r\n") {
			return apperr.Errorf(apperr.EInvalid, "%s: smtp.from %q is not a mail address; write \"name <user@example.org>\" or \"user@example.org\"", SettingsFile, m.From)
		}
	}
	if m.Username != "" && m.PasswordEnv == "" {
		return apperr.Errorf(apperr.EInvalid, "%s: smtp.username is set but smtp.password_env is not; name the environment variable that holds the password", SettingsFile)
	}
	if strings.ContainsAny(m.HeloName, " \r\n\t") {
		return apperr.Errorf(apperr.EInvalid, "%s: smtp.helo_name %q must be one host name without spaces", SettingsFile, m.HeloName)
	}
	for i, w := range s.Webhooks {
		field := fmt.Sprintf("webhook[%d]", i)
		if err := checkWebhookURL(w.URL); err != nil {
			return apperr.Errorf(apperr.EInvalid, "%s: %s.url: %s", SettingsFile, field, err)
		}
		switch w.Role {
		case "", "primary", "backup", "supervisor":
		default:
			return apperr.Errorf(apperr.EInvalid, "%s: %s.role %q: use primary, backup or supervisor (or leave it out for every role)", SettingsFile, field, w.Role)
		}
	}
	return nil
}

// checkWebhookURL accepts https URLs, and http only to this machine (a
// local paging gateway, tests): notifications name cases and must not
// cross a network in clear.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL; write https://host/path", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return nil
		}
		return fmt.Errorf("%q uses http to another machine; use https (http is allowed only to localhost)", raw)
	}
	return fmt.Errorf("%q: scheme must be https", raw)
}

// LoadSettings reads notify.toml from a node's data folder. A missing file
// means no channels besides what the directory lists (and no mail server
// to send e-mail through): notifications are then recorded as
// undeliverable, so the gap is visible in 'art35 case show'.
func LoadSettings(dataDir string, getenv func(string) string) (Settings, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, SettingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("read %s: %w", SettingsFile, err)
	}
	return ParseSettings(b, getenv)
}

// webhooksFor returns the webhook URLs that apply to a person.
func (s Settings) webhooksFor(name, role string) []string {
	var out []string
	for _, w := range s.Webhooks {
		if (w.Role == "" || w.Role == role) && (w.Person == "" || w.Person == name) {
			out = append(out, w.URL)
		}
	}
	return out
}
