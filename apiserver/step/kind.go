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
// (or CreateAt) and Change over a Kind; a step of another shape on one
// object uses On, and any other Run.
type Kind[T any] struct {
	// Name is the audit log's object type, e.g. "proposal".
	Name   string
	Get    func(context.Context, bun.IDB, int64) (T, error)
	Insert func(context.Context, bun.IDB, T) error
	// Update writes a changed object; from is its Facts' State as it was
	// read, for the kinds whose updates are guarded by it rather than by a
	// version.
	Update func(ctx context.Context, db bun.IDB, x T, from string) error
	// Facts is what the steps need to know of an object.
	Facts func(T) Facts
	// Image is what the audit log keeps of an object before and after.
	Image func(T) map[string]any

	tell func(x T, rec *Record) // see Telling
}

// Facts are what the steps need to know of a stored object besides its
// image.
type Facts struct {
	ID int64
	// Scope is where the object belongs — an area, an institution — and so
	// where the policy is asked; "" for the whole region.
	Scope string
	// State is the object's state, for an Update guarded by it.
	State string
	// Public says whether the object's entries are for everyone.
	Public bool
	// Owner is the account the object concerns (its sender, its filer); 0
	// for none.
	Owner int64
}

// Keeping is the kind for a step that keeps another image of its objects,
// before and after, than the kind does: the attendance of a meeting it
// records, the little it changes.
func (k Kind[T]) Keeping(image func(T) map[string]any) Kind[T] {
	k.Image = image
	return k
}

// Telling is the kind for a step whose audit entry says more of its object
// than the images do: tell adds to the record of the object made or
// changed, once it is stored — keys of the after image (the minutes, a
// review, the documents), accounts the change also concerns. Tellings add
// up, in the order given.
func (k Kind[T]) Telling(tell func(x T, rec *Record)) Kind[T] {
	if told := k.tell; told != nil {
		k.tell = func(x T, rec *Record) { told(x, rec); tell(x, rec) }
	} else {
		k.tell = tell
	}
	return k
}

// scope is where the policy is asked about x.
func (k Kind[T]) scope(r *Region, x T) string {
	if s := k.Facts(x).Scope; s != "" {
		return s
	}
	return r.Root
}

// record is the audit record of a change of x under p.
func (k Kind[T]) record(r *Region, p policies.Permission, x T, before map[string]any) Record {
	f := k.Facts(x)
	rec := Record{Action: p, ObjectType: k.Name, ObjectID: strconv.FormatInt(f.ID, 10), Before: before, After: k.Image(x), Public: f.Public, Scope: k.scope(r, x)}
	if f.Owner != 0 {
		rec.Concerns = []int64{f.Owner}
	}
	if k.tell != nil {
		k.tell(x, &rec)
	}
	return rec
}

// Audit records the change of x under p in t, as Change records its own,
// for a step that changes an object of the kind beside the one it is about
// (before is what the kind's image was).
func (k Kind[T]) Audit(t *Tx, p policies.Permission, x T, before map[string]any) {
	t.Audit(k.record(t.Region, p, x, before))
}

// Add stores x and audits it under p, as Create does, for a step that makes
// an object of the kind beside the one it is about: the CSR request a
// Musrenbang's decision makes, the programme an idea becomes.
func (k Kind[T]) Add(ctx context.Context, t *Tx, p policies.Permission, x T) error {
	if err := k.Insert(ctx, t, x); err != nil {
		return err
	}
	k.Audit(t, p, x, nil)
	return nil
}

// Create is a step that makes an object: make builds it from the step's
// input (the domain's rules refuse bad input there), the policy is asked for
// p where the object will belong, and the object is stored and audited.
func Create[T any](ctx context.Context, r *Region, a Actor, k Kind[T], p policies.Permission, make func(ctx context.Context, t *Tx) (T, error)) (T, error) {
	return create(ctx, r, a, k, p, nil, make)
}

// CreateAt is Create for a step that is decided before anything is made: the
// policy is asked for p at scope — the whole region, or the place the input
// names — and only then does make build the object, knowing the decision
// (Tx.Decision) and reading what it needs. The object's entry still names
// the scope where the object belongs.
func CreateAt[T any](ctx context.Context, r *Region, a Actor, k Kind[T], p policies.Permission, scope string, make func(ctx context.Context, t *Tx) (T, error)) (T, error) {
	return create(ctx, r, a, k, p, &scope, make)
}

// create is Create, deciding at the scope at, when given, before make.
func create[T any](ctx context.Context, r *Region, a Actor, k Kind[T], p policies.Permission, at *string, make func(ctx context.Context, t *Tx) (T, error)) (T, error) {
	var x T
	err := Run(ctx, r, a, func(ctx context.Context, t *Tx) error {
		if at != nil {
			if err := t.Require(p, *at); err != nil {
				return err
			}
		}
		var err error
		if x, err = make(ctx, t); err != nil {
			return err
		}
		if at == nil {
			if err := t.Require(p, k.scope(r, x)); err != nil {
				return err
			}
		}
		return k.Add(ctx, t, p, x)
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
		if x, err = k.load(ctx, t, id, p); err != nil {
			return err
		}
		before, from := k.Image(x), k.Facts(x).State
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

// On is a step on one stored object of another shape than Change: the
// object is loaded and the policy asked for p at its scope, as for Change,
// and fn does the rest — writes and records what the step changes (a
// Musrenbang's decision on a proposal, a report on a proposal, a
// contribution to a programme).
func On[T any](ctx context.Context, r *Region, a Actor, k Kind[T], id int64, p policies.Permission, fn func(ctx context.Context, t *Tx, x T) error) error {
	return Run(ctx, r, a, func(ctx context.Context, t *Tx) error {
		x, err := k.load(ctx, t, id, p)
		if err != nil {
			return err
		}
		return fn(ctx, t, x)
	})
}

// load reads the object of the kind with the id in a step — a missing one
// is partnership.ErrNotFound — and asks the policy for p at its scope.
func (k Kind[T]) load(ctx context.Context, t *Tx, id int64, p policies.Permission) (T, error) {
	x, err := k.Get(ctx, t, id)
	if err != nil {
		return x, err
	}
	return x, t.Require(p, k.scope(t.Region, x))
}

// Versioned adapts a store's update guarded by the object's version to a
// Kind's Update.
func Versioned[T any](update func(context.Context, bun.IDB, T) error) func(context.Context, bun.IDB, T, string) error {
	return func(ctx context.Context, db bun.IDB, x T, _ string) error { return update(ctx, db, x) }
}

// Guarded adapts a store's update guarded by the object's state as it was
// read (of the state type S) to a Kind's Update.
func Guarded[T any, S ~string](update func(context.Context, bun.IDB, T, S) error) func(context.Context, bun.IDB, T, string) error {
	return func(ctx context.Context, db bun.IDB, x T, from string) error { return update(ctx, db, x, S(from)) }
}
