package partnership

import (
	"fmt"
	"slices"
)

// A machine is a state machine: each state and the states it may move to.
// Every workflow object of the domain moves through one, and every move is
// checked against it; a state missing from the map is final.
type machine[S ~string] map[S][]S

// Allows reports whether an object may move from one state to another.
func (m machine[S]) Allows(from, to S) bool { return slices.Contains(m[from], to) }

// Check refuses a move the machine does not allow, naming the object, where it
// is and where it was asked to go.
func (m machine[S]) Check(object string, from, to S) error {
	if m.Allows(from, to) {
		return nil
	}
	return fmt.Errorf("%w: %s is %s and cannot become %s", ErrConflict, object, from, to)
}

// States lists every state the machine knows, for table tests.
func (m machine[S]) States() []S {
	seen := map[S]bool{}
	var out []S
	for from, tos := range m {
		for _, s := range append([]S{from}, tos...) {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}
