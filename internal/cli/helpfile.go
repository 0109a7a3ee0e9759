package cli

import (
	"fmt"
	"strings"
)

// ParseHelp reads a command's help file (cmd/art35/help/NAME.txt): its
// first line is the one line of "art35 help", then comes the usage
// ("usage: art35 ...", continued on indented lines), a blank line and the
// long help, if any. Each {{key}} in the text is replaced by vars[key].
func ParseHelp(name, text string, vars map[string]string) (*Help, error) {
	for k, v := range vars {
		text = strings.ReplaceAll(text, "{{"+k+"}}", v)
	}
	head, long, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(strings.TrimRight(head, "\n"), "\n")
	if len(lines) < 2 || lines[0] == "" || !strings.HasPrefix(lines[1], "usage: art35 ") {
		return nil, fmt.Errorf("help of %s: want a first line with its summary, then \"usage: art35 %s ...\"", name, name)
	}
	for _, l := range lines[2:] {
		if !strings.HasPrefix(l, " ") {
			return nil, fmt.Errorf("help of %s: usage line %q: continue the usage on indented lines, and leave a blank line before the long help", name, l)
		}
	}
	usage := strings.TrimPrefix(strings.Join(lines[1:], "\n"), "usage: art35 ")
	if strings.Contains(long, "{{") {
		return nil, fmt.Errorf("help of %s: a {{...}} placeholder is left unreplaced", name)
	}
	return &Help{Name: name, Short: lines[0], Usage: usage, Long: long}, nil
}
