package node

import (
	"strings"
	"testing"

	"github.com/art35/art35/internal/apperr"
)

// Socket activation's variables are read only when LISTEN_PID names this
// process, and a bad count or name is refused with the variable named and
// the fix. (That a node serves on the socket passed is shown end to end by
// the testnet crash tests, which hand their nodes' ports over this way.)
func TestInheritedReadsTheVariables(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for name, tc := range map[string]struct {
		getenv func(string) string
		want   string // "" = no sockets, no error
	}{
		"no variables":           {env(), ""},
		"another process's":      {env("LISTEN_PID", "41", "LISTEN_FDS", "1"), ""},
		"count not a number":     {env("LISTEN_PID", "42", "LISTEN_FDS", "x"), `LISTEN_FDS="x"`},
		"count zero":             {env("LISTEN_PID", "42", "LISTEN_FDS", "0"), `LISTEN_FDS="0"`},
		"more than three":        {env("LISTEN_PID", "42", "LISTEN_FDS", "4"), "1 to 3 listening sockets"},
		"a name of another kind": {env("LISTEN_PID", "42", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "www"), `named "www"; name the sockets peers, portal or admin`},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Inherited(tc.getenv, 42)
			if tc.want == "" {
				if err != nil || got != nil {
					t.Fatalf("Inherited = %v, %v; want nothing", got, err)
				}
				return
			}
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Inherited error = %v; want EInvalid with %q", err, tc.want)
			}
		})
	}
}
