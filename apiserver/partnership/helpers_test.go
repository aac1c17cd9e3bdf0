package partnership

import (
	"errors"
	"slices"
	"testing"
)

// invalidOn reports whether err is bad input on the field named.
func invalidOn(err error, field string) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Field == field
}

// A fieldCase edits a valid input so that it is refused on the field.
type fieldCase[T any] struct {
	name  string
	edit  func(*T)
	field string
}

// checkFields makes each case's edit to a copy of good and checks that try
// refuses the result on the case's field.
func checkFields[T any](t *testing.T, good T, cases []fieldCase[T], try func(T) error) {
	t.Helper()
	for _, tt := range cases {
		in := good
		tt.edit(&in)
		if err := try(in); !invalidOn(err, tt.field) {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
	}
}

// checkTransitions runs every move of a machine from every state: each is
// allowed exactly when the machine lists it, a refusal is a conflict, and a
// refused move leaves the state as it was.
func checkTransitions[S ~string](t *testing.T, m machine[S], try func(from, to S) (S, error)) {
	t.Helper()
	states := m.States()
	for _, from := range states {
		for _, to := range states {
			got, err := try(from, to)
			if allowed := m.Allows(from, to); allowed != (err == nil) {
				t.Errorf("%s → %s: allowed %v, got %v", from, to, allowed, err)
			}
			if err != nil && !errors.Is(err, ErrConflict) {
				t.Errorf("%s → %s: refused with %v, want a conflict", from, to, err)
			}
			if err != nil && got != from {
				t.Errorf("%s → %s: a refused move changed the state to %s", from, to, got)
			}
			if err == nil && got != to {
				t.Errorf("%s → %s: the move ended in %s", from, to, got)
			}
		}
	}
}

// checkMachine checks that the machine has the states, sorted, and allows
// a move between two of them exactly when allowed says, refusing the others
// as a conflict.
func checkMachine[S ~string](t *testing.T, m machine[S], object string, states []S, allowed map[[2]S]bool) {
	t.Helper()
	if got := m.States(); !slices.Equal(got, states) {
		t.Fatalf("states %v, want %v", got, states)
	}
	for _, from := range states {
		for _, to := range states {
			want := allowed[[2]S{from, to}]
			err := m.Check(object, from, to)
			if want && err != nil {
				t.Errorf("%s → %s refused: %v", from, to, err)
			}
			if !want && !errors.Is(err, ErrConflict) {
				t.Errorf("%s → %s: %v, want a conflict", from, to, err)
			}
		}
	}
}
