package partnership

// The places of a region's tree by name, as people read them: what a scope,
// an activity or a priority area is called, a ward with its kecamatan, the
// wards beneath a scope and the institutions of a ward.

// PlaceName names a place of the region: the region itself, a kecamatan, a
// ward or an institution. A scope the region has no place for is its own name.
func (r *Region) PlaceName(scope string) string {
	if scope == r.Code {
		return r.Name
	}
	for _, k := range r.Kecamatan {
		if k.Code == scope {
			return k.Name
		}
		for _, w := range k.Wards {
			if w.Code == scope {
				return w.Name
			}
		}
	}
	if in, ok := r.Institution(scope); ok {
		return in.Name
	}
	return scope
}

// Ward finds a ward of the region, and the kecamatan it belongs to.
func (r *Region) Ward(code string) (Ward, Kecamatan, bool) {
	for _, k := range r.Kecamatan {
		for _, w := range k.Wards {
			if w.Code == code {
				return w, k, true
			}
		}
	}
	return Ward{}, Kecamatan{}, false
}

// WardsUnder lists, in the tree's order, the wards a role held at scope
// reaches: all of them from the region, a kecamatan's from the kecamatan, a
// ward from itself, none from an institution.
func (r *Region) WardsUnder(scope string) []Ward {
	var out []Ward
	for _, k := range r.Kecamatan {
		for _, w := range k.Wards {
			if Covers(scope, w.Code) {
				out = append(out, w)
			}
		}
	}
	return out
}

// InstitutionsOf lists the institutions of a ward, in the order Institutions
// lists them; none when the region has no such ward.
func (r *Region) InstitutionsOf(ward string) []Institution {
	w := r.index()[ward].ward
	if w == nil {
		return nil
	}
	return r.wardInstitutions(nil, *w)
}

// ActivityName names an activity of an institution type's scope. A key no
// type has is its own name.
func (r *Region) ActivityName(key string) string {
	for _, t := range r.InstitutionTypes {
		for _, a := range t.Scope {
			if a.Key == key {
				return a.Name
			}
		}
	}
	return key
}

// PriorityAreas are the priority areas of the region's four-pillar model:
// none where the region has no four-pillar rules.
func (r *Region) PriorityAreas() []PriorityArea {
	if r.FourPillar == nil {
		return nil
	}
	return r.FourPillar.PriorityAreas
}

// AreaName names a priority area. A key that is none is its own name.
func (r *Region) AreaName(key string) string {
	for _, a := range r.PriorityAreas() {
		if a.Key == key {
			return a.Name
		}
	}
	return key
}
