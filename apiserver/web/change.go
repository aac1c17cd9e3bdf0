package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
)

// record is what a state change tells the audit log about itself.
type record struct {
	Action        string // the permission exercised
	ObjectType    string
	ObjectID      string
	Before, After map[string]any
	Public        bool
}

// change runs a state change and appends its audit entry in one transaction:
// both happen or neither does. The entry names the actor, the role and scope
// they acted in, and the decision that allowed it.
func change(c *fiber.Ctx, fn func(ctx context.Context, tx bun.Tx) (record, error)) error {
	return regionOf(c).db.RunInTx(c.UserContext(), nil, func(ctx context.Context, tx bun.Tx) error {
		rec, err := fn(ctx, tx)
		if err != nil {
			return err
		}
		return auditAlso(ctx, tx, c, rec)
	})
}

// auditAlso appends the audit entry of a record to the transaction: change
// calls it for the object it changed, and a handler that changes a second
// object in the same transaction calls it once more for that one.
func auditAlso(ctx context.Context, tx bun.Tx, c *fiber.Ctx, rec record) error {
	rr := regionOf(c)
	e := audit.Entry{
		Actor: "anonymous", ActorRole: string(rr.decision.Role), ActorScope: rr.root,
		Action: rec.Action, ObjectType: rec.ObjectType, ObjectID: rec.ObjectID,
		Decision: rr.decision.String(), Before: rec.Before, After: rec.After, Public: rec.Public,
	}
	if a := rr.principal.Account; a != nil {
		e.Actor = strconv.FormatInt(a.ID, 10)
	}
	if g := rr.decision.Grant; g != nil {
		e.ActorScope = g.Scope
	}
	_, err := audit.Append(ctx, tx, e)
	return err
}
