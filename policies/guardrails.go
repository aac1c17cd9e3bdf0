package policies

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// A Guardrail is the national ceiling on one regional permission: the roles a
// region's policy may ever let hold it. No override can grant it to anyone else.
type Guardrail struct {
	Permission Permission
	// Roles are the roles that may hold the permission, in the order guardrails.csv
	// lists them ("any" there stands for every regional role, in catalogue order,
	// which leaves out System).
	// It is empty when nobody may ever hold the permission.
	Roles []Role
	// Line is the permission's line in guardrails.csv.
	Line int
}

// Allows reports whether the guardrail lets a region grant its permission to r.
func (g Guardrail) Allows(r Role) bool { return slices.Contains(g.Roles, r) }

// Never reports whether nobody may ever hold the guardrail's permission.
func (g Guardrail) Never() bool { return len(g.Roles) == 0 }

// Guardrails returns the national guardrails, one per regional permission, in
// catalogue order.
func Guardrails() []Guardrail {
	gs := make([]Guardrail, 0, len(national.guardrails))
	for _, p := range RegionalPermissions() {
		g := national.guardrails[p]
		g.Roles = slices.Clone(g.Roles)
		gs = append(gs, g)
	}
	return gs
}

// MayHold reports whether the national guardrails let a region's policy grant p to
// r. It is false for unknown and platform names.
func MayHold(r Role, p Permission) bool {
	g, ok := national.guardrails[p]
	return ok && g.Allows(r)
}

// checkGuardrail returns why an allow rule for (r, p) exceeds the guardrails, or nil.
func checkGuardrail(guardrails map[Permission]Guardrail, r Role, p Permission) error {
	g := guardrails[p]
	switch {
	case g.Allows(r):
		return nil
	case g.Never():
		return &reason{fmt.Sprintf("nobody may hold %s (national guardrail)", p), ErrGuardrail}
	}
	// The server's own role is left out of the reasons: nobody writing a
	// region's overrides can grant it to anyone.
	var names []string
	for _, gr := range g.Roles {
		if gr != System {
			names = append(names, string(gr))
		}
	}
	return &reason{fmt.Sprintf("role %s may not hold %s (national guardrail allows: %s)",
		r, p, strings.Join(names, ", ")), ErrGuardrail}
}

// The keywords of guardrails.csv that stand in place of a role list.
const (
	guardrailAny   = "any"
	guardrailNever = "never"
)

// parseGuardrails parses the guardrails grammar (see guardrails.csv):
//
//	<permission>, <role> [, <role>]...   only these roles may ever hold permission
//	<permission>, any                    every regional role may hold it
//	<permission>, never                  nobody may ever hold it
//
// Lines starting with '#' and blank lines are ignored. Every regional permission
// must have exactly one line.
func parseGuardrails(text string) (map[Permission]Guardrail, error) {
	errs := &lineErrors{text: "guardrails"}
	guardrails := make(map[Permission]Guardrail)
	for n, content := range csvLines(text) {
		fields := splitCSV(content)
		if len(fields) < 2 {
			errs.add(n, content, &reason{"want <permission>, <role> [, <role>]... or <permission>, any|never", ErrSyntax})
			continue
		}
		p, err := knownPermissions.regional(fields[0])
		if err != nil {
			errs.add(n, content, err)
			continue
		}
		if prev, dup := guardrails[p]; dup {
			errs.add(n, content, &reason{fmt.Sprintf("%s already has a guardrail on line %d", p, prev.Line), ErrConflict})
			continue
		}
		g := Guardrail{Permission: p, Line: n}
		lineOK := true
		switch {
		case len(fields) == 2 && fields[1] == guardrailAny:
			g.Roles = slices.DeleteFunc(RegionalRoles(), func(r Role) bool { return r == System })
		case len(fields) == 2 && fields[1] == guardrailNever:
			g.Roles = nil
		default:
			for _, name := range fields[1:] {
				if name == guardrailAny || name == guardrailNever {
					errs.add(n, content, &reason{fmt.Sprintf("%q must stand alone after the permission", name), ErrSyntax})
					lineOK = false
					continue
				}
				r, err := knownRoles.regional(name)
				if err != nil {
					errs.add(n, content, err)
					lineOK = false
					continue
				}
				if slices.Contains(g.Roles, r) {
					errs.add(n, content, &reason{fmt.Sprintf("role %s is listed twice", r), ErrConflict})
					lineOK = false
					continue
				}
				g.Roles = append(g.Roles, r)
			}
		}
		if lineOK {
			guardrails[p] = g
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	var missing []error
	for _, p := range RegionalPermissions() {
		if _, ok := guardrails[p]; !ok {
			missing = append(missing, fmt.Errorf("policies: guardrails: permission %s has no guardrail", p))
		}
	}
	return guardrails, errors.Join(missing...)
}
