package step

import (
	"fmt"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// Region is one realm as its steps see it — a region, or the platform of
// the national agencies: its regulations, its database, its policy and the
// clock. A transport builds one per request (or command, or scheduled run)
// around the database it holds.
type Region struct {
	// Spec is the region's regulations; nil on the platform.
	Spec *partnership.Region
	// Root is the scope of the whole realm: the region's code, or "platform".
	Root string
	// DB is the realm's database, held by the caller for the step's length.
	DB bun.IDB
	// Policy is the policy set Enforcer enforces, for explanations.
	Policy   *policies.Set
	Enforcer func() (*casbin.SyncedCachedEnforcer, error)
	// NIK hashes national ID numbers with the region's key; nil where none is kept.
	NIK *authz.NIKHasher
	// Location is the realm's time zone, for what it tells people of times.
	Location *time.Location
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Listener is told the events of every committed step; nil tells nobody.
	Listener Listener
}

// Slug is the region's short name, "" on the platform.
func (r *Region) Slug() string {
	if r.Spec == nil {
		return ""
	}
	return r.Spec.Slug
}

// Clock is the realm's time now.
func (r *Region) Clock() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Decide asks the region's policy whether the actor may use p on an object
// at scope. A decision the actor carries for p at a scope covering this one
// is reused without asking again.
func (r *Region) Decide(a Actor, p policies.Permission, scope string) (authz.Decision, error) {
	if h := a.held; h != nil && h.Permission == p && (h.Grant == nil || partnership.Covers(h.Grant.Scope, scope)) {
		d := *h
		d.Scope = scope
		return d, nil
	}
	e, err := r.Enforcer()
	if err != nil {
		return authz.Decision{}, err
	}
	return authz.Authorize(e, a.principal(r.Root), p, scope)
}

// May reports whether the actor may use p at scope, for what a transport
// shows or a read reveals; a failure to decide is a no.
func (r *Region) May(a Actor, p policies.Permission, scope string) bool {
	d, err := r.Decide(a, p, scope)
	return err == nil && d.Allowed
}

// Must is Decide as a refusal: nil when allowed, else a *Denied error,
// which is ErrUnauthenticated for an anonymous visitor and ErrForbidden for
// anyone else. Reads with rules of their own (who may see a document) call
// it too.
func (r *Region) Must(a Actor, p policies.Permission, scope string) (authz.Decision, error) {
	d, err := r.Decide(a, p, scope)
	if err != nil {
		return d, err
	}
	if !d.Allowed {
		return d, &Denied{Permission: p, Scope: scope, anonymous: a.Anonymous()}
	}
	return d, nil
}

// Denied is a refusal of the region's policy: the permission asked for and
// the scope it was asked at.
type Denied struct {
	Permission policies.Permission
	Scope      string
	anonymous  bool
}

func (e *Denied) Error() string {
	if e.anonymous {
		return fmt.Sprintf("%s: sign in to use %s", partnership.ErrUnauthenticated, e.Permission)
	}
	return fmt.Sprintf("%s: none of your roles may use %s at %s", partnership.ErrForbidden, e.Permission, e.Scope)
}

// Unwrap makes a refusal ErrUnauthenticated for an anonymous visitor, who
// may be allowed once signed in, and ErrForbidden for anyone else.
func (e *Denied) Unwrap() error {
	if e.anonymous {
		return partnership.ErrUnauthenticated
	}
	return partnership.ErrForbidden
}
