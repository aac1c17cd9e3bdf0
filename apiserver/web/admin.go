package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// The regional admin's work, over the API and as pages: role grants at
// scopes, the explanation of what a grant allows, and the audit log with
// its verification.

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
	return answer(c, fiber.StatusCreated, same[*authz.Grant])(accounts.AddGrant(c.UserContext(), realmOf(c), actorOf(c), accounts.GrantInput(in)))
}

// moveGrant changes a grant's scope; the new scope needs grant:manage as well
// as the old one (accounts.MoveGrant).
func moveGrant(c *fiber.Ctx) error {
	var in scopeIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	id, _ := c.ParamsInt("id")
	return answer(c, fiber.StatusOK, same[*authz.Grant])(accounts.MoveGrant(c.UserContext(), realmOf(c), actorOf(c), int64(id), in.Scope))
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
	return answer(c, fiber.StatusOK, same[authz.Explanation])(accounts.Explain(c.UserContext(), rr.realm, c.Query("account"), perm, scope))
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
	return answer(c, fiber.StatusOK, same[audit.Report])(accounts.VerifyAudit(c.UserContext(), realmOf(c), actorOf(c)))
}

// --- the regional admin's pages ---

// The pages show the role grants at scopes with the explain answer beside
// each, and the audit log with its verification status.

type grantRow struct {
	Grant     authz.Grant
	Username  string
	Explained *authz.Explanation
	CanRevoke bool
}

type grantsData struct {
	Rows        []grantRow
	Permission  string
	Permissions []option
	CanExplain  bool
	CanManage   bool
	Roles       []option
	Next        int64
}

// grants lists the role grants, each with the explain answer beside it.
var grants = screen{nav: "grants", template: "grants", data: func(c *fiber.Ctx, v *view) (any, error) {
	rr := regionOf(c)
	ctx, db := c.UserContext(), rr.db
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	gs, err := authz.ListGrants(ctx, db, after, 100)
	if err != nil {
		return nil, err
	}
	d := grantsData{Permission: c.Query("permission", string(policies.MusrenbangDecide)), CanExplain: holds(c, policies.PolicyExplain, rr.root),
		CanManage: holds(c, policies.GrantManage, rr.root)}
	if p := policies.Permission(d.Permission); !p.Known() || p.Platform() {
		d.Permission = string(policies.MusrenbangDecide)
	}
	d.Permissions = each(policies.RegionalPermissions(), func(p policies.Permission) option {
		return option{Value: string(p), Label: string(p), Selected: string(p) == d.Permission}
	})
	for _, r := range policies.RegionalRoles() {
		if r != policies.Public && r != policies.System {
			d.Roles = append(d.Roles, option{Value: string(r), Label: v.L.T("role." + string(r))})
		}
	}
	enf, err := rr.enforcer()
	if err != nil {
		return nil, err
	}
	accounts := map[int64]*authz.Account{}
	for _, g := range gs {
		a, ok := accounts[g.AccountID]
		if !ok {
			if a, err = authz.AccountByID(ctx, db, g.AccountID); err != nil {
				return nil, err
			}
			accounts[g.AccountID] = a
		}
		row := grantRow{Grant: g, Username: a.Username, CanRevoke: holds(c, policies.GrantManage, g.Scope)}
		if d.CanExplain {
			// Explained as the account holding only this grant: the answer
			// beside a grant is what that grant allows at its own scope.
			x, err := authz.Explain(rr.tenant.Policy, enf, authz.Principal{Account: a, Grants: []authz.Grant{g}}, policies.Permission(d.Permission), g.Scope)
			if err != nil {
				return nil, err
			}
			row.Explained = &x
		}
		d.Rows = append(d.Rows, row)
	}
	if len(gs) == 100 {
		d.Next = gs[len(gs)-1].ID
	}
	return d, nil
}}

// addGrantPage grants a role at a scope (accounts.AddGrant); a scope beyond
// the admin's reach is refused beside its field.
var addGrantPage = grants.post("grant", "flash.granted", func(c *fiber.Ctx, v *view, f *form) (string, error) {
	in := accounts.GrantInput{Account: strings.TrimSpace(f.Get("account")), Role: f.Get("role"), Scope: strings.TrimSpace(f.Get("scope"))}
	if _, err := authz.CheckGrant(realmOf(c).Spec, in.Role, in.Scope); err != nil {
		return "", err
	}
	if !holds(c, policies.GrantManage, in.Scope) {
		return "", partnership.Invalid("scope", "outside your reach")
	}
	_, err := accounts.AddGrant(c.UserContext(), realmOf(c), actorOf(c), in)
	return "/admin/grants", err
})

// revokeGrantPage takes a grant away (accounts.RevokeGrant).
func revokeGrantPage(c *fiber.Ctx) error {
	id, _ := c.ParamsInt("id")
	if err := accounts.RevokeGrant(c.UserContext(), realmOf(c), actorOf(c), int64(id)); err != nil {
		return err
	}
	return redirect(c, "/admin/grants", "flash.revoked")
}

type auditData struct {
	Entries   []audit.Entry
	Verified  *audit.Report
	CanVerify bool
	Next      int64
	Prev      int64
}

// auditPage pages through the audit log, and shows whether its chain holds.
var auditPage = screen{nav: "audit", template: "audit", data: func(c *fiber.Ctx, v *view) (any, error) {
	rr := regionOf(c)
	ctx, db := c.UserContext(), rr.db
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	es, err := audit.List(ctx, db, audit.Filter{AfterSeq: after, Limit: 50})
	if err != nil {
		return nil, err
	}
	d := auditData{Entries: es, CanVerify: holds(c, policies.AuditVerify, rr.root)}
	if len(es) == 50 {
		d.Next = es[len(es)-1].Seq
	}
	if after > 0 {
		d.Prev = max(after-50, 0)
	}
	if d.CanVerify {
		rep, err := accounts.VerifyAudit(ctx, rr.realm, actorOf(c))
		if err != nil {
			return nil, err
		}
		d.Verified = &rep
	}
	return d, nil
}}.get

// Short shortens a hash for display.
func (v *view) Short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
