package partnership

import "fmt"

// Allocation is an institution's allocation for a fiscal year: spent in kind on
// its funded activities, never paid out in cash.
type Allocation struct {
	Institution string `json:"institution"`
	FiscalYear  int    `json:"fiscalYear"`
	Amount      Rupiah `json:"amount"`
	Committed   Rupiah `json:"committed"`
}

// Remaining is what is left to commit.
func (a Allocation) Remaining() Rupiah { return a.Amount - a.Committed }

// OverAllocationError refuses a commitment the allocation cannot bear, with the figures.
type OverAllocationError struct {
	Allocation Allocation
	Cost       Rupiah
}

func (e *OverAllocationError) Error() string {
	a := e.Allocation
	return fmt.Sprintf("the allocation of %s for %d is %s, of which %s is committed: %s remains, and this costs %s",
		a.Institution, a.FiscalYear, a.Amount, a.Committed, a.Remaining(), e.Cost)
}

// Unwrap makes an over-allocation a conflict.
func (e *OverAllocationError) Unwrap() error { return ErrConflict }

// Details gives the figures to a client.
func (e *OverAllocationError) Details() map[string]any {
	return map[string]any{"allocation": e.Allocation.Amount, "committed": e.Allocation.Committed, "remaining": e.Allocation.Remaining(), "cost": e.Cost}
}

// Commit checks that the allocation bears a further cost (which may be
// negative, releasing part of it) and returns the allocation after it.
func (a Allocation) Commit(cost Rupiah) (Allocation, error) {
	if cost > a.Remaining() {
		return a, &OverAllocationError{Allocation: a, Cost: cost}
	}
	a.Committed += cost
	if a.Committed < 0 {
		return a, fmt.Errorf("%w: releasing %s would leave the allocation of %s below zero", ErrConflict, -cost, a.Institution)
	}
	return a, nil
}
