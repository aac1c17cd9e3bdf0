package policies

import (
	"errors"
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// NewEnforcer returns a Casbin enforcer holding set's rules. It has no adapter: the
// rules live only in memory, and saving or reloading policy through Casbin does
// nothing useful. To change a region's policy, build a new enforcer from the new
// set and swap it in.
//
// The enforcer decides as Casbin would under ModelText with the set's text loaded,
// but it holds the rules as role links rather than p rules (see enforcer.conf): an
// allow as a link of g, a deny as a link of g2. An uncached decision is then two
// map lookups instead of one matcher evaluation per rule, so its cost does not
// grow with the set.
//
// Requests are (role, permission) as plain strings; see Allowed. The enforcer caches
// every decision. Grants of roles at scopes never reach Casbin, so changing them
// needs no InvalidateCache; only the set does, and it is immutable.
func NewEnforcer(set *Set) (*casbin.SyncedCachedEnforcer, error) {
	if set == nil {
		return nil, errors.New("policies: new enforcer: no policy set")
	}
	m, err := model.NewModelFromString(enforcerConf)
	if err != nil {
		return nil, fmt.Errorf("policies: new enforcer: model: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("policies: new enforcer: %w", err)
	}
	var allows, denies [][]string
	for _, r := range set.Rules {
		link := []string{string(r.Role), string(r.Permission)}
		if r.Effect == Deny {
			denies = append(denies, link)
		} else {
			allows = append(allows, link)
		}
	}
	for _, g := range []struct {
		ptype string
		links [][]string
	}{{"g", allows}, {"g2", denies}} {
		if len(g.links) == 0 {
			continue
		}
		added, err := e.AddNamedGroupingPolicies(g.ptype, g.links)
		if err != nil {
			return nil, fmt.Errorf("policies: new enforcer: load rules: %w", err)
		}
		if !added {
			return nil, errors.New("policies: new enforcer: load rules: the set repeats a rule")
		}
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
	// Rule is the rule that decided: the set's deny of the pair, or else its allow.
	// It is nil when no rule names the pair and the request was denied by default.
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
// permission, and finds the rule of s that decided. It bypasses the decision cache,
// so use it to explain decisions, and Allowed to make them. Unknown names are an
// error wrapping ErrUnknownRole or ErrUnknownPermission. An answer of e that the
// rules of s contradict, as when e was made from another set, is an error too.
func (s *Set) Decide(e *casbin.SyncedCachedEnforcer, role Role, permission Permission) (Decision, error) {
	if !role.Known() {
		return Decision{}, fmt.Errorf("policies: decide: %w", knownRoles.unknownName(string(role)))
	}
	if !permission.Known() {
		return Decision{}, fmt.Errorf("policies: decide: %w", knownPermissions.unknownName(string(permission)))
	}
	// The embedded SyncedEnforcer is the enforcer without its cache.
	ok, err := e.SyncedEnforcer.Enforce(string(role), string(permission))
	if err != nil {
		return Decision{}, fmt.Errorf("policies: decide %s %s: %w", role, permission, err)
	}
	// Casbin's EnforceEx cannot name the rule: the enforcer holds no p rules, only
	// the links of enforcer.conf. The set names it, and must agree with the answer.
	allow, deny := s.rule(role, permission, Allow), s.rule(role, permission, Deny)
	if want := allow != nil && deny == nil; ok != want {
		return Decision{}, fmt.Errorf("policies: decide %s %s: the enforcer answers allowed=%v but the set's rules allowed=%v: the enforcer was not made from this set", role, permission, ok, want)
	}
	d := Decision{Allowed: ok, Rule: deny}
	if deny == nil {
		d.Rule = allow
	}
	return d, nil
}

// rule returns a copy of the rule of s with the given role, permission and effect,
// or nil. A set holds at most one.
func (s *Set) rule(role Role, permission Permission, eft Effect) *Rule {
	for _, source := range []Source{SourceOverride, SourceBaseline, SourcePlatform} {
		if i, ok := s.index[Rule{Role: role, Permission: permission, Effect: eft, Source: source}]; ok {
			r := s.Rules[i]
			return &r
		}
	}
	return nil
}
