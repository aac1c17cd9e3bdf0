package web

import (
	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
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
func createToken(c *fiber.Ctx) error {
	var in tokenIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	t, secret, err := accounts.CreateToken(c.UserContext(), realmOf(c), actorOf(c), in.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newToken{t, secret})
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
func revokeToken(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return partnership.Invalid("id", "a token id")
	}
	if err := accounts.RevokeToken(c.UserContext(), realmOf(c), actorOf(c), int64(id)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
