package web

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
)

type credentials struct {
	Username string `json:"username" form:"username"`
	Password string `json:"password" form:"password"`
}

type me struct {
	Account   *authz.Account `json:"account"`
	Grants    []authz.Grant  `json:"grants"`
	CSRFToken string         `json:"csrfToken,omitempty"`
}

// signIn checks a username and password and starts a session. Failures are
// throttled per account and per address; the answer never says which of the
// two was wrong.
func signIn(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in credentials
		if err := c.BodyParser(&in); err != nil {
			return partnership.Invalid("body", "a JSON object or form with username and password")
		}
		if in.Username == "" {
			return partnership.Invalid("username", "required")
		}
		if in.Password == "" {
			return partnership.Invalid("password", "required")
		}
		now := o.now()
		if ok, until := o.Throttle.Allow(in.Username, c.IP(), now); !ok {
			c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(until.Sub(now).Seconds())+1))
			return fmt.Errorf("%w: too many failed sign-ins; try again after %s", partnership.ErrThrottled, until.In(rr.location).Format("15:04"))
		}
		ctx, db := c.UserContext(), rr.db
		a, err := authz.AccountByUsername(ctx, db, in.Username)
		ok := false
		if err == nil && a.DisabledAt == nil {
			if ok, err = authz.VerifyPassword(a.PasswordHash, in.Password); err != nil {
				return err
			}
		}
		if !ok {
			o.Throttle.Fail(in.Username, c.IP(), now)
			return fmt.Errorf("%w: wrong username or password", partnership.ErrUnauthenticated)
		}
		o.Throttle.Succeed(in.Username)
		token, err := authz.StartSession(ctx, db, a.ID, now)
		if err != nil {
			return err
		}
		setSessionCookie(c, o, token, now.Add(authz.SessionAbsolute))
		gs, err := authz.GrantsOf(ctx, db, a.ID)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(me{Account: a, Grants: gs, CSRFToken: authz.CSRFToken(token)})
	}
}

// signOut ends the session.
func signOut(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		if rr.session == "" {
			return fmt.Errorf("%w: no session to end", partnership.ErrUnauthenticated)
		}
		if err := authz.EndSession(c.UserContext(), rr.db, rr.session); err != nil {
			return err
		}
		setSessionCookie(c, o, "", time.Unix(0, 0))
		return c.SendStatus(fiber.StatusNoContent)
	}
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
