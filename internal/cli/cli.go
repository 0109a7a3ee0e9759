// Package cli is the presentation side of the art35 command: how a rich
// result (a party of the directory, a case, an attribution, a triage
// report, statistics) is printed for a person at a terminal or as JSON
// for a script, and the errors that carry a command's exit status.
// cmd/art35 parses flags, calls one function of a domain package, and
// prints through this package; the tests of the printing live here.
package cli

import (
	"encoding/json"
	"fmt"
	"io"
)

// ExitUsage is the exit status of a bad command line; the others are
// apperr's (apperr.ExitCode).
const ExitUsage = 2

// UsageError is a bad command line: the command exits with status 2 and
// points at its -h.
type UsageError struct{ Msg string }

func (u UsageError) Error() string { return u.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ExitError carries an exit status for a command that has already printed
// its result (for example "request validate" listing problems).
type ExitError struct{ Code int }

func (s ExitError) Error() string { return fmt.Sprintf("exit status %d", s.Code) }

// WriteJSON prints v as indented JSON, HTML characters left as they are
// (a script reads it, not a browser).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// JSONUnlessErr is err when there is one, else v printed as one line of
// JSON when asJSON (the form the privacy commands print).
func JSONUnlessErr(w io.Writer, v any, err error, asJSON bool) error {
	if err != nil || !asJSON {
		return err
	}
	return json.NewEncoder(w).Encode(v)
}

// WriteJSONList is WriteJSON for a list: an empty list prints [], never
// null, so a script can always range over it.
func WriteJSONList[T any](w io.Writer, list []T) error {
	if list == nil {
		list = []T{}
	}
	return WriteJSON(w, list)
}

// Show prints the result v of a call that returned err: nothing when err
// is not nil (the command exits with it), else v as JSON when asJSON,
// else what text prints.
func Show(w io.Writer, asJSON bool, v any, err error, text func() error) error {
	if err != nil {
		return err
	}
	if asJSON {
		return WriteJSON(w, v)
	}
	return text()
}

// ShowList is Show for a list, which prints as [] when empty, never null.
func ShowList[T any](w io.Writer, asJSON bool, list []T, err error, text func() error) error {
	if err != nil || !asJSON {
		return Show(w, false, nil, err, text)
	}
	return WriteJSONList(w, list)
}
