package main

import (
	"context"
	"flag"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/node"
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
// line and runs f with the user work on the node (--by: who makes the
// change, for the audit log) and the user name.
func onUser(ctx context.Context, e *env, sub string, args []string, extra func(*flag.FlagSet), f func(u cli.UserWork, username string) error) error {
	var by string
	return e.OnNode(ctx, userCmd, sub, args, 1, "user "+sub+": give exactly one USERNAME", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "admin-cli", "who makes the change, for the audit log")
		if extra != nil {
			extra(fs)
		}
	}, func(n *node.Node, pos []string) error {
		return f(cli.UserWork{Users: n.Users, W: e.Stdout, Stdin: e.Stdin, Party: n.Config.Party, By: by}, pos[0])
	})
}

func userAdd(ctx context.Context, e *env, args []string) error {
	var name, role string
	return onUser(ctx, e, "add", args, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the person's full name, shown on the evidences they sign (required)")
		fs.StringVar(&role, "role", "officer", "officer, supervisor, admin or auditor")
	}, func(u cli.UserWork, username string) error { return u.Add(ctx, username, name, role) })
}

func userPasswd(ctx context.Context, e *env, args []string) error {
	return onUser(ctx, e, "passwd", args, nil, func(u cli.UserWork, username string) error { return u.Passwd(ctx, username) })
}

func userTOTP(ctx context.Context, e *env, args []string) error {
	return onUser(ctx, e, "totp", args, nil, func(u cli.UserWork, username string) error { return u.TOTP(ctx, username) })
}

func userDisable(ctx context.Context, e *env, args []string) error {
	var enable bool
	return onUser(ctx, e, "disable", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&enable, "enable", false, "enable the account again instead")
	}, func(u cli.UserWork, username string) error { return u.Disable(ctx, username, enable) })
}

func userList(ctx context.Context, e *env, args []string) error {
	var by string
	return e.OnNode(ctx, userCmd, "list", args, -1, "", func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "admin-cli", "who makes the change, for the audit log")
	}, func(n *node.Node, _ []string) error {
		list, err := n.Users.List(ctx)
		return cli.Show(e.Stdout, false, list, err, func() error { return cli.PrintAccounts(e.Stdout, list) })
	})
}
