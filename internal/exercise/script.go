package exercise

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/art35/art35/internal/apperr"
)

// ScriptHeader is the first line of every exercise script.
const ScriptHeader = "art35-exercise-script v1"

// Limits of a script (docs/exercises.md).
const (
	MaxScript     = 64 << 10 // bytes
	MaxScriptLine = 512      // bytes of one line
	MaxInjects    = 500
	MaxMinute     = 7 * 24 * 60 // a week: an envelope lives at most 30 days, an exercise 31
)

// Inject kinds.
const (
	InjectPreserve  = "preserve"  // a preservation request (Art. 29)
	InjectEmergency = "emergency" // an emergency-disclosure request (Protocol Art. 9)
	InjectPing      = "ping"      // a ping challenge a person must answer
)

// Script is a parsed exercise script: the exercise it belongs to and its
// injects in the order they are played (by minute, then as written).
type Script struct {
	Exercise string   `json:"exercise"`
	Injects  []Inject `json:"injects"`
}

// Inject is one event of a script.
type Inject struct {
	Line     int           `json:"line"`
	Minute   int           `json:"minute"`
	Kind     string        `json:"kind"`
	Target   string        `json:"target"`             // authority id of a participant
	Priority string        `json:"priority,omitempty"` // preserve: urgent (default) or routine
	Window   time.Duration `json:"window,omitempty"`   // ping: the answer window (default 30m)
}

func scriptErr(line int, field, rule, fix string, args ...any) error {
	return apperr.Errorf(apperr.EInvalid, "exercise script line %d: %s: "+rule+" (fix: %s)", append(append([]any{line, field}, args...), fix)...)
}

// ParseScript reads an exercise script strictly:
//
//	art35-exercise-script v1
//	exercise EX-2026-BLUE
//	# minute  kind       target  options
//	at 0      preserve   IT-247
//	at 5      emergency  FR-247
//	at 12     ping       IT-247  window=15m
//
// Blank lines and lines starting with # are ignored. Anything else that
// is not exactly one of these forms is refused, naming the line, the
// field, the rule and the fix.
func ParseScript(data []byte) (*Script, error) {
	if len(data) > MaxScript {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise script: %d bytes; at most %d (fix: split it into several exercises)", len(data), MaxScript)
	}
	if !utf8.Valid(data) {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise script: not valid UTF-8 (fix: save it as UTF-8 text)")
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, MaxScriptLine+2), MaxScriptLine+2)
	var (
		s          Script
		n          int
		sawHeader  bool
		sawSetting bool
	)
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if len(line) > MaxScriptLine {
			return nil, scriptErr(n, "line", "has %d bytes; at most %d", "shorten it", len(line), MaxScriptLine)
		}
		for _, r := range line {
			if unicode.IsControl(r) && r != '\t' {
				return nil, scriptErr(n, "line", "holds the control character %U", "remove it", r)
			}
		}
		text := strings.TrimSpace(line)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if !sawHeader {
			if text != ScriptHeader {
				return nil, scriptErr(n, "header", "the first line is %q, not %q", "start the file with "+ScriptHeader, text, ScriptHeader)
			}
			sawHeader = true
			continue
		}
		f := strings.Fields(text)
		switch f[0] {
		case "exercise":
			if sawSetting {
				return nil, scriptErr(n, "exercise", "is given twice", "name the exercise once")
			}
			if len(f) != 2 || !idPattern.MatchString(f[1]) {
				return nil, scriptErr(n, "exercise", "must be one exercise id (3-40 characters of A-Z, 0-9 and -)", "write: exercise EX-2026-BLUE")
			}
			if len(s.Injects) > 0 {
				return nil, scriptErr(n, "exercise", "comes after an inject", "name the exercise before the first inject")
			}
			s.Exercise, sawSetting = f[1], true
		case "at":
			in, err := parseInject(n, f)
			if err != nil {
				return nil, err
			}
			if len(s.Injects) == MaxInjects {
				return nil, scriptErr(n, "at", "more than %d injects", "split the script", MaxInjects)
			}
			s.Injects = append(s.Injects, in)
		default:
			return nil, scriptErr(n, "line", "starts with %q, which is not exercise, at or #", "write one of: exercise ID, at MINUTE KIND TARGET [OPTION=VALUE...]", f[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, scriptErr(n+1, "line", "is longer than %d bytes", "shorten it", MaxScriptLine)
	}
	if !sawHeader {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise script: empty (fix: start the file with %s)", ScriptHeader)
	}
	if !sawSetting {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise script: exercise: missing (fix: add the line 'exercise ID' after the header)")
	}
	if len(s.Injects) == 0 {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise script: no inject (fix: add lines 'at MINUTE KIND TARGET')")
	}
	slices.SortStableFunc(s.Injects, func(a, b Inject) int { return a.Minute - b.Minute })
	return &s, nil
}

func parseInject(n int, f []string) (Inject, error) {
	if len(f) < 4 {
		return Inject{}, scriptErr(n, "at", "needs a minute, a kind and a target", "write: at 5 preserve IT-247")
	}
	in := Inject{Line: n, Kind: f[2], Target: f[3]}
	m, err := strconv.Atoi(f[1])
	if err != nil || m < 0 || m > MaxMinute || strconv.Itoa(m) != f[1] {
		return Inject{}, scriptErr(n, "minute", "%q is not a whole number of minutes from 0 to %d", "write the minute after the start, e.g. 12", f[1], MaxMinute)
	}
	in.Minute = m
	switch in.Kind {
	case InjectPreserve, InjectEmergency, InjectPing:
	default:
		return Inject{}, scriptErr(n, "kind", "%q is not preserve, emergency or ping", "use one of those kinds", in.Kind)
	}
	if !authorityPattern.MatchString(in.Target) {
		return Inject{}, scriptErr(n, "target", "%q is not an authority id", "use the participant's authority id, e.g. IT-247", in.Target)
	}
	seen := map[string]bool{}
	for _, opt := range f[4:] {
		k, v, ok := strings.Cut(opt, "=")
		if !ok || v == "" {
			return Inject{}, scriptErr(n, "option", "%q is not NAME=VALUE", "write e.g. window=15m", opt)
		}
		if seen[k] {
			return Inject{}, scriptErr(n, k, "is given twice", "give it once")
		}
		seen[k] = true
		switch {
		case k == "priority" && in.Kind == InjectPreserve:
			if v != "urgent" && v != "routine" {
				return Inject{}, scriptErr(n, "priority", "%q is not urgent or routine", "use urgent or routine (an emergency is its own kind)", v)
			}
			in.Priority = v
		case k == "window" && in.Kind == InjectPing:
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute || d > 24*time.Hour || d%time.Minute != 0 {
				return Inject{}, scriptErr(n, "window", "%q is not a whole number of minutes from 1m to 24h", "write e.g. window=15m", v)
			}
			in.Window = d
		default:
			return Inject{}, scriptErr(n, "option", "%q is not an option of a %s inject", "priority= for preserve, window= for ping", k, in.Kind)
		}
	}
	if in.Kind == InjectPreserve && in.Priority == "" {
		in.Priority = "urgent"
	}
	if in.Kind == InjectPing && in.Window == 0 {
		in.Window = 30 * time.Minute
	}
	return in, nil
}

// String writes the script back in its file form (ParseScript reads it
// to the same Script).
func (s *Script) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nexercise %s\n", ScriptHeader, s.Exercise)
	for _, in := range s.Injects {
		fmt.Fprintf(&b, "at %d %s %s", in.Minute, in.Kind, in.Target)
		switch in.Kind {
		case InjectPreserve:
			fmt.Fprintf(&b, " priority=%s", in.Priority)
		case InjectPing:
			fmt.Fprintf(&b, " window=%dm", int(in.Window/time.Minute))
		}
		b.WriteString("\n")
	}
	return b.String()
}
