package policies

import (
	"fmt"
	"strings"
)

// ParseOverrides parses a region's overrides (see the package documentation for the
// grammar) and checks every rule against the catalogue and the national guardrails.
// It returns the rules in the order written, each with its line number.
//
// It reports every faulty line, not only the first: the error joins one *LineError
// per line (at most 50, then a count of the rest), each naming the line number, the
// line and what is wrong with it.
func ParseOverrides(text string) ([]Rule, error) {
	errs := &lineErrors{text: "override"}
	type first struct {
		line    int
		effect  Effect
		content string
	}
	seen := make(map[rulePair]first)
	var rules []Rule
	for i, line := range splitLines(text) {
		n := i + 1
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		content := strings.TrimSpace(line)
		if content == "" {
			continue
		}
		rule, err := parseOverride(content)
		if err != nil {
			errs.add(n, content, err)
			continue
		}
		if prev, dup := seen[rule.pair()]; dup {
			if prev.effect == rule.Effect {
				errs.add(n, content, &reason{fmt.Sprintf("repeats line %d", prev.line), ErrConflict})
			} else {
				errs.add(n, content, &reason{fmt.Sprintf("contradicts line %d %q; keep one of them", prev.line, prev.content), ErrConflict})
			}
			continue
		}
		seen[rule.pair()] = first{n, rule.Effect, content}
		rule.Source, rule.Line = SourceOverride, n
		rules = append(rules, rule)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return rules, nil
}

// parseOverride parses one override line with its comment removed.
func parseOverride(content string) (Rule, error) {
	fields := strings.Fields(content)
	if head, _, isCSV := strings.Cut(content, ","); isCSV && strings.TrimSpace(head) == "p" {
		return Rule{}, &reason{`overrides are written "allow|deny <role> <permission>", not as Casbin CSV`, ErrSyntax}
	}
	if len(fields) != 3 {
		return Rule{}, &reason{fmt.Sprintf("want allow|deny <role> <permission>, got %d fields", len(fields)), ErrSyntax}
	}
	rule, err := parseRule(fields[0], fields[1], fields[2], knownRoles.regional, knownPermissions.regional)
	if err == nil && rule.Effect == Allow {
		err = checkGuardrail(national.guardrails, rule.Role, rule.Permission)
	}
	if err != nil {
		return Rule{}, err
	}
	return rule, nil
}
