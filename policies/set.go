package policies

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// A Set is a complete policy: the rules one enforcer loads. A region's set is the
// national baseline plus the region's overrides; the platform's set is Platform().
//
// Make sets with Render, ParseSet or Platform; a Set is immutable once made, so do
// not modify Rules.
type Set struct {
	// Rules are the set's rules in canonical order: the baseline (or platform) rules,
	// then the overrides, each by role and permission in catalogue order.
	Rules []Rule
	// Hash is the lower-case hex SHA-256 of Text. Two sets with the same rules have
	// the same hash, whatever the comments, blank lines and order of the overrides
	// they were rendered from.
	Hash string

	text  string
	index map[Rule]int // rule without Line → position in Rules
}

// The section headers of a set's text. Casbin skips them as comments.
const (
	sectionBaseline  = "# baseline"
	sectionOverrides = "# overrides"
	sectionPlatform  = "# platform"
)

const setHeader = `# Pilar policy set, rendered by pilar.id/pilar/policies: do not edit.
# Request: (role, permission). Denied by default; a deny beats any allow.
`

// Render checks a region's overrides (see ParseOverrides) and merges them into the
// national baseline. An override that allows what the baseline already allows
// changes nothing and is left out of the set; a deny is kept even when nothing
// allows its pair, so it keeps holding if the baseline later grants it.
func Render(overrides string) (*Set, error) {
	rules, err := ParseOverrides(overrides)
	if err != nil {
		return nil, err
	}
	all := Baseline()
	inBaseline := make(map[rulePair]bool, len(all))
	for _, r := range all {
		inBaseline[r.pair()] = true
	}
	for _, r := range rules {
		if r.Effect == Allow && inBaseline[r.pair()] {
			continue
		}
		all = append(all, r)
	}
	return newSet(all), nil
}

// ParseSet loads a set from its text (see Set.Text), as the API server does with
// the ConfigMap the operator rendered. It does not trust the text: it checks every
// rule against the catalogue and the national guardrails of this binary again,
// and refuses platform rules, denies in the baseline section and repeated or
// contradictory rules. The rules it returns have no line numbers.
func ParseSet(text string) (*Set, error) {
	errs := &lineErrors{text: "set"}
	var (
		section      Source
		rules        []Rule
		seen         = make(map[Rule]int)     // rule without source → line
		overrideLine = make(map[rulePair]int) // pair → line of its override
	)
	for i, line := range splitLines(text) {
		n := i + 1
		content := strings.TrimSpace(line)
		switch content {
		case sectionBaseline:
			section = SourceBaseline
			continue
		case sectionOverrides:
			section = SourceOverride
			continue
		case sectionPlatform:
			errs.add(n, content, &reason{"a region's set holds no platform rules", ErrGuardrail})
			section = ""
			continue
		}
		if content == "" || strings.HasPrefix(content, "#") {
			continue
		}
		rule, err := parseCasbinRow(content, knownRoles.regional, knownPermissions.regional)
		switch {
		case err != nil:
		case section == "":
			err = &reason{`rule outside a "# baseline" or "# overrides" section`, ErrSyntax}
		case section == SourceBaseline && rule.Effect != Allow:
			err = &reason{"the baseline holds only allow rules", ErrSyntax}
		case rule.Effect == Allow:
			err = checkGuardrail(national.guardrails, rule.Role, rule.Permission)
		}
		if err == nil {
			if prev, dup := seen[rule]; dup {
				err = &reason{fmt.Sprintf("repeats line %d", prev), ErrConflict}
			} else if prev, dup := overrideLine[rule.pair()]; dup && section == SourceOverride {
				err = &reason{fmt.Sprintf("contradicts line %d", prev), ErrConflict}
			}
		}
		if err != nil {
			errs.add(n, content, err)
			continue
		}
		seen[rule] = n
		if section == SourceOverride {
			overrideLine[rule.pair()] = n
		}
		rule.Source = section
		rules = append(rules, rule)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return newSet(rules), nil
}

// newSet sorts rules into canonical order and computes the set's text and hash.
// The rules are either all platform rules or all regional ones.
func newSet(rules []Rule) *Set {
	sortRules(rules)
	s := &Set{Rules: rules, index: make(map[Rule]int, len(rules))}
	var b strings.Builder
	b.WriteString(setHeader)
	sections := []Source{SourceBaseline, SourceOverride}
	if len(rules) > 0 && rules[0].Source == SourcePlatform {
		sections = []Source{SourcePlatform}
	}
	i := 0
	for _, section := range sections {
		b.WriteString("\n" + sectionHeader(section) + "\n")
		for ; i < len(rules) && rules[i].Source == section; i++ {
			r := rules[i]
			b.WriteString("p, " + string(r.Role) + ", " + string(r.Permission) + ", " + string(r.Effect) + "\n")
			s.index[r.key()] = i
		}
	}
	if i != len(rules) {
		panic(fmt.Sprintf("policies: set mixes platform and regional rules: %v", rules[i]))
	}
	s.text = b.String()
	sum := sha256.Sum256([]byte(s.text))
	s.Hash = hex.EncodeToString(sum[:])
	return s
}

func sectionHeader(s Source) string {
	switch s {
	case SourceBaseline:
		return sectionBaseline
	case SourceOverride:
		return sectionOverrides
	}
	return sectionPlatform
}

// key returns the rule without its line number, the identity of a rule in a set.
func (r Rule) key() Rule {
	r.Line = 0
	return r
}

// Text returns the set in its canonical text form: Casbin policy CSV ("p, <role>,
// <permission>, allow|deny"), one rule a line, in canonical order, under the section
// headers "# baseline" and "# overrides". Casbin's file adapter loads it as it is,
// ParseSet loads it back, and the operator stores it in the region's ConfigMap.
func (s *Set) Text() string { return s.text }

// Overrides returns the set's override rules, in canonical order.
func (s *Set) Overrides() []Rule {
	var rules []Rule
	for _, r := range s.Rules {
		if r.Source == SourceOverride {
			rules = append(rules, r)
		}
	}
	return rules
}
