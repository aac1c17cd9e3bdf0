package step

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/policies"
)

// ErrNoDecision refuses a step that asked the region's policy for no
// decision before changing anything: a defect of the step, never of its input.
var ErrNoDecision = errors.New("step: a step ran without a decision of the region's policy")

// Tx is one step's transaction: the database to read and write in, who acts,
// the step's time, and what it has decided and recorded so far. It is a
// bun.IDB, so the store's functions take it as they take a database.
type Tx struct {
	bun.Tx
	Region *Region
	Actor  Actor
	// Now is the step's time, read once when it starts.
	Now time.Time

	decision *authz.Decision // the first decision: the one the audit entries cite
	records  []Record
}

// Require asks the region's policy whether the actor may use p on an object
// at scope, and refuses the step when not: ErrUnauthenticated for an
// anonymous visitor, ErrForbidden for anyone else. The step's first decision
// is the one its audit entries cite.
func (t *Tx) Require(p policies.Permission, scope string) error {
	d, err := t.Region.Must(t.Actor, p, scope)
	if err != nil {
		return err
	}
	if t.decision == nil {
		t.decision = &d
	}
	return nil
}

// Decision is the step's first decision; the zero Decision before any.
func (t *Tx) Decision() authz.Decision {
	if t.decision == nil {
		return authz.Decision{}
	}
	return *t.decision
}

// Record is what a step tells the audit log, and its listeners, about one
// object it changed.
type Record struct {
	Action        policies.Permission // the permission exercised
	ObjectType    string
	ObjectID      string
	Before, After map[string]any
	// Public entries are readable by everyone; the rest by auditors only.
	Public bool
	// Scope is where the object belongs (an area, an institution); the
	// scope of the step's decision when empty.
	Scope string
	// Concerns are the accounts the change concerns beyond the actor: whose
	// aspiration was answered, whose registration decided.
	Concerns []int64
}

// Audit records a change for the audit log. The entries are appended, in the
// order recorded, as the transaction's last statements (appending locks the
// log's head until the transaction ends), citing the step's decision.
func (t *Tx) Audit(rec Record) { t.records = append(t.records, rec) }

// Event is a committed change, as the region's listeners are told of it:
// one per audit entry of the step.
type Event struct {
	Region     string // the region's slug; "" on the platform
	Seq        int64  // the audit entry that records it
	At         time.Time
	Actor      string // as the audit log names it
	Action     policies.Permission
	ObjectType string
	ObjectID   string
	Scope      string
	Public     bool
	// State is the object's state after the change, when it has one.
	State    string
	Concerns []int64
}

// Listener is told the events of each committed step, after the commit: a
// listener's failure cannot undo the change, and a rolled-back step tells
// nobody anything.
type Listener interface {
	Committed(ctx context.Context, events []Event)
}

// Run takes a step: fn in one transaction, then the audit entries fn
// recorded, then the commit, then the events to the region's listener. fn
// must have asked the policy (Tx.Require) before it returns nil; a step that
// did not is rolled back with ErrNoDecision. Run returns fn's error as it is.
func Run(ctx context.Context, r *Region, a Actor, fn func(ctx context.Context, t *Tx) error) error {
	var t *Tx
	var events []Event
	err := r.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t = &Tx{Tx: tx, Region: r, Actor: a, Now: r.Clock()}
		events = nil
		if err := fn(ctx, t); err != nil {
			return err
		}
		if t.decision == nil {
			return ErrNoDecision
		}
		for _, rec := range t.records {
			e, err := t.append(ctx, rec)
			if err != nil {
				return err
			}
			events = append(events, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if r.Listener != nil && len(events) > 0 {
		r.Listener.Committed(ctx, events)
	}
	return nil
}

// append writes one record's audit entry and returns its event.
func (t *Tx) append(ctx context.Context, rec Record) (Event, error) {
	d := *t.decision
	e := audit.Entry{
		At: t.Now, Actor: t.Actor.name(), ActorRole: string(d.Role), ActorScope: t.Region.Root,
		Action: string(rec.Action), ObjectType: rec.ObjectType, ObjectID: rec.ObjectID,
		Decision: t.decisionText(d), Before: rec.Before, After: rec.After, Public: rec.Public,
	}
	if g := d.Grant; g != nil {
		e.ActorScope = g.Scope
	}
	if rec.Action == "" {
		e.Action = string(d.Permission)
	}
	stored, err := audit.Append(ctx, t, e)
	if err != nil {
		return Event{}, err
	}
	ev := Event{
		Region: t.Region.Slug(), Seq: stored.Seq, At: stored.At, Actor: stored.Actor, Action: policies.Permission(stored.Action),
		ObjectType: rec.ObjectType, ObjectID: rec.ObjectID, Scope: rec.Scope, Public: rec.Public,
	}
	for _, id := range rec.Concerns {
		if id != 0 && id != t.Actor.AccountID() && !slices.Contains(ev.Concerns, id) {
			ev.Concerns = append(ev.Concerns, id)
		}
	}
	if ev.Scope == "" {
		ev.Scope = d.Scope
	}
	if s, ok := rec.After["state"]; ok {
		ev.State = fmt.Sprint(s)
	}
	return ev, nil
}

// decisionText is how the audit log says what allowed the step.
func (t *Tx) decisionText(d authz.Decision) string {
	if name := t.Actor.SystemName(); name != "" {
		return fmt.Sprintf("allowed %s at %s to the system actor %s (role %s)", d.Permission, d.Scope, name, policies.System)
	}
	return d.String()
}
