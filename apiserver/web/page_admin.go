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

// The regional admin's pages: role grants at scopes with the explain answer
// beside each, and the audit log with its verification status.

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
	for _, p := range policies.RegionalPermissions() {
		d.Permissions = append(d.Permissions, option{Value: string(p), Label: string(p), Selected: string(p) == d.Permission})
	}
	for _, r := range policies.RegionalRoles() {
		if r != policies.Public && r != policies.System {
			d.Roles = append(d.Roles, option{Value: string(r), Label: v.L.T("role." + string(r))})
		}
	}
	var e = rr.tenant
	enf, err := e.Enforcer()
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
			x, err := authz.Explain(e.Policy, enf, authz.Principal{Account: a, Grants: []authz.Grant{g}}, policies.Permission(d.Permission), g.Scope)
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
