// Package fault holds the typed errors that every layer returns and that the
// edges (api, web, cli) translate once into a status, a page or an exit code.
package fault

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says what went wrong, independent of transport.
type Kind int

// The kinds of failure the domain reports.
const (
	KindInternal     Kind = iota
	KindBadRequest        // malformed input: bad JSON, bad filter, bad page token
	KindUnauthorized      // no or invalid credentials
	KindForbidden         // authenticated but not allowed
	KindNotFound          // missing, or not visible to the caller
	KindConflict          // unique value taken, concurrent change
	KindStale             // If-Match version does not match
	KindTooLarge          // body over the limit
	KindInvalid           // validation failed, with field errors
	KindRateLimited       // too many attempts
)

// FieldError names one bad field and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type the layers exchange.
type Error struct {
	Kind   Kind
	Msg    string
	Fields []FieldError
	// RetryAfter is set on KindRateLimited, in seconds.
	RetryAfter int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Msg
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Msg + ": " + strings.Join(parts, "; ")
}

// Is lets errors.Is(err, fault.ErrNotFound) match any error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is checks.
var (
	ErrNotFound  = &Error{Kind: KindNotFound}
	ErrConflict  = &Error{Kind: KindConflict}
	ErrForbidden = &Error{Kind: KindForbidden}
	ErrInvalid   = &Error{Kind: KindInvalid}
	ErrStale     = &Error{Kind: KindStale}
)

// NotFound reports a missing thing.
func NotFound(format string, a ...any) error {
	return &Error{Kind: KindNotFound, Msg: fmt.Sprintf(format, a...)}
}

// BadRequest reports malformed input.
func BadRequest(format string, a ...any) error {
	return &Error{Kind: KindBadRequest, Msg: fmt.Sprintf(format, a...)}
}

// Forbidden reports a permission refusal.
func Forbidden(format string, a ...any) error {
	return &Error{Kind: KindForbidden, Msg: fmt.Sprintf(format, a...)}
}

// Unauthorized reports missing or wrong credentials.
func Unauthorized(format string, a ...any) error {
	return &Error{Kind: KindUnauthorized, Msg: fmt.Sprintf(format, a...)}
}

// Conflict reports a taken unique value on field (may be empty).
func Conflict(field, format string, a ...any) error {
	e := &Error{Kind: KindConflict, Msg: fmt.Sprintf(format, a...)}
	if field != "" {
		e.Fields = []FieldError{{Field: field, Message: e.Msg}}
	}
	return e
}

// Stale reports a failed If-Match precondition.
func Stale(format string, a ...any) error {
	return &Error{Kind: KindStale, Msg: fmt.Sprintf(format, a...)}
}

// TooLarge reports a request body over the limit.
func TooLarge(format string, a ...any) error {
	return &Error{Kind: KindTooLarge, Msg: fmt.Sprintf(format, a...)}
}

// Invalid reports validation failures, one per field.
func Invalid(fields ...FieldError) error {
	return &Error{Kind: KindInvalid, Msg: "validation failed", Fields: fields}
}

// RateLimited reports too many attempts; retry after the given seconds.
func RateLimited(retryAfter int, format string, a ...any) error {
	return &Error{Kind: KindRateLimited, Msg: fmt.Sprintf(format, a...), RetryAfter: retryAfter}
}

// As returns the *Error inside err, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the kind of err; plain errors are internal.
func KindOf(err error) Kind {
	if e := As(err); e != nil {
		return e.Kind
	}
	return KindInternal
}
