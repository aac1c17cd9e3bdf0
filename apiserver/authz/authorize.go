package authz

import (
	"fmt"

	"github.com/casbin/casbin/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// Principal is who makes a request: an account with its grants, or nobody.
type Principal struct {
	Account *Account // nil when not signed in
	Grants  []Grant
}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.Account == nil }

// Decision is the answer to "may this principal do this here", with what decided it.
type Decision struct {
	Allowed    bool                `json:"allowed"`
	Permission policies.Permission `json:"permission"`
	Scope      string              `json:"scope"`
	// Role is the role that allowed it: "public", or the role of Grant.
	Role  policies.Role `json:"role,omitempty"`
	Grant *Grant        `json:"grant,omitempty"`
}

// String renders the decision for the audit log.
func (d Decision) String() string {
	if !d.Allowed {
		return fmt.Sprintf("denied %s at %s", d.Permission, d.Scope)
	}
	if d.Grant == nil {
		return fmt.Sprintf("allowed %s at %s to everyone (role public)", d.Permission, d.Scope)
	}
	return fmt.Sprintf("allowed %s at %s by grant %d: %s at %s", d.Permission, d.Scope, d.Grant.ID, d.Grant.Role, d.Grant.Scope)
}

// candidates are the roles to ask about, in order: public at the region's
// scope, then every grant whose scope covers the object's.
func candidates(p Principal, scope string) []*Grant {
	out := []*Grant{nil} // nil stands for the public role
	for i := range p.Grants {
		if partnership.Covers(p.Grants[i].Scope, scope) {
			out = append(out, &p.Grants[i])
		}
	}
	return out
}

func roleOf(g *Grant) policies.Role {
	if g == nil {
		return policies.Public
	}
	return g.Role
}

// Authorize decides whether the principal may use the permission on an object
// at the scope. It is allowed when the public role or a role held at a scope
// covering the object's is allowed by the region's policy; otherwise denied.
func Authorize(e *casbin.SyncedCachedEnforcer, p Principal, permission policies.Permission, scope string) (Decision, error) {
	d := Decision{Permission: permission, Scope: scope}
	for _, g := range candidates(p, scope) {
		ok, err := policies.Allowed(e, roleOf(g), permission)
		if err != nil {
			return d, fmt.Errorf("authz: %w", err)
		}
		if ok {
			d.Allowed, d.Role, d.Grant = true, roleOf(g), g
			return d, nil
		}
	}
	return d, nil
}

// Considered is one role weighed by Explain.
type Considered struct {
	Role    policies.Role `json:"role"`
	Grant   *Grant        `json:"grant,omitempty"`
	Allowed bool          `json:"allowed"`
	Rule    string        `json:"rule"`
}

// Explanation is Explain's answer: the decision and every role it weighed,
// with the rule of the region's policy that decided for each.
type Explanation struct {
	Decision
	Considered []Considered `json:"considered"`
	// Ignored are the account's grants whose scope does not cover the object.
	Ignored []Grant `json:"ignored,omitempty"`
}

// Explain answers "may this principal use the permission here, and which rule
// decided it", weighing every candidate role rather than stopping at the first.
func Explain(set *policies.Set, e *casbin.SyncedCachedEnforcer, p Principal, permission policies.Permission, scope string) (Explanation, error) {
	d, err := Authorize(e, p, permission, scope)
	if err != nil {
		return Explanation{}, err
	}
	x := Explanation{Decision: d}
	for _, g := range candidates(p, scope) {
		dec, err := set.Decide(e, roleOf(g), permission)
		if err != nil {
			return x, fmt.Errorf("authz: %w", err)
		}
		x.Considered = append(x.Considered, Considered{Role: roleOf(g), Grant: g, Allowed: dec.Allowed, Rule: dec.String()})
	}
	for _, g := range p.Grants {
		if !partnership.Covers(g.Scope, scope) {
			x.Ignored = append(x.Ignored, g)
		}
	}
	return x, nil
}
