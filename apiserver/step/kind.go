package step

import (
	"context"
	"strconv"

	"github.com/uptrace/bun"

	"pilar.id/pilar/policies"
)

// Kind is how the steps that make or change one kind of stored object —
// a proposal, a finding, a CSR plan — find it, keep it and tell the audit
// log about it. Most steps are one of two shapes, written once as Create
// and Change over a Kind; a step of another shape uses Run.
type Kind[T any] struct {
	// Name is the audit log's object type, e.g. "proposal".
	Name   string
	Get    func(context.Context, bun.IDB, int64) (T, error)
	Insert func(context.Context, bun.IDB, T) error
	// Update writes a changed object; from is its State as it was read, for
	// the kinds whose updates are guarded by it rather than by a version.
	Update func(ctx context.Context, db bun.IDB, x T, from string) error
	ID     func(T) int64
	// Scope is where an object belongs — an area, an institution — and so
	// where the policy is asked; "" (or a nil Scope) for the whole region.
	Scope func(T) string
	// State is an object's state, for Update; nil when Update needs none.
	State func(T) string
	// Image is what the audit log keeps of an object before and after.
	Image func(T) map[string]any
	// Public says whether an object's entries are for everyone; nil: none is.
	Public func(T) bool
	// Owner is the account an object concerns (its sender, its filer); nil
	// or 0 for none.
	Owner func(T) int64
}

// scope is where the policy is asked about x.
func (k Kind[T]) scope(r *Region, x T) string {
	if k.Scope != nil {
		if s := k.Scope(x); s != "" {
			return s
		}
	}
	return r.Root
}

// record is the audit record of a change of x under p.
func (k Kind[T]) record(r *Region, p policies.Permission, x T, before map[string]any) Record {
	rec := Record{Action: p, ObjectType: k.Name, ObjectID: strconv.FormatInt(k.ID(x), 10), Before: before, After: k.Image(x), Scope: k.scope(r, x)}
	if k.Public != nil {
		rec.Public = k.Public(x)
	}
	if k.Owner != nil {
		rec.Concerns = []int64{k.Owner(x)}
	}
	return rec
}

// Create is a step that makes an object: make builds it from the step's
// input (the domain's rules refuse bad input there), the policy is asked for
// p where the object will belong, and the object is stored and audited.
func Create[T any](ctx context.Context, r *Region, a Actor, k Kind[T], p policies.Permission, make func(ctx context.Context, t *Tx) (T, error)) (T, error) {
	var x T
	err := Run(ctx, r, a, func(ctx context.Context, t *Tx) error {
		var err error
		if x, err = make(ctx, t); err != nil {
			return err
		}
		if err := t.Require(p, k.scope(r, x)); err != nil {
			return err
		}
		if err := k.Insert(ctx, t, x); err != nil {
			return err
		}
		t.Audit(k.record(r, p, x, nil))
		return nil
	})
	return x, err
}

// Change is a step on one stored object: it is loaded (a missing one is
// partnership.ErrNotFound), the policy is asked for p at its scope, change
// applies the object rules and the domain's (and writes whatever else the
// step writes), and the object is stored — refused if it changed since it
// was read — and audited as it was and as it became.
func Change[T any](ctx context.Context, r *Region, a Actor, k Kind[T], id int64, p policies.Permission, change func(ctx context.Context, t *Tx, x T) error) (T, error) {
	var x T
	err := Run(ctx, r, a, func(ctx context.Context, t *Tx) error {
		var err error
		if x, err = k.Get(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(p, k.scope(r, x)); err != nil {
			return err
		}
		before, from := k.Image(x), ""
		if k.State != nil {
			from = k.State(x)
		}
		if err := change(ctx, t, x); err != nil {
			return err
		}
		if err := k.Update(ctx, t, x, from); err != nil {
			return err
		}
		t.Audit(k.record(r, p, x, before))
		return nil
	})
	return x, err
}

// Versioned adapts a store's update guarded by the object's version to a
// Kind's Update.
func Versioned[T any](update func(context.Context, bun.IDB, T) error) func(context.Context, bun.IDB, T, string) error {
	return func(ctx context.Context, db bun.IDB, x T, _ string) error { return update(ctx, db, x) }
}
