package web

import (
	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

type scopeIn struct {
	Scope string `json:"scope" form:"scope"`
}

type grantIn struct {
	Account string `json:"account" form:"account"` // username
	Role    string `json:"role" form:"role"`
	Scope   string `json:"scope" form:"scope"`
}

// listGrants pages through the region's role grants.
func listGrants(c *fiber.Ctx) error {
	q := queryOf(c)
	if q.err != nil {
		return q.err
	}
	gs, err := authz.ListGrants(c.UserContext(), regionOf(c).db, q.after, q.limit)
	if err != nil {
		return err
	}
	return c.JSON(page[authz.Grant]{Items: gs, Next: next(len(gs), q.limit, func() int64 { return gs[len(gs)-1].ID })})
}

// grantScope is the scope a new grant is given at: granting there needs grant:manage there.
func grantScope(c *fiber.Ctx) (string, error) {
	var in grantIn
	if err := c.BodyParser(&in); err != nil {
		return "", partnership.Invalid("body", "a JSON object or form with account, role and scope")
	}
	if _, err := authz.CheckGrant(regionOf(c).tenant.Region, in.Role, in.Scope); err != nil {
		return "", err
	}
	return in.Scope, nil
}

// existingGrantScope is the scope of the grant named in the path.
func existingGrantScope(c *fiber.Ctx) (string, error) {
	id, err := c.ParamsInt("id")
	if err != nil {
		return "", partnership.Invalid("id", "a grant id")
	}
	g, err := authz.GrantByID(c.UserContext(), regionOf(c).db, int64(id))
	if err != nil {
		return "", err
	}
	return g.Scope, nil
}

// addGrant grants a role at a scope to an account (accounts.AddGrant).
func addGrant(c *fiber.Ctx) error {
	var in grantIn
	if err := c.BodyParser(&in); err != nil {
		return partnership.Invalid("body", "a JSON object or form with account, role and scope")
	}
	g, err := accounts.AddGrant(c.UserContext(), realmOf(c), actorOf(c), accounts.GrantInput(in))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(g)
}

// moveGrant changes a grant's scope; the new scope needs grant:manage as well
// as the old one (accounts.MoveGrant).
func moveGrant(c *fiber.Ctx) error {
	var in scopeIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	id, _ := c.ParamsInt("id")
	g, err := accounts.MoveGrant(c.UserContext(), realmOf(c), actorOf(c), int64(id), in.Scope)
	if err != nil {
		return err
	}
	return c.JSON(g)
}

// revokeGrant takes a grant away; it stops working with the next request.
func revokeGrant(c *fiber.Ctx) error {
	id, _ := c.ParamsInt("id")
	if err := accounts.RevokeGrant(c.UserContext(), realmOf(c), actorOf(c), int64(id)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// explain answers "may account U use permission P at scope S, and which rule decided".
func explain(c *fiber.Ctx) error {
	rr := regionOf(c)
	perm := policies.Permission(c.Query("permission"))
	if !perm.Known() || perm.Platform() {
		return partnership.Invalid("permission", "%q is not a permission of the catalogue", c.Query("permission"))
	}
	scope := c.Query("scope", rr.tenant.Region.Code)
	if rr.tenant.Region.ScopeLevel(scope) == "" {
		return partnership.Invalid("scope", "%q is not a place of %s", scope, rr.tenant.Region.Name)
	}
	x, err := accounts.Explain(c.UserContext(), rr.realm, c.Query("account"), perm, scope)
	if err != nil {
		return err
	}
	return c.JSON(x)
}

// auditEntries pages through the audit log; public selects the entries
// everyone may read (published decisions), the rest is for auditors.
func auditEntries(public bool) fiber.Handler {
	return listOf(func(c *fiber.Ctx, q *query) audit.Filter {
		return audit.Filter{PublicOnly: public, AfterSeq: q.after, Limit: q.limit, Action: c.Query("action"), ObjectType: c.Query("objectType"), ObjectID: c.Query("objectId")}
	}, stored(audit.List), func(e audit.Entry) int64 { return e.Seq }, same[audit.Entry])
}

// verifyAudit walks the whole chain and names the first broken entry
// (accounts.VerifyAudit).
func verifyAudit(c *fiber.Ctx) error {
	r, err := accounts.VerifyAudit(c.UserContext(), realmOf(c), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(r)
}
