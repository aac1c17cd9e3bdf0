package policies

import "testing"

// BenchmarkEnforce measures one (role, permission) decision under the baseline plus
// Kota Bandung's overrides, cycling through every regional pair. "uncached"
// evaluates the policy on every call; "cached" is the steady state of a
// SyncedCachedEnforcer, whose cache never needs invalidating for grant changes.
func BenchmarkEnforce(b *testing.B) {
	set := mustRender(b, readExample(b, "kota-bandung.txt"))
	var requests [][2]string
	for _, r := range RegionalRoles() {
		for _, p := range RegionalPermissions() {
			requests = append(requests, [2]string{string(r), string(p)})
		}
	}
	b.Run("uncached", func(b *testing.B) {
		e, err := NewEnforcer(set)
		if err != nil {
			b.Fatal(err)
		}
		e.EnableCache(false)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := requests[i%len(requests)]
			i++
			if _, err := e.Enforce(q[0], q[1]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		e, err := NewEnforcer(set)
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range requests {
			if _, err := e.Enforce(q[0], q[1]); err != nil {
				b.Fatal(err)
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
	})
}
