package web

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
)

// Accounts over HTTP: registering, signing in and out with a session, and
// API tokens, through package accounts.

// register creates a resident's account (accounts.Register).
var register = takeNew(accounts.Register, same[*authz.Account])

type credentials struct {
	Username string `json:"username" form:"username"`
	Password string `json:"password" form:"password"`
}

type me struct {
	Account   *authz.Account `json:"account"`
	Grants    []authz.Grant  `json:"grants"`
	CSRFToken string         `json:"csrfToken,omitempty"`
}

// signIn checks a username and password and starts a session
// (accounts.SignIn): throttled per account and per address, never saying
// which of the two was wrong.
func signIn(c *fiber.Ctx) error {
	var in credentials
	if err := c.BodyParser(&in); err != nil {
		return partnership.Invalid("body", "a JSON object or form with username and password")
	}
	s, err := accounts.SignIn(c.UserContext(), realmOf(c), regionOf(c).throttle, accounts.Credentials{Username: in.Username, Password: in.Password, Address: c.IP()}, "")
	if err != nil {
		retryAfter(c, err)
		return err
	}
	setSessionCookie(c, s.Token, s.Expires)
	return c.Status(fiber.StatusCreated).JSON(me{Account: s.Account, Grants: s.Grants, CSRFToken: authz.CSRFToken(s.Token)})
}

// retryAfter tells a throttled client when to try again.
func retryAfter(c *fiber.Ctx, err error) {
	var th *accounts.Throttled
	if errors.As(err, &th) {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(th.Until.Sub(realmOf(c).Clock()).Seconds())+1))
	}
}

// signOut ends the session.
func signOut(c *fiber.Ctx) error {
	rr := regionOf(c)
	if rr.session == "" {
		return fmt.Errorf("%w: no session to end", partnership.ErrUnauthenticated)
	}
	if err := accounts.SignOut(c.UserContext(), rr.realm, rr.session); err != nil {
		return err
	}
	setSessionCookie(c, "", time.Unix(0, 0))
	return c.SendStatus(fiber.StatusNoContent)
}

// whoAmI returns the signed-in account, its grants and its session's CSRF token.
func whoAmI(c *fiber.Ctx) error {
	rr := regionOf(c)
	out := me{Account: rr.principal.Account, Grants: rr.principal.Grants}
	if rr.session != "" {
		out.CSRFToken = authz.CSRFToken(rr.session)
	}
	return c.JSON(out)
}

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
	return answer2(c, fiber.StatusCreated, func(t *authz.APIToken, secret string) newToken { return newToken{t, secret} })(
		accounts.CreateToken(c.UserContext(), realmOf(c), actorOf(c), in.Name))
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
