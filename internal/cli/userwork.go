package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/art35/art35/internal/users"
)

// UserWork is what the "user" subcommands do to the portal's accounts of
// a node of Party: each change is made by By (for the audit log) and
// says on W what the person needs to sign in.
type UserWork struct {
	Users *users.Service
	W     io.Writer
	Stdin io.Reader // the new password's line, if any
	Party string
	By    string
}

// ReadPassword takes the first line of r, or makes a random password
// when there is none.
func ReadPassword(r io.Reader) (pw string, generated bool) {
	line, _ := bufio.NewReader(r).ReadString('\n')
	if line = strings.TrimRight(line, "\r\n"); line != "" {
		return line, false
	}
	return users.RandomPassword(), true
}

// Add creates the account username of the person name with role.
func (u UserWork) Add(ctx context.Context, username, name, role string) error {
	r, err := users.ParseRole(role)
	if err != nil {
		return err
	}
	pw, generated := ReadPassword(u.Stdin)
	secret, err := u.Users.Add(ctx, users.Account{Username: username, Name: name, Role: r}, pw, u.By)
	if err != nil {
		return err
	}
	fmt.Fprintf(u.W, "user %s added (%s, %s)\n", username, r, name)
	PrintCredentials(u.W, u.Party, username, pw, generated, secret)
	return nil
}

// Passwd sets a new password of username (read from Stdin, or made).
func (u UserWork) Passwd(ctx context.Context, username string) error {
	pw, generated := ReadPassword(u.Stdin)
	if err := u.Users.SetPassword(ctx, username, pw, u.By); err != nil {
		return err
	}
	fmt.Fprintf(u.W, "password of %s changed; the account is unlocked and its sessions ended\n", username)
	PrintCredentials(u.W, u.Party, username, pw, generated, "")
	return nil
}

// TOTP makes a new TOTP secret of username.
func (u UserWork) TOTP(ctx context.Context, username string) error {
	secret, err := u.Users.ResetTOTP(ctx, username, u.By)
	if err != nil {
		return err
	}
	fmt.Fprintf(u.W, "new TOTP secret for %s; the old one no longer works\n", username)
	PrintCredentials(u.W, u.Party, username, "", false, secret)
	return nil
}

// Disable disables the account username, or enables it again.
func (u UserWork) Disable(ctx context.Context, username string, enable bool) error {
	if err := u.Users.SetDisabled(ctx, username, !enable, u.By); err != nil {
		return err
	}
	if enable {
		fmt.Fprintf(u.W, "user %s enabled\n", username)
	} else {
		fmt.Fprintf(u.W, "user %s disabled; its sessions ended\n", username)
	}
	return nil
}
