package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/policies"
)

// register creates a resident's account, holding the resident role for the
// whole region. The NIK, where given, is kept only as a keyed hash.
func register(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in authz.NewAccount
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var a *authz.Account
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if a, err = authz.CreateAccount(ctx, tx, rr.tenant.NIK, in, o.now()); err != nil {
				return record{}, err
			}
			g := &authz.Grant{AccountID: a.ID, Role: policies.Resident, Scope: rr.tenant.Region.Code, CreatedAt: o.now().UTC()}
			if err := authz.AddGrant(ctx, tx, g); err != nil {
				return record{}, err
			}
			return record{
				Action: string(policies.AccountRegister), ObjectType: "account", ObjectID: strconv.FormatInt(a.ID, 10),
				After: map[string]any{"username": a.Username, "displayName": a.DisplayName, "role": g.Role, "scope": g.Scope},
			}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(a)
	}
}
