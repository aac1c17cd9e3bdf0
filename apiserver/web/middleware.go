package web

import (
	"log/slog"
	"strings"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/tenancy"
)

const (
	localRegion = "region"
	localBase   = "base"
)

// regionRequest is what a request knows of the realm it is made in: a region,
// or the platform of the national agencies, which has accounts of its own and
// no region. Locals hold it rather than the tenant and database themselves:
// fasthttp closes every io.Closer left in a request's user values when the
// request ends.
type regionRequest struct {
	tenant   *tenancy.Tenant // nil on the platform
	realm    *step.Region    // what the workflow steps act in
	db       bun.IDB
	base     string // the URL prefix: "/r/<region>", "/platform", or "" for a region addressed by host name
	root     string // the scope of the whole realm: the region's code, or "platform"
	location *time.Location
	enforcer func() (*casbin.SyncedCachedEnforcer, error)

	principal authz.Principal
	session   string         // the session token, when signed in with a cookie
	viaToken  bool           // signed in with an API token
	authErr   error          // why a session cookie was not accepted
	decision  authz.Decision // what allowed the request, for the audit log

	demo     bool            // the embedded mode's demo sign-in is served (Options.Demo)
	insecure bool            // session cookies go without Secure (Options.InsecureCookies)
	throttle *authz.Throttle // limits failed sign-ins (Options.Throttle)
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("requestid").(string)
	return id
}

// logRequests writes one structured line per request, with its request id.
func logRequests(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		if err := c.Next(); err != nil {
			// Answer the error here, so that the line below logs the status sent.
			if err := c.App().Config().ErrorHandler(c, err); err != nil {
				return err
			}
		}
		status := c.Response().StatusCode()
		attrs := []any{
			"request_id", requestID(c), "method", c.Method(), "path", c.OriginalURL(),
			"status", status, "duration_ms", time.Since(start).Milliseconds(),
		}
		if rr, ok := c.Locals(localRegion).(*regionRequest); ok && rr.tenant != nil {
			attrs = append(attrs, "region", rr.tenant.Region.Slug)
		}
		log.Info("request", attrs...)
		return nil
	}
}

// hostRegions routes <region>.<baseDomain>/path to /r/<region>/path, so that
// one set of routes serves both forms of address.
func hostRegions(baseDomain string) fiber.Handler {
	suffix := "." + strings.ToLower(baseDomain)
	return func(c *fiber.Ctx) error {
		host := strings.ToLower(c.Hostname())
		if i := strings.LastIndexByte(host, ':'); i >= 0 {
			host = host[:i]
		}
		if slug, ok := strings.CutSuffix(host, suffix); ok && slug != "" && !strings.Contains(slug, ".") {
			c.Locals(localBase, "")
			c.Path("/r/" + slug + c.Path())
		}
		return c.Next()
	}
}

// withTenant resolves the region named in the path, lends the request the
// region's database (opening it on first use) and returns it afterwards.
func withTenant(reg *tenancy.Registry, o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		slug := strings.Clone(c.Params("region"))
		t, err := reg.Get(slug)
		if err != nil {
			return err
		}
		db, release, err := t.Acquire(c.UserContext())
		if err != nil {
			return fiber.NewError(fiber.StatusServiceUnavailable, "region "+slug+" is unavailable: its database could not be opened")
		}
		defer release()
		base := "/r/" + slug
		if _, hostMode := c.Locals(localBase).(string); hostMode {
			base = ""
		}
		c.Locals(localBase, base)
		realm := t.Realm(db)
		realm.Now, realm.Listener = o.Now, o.Listener
		c.Locals(localRegion, &regionRequest{tenant: t, realm: realm, db: db, base: base, root: t.Region.Code, location: t.Region.Location, enforcer: t.Enforcer,
			demo: o.Demo, insecure: o.InsecureCookies, throttle: o.Throttle})
		return c.Next()
	}
}

func regionOf(c *fiber.Ctx) *regionRequest { return c.Locals(localRegion).(*regionRequest) }

// realmOf is the region (or platform) a request's steps act in.
func realmOf(c *fiber.Ctx) *step.Region { return regionOf(c).realm }

// actorOf is who makes the request, with the decision its route made.
func actorOf(c *fiber.Ctx) step.Actor {
	rr := regionOf(c)
	return step.Person(rr.principal).Deciding(rr.decision)
}

func tenantOf(c *fiber.Ctx) (*tenancy.Tenant, bun.IDB) {
	rr := regionOf(c)
	return rr.tenant, rr.db
}
