package accounts

import (
	"context"
	"strconv"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/policies"
)

// grants is how the steps keep role grants: each is held at its scope and
// concerns the account holding it; a grant moves by changing its scope.
var grants = step.Kind[*authz.Grant]{
	Name: "grant", Get: authz.GrantByID, Insert: authz.AddGrant,
	Update: func(ctx context.Context, db bun.IDB, g *authz.Grant, _ string) error {
		return authz.MoveGrant(ctx, db, g.ID, g.Scope)
	},
	Facts: func(g *authz.Grant) step.Facts { return step.Facts{ID: g.ID, Scope: g.Scope, Owner: g.AccountID} },
	Image: grantImage,
}

// GrantInput names a role to grant, the account (by username) and the scope.
type GrantInput struct {
	Account string `json:"account" form:"account"`
	Role    string `json:"role" form:"role"`
	Scope   string `json:"scope" form:"scope"`
}

// AddGrant grants a role at a scope to an account of the region. Granting
// needs grant:manage at the scope granted; a role no region grants (public,
// system, a platform role) or a place outside the region is refused.
func AddGrant(ctx context.Context, r *step.Region, a step.Actor, in GrantInput) (*authz.Grant, error) {
	role, err := authz.CheckGrant(r.Spec, in.Role, in.Scope)
	if err != nil {
		return nil, err
	}
	g, err := step.CreateAt(ctx, r, a, grants, policies.GrantManage, in.Scope, func(ctx context.Context, t *step.Tx) (*authz.Grant, error) {
		acc, err := authz.AccountByUsername(ctx, t, in.Account)
		if err != nil {
			return nil, partnership.Invalid("account", "no account %q in this region", in.Account)
		}
		return granted(t, acc.ID, role, in.Scope), nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// MoveGrant changes a grant's scope. It needs grant:manage at the new scope
// as well as the old one, so that nobody moves a grant out of their reach or
// into it.
func MoveGrant(ctx context.Context, r *step.Region, a step.Actor, id int64, scope string) (*authz.Grant, error) {
	return step.Change(ctx, r, a, grants, id, policies.GrantManage, func(_ context.Context, t *step.Tx, g *authz.Grant) error {
		if err := t.Require(policies.GrantManage, scope); err != nil {
			return err
		}
		if _, err := authz.CheckGrant(r.Spec, string(g.Role), scope); err != nil {
			return err
		}
		g.Scope = scope
		return nil
	})
}

// RevokeGrant takes a grant away; it stops working with the next request.
func RevokeGrant(ctx context.Context, r *step.Region, a step.Actor, id int64) error {
	return step.On(ctx, r, a, grants, id, policies.GrantManage, func(ctx context.Context, t *step.Tx, g *authz.Grant) error {
		if err := authz.RevokeGrant(ctx, t, g.ID); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.GrantManage, ObjectType: "grant", ObjectID: strconv.FormatInt(id, 10), Before: grantImage(g),
			Scope: g.Scope, Concerns: []int64{g.AccountID}})
		return nil
	})
}

// grantImage is what the audit log keeps of a grant.
func grantImage(g *authz.Grant) map[string]any {
	return map[string]any{"account": g.AccountID, "role": g.Role, "scope": g.Scope}
}

// Explain answers "may this account use the permission at the scope, and
// which rule of the region's policy decided", weighing every role it holds;
// an empty username asks about an anonymous visitor.
func Explain(ctx context.Context, r *step.Region, username string, p policies.Permission, scope string) (authz.Explanation, error) {
	var who authz.Principal
	if username != "" {
		acc, err := authz.AccountByUsername(ctx, r.DB, username)
		if err != nil {
			return authz.Explanation{}, partnership.Invalid("account", "no account %q in this region", username)
		}
		gs, err := authz.GrantsOf(ctx, r.DB, acc.ID)
		if err != nil {
			return authz.Explanation{}, err
		}
		who = authz.Principal{Account: acc, Grants: gs}
	}
	e, err := r.Enforcer()
	if err != nil {
		return authz.Explanation{}, err
	}
	return authz.Explain(r.Policy, e, who, p, scope)
}

// Ensure gives an account a role at a scope in a step's transaction, unless
// the account holds it there already. It returns the grant made — by the
// step's actor, now — or nil when none was; the step audits it.
func Ensure(ctx context.Context, t *step.Tx, account int64, role policies.Role, scope string) (*authz.Grant, error) {
	gs, err := authz.GrantsOf(ctx, t, account)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if g.Role == role && g.Scope == scope {
			return nil, nil
		}
	}
	g := granted(t, account, role, scope)
	if err := authz.AddGrant(ctx, t, g); err != nil {
		return nil, err
	}
	return g, nil
}

// granted is a grant of role at scope to an account, made in a step: now,
// by the step's actor (by nobody, for a system actor).
func granted(t *step.Tx, account int64, role policies.Role, scope string) *authz.Grant {
	g := &authz.Grant{AccountID: account, Role: role, Scope: scope, CreatedAt: t.Now.UTC()}
	if id := t.Actor.AccountID(); id != 0 {
		g.GrantedBy = &id
	}
	return g
}
