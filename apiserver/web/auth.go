package web

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

const (
	sessionCookie = "pilar_session"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "_csrf"
)

// authenticate finds who makes the request: an API token in the Authorization
// header, or a session cookie, or nobody. A bad bearer token is refused at
// once; a stale cookie leaves the request anonymous, remembering why.
func authenticate(c *fiber.Ctx) error {
	rr := regionOf(c)
	ctx := c.UserContext()
	// The account and its grants come in the query that finds the token
	// (or right after the session's): every signed-in request pays for
	// them, so they are read in as few round trips as possible.
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return fmt.Errorf("%w: the Authorization header must be \"Bearer <token>\"", partnership.ErrUnauthenticated)
		}
		p, err := accounts.ByToken(ctx, rr.realm, token)
		if err != nil {
			return err
		}
		rr.principal, rr.viaToken = p, true
	} else if cookie := c.Cookies(sessionCookie); cookie != "" {
		p, err := accounts.BySession(ctx, rr.realm, cookie)
		switch {
		case err == nil:
			rr.principal, rr.session = p, cookie
		case errors.Is(err, partnership.ErrUnauthenticated):
			rr.authErr = err
			setSessionCookie(c, "", time.Unix(0, 0))
		default:
			return err
		}
	}
	return c.Next()
}

// checkCSRF refuses a state-changing request made with a session cookie unless
// it carries the session's CSRF token, in a header or a form field. API tokens
// are not sent by browsers on their own, so they need none.
func checkCSRF(c *fiber.Ctx) error {
	rr := regionOf(c)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if rr.session == "" {
		return c.Next()
	}
	token := c.Get(csrfHeader)
	if token == "" {
		token = c.FormValue(csrfField)
	}
	if !authz.CheckCSRF(rr.session, token) {
		return fmt.Errorf("%w: missing or invalid CSRF token (send the session's token in %s or the %s form field)", partnership.ErrForbidden, csrfHeader, csrfField)
	}
	return c.Next()
}

// scopeFunc finds the scope of the object a request acts on.
type scopeFunc func(c *fiber.Ctx) (string, error)

// regionScope is the scope of objects that belong to the whole region (or platform).
func regionScope(c *fiber.Ctx) (string, error) { return regionOf(c).root, nil }

// objectScope is the scope of the object a route's id names: load reads it
// (a missing one is not found), scope says where it belongs; an object that
// belongs nowhere narrower belongs to the whole region.
func objectScope[T any](load func(context.Context, bun.IDB, int64) (T, error), scope func(T) string) scopeFunc {
	return func(c *fiber.Ctx) (string, error) {
		id, err := idParam(c)
		if err != nil {
			return "", err
		}
		o, err := load(c.UserContext(), regionOf(c).db, id)
		if err != nil {
			return "", err
		}
		if s := scope(o); s != "" {
			return s, nil
		}
		return regionOf(c).root, nil
	}
}

// require allows the request to go on only when the region's policy allows the
// permission on the object's scope; the decision is kept for the audit log.
func require(p policies.Permission, scope scopeFunc) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		s, err := scope(c)
		if err != nil {
			return err
		}
		e, err := rr.enforcer()
		if err != nil {
			return err
		}
		d, err := authz.Authorize(e, rr.principal, p, s)
		if err != nil {
			return err
		}
		if !d.Allowed {
			return rr.refused(fmt.Errorf("%w: sign in to use %s", partnership.ErrUnauthenticated, p),
				fmt.Errorf("%w: none of your roles may use %s at %s", partnership.ErrForbidden, p, s))
		}
		rr.decision = d
		return c.Next()
	}
}

// refused is why a request may not go on: for an anonymous one, why its
// session cookie was not accepted, if it came with one, else anonymous; for
// a signed-in one, signedIn.
func (rr *regionRequest) refused(anonymous, signedIn error) error {
	if !rr.principal.Anonymous() {
		return signedIn
	}
	if rr.authErr != nil {
		return rr.authErr
	}
	return anonymous
}

// signedIn refuses anonymous requests.
func signedIn(c *fiber.Ctx) error {
	if rr := regionOf(c); rr.principal.Anonymous() {
		return rr.refused(fmt.Errorf("%w: sign in first", partnership.ErrUnauthenticated), nil)
	}
	return c.Next()
}

// setSessionCookie hands the browser its session: HttpOnly (no script reads
// it), SameSite=Lax (not sent with cross-site posts) and Secure unless the
// server was told it runs without TLS. Its path is the region's, so one
// browser holds separate sessions for separate regions.
func setSessionCookie(c *fiber.Ctx, token string, expires time.Time) {
	rr := regionOf(c)
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: token, Path: rr.base + "/", Expires: expires,
		HTTPOnly: true, Secure: !rr.insecure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}
