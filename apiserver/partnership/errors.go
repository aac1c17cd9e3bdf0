package partnership

import (
	"errors"
	"fmt"
)

// The categories every error of Pilar unwraps to. The web layer maps each to
// one HTTP status, in one place.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid")
	ErrConflict        = errors.New("conflict")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("not signed in")
	ErrThrottled       = errors.New("too many attempts")
)

// FieldError is bad input: the field it concerns and why it was refused.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap makes every FieldError an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Invalid returns a FieldError for the field, its reason formatted from the arguments.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
