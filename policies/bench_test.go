package policies

import "testing"

// BenchmarkEnforce measures one (role, permission) decision, cycling through every
// regional pair. "uncached" evaluates the policy on every call under the baseline
// plus Kota Bandung's overrides; "uncached-large" does the same under a synthetic
// set ten times that size (see largeSet), to show that the cost of a decision does
// not grow with the number of rules; "cached" is the steady state of a
// SyncedCachedEnforcer, whose cache never needs invalidating for grant changes.
func BenchmarkEnforce(b *testing.B) {
	set := mustRender(b, readExample(b, "kota-bandung.txt"))
	requests := regionalRequests()
	b.Run("uncached", func(b *testing.B) {
		benchmarkEnforce(b, set, requests, false)
	})
	b.Run("uncached-large", func(b *testing.B) {
		benchmarkEnforce(b, largeSet(), requests, false)
	})
	b.Run("cached", func(b *testing.B) {
		benchmarkEnforce(b, set, requests, true)
	})
}

// benchmarkEnforce asks an enforcer of set the requests in turn, with its cache
// enabled and filled beforehand, or disabled.
func benchmarkEnforce(b *testing.B, set *Set, requests [][2]string, cached bool) {
	e := mustEnforcer(b, set)
	e.EnableCache(cached)
	if cached {
		for _, q := range requests {
			if _, err := e.Enforce(q[0], q[1]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := requests[i%len(requests)]
		i++
		if _, err := e.Enforce(q[0], q[1]); err != nil {
			b.Fatal(err)
		}
	}
}

// regionalRequests returns every regional (role, permission) pair as plain strings.
func regionalRequests() [][2]string {
	var requests [][2]string
	for _, r := range RegionalRoles() {
		for _, p := range RegionalPermissions() {
			requests = append(requests, [2]string{string(r), string(p)})
		}
	}
	return requests
}

// largeSet returns a synthetic set of about 2,100 rules, ten times a real region's:
// a "baseline" allowing every regional pair, guardrails or not, and an override
// denying every other pair. No region could render it; it exists to load an
// enforcer with many rules.
func largeSet() *Set {
	var rules []Rule
	for i, r := range RegionalRoles() {
		for j, p := range RegionalPermissions() {
			rules = append(rules, Rule{Role: r, Permission: p, Effect: Allow, Source: SourceBaseline})
			if (i+j)%2 == 0 {
				rules = append(rules, Rule{Role: r, Permission: p, Effect: Deny, Source: SourceOverride})
			}
		}
	}
	return newSet(rules)
}
