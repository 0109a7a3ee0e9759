// Package apperr defines art35's application errors: a small set of codes
// that every layer (storage, domain, CLI, HTTP API) agrees on, so that a
// driver error or a validation failure reaches the user as one stable code
// with a message that says what to fix.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Codes. They are stable strings because they travel in JSON answers and in
// scripts that check them.
const (
	EInvalid      = "invalid"      // input breaks a rule; the message names field, rule and fix
	ENotFound     = "not_found"    // the thing asked for does not exist
	EConflict     = "conflict"     // it exists already, or a concurrent change won
	EUnauthorized = "unauthorized" // the caller is not who it claims or may not do this
	EInternal     = "internal"     // a bug or an environment failure; details are logged
	ELimited      = "limited"      // too many requests or too much load now; retry after a while
)

// Error is an application error with a code, a human message and the error
// that caused it (kept for logs and errors.Is/As, not shown to end users).
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Message != "" && e.Err != nil:
		return e.Message + ": " + e.Err.Error()
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Code
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an Error with the given code around cause.
func Wrap(code string, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// Code returns the code of the first *Error in err's chain, EInternal for any
// other non-nil error, and "" for nil.
func Code(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Is reports whether err carries the given code.
func Is(err error, code string) bool { return err != nil && Code(err) == code }

// HTTPStatus maps a code to the HTTP status an API answers with. This is the
// one place where that mapping lives.
func HTTPStatus(code string) int {
	switch code {
	case EInvalid:
		return http.StatusBadRequest
	case ENotFound:
		return http.StatusNotFound
	case EConflict:
		return http.StatusConflict
	case EUnauthorized:
		return http.StatusUnauthorized
	case ELimited:
		return http.StatusTooManyRequests
	case "":
		return http.StatusOK
	}
	return http.StatusInternalServerError
}

// ExitCode maps a code to the process exit status of the art35 command:
// 1 for a rule the input broke, 3 for not found, 4 for conflict, 5 for
// unauthorized, 6 for limited, 10 for internal. 2 is kept for command-line usage errors.
func ExitCode(code string) int {
	switch code {
	case "":
		return 0
	case EInvalid:
		return 1
	case ENotFound:
		return 3
	case EConflict:
		return 4
	case EUnauthorized:
		return 5
	case ELimited:
		return 6
	}
	return 10
}
