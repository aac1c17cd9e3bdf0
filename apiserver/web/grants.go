package web

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

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

type page[T any] struct {
	Items []T    `json:"items"`
	Next  *int64 `json:"next,omitempty"` // pass as ?after= for the next page
}

// pageOf is one page of a list: each item as the answer shows it, and when
// the page is full, the id to continue after (lastID is called only then).
func pageOf[T, J any](items []T, limit int, out func(T) J, lastID func() int64) page[J] {
	p := page[J]{Items: make([]J, len(items))}
	for i, it := range items {
		p.Items[i] = out(it)
	}
	if limit > 0 && len(items) == limit {
		next := lastID()
		p.Next = &next
	}
	return p
}

func pageParams(c *fiber.Ctx) (after int64, limit int, err error) {
	if s := c.Query("after"); s != "" {
		if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < 0 {
			return 0, 0, partnership.Invalid("after", "a non-negative id")
		}
	}
	limit = 50
	if s := c.Query("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 500 {
			return 0, 0, partnership.Invalid("limit", "a number from 1 to 500")
		}
	}
	return after, limit, nil
}

func grantJSON(g *authz.Grant) map[string]any {
	return map[string]any{"account": g.AccountID, "role": g.Role, "scope": g.Scope}
}

// listGrants pages through the region's role grants.
func listGrants(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	gs, err := authz.ListGrants(c.UserContext(), regionOf(c).db, after, limit)
	if err != nil {
		return err
	}
	p := page[authz.Grant]{Items: gs}
	if len(gs) == limit {
		p.Next = &gs[len(gs)-1].ID
	}
	return c.JSON(p)
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

// addGrant grants a role at a scope to an account.
func addGrant(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in grantIn
		if err := c.BodyParser(&in); err != nil {
			return partnership.Invalid("body", "a JSON object or form with account, role and scope")
		}
		role, err := authz.CheckGrant(rr.tenant.Region, in.Role, in.Scope)
		if err != nil {
			return err
		}
		g := &authz.Grant{Role: role, Scope: in.Scope, CreatedAt: o.now().UTC()}
		if a := rr.principal.Account; a != nil {
			g.GrantedBy = &a.ID
		}
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			a, err := authz.AccountByUsername(ctx, tx, in.Account)
			if err != nil {
				return record{}, partnership.Invalid("account", "no account %q in this region", in.Account)
			}
			g.AccountID = a.ID
			if err := authz.AddGrant(ctx, tx, g); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.GrantManage), ObjectType: "grant", ObjectID: strconv.FormatInt(g.ID, 10), After: grantJSON(g)}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(g)
	}
}

// moveGrant changes a grant's scope. The new scope needs grant:manage as well
// as the old one, so nobody moves a grant out of their reach or into it.
func moveGrant(c *fiber.Ctx) error {
	rr := regionOf(c)
	var in scopeIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	id, _ := c.ParamsInt("id")
	e, err := rr.enforcer()
	if err != nil {
		return err
	}
	if d, err := authz.Authorize(e, rr.principal, policies.GrantManage, in.Scope); err != nil {
		return err
	} else if !d.Allowed {
		return fmt.Errorf("%w: none of your roles may use %s at %s", partnership.ErrForbidden, policies.GrantManage, in.Scope)
	}
	var g *authz.Grant
	err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
		var err error
		if g, err = authz.GrantByID(ctx, tx, int64(id)); err != nil {
			return record{}, err
		}
		if _, err := authz.CheckGrant(rr.tenant.Region, string(g.Role), in.Scope); err != nil {
			return record{}, err
		}
		before := grantJSON(g)
		if err := authz.MoveGrant(ctx, tx, g.ID, in.Scope); err != nil {
			return record{}, err
		}
		g.Scope = in.Scope
		return record{Action: string(policies.GrantManage), ObjectType: "grant", ObjectID: strconv.Itoa(id), Before: before, After: grantJSON(g)}, nil
	})
	if err != nil {
		return err
	}
	return c.JSON(g)
}

// revokeGrant takes a grant away; it stops working with the next request.
func revokeGrant(c *fiber.Ctx) error {
	id, _ := c.ParamsInt("id")
	err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
		g, err := authz.GrantByID(ctx, tx, int64(id))
		if err != nil {
			return record{}, err
		}
		if err := authz.RevokeGrant(ctx, tx, g.ID); err != nil {
			return record{}, err
		}
		return record{Action: string(policies.GrantManage), ObjectType: "grant", ObjectID: strconv.Itoa(id), Before: grantJSON(g)}, nil
	})
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// explain answers "may account U use permission P at scope S, and which rule decided".
func explain(c *fiber.Ctx) error {
	rr := regionOf(c)
	ctx := c.UserContext()
	perm := policies.Permission(c.Query("permission"))
	if !perm.Known() || perm.Platform() {
		return partnership.Invalid("permission", "%q is not a permission of the catalogue", c.Query("permission"))
	}
	scope := c.Query("scope", rr.tenant.Region.Code)
	if rr.tenant.Region.ScopeLevel(scope) == "" {
		return partnership.Invalid("scope", "%q is not a place of %s", scope, rr.tenant.Region.Name)
	}
	p := authz.Principal{}
	if u := c.Query("account"); u != "" {
		a, err := authz.AccountByUsername(ctx, rr.db, u)
		if err != nil {
			return partnership.Invalid("account", "no account %q in this region", u)
		}
		gs, err := authz.GrantsOf(ctx, rr.db, a.ID)
		if err != nil {
			return err
		}
		p = authz.Principal{Account: a, Grants: gs}
	}
	e, err := rr.tenant.Enforcer()
	if err != nil {
		return err
	}
	x, err := authz.Explain(rr.tenant.Policy, e, p, perm, scope)
	if err != nil {
		return err
	}
	return c.JSON(x)
}
