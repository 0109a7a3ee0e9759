package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
	"github.com/art35/art35/internal/users"
)

func runUser(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, userCmd, []subcommand{
		{Name: "add", Short: "create an account", Run: userAdd},
		{Name: "passwd", Short: "set a new password", Run: userPasswd},
		{Name: "totp", Short: "make a new TOTP secret", Run: userTOTP},
		{Name: "disable", Short: "disable or enable an account", Run: userDisable},
		{Name: "list", Short: "list the accounts", Run: userList},
	}, args)
}

// onUser opens the node for a change of the account named on the command
// line and runs f with its users service, the user name and the --by name
// (who makes the change, for the audit log).
func onUser(ctx context.Context, e *env, sub string, args []string, extra func(*flag.FlagSet), f func(n *node.Node, svc *users.Service, username, by string) error) error {
	var by string
	return e.OnNode(ctx, userCmd, sub, args, 1, "user "+sub+": give exactly one USERNAME", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "admin-cli", "who makes the change, for the audit log")
		if extra != nil {
			extra(fs)
		}
	}, func(n *node.Node, pos []string) error { return f(n, n.Users, pos[0], by) })
}

// readPassword takes the first line of standard input, or makes a random
// password when there is none.
func readPassword(e *env) (pw string, generated bool) {
	line, _ := bufio.NewReader(e.Stdin).ReadString('\n')
	if line = strings.TrimRight(line, "\r\n"); line != "" {
		return line, false
	}
	return users.RandomPassword(), true
}

func userAdd(ctx context.Context, e *env, args []string) error {
	var name, role string
	return onUser(ctx, e, "add", args, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the person's full name, shown on the evidences they sign (required)")
		fs.StringVar(&role, "role", "officer", "officer, supervisor, admin or auditor")
	}, func(n *node.Node, svc *users.Service, username, by string) error {
		r, err := users.ParseRole(role)
		if err != nil {
			return err
		}
		pw, generated := readPassword(e)
		secret, err := svc.Add(ctx, users.Account{Username: username, Name: name, Role: r}, pw, by)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "user %s added (%s, %s)\n", username, r, name)
		cli.PrintCredentials(e.Stdout, n.Config.Party, username, pw, generated, secret)
		return nil
	})
}

func userPasswd(ctx context.Context, e *env, args []string) error {
	return onUser(ctx, e, "passwd", args, nil, func(n *node.Node, svc *users.Service, username, by string) error {
		pw, generated := readPassword(e)
		if err := svc.SetPassword(ctx, username, pw, by); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "password of %s changed; the account is unlocked and its sessions ended\n", username)
		cli.PrintCredentials(e.Stdout, n.Config.Party, username, pw, generated, "")
		return nil
	})
}

func userTOTP(ctx context.Context, e *env, args []string) error {
	return onUser(ctx, e, "totp", args, nil, func(n *node.Node, svc *users.Service, username, by string) error {
		secret, err := svc.ResetTOTP(ctx, username, by)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "new TOTP secret for %s; the old one no longer works\n", username)
		cli.PrintCredentials(e.Stdout, n.Config.Party, username, "", false, secret)
		return nil
	})
}

func userDisable(ctx context.Context, e *env, args []string) error {
	var enable bool
	return onUser(ctx, e, "disable", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&enable, "enable", false, "enable the account again instead")
	}, func(n *node.Node, svc *users.Service, username, by string) error {
		if err := svc.SetDisabled(ctx, username, !enable, by); err != nil {
			return err
		}
		if enable {
			fmt.Fprintf(e.Stdout, "user %s enabled\n", username)
		} else {
			fmt.Fprintf(e.Stdout, "user %s disabled; its sessions ended\n", username)
		}
		return nil
	})
}

func userList(ctx context.Context, e *env, args []string) error {
	var by string
	return e.OnNode(ctx, userCmd, "list", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "admin-cli", "who makes the change, for the audit log")
	}, func(n *node.Node, _ []string) error {
		list, err := n.Users.List(ctx)
		if err != nil {
			return err
		}
		return cli.PrintAccounts(e.Stdout, list)
	})
}
