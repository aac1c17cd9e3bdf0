package accounts

import (
	"context"
	"strconv"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/policies"
)

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
	g := &authz.Grant{Role: role, Scope: in.Scope}
	err = step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.GrantManage, in.Scope); err != nil {
			return err
		}
		acc, err := authz.AccountByUsername(ctx, t, in.Account)
		if err != nil {
			return partnership.Invalid("account", "no account %q in this region", in.Account)
		}
		g.AccountID, g.CreatedAt = acc.ID, t.Now.UTC()
		if id := a.AccountID(); id != 0 {
			g.GrantedBy = &id
		}
		if err := authz.AddGrant(ctx, t, g); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.GrantManage, ObjectType: "grant", ObjectID: strconv.FormatInt(g.ID, 10), After: grantImage(g),
			Scope: g.Scope, Concerns: []int64{g.AccountID}})
		return nil
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
	var g *authz.Grant
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if g, err = authz.GrantByID(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(policies.GrantManage, g.Scope); err != nil {
			return err
		}
		if err := t.Require(policies.GrantManage, scope); err != nil {
			return err
		}
		if _, err := authz.CheckGrant(r.Spec, string(g.Role), scope); err != nil {
			return err
		}
		before := grantImage(g)
		if err := authz.MoveGrant(ctx, t, g.ID, scope); err != nil {
			return err
		}
		g.Scope = scope
		t.Audit(step.Record{Action: policies.GrantManage, ObjectType: "grant", ObjectID: strconv.FormatInt(id, 10), Before: before, After: grantImage(g),
			Scope: g.Scope, Concerns: []int64{g.AccountID}})
		return nil
	})
	return g, err
}

// RevokeGrant takes a grant away; it stops working with the next request.
func RevokeGrant(ctx context.Context, r *step.Region, a step.Actor, id int64) error {
	return step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		g, err := authz.GrantByID(ctx, t, id)
		if err != nil {
			return err
		}
		if err := t.Require(policies.GrantManage, g.Scope); err != nil {
			return err
		}
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
