package partnership

import "strings"

// A scope names a place in a region's tree where a role can be held: the region
// itself (its code, "32.73"), a kecamatan ("32.73.01"), a ward ("32.73.01.1001")
// or an institution ("32.73.01.1001/rw-03"). Official codes nest by prefix, so a
// scope covers another when it is the same or a prefix of it followed by '.' or
// '/': a plain string comparison, no pattern matching.

// Covers reports whether a role held at scope outer reaches an object at scope inner.
func Covers(outer, inner string) bool {
	if !strings.HasPrefix(inner, outer) {
		return false
	}
	if len(inner) == len(outer) {
		return true
	}
	c := inner[len(outer)]
	return c == '.' || c == '/'
}

// ScopeLevel names the level of a scope of this region — "region", "kecamatan",
// "ward" or "institution" — or returns "" when the region has no such place.
func (r *Region) ScopeLevel(scope string) string {
	if r.scopes == nil {
		return r.scopeIndex()[scope]
	}
	return r.scopes[scope]
}

// IndexScopes builds the index ScopeLevel reads, once, before the region is
// shared between goroutines; without it ScopeLevel walks the tree on each call.
func (r *Region) IndexScopes() { r.scopes = r.scopeIndex() }

func (r *Region) scopeIndex() map[string]string {
	m := map[string]string{r.Code: "region"}
	for _, k := range r.Kecamatan {
		m[k.Code] = "kecamatan"
		for _, w := range k.Wards {
			m[w.Code] = "ward"
		}
	}
	for _, in := range r.Institutions() {
		m[in.Key] = "institution"
	}
	return m
}
