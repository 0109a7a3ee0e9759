package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/art35/art35/internal/users"
)

// PrintCredentials prints what a person needs to sign in after an account
// change: the password when it was generated, and the TOTP secret and its
// otpauth URI when one was made (secret not "").
func PrintCredentials(w io.Writer, party, username, pw string, generated bool, secret string) {
	if generated {
		fmt.Fprintf(w, "password:    %s\n", pw)
	}
	if secret != "" {
		fmt.Fprintf(w, "TOTP secret: %s\n", secret)
		fmt.Fprintf(w, "TOTP URI:    %s\n", users.TOTPURI("art35 "+party, username, secret))
	}
}

// PrintAccounts prints the portal accounts.
func PrintAccounts(w io.Writer, list []users.Account) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tROLE\tNAME")
	for _, a := range list {
		fmt.Fprintln(tw, a.String())
	}
	return tw.Flush()
}
