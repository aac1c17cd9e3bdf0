package policies

import (
	"embed"
	"fmt"
	"io/fs"
	"iter"
	"slices"
	"strings"
)

// The national policy data, compiled into every binary that imports the package.
var (
	//go:embed model.conf
	modelConf string
	//go:embed enforcer.conf
	enforcerConf string
	//go:embed baseline.csv
	baselineCSV string
	//go:embed guardrails.csv
	guardrailsCSV string
	//go:embed platform.csv
	platformCSV string
	//go:embed examples/*.txt
	examples embed.FS
)

// nationalPolicy is the parsed national data: guardrails, baseline and platform policy.
type nationalPolicy struct {
	guardrails map[Permission]Guardrail
	baseline   []Rule
	platform   []Rule
}

// national is parsed once, when the program starts. The data is embedded and the
// package tests parse it, so a failure here is a build defect, not a runtime
// condition; it panics like regexp.MustCompile.
var national = mustLoadNational()

func mustLoadNational() nationalPolicy {
	n, err := loadNational(guardrailsCSV, baselineCSV, platformCSV)
	if err != nil {
		panic(err)
	}
	return n
}

func loadNational(guardrailsText, baselineText, platformText string) (nationalPolicy, error) {
	var n nationalPolicy
	var err error
	if n.guardrails, err = parseGuardrails(guardrailsText); err != nil {
		return n, err
	}
	if n.baseline, err = parseBaseline(baselineText, n.guardrails); err != nil {
		return n, err
	}
	if n.platform, err = parsePlatform(platformText); err != nil {
		return n, err
	}
	return n, nil
}

// Baseline returns the national baseline: the allow rules every region starts from,
// in canonical order (by role, then permission, in catalogue order).
func Baseline() []Rule { return slices.Clone(national.baseline) }

// Platform returns the platform policy as a set, for the enforcer that guards the
// national API (onboarding regions, national aggregates). Its rules name only
// platform roles and permissions, and no region's set holds them.
func Platform() *Set { return newSet(slices.Clone(national.platform)) }

// ExampleOverrides returns the example regional overrides (examples/*.txt), one
// file per example: a valid one for Kota Bandung, one for Kabupaten Sumedang, and
// one that exceeds the guardrails.
func ExampleOverrides() fs.FS {
	sub, err := fs.Sub(examples, "examples")
	if err != nil {
		panic(fmt.Sprintf("policies: embedded examples: %v", err)) // fs.Sub fails only on an invalid literal path.
	}
	return sub
}

// ModelText returns the Casbin model of a set's text (see Set.Text): loaded under it
// with Casbin's file adapter, the text decides every request as the set's enforcer
// (see NewEnforcer) does. The enforcer itself holds the rules under another model,
// which decides the same without reading every rule.
func ModelText() string { return modelConf }

// parseBaseline parses baseline.csv: Casbin policy lines "p, <role>, <permission>,
// allow", '#' comment lines and blank lines. The baseline only allows (the default
// already denies), names only regional roles and permissions, holds each pair once
// and stays within the guardrails.
func parseBaseline(text string, guardrails map[Permission]Guardrail) ([]Rule, error) {
	return parseAllowList(text, SourceBaseline, knownRoles.regional, knownPermissions.regional,
		"the baseline holds only allow rules; everything else is denied by default",
		func(r Rule) error { return checkGuardrail(guardrails, r.Role, r.Permission) })
}

// parsePlatform parses platform.csv, which has the grammar of baseline.csv but names
// only platform roles and permissions.
func parsePlatform(text string) ([]Rule, error) {
	return parseAllowList(text, SourcePlatform, platformRole, knownPermissions.ofPlatform,
		"the platform policy holds only allow rules", func(Rule) error { return nil })
}

// parseAllowList parses a national policy text of source: Casbin lines naming
// what role and perm accept, each an allow rule (onlyAllow says why a deny is
// refused) that check accepts, no pair twice. The rules come back in
// canonical order; the error lists every line refused.
func parseAllowList(text string, source Source, role func(string) (Role, error), perm func(string) (Permission, error),
	onlyAllow string, check func(Rule) error) ([]Rule, error) {
	errs := &lineErrors{text: string(source)}
	seen := make(map[rulePair]int)
	var rules []Rule
	for n, content := range csvLines(text) {
		rule, err := parseCasbinRow(content, role, perm)
		if err == nil && rule.Effect != Allow {
			err = &reason{onlyAllow, ErrSyntax}
		}
		if err == nil {
			err = check(rule)
		}
		if err == nil {
			if prev, dup := seen[rule.pair()]; dup {
				err = &reason{fmt.Sprintf("repeats line %d", prev), ErrConflict}
			}
		}
		if err != nil {
			errs.add(n, content, err)
			continue
		}
		seen[rule.pair()] = n
		rule.Source, rule.Line = source, n
		rules = append(rules, rule)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	sortRules(rules)
	return rules, nil
}

// parseCasbinRow parses "p, <role>, <permission>, <effect>", checking the names with
// the given functions.
func parseCasbinRow(content string, role func(string) (Role, error), perm func(string) (Permission, error)) (Rule, error) {
	fields := splitCSV(content)
	if len(fields) != 4 || fields[0] != "p" {
		return Rule{}, &reason{"want p, <role>, <permission>, allow|deny", ErrSyntax}
	}
	return parseRule(fields[3], fields[1], fields[2], role, perm)
}

// parseRule makes a rule of its three words, checking them in this order:
// the effect, the role with role, the permission with perm.
func parseRule(effect, roleName, permName string, role func(string) (Role, error), perm func(string) (Permission, error)) (Rule, error) {
	eft, err := parseEffect(effect)
	if err != nil {
		return Rule{}, err
	}
	r, err := role(roleName)
	if err != nil {
		return Rule{}, err
	}
	p, err := perm(permName)
	if err != nil {
		return Rule{}, err
	}
	return Rule{Role: r, Permission: p, Effect: eft}, nil
}

func parseEffect(s string) (Effect, error) {
	switch Effect(s) {
	case Allow, Deny:
		return Effect(s), nil
	}
	return "", &reason{fmt.Sprintf("unknown effect %q (want allow or deny)", s), ErrSyntax}
}

// csvLines yields each line of a CSV policy text that holds data, with its 1-based
// number, trimmed. It skips blank lines and lines whose first non-blank character
// is '#', the only comments Casbin's own CSV reader understands.
func csvLines(text string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i, line := range splitLines(text) {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if !yield(i+1, line) {
				return
			}
		}
	}
}

// splitLines splits text into lines, accepting "\n" and "\r\n" endings.
func splitLines(text string) []string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// splitCSV splits a line at commas and trims each field. Names in the catalogue
// hold neither commas nor quotes, so no quoting is needed.
func splitCSV(line string) []string {
	fields := strings.Split(line, ",")
	for i, f := range fields {
		fields[i] = strings.TrimSpace(f)
	}
	return fields
}

// rulePair is the part of a rule a request matches on.
type rulePair struct {
	role Role
	perm Permission
}

func (r Rule) pair() rulePair { return rulePair{r.Role, r.Permission} }

// sortRules puts rules in canonical order: by source (platform, baseline, override),
// then role and permission in catalogue order, then allow before deny.
func sortRules(rules []Rule) {
	rank := func(r Rule) int {
		eft := 0
		if r.Effect == Deny {
			eft = 1
		}
		return ((sourceRank(r.Source)*len(knownRoles.names)+knownRoles.entries[r.Role].place)*len(knownPermissions.names)+knownPermissions.entries[r.Permission].place)*2 + eft
	}
	type ranked struct {
		rank int
		rule Rule
	}
	rs := make([]ranked, len(rules))
	for i, r := range rules {
		rs[i] = ranked{rank(r), r}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return a.rank - b.rank })
	for i, r := range rs {
		rules[i] = r.rule
	}
}

func sourceRank(s Source) int {
	switch s {
	case SourcePlatform:
		return 0
	case SourceBaseline:
		return 1
	}
	return 2
}
