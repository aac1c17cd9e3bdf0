package policies

import (
	"errors"
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// NewEnforcer returns a Casbin enforcer holding set's rules under the package's
// model (see ModelText). It has no adapter: the rules live only in memory, and
// saving or reloading policy through Casbin does nothing useful. To change a
// region's policy, build a new enforcer from the new set and swap it in.
//
// Requests are (role, permission) as plain strings; see Allowed. The enforcer caches
// every decision. Grants of roles at scopes never reach Casbin, so changing them
// needs no InvalidateCache; only the set does, and it is immutable.
func NewEnforcer(set *Set) (*casbin.SyncedCachedEnforcer, error) {
	if set == nil {
		return nil, errors.New("policies: new enforcer: no policy set")
	}
	m, err := model.NewModelFromString(modelConf)
	if err != nil {
		return nil, fmt.Errorf("policies: new enforcer: model: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("policies: new enforcer: %w", err)
	}
	if len(set.Rules) == 0 {
		return e, nil
	}
	rows := make([][]string, len(set.Rules))
	for i, r := range set.Rules {
		rows[i] = r.casbinRow()
	}
	added, err := e.AddPolicies(rows)
	if err != nil {
		return nil, fmt.Errorf("policies: new enforcer: load rules: %w", err)
	}
	if !added {
		return nil, errors.New("policies: new enforcer: load rules: the set repeats a rule")
	}
	return e, nil
}

// Allowed reports whether role may perform permission under e. It is the hot path:
// the answer comes from the enforcer's cache after the first request for the pair.
//
// Call e.Enforce directly only with plain strings: Casbin caches a request only when
// every value is a string, and a Role or Permission value is not.
func Allowed(e *casbin.SyncedCachedEnforcer, role Role, permission Permission) (bool, error) {
	ok, err := e.Enforce(string(role), string(permission))
	if err != nil {
		return false, fmt.Errorf("policies: enforce %s %s: %w", role, permission, err)
	}
	return ok, nil
}

// A Decision is an enforcer's answer to one request, with the rule that decided it.
type Decision struct {
	Allowed bool
	// Rule is the rule that decided: the deny that matched, or else the first allow
	// that matched. It is nil when no rule matched and the request was denied by
	// default.
	Rule *Rule
}

// String explains the decision in one line, as in "allowed by allow forum-lpm
// participation:read (override)" or "denied by default: no rule allows it".
func (d Decision) String() string {
	switch {
	case d.Rule == nil && d.Allowed:
		return "allowed"
	case d.Rule == nil:
		return "denied by default: no rule allows it"
	case d.Allowed:
		return "allowed by " + d.Rule.String()
	}
	return "denied by " + d.Rule.String()
}

// Decide asks e, which must have been made from s, whether role may perform
// permission, and finds the rule of s that decided (Casbin's EnforceEx). It bypasses
// the decision cache, so use it to explain decisions, and Allowed to make them.
// Unknown names are an error wrapping ErrUnknownRole or ErrUnknownPermission.
func (s *Set) Decide(e *casbin.SyncedCachedEnforcer, role Role, permission Permission) (Decision, error) {
	if !role.Known() {
		return Decision{}, fmt.Errorf("policies: decide: %w", unknownRole(string(role)))
	}
	if !permission.Known() {
		return Decision{}, fmt.Errorf("policies: decide: %w", unknownPermission(string(permission)))
	}
	ok, explain, err := e.EnforceEx(string(role), string(permission))
	if err != nil {
		return Decision{}, fmt.Errorf("policies: decide %s %s: %w", role, permission, err)
	}
	d := Decision{Allowed: ok}
	if len(explain) == 0 {
		return d, nil
	}
	if len(explain) != 3 {
		return Decision{}, fmt.Errorf("policies: decide %s %s: unexpected rule %q", role, permission, explain)
	}
	for _, source := range []Source{SourceOverride, SourceBaseline, SourcePlatform} {
		key := Rule{Role: Role(explain[0]), Permission: Permission(explain[1]), Effect: Effect(explain[2]), Source: source}
		if i, found := s.index[key]; found {
			rule := s.Rules[i]
			d.Rule = &rule
			return d, nil
		}
	}
	return Decision{}, fmt.Errorf("policies: decide %s %s: the enforcer matched %q, which is not in the set it was given", role, permission, explain)
}
