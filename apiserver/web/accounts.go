package web

import (
	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/authz"
)

// register creates a resident's account (accounts.Register).
func register(c *fiber.Ctx) error {
	var in authz.NewAccount
	if err := parseBody(c, &in); err != nil {
		return err
	}
	a, err := accounts.Register(c.UserContext(), realmOf(c), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a)
}
