package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

type tokenIn struct {
	Name string `json:"name" form:"name"`
}

// newToken is a token as created: the only time its secret is shown.
type newToken struct {
	*authz.APIToken
	Token string `json:"token"`
}

// createToken makes an API token for the signed-in account and shows it once.
func createToken(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in tokenIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var t *authz.APIToken
		var secret string
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if t, secret, err = authz.CreateToken(ctx, tx, rr.principal.Account.ID, in.Name, o.now()); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.TokenManage), ObjectType: "api-token", ObjectID: strconv.FormatInt(t.ID, 10),
				After: map[string]any{"account": t.AccountID, "name": t.Name}}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(newToken{t, secret})
	}
}

// listTokens lists the signed-in account's tokens, without their secrets.
func listTokens(c *fiber.Ctx) error {
	rr := regionOf(c)
	ts, err := authz.TokensOf(c.UserContext(), rr.db, rr.principal.Account.ID)
	if err != nil {
		return err
	}
	return c.JSON(page[authz.APIToken]{Items: ts})
}

// revokeToken revokes one of the signed-in account's tokens.
func revokeToken(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		id, err := c.ParamsInt("id")
		if err != nil {
			return partnership.Invalid("id", "a token id")
		}
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if err := authz.RevokeToken(ctx, tx, rr.principal.Account.ID, int64(id), o.now()); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.TokenManage), ObjectType: "api-token", ObjectID: strconv.Itoa(id),
				After: map[string]any{"revoked": true}}, nil
		})
		if err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
