package partnership

import (
	"strconv"
	"strings"
)

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
	if _, _, ok := strings.Cut(scope, "/"); ok {
		if _, ok := r.institution(scope); ok {
			return "institution"
		}
		return ""
	}
	return r.index()[scope].level
}

// place is what the index knows of a scope: its level and, for a ward, the ward.
type place struct {
	level string
	ward  *Ward
}

// IndexScopes builds the index ScopeLevel reads, once, before the region is
// shared between goroutines; without it ScopeLevel walks the tree on each call.
// The index holds the region, its kecamatan and its wards; institutions are
// checked against their ward's, which keeps it small: Indonesia's 514 regions
// have some 83,000 wards but more than 600,000 institutions.
func (r *Region) IndexScopes() { r.scopes = r.scopeIndex() }

func (r *Region) index() map[string]place {
	if r.scopes == nil {
		return r.scopeIndex()
	}
	return r.scopes
}

func (r *Region) scopeIndex() map[string]place {
	m := map[string]place{r.Code: {level: "region"}}
	for i := range r.Kecamatan {
		k := &r.Kecamatan[i]
		m[k.Code] = place{level: "kecamatan"}
		for j := range k.Wards {
			m[k.Wards[j].Code] = place{level: "ward", ward: &k.Wards[j]}
		}
	}
	return m
}

// institution makes the institution a key names, if the region has it: the
// first of its ward's institutions, in Institutions' order, with that key.
func (r *Region) institution(key string) (Institution, bool) {
	code, rest, _ := strings.Cut(key, "/")
	w := r.index()[code].ward
	if w == nil {
		return Institution{}, false
	}
	for _, t := range r.InstitutionTypes {
		if !t.PerRW {
			if rest == t.Key {
				return institution(*w, t, 0), true
			}
			continue
		}
		num, ok := strings.CutPrefix(rest, t.Key+"-")
		if n, err := strconv.Atoi(num); ok && err == nil && n >= 1 && n <= int(w.RW) {
			if in := institution(*w, t, n); in.Key == key {
				return in, true
			}
		}
	}
	return Institution{}, false
}
