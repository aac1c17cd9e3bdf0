package accounts

import (
	"context"
	"strconv"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/policies"
)

// Register creates a resident's account, holding the resident role for the
// whole region. The NIK, where given, is kept only as a keyed hash.
func Register(ctx context.Context, r *step.Region, a step.Actor, in authz.NewAccount) (*authz.Account, error) {
	return createHolding(ctx, r, a, policies.AccountRegister, policies.Resident, r.NIK, in, func(acc *authz.Account, g *authz.Grant) map[string]any {
		m := holdingImage(acc, g)
		m["displayName"] = acc.DisplayName
		return m
	})
}

// createHolding is a step under perm that creates an account holding role
// for the whole realm (its NIK, if any, hashed with nik), audited as the
// account's with image.
func createHolding(ctx context.Context, r *step.Region, a step.Actor, perm policies.Permission, role policies.Role, nik *authz.NIKHasher, in authz.NewAccount,
	image func(*authz.Account, *authz.Grant) map[string]any) (*authz.Account, error) {
	var acc *authz.Account
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(perm, r.Root); err != nil {
			return err
		}
		var err error
		if acc, err = authz.CreateAccount(ctx, t, nik, in, t.Now); err != nil {
			return err
		}
		g := &authz.Grant{AccountID: acc.ID, Role: role, Scope: r.Root, CreatedAt: t.Now.UTC()}
		if err := authz.AddGrant(ctx, t, g); err != nil {
			return err
		}
		t.Audit(step.Record{Action: perm, ObjectType: "account", ObjectID: strconv.FormatInt(acc.ID, 10), After: image(acc, g)})
		return nil
	})
	return acc, err
}

// holdingImage is what the audit log keeps of an account given a role.
func holdingImage(acc *authz.Account, g *authz.Grant) map[string]any {
	return map[string]any{"username": acc.Username, "role": g.Role, "scope": g.Scope}
}

// RegisterAndSignIn registers a resident as Register does and signs the new
// account in, ending the session it replaces, if any: the portal's way.
func RegisterAndSignIn(ctx context.Context, r *step.Region, a step.Actor, in authz.NewAccount, replaced string) (*authz.Account, Session, error) {
	acc, err := Register(ctx, r, a, in)
	if err != nil {
		return nil, Session{}, err
	}
	s, err := start(ctx, r, acc.ID, replaced)
	s.Account = acc
	return acc, s, err
}

// CreateToken makes an API token for the acting account and returns it with
// its secret, which is shown this once and stored only as a hash.
func CreateToken(ctx context.Context, r *step.Region, a step.Actor, name string) (*authz.APIToken, string, error) {
	var tok *authz.APIToken
	var secret string
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.TokenManage, r.Root); err != nil {
			return err
		}
		var err error
		if tok, secret, err = authz.CreateToken(ctx, t, a.AccountID(), name, t.Now); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.TokenManage, ObjectType: "api-token", ObjectID: strconv.FormatInt(tok.ID, 10),
			After: map[string]any{"account": tok.AccountID, "name": tok.Name}})
		return nil
	})
	return tok, secret, err
}

// RevokeToken revokes one of the acting account's own API tokens; it stops
// working with the next request.
func RevokeToken(ctx context.Context, r *step.Region, a step.Actor, id int64) error {
	return step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.TokenManage, r.Root); err != nil {
			return err
		}
		if err := authz.RevokeToken(ctx, t, a.AccountID(), id, t.Now); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.TokenManage, ObjectType: "api-token", ObjectID: strconv.FormatInt(id, 10),
			After: map[string]any{"revoked": true}})
		return nil
	})
}
