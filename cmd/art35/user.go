package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/users"
)

var userCmd = &command{
	name:  "user",
	short: "manage the people who sign in to the portal",
	usage: "user add|passwd|totp|disable|list [USERNAME] --data DIR [flags]",
	long: `User manages portal accounts on this node. Every role signs in with a
password (argon2id-hashed) and a TOTP code from an authenticator app.

  user add USERNAME --name "Full Name" --role officer|supervisor|admin|auditor
        creates the account and prints its TOTP secret and otpauth:// URI
  user passwd USERNAME   sets a new password (and unlocks the account)
  user totp USERNAME     gives the account a new TOTP secret
  user disable USERNAME [--enable]
                         disables (or enables again) the account
  user list              lists the accounts

The password is read from the first line of standard input, so it stays out
of the shell history; with empty input a random one is made and printed once.
Changing a password or TOTP secret, or disabling, ends the person's sessions.
Every change is recorded in the audit log under --by.`,
}

func runUser(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, userCmd, []subcommand{
		{"add", "create an account", userAdd},
		{"passwd", "set a new password", userPasswd},
		{"totp", "make a new TOTP secret", userTOTP},
		{"disable", "disable or enable an account", userDisable},
		{"list", "list the accounts", userList},
	}, args)
}

// openUsers opens the node's database for an account change and returns
// the users service, the positional arguments and the --by name.
func openUsers(ctx context.Context, e *env, sub string, args []string, extra func(*flag.FlagSet)) (*node.Node, *users.Service, []string, string, error) {
	var by string
	n, pos, err := openNode(ctx, e, userCmd, sub, args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "admin-cli", "who makes the change, for the audit log")
		if extra != nil {
			extra(fs)
		}
	})
	if err != nil {
		return nil, nil, nil, "", err
	}
	return n, n.Users, pos, by, nil
}

func oneUser(sub string, pos []string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("user %s: give exactly one USERNAME", sub)
	}
	return pos[0], nil
}

// readPassword takes the first line of standard input, or makes a random
// password when there is none.
func readPassword(e *env) (pw string, generated bool) {
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	if line = strings.TrimRight(line, "\r\n"); line != "" {
		return line, false
	}
	return users.RandomPassword(), true
}

func printTOTP(e *env, party, username, secret string) {
	fmt.Fprintf(e.stdout, "TOTP secret: %s\n", secret)
	fmt.Fprintf(e.stdout, "TOTP URI:    %s\n", users.TOTPURI("art35 "+party, username, secret))
}

func userAdd(ctx context.Context, e *env, args []string) error {
	var name, role string
	n, svc, pos, by, err := openUsers(ctx, e, "add", args, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the person's full name, shown on the evidences they sign (required)")
		fs.StringVar(&role, "role", "officer", "officer, supervisor, admin or auditor")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	username, err := oneUser("add", pos)
	if err != nil {
		return err
	}
	r, err := users.ParseRole(role)
	if err != nil {
		return err
	}
	pw, generated := readPassword(e)
	secret, err := svc.Add(ctx, users.Account{Username: username, Name: name, Role: r}, pw, by)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s added (%s, %s)\n", username, r, name)
	if generated {
		fmt.Fprintf(e.stdout, "password:    %s\n", pw)
	}
	printTOTP(e, n.Config.Party, username, secret)
	return nil
}

func userPasswd(ctx context.Context, e *env, args []string) error {
	n, svc, pos, by, err := openUsers(ctx, e, "passwd", args, nil)
	if err != nil {
		return err
	}
	defer n.Close()
	username, err := oneUser("passwd", pos)
	if err != nil {
		return err
	}
	pw, generated := readPassword(e)
	if err := svc.SetPassword(ctx, username, pw, by); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password of %s changed; the account is unlocked and its sessions ended\n", username)
	if generated {
		fmt.Fprintf(e.stdout, "password:    %s\n", pw)
	}
	return nil
}

func userTOTP(ctx context.Context, e *env, args []string) error {
	n, svc, pos, by, err := openUsers(ctx, e, "totp", args, nil)
	if err != nil {
		return err
	}
	defer n.Close()
	username, err := oneUser("totp", pos)
	if err != nil {
		return err
	}
	secret, err := svc.ResetTOTP(ctx, username, by)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "new TOTP secret for %s; the old one no longer works\n", username)
	printTOTP(e, n.Config.Party, username, secret)
	return nil
}

func userDisable(ctx context.Context, e *env, args []string) error {
	var enable bool
	n, svc, pos, by, err := openUsers(ctx, e, "disable", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&enable, "enable", false, "enable the account again instead")
	})
	if err != nil {
		return err
	}
	defer n.Close()
	username, err := oneUser("disable", pos)
	if err != nil {
		return err
	}
	if err := svc.SetDisabled(ctx, username, !enable, by); err != nil {
		return err
	}
	if enable {
		fmt.Fprintf(e.stdout, "user %s enabled\n", username)
	} else {
		fmt.Fprintf(e.stdout, "user %s disabled; its sessions ended\n", username)
	}
	return nil
}

func userList(ctx context.Context, e *env, args []string) error {
	n, svc, _, _, err := openUsers(ctx, e, "list", args, nil)
	if err != nil {
		return err
	}
	defer n.Close()
	list, err := svc.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tROLE\tNAME")
	for _, a := range list {
		fmt.Fprintln(tw, a.String())
	}
	return tw.Flush()
}
