// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/art35/art35/internal/clock"
)

// The shell completion scripts and the man page are generated from the same
// help text that "art35 <command> -h" prints and docs/commands.md holds: a
// command's subcommands and flags are read from its help, so a new command
// or flag appears in all three without anyone remembering to add it.

var completionCmd = &command{
	name:  "completion",
	short: "print a shell completion script (bash, zsh or fish)",
	usage: "completion bash|zsh|fish",
	long: `Print a completion script for the named shell on standard output. It
completes commands, subcommands and flags, read from the commands' own help.

  bash:  art35 completion bash > /etc/bash_completion.d/art35
         (or: source <(art35 completion bash) in ~/.bashrc)
  zsh:   art35 completion zsh > "${fpath[1]}/_art35"
         (or: source <(art35 completion zsh) after compinit in ~/.zshrc)
  fish:  art35 completion fish > ~/.config/fish/completions/art35.fish`,
}

func runCompletion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, completionCmd, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("name one shell: bash, zsh or fish")
	}
	helps := collectHelp(ctx)
	switch pos[0] {
	case "bash":
		writeBash(e.stdout, helps)
	case "zsh":
		writeZsh(e.stdout, helps)
	case "fish":
		writeFish(e.stdout, helps)
	default:
		return usagef("unknown shell %q; the shells are bash, zsh and fish", pos[0])
	}
	return nil
}

// cmdHelp is one command as its help describes it.
type cmdHelp struct {
	name  string
	short string
	text  string // the whole of "art35 <name> -h"
	flags []flagHelp
	subs  []subHelp
}

// subHelp is one subcommand of a group ("directory show").
type subHelp struct {
	name  string
	short string
	flags []flagHelp
}

// flagHelp is one flag as the flag package prints it: "  -name type".
type flagHelp struct {
	name  string
	value bool // takes a value (the help names its type)
	usage string
}

// commandNames returns the command table's names in order.
func commandNames() []string {
	var names []string
	for _, c := range sortedCommands() {
		names = append(names, c.name)
	}
	return names
}

// helpOf returns what "art35 args... -h" prints on standard output. Asking
// for help runs nothing else: every command parses its flags (and a group
// its subcommand) before it opens anything.
func helpOf(ctx context.Context, args ...string) string {
	var out bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: io.Discard,
		getenv: func(string) string { return "" },
		clock:  clock.System{},
	}
	run(ctx, e, append(args, "-h"))
	return out.String()
}

// collectHelp reads every command's help, and each subcommand's.
func collectHelp(ctx context.Context) []cmdHelp {
	var hs []cmdHelp
	for _, c := range sortedCommands() {
		n := c.name
		text := helpOf(ctx, n)
		h := cmdHelp{name: n, short: c.short, text: text, flags: parseFlagHelp(text)}
		for _, s := range parseSubcommands(text) {
			s.flags = parseFlagHelp(helpOf(ctx, n, s.name))
			h.subs = append(h.subs, s)
		}
		hs = append(hs, h)
	}
	return hs
}

// parseSubcommands reads the "subcommands:" block that dispatch prints.
func parseSubcommands(text string) []subHelp {
	_, after, ok := strings.Cut(text, "\nsubcommands:\n")
	if !ok {
		return nil
	}
	var subs []subHelp
	for _, line := range strings.Split(after, "\n") {
		if !strings.HasPrefix(line, "\t") {
			break
		}
		name, short, _ := strings.Cut(strings.TrimSpace(line), " ")
		subs = append(subs, subHelp{name: name, short: strings.TrimSpace(short)})
	}
	return subs
}

// parseFlagHelp reads the flags that flag.PrintDefaults prints after
// "flags:": "  -name type" then the usage on lines indented by a tab.
func parseFlagHelp(text string) []flagHelp {
	_, after, ok := strings.Cut(text, "\nflags:\n")
	if !ok {
		return nil
	}
	var fl []flagHelp
	for _, line := range strings.Split(after, "\n") {
		switch {
		case strings.HasPrefix(line, "  -"):
			f := strings.Fields(line)
			h := flagHelp{name: strings.TrimPrefix(f[0], "-"), value: len(f) > 1}
			// A one-letter flag's usage sits on the same line after a tab.
			if _, u, ok := strings.Cut(line, "\t"); ok {
				h.usage = strings.TrimSpace(u)
				h.value = len(strings.Fields(strings.Split(line, "\t")[0])) > 1
			}
			fl = append(fl, h)
		case strings.HasPrefix(line, "    \t") && len(fl) > 0:
			last := &fl[len(fl)-1]
			last.usage = strings.TrimSpace(last.usage + " " + strings.TrimSpace(line))
		}
	}
	return fl
}

// flagWords returns the flags as a user types them ("--json").
func flagWords(fl []flagHelp) string {
	w := make([]string, len(fl))
	for i, f := range fl {
		w[i] = "--" + f.name
	}
	return strings.Join(w, " ")
}

// shQuote quotes s for a POSIX shell (and zsh and fish) in single quotes.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeBash(w io.Writer, hs []cmdHelp) {
	names := []string{"help"}
	for _, h := range hs {
		names = append(names, h.name)
	}
	fmt.Fprintf(w, `# bash completion for art35, generated by "art35 completion bash" from the commands' help.
_art35() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} sub=${COMP_WORDS[2]}
	local subs="" flags=""
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W %s -- "$cur"))
		return
	fi
	case $cmd in
	help) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W %s -- "$cur")); return ;;
`, shQuote(strings.Join(names, " ")), shQuote(strings.Join(names[1:], " ")))
	for _, h := range hs {
		var subNames []string
		for _, s := range h.subs {
			subNames = append(subNames, s.name)
		}
		fmt.Fprintf(w, "\t%s) subs=%s; flags=%s ;;\n", h.name, shQuote(strings.Join(subNames, " ")), shQuote(flagWords(h.flags)))
	}
	fmt.Fprint(w, `	esac
	if [ -n "$subs" ]; then
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$subs" -- "$cur"))
			return
		fi
		case "$cmd $sub" in
`)
	for _, h := range hs {
		for _, s := range h.subs {
			fmt.Fprintf(w, "\t\t%s) flags=%s ;;\n", shQuote(h.name+" "+s.name), shQuote(flagWords(s.flags)))
		}
	}
	fmt.Fprint(w, `		esac
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	fi
	# Otherwise COMPREPLY stays empty and -o default completes file names.
}
complete -o default -F _art35 art35
`)
}

// zshItem is "name:description" for _describe, with the name's colons escaped.
func zshItem(name, desc string) string {
	return shQuote(strings.ReplaceAll(name, ":", `\:`) + ":" + desc)
}

func writeZsh(w io.Writer, hs []cmdHelp) {
	fmt.Fprint(w, `#compdef art35
# zsh completion for art35, generated by "art35 completion zsh" from the commands' help.
_art35() {
	local -a cmds subs flags
	cmds=(
		'help:show the help of a command'
`)
	for _, h := range hs {
		fmt.Fprintf(w, "\t\t%s\n", zshItem(h.name, h.short))
	}
	fmt.Fprint(w, `	)
	if (( CURRENT == 2 )); then
		_describe -t commands 'art35 command' cmds
		return
	fi
	case $words[2] in
	help) (( CURRENT == 3 )) && _describe -t commands 'art35 command' cmds; return ;;
`)
	for _, h := range hs {
		fmt.Fprintf(w, "\t%s)\n\t\tsubs=(", h.name)
		for _, s := range h.subs {
			fmt.Fprintf(w, " %s", zshItem(s.name, s.short))
		}
		fmt.Fprint(w, " )\n\t\tflags=(")
		for _, f := range h.flags {
			fmt.Fprintf(w, " %s", zshItem("--"+f.name, f.usage))
		}
		fmt.Fprint(w, " ) ;;\n")
	}
	fmt.Fprint(w, `	esac
	if (( ${#subs} )); then
		if (( CURRENT == 3 )); then
			_describe -t subcommands 'subcommand' subs
			return
		fi
		case "$words[2] $words[3]" in
`)
	for _, h := range hs {
		for _, s := range h.subs {
			fmt.Fprintf(w, "\t\t%s) flags=(", shQuote(h.name+" "+s.name))
			for _, f := range s.flags {
				fmt.Fprintf(w, " %s", zshItem("--"+f.name, f.usage))
			}
			fmt.Fprint(w, " ) ;;\n")
		}
	}
	fmt.Fprint(w, `		esac
	fi
	if [[ $PREFIX == -* ]] && (( ${#flags} )); then
		_describe -t flags 'flag' flags
	else
		_files
	fi
}
if [ "$funcstack[1]" = "_art35" ]; then
	_art35 "$@"
else
	compdef _art35 art35
fi
`)
}

func writeFish(w io.Writer, hs []cmdHelp) {
	fmt.Fprint(w, "# fish completion for art35, generated by \"art35 completion fish\" from the commands' help.\n")
	var all []string
	for _, h := range hs {
		all = append(all, h.name)
	}
	fmt.Fprint(w, "complete -c art35 -n __fish_use_subcommand -f -a help -d 'show the help of a command'\n")
	fmt.Fprintf(w, "complete -c art35 -n '__fish_seen_subcommand_from help' -f -a %s\n", shQuote(strings.Join(all, " ")))
	flagLine := func(cond string, f flagHelp) {
		fmt.Fprintf(w, "complete -c art35 -n %s -l %s", shQuote(cond), f.name)
		if f.value {
			fmt.Fprint(w, " -r")
		}
		if f.usage != "" {
			fmt.Fprintf(w, " -d %s", shQuote(f.usage))
		}
		fmt.Fprintln(w)
	}
	for _, h := range hs {
		fmt.Fprintf(w, "\n# %s\n", h.name)
		fmt.Fprintf(w, "complete -c art35 -n __fish_use_subcommand -f -a %s -d %s\n", h.name, shQuote(h.short))
		in := "__fish_seen_subcommand_from " + h.name
		var subNames []string
		for _, s := range h.subs {
			subNames = append(subNames, s.name)
		}
		for _, s := range h.subs {
			fmt.Fprintf(w, "complete -c art35 -n %s -f -a %s -d %s\n",
				shQuote(in+"; and not __fish_seen_subcommand_from "+strings.Join(subNames, " ")), s.name, shQuote(s.short))
		}
		for _, f := range h.flags {
			flagLine(in, f)
		}
		for _, s := range h.subs {
			for _, f := range s.flags {
				flagLine(in+"; and __fish_seen_subcommand_from "+s.name, f)
			}
		}
	}
}
