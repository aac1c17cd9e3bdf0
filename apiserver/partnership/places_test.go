package partnership

import (
	"slices"
	"testing"
)

func TestPlaces(t *testing.T) {
	r := &Region{Code: "32.73", Name: "Kota Bandung", Kecamatan: []Kecamatan{
		{Code: "32.73.01", Name: "Sukasari", Wards: []Ward{{Code: "32.73.01.1001", Name: "Sukarasa", RW: 2}, {Code: "32.73.01.1002", Name: "Gegerkalong"}}},
		{Code: "32.73.02", Name: "Coblong", Wards: []Ward{{Code: "32.73.02.1001", Name: "Dago"}}},
	}, InstitutionTypes: []InstitutionType{
		{Key: "rw", Name: "RW", PerRW: true, Scope: []Activity{{Key: "infrastructure", Name: "Infrastruktur"}}},
		{Key: "lpm", Name: "LPM", Scope: []Activity{{Key: "training", Name: "Pelatihan"}}},
	}, FourPillar: &FourPillarRules{PriorityAreas: []PriorityArea{{Key: "education", Name: "Pendidikan"}}}}

	for _, tt := range []struct{ what, got, want string }{
		{"the region", r.PlaceName("32.73"), "Kota Bandung"},
		{"a kecamatan", r.PlaceName("32.73.02"), "Coblong"},
		{"a ward", r.PlaceName("32.73.01.1002"), "Gegerkalong"},
		{"an institution", r.PlaceName("32.73.01.1001/rw-02"), "RW 02 Sukarasa"},
		{"no place", r.PlaceName("32.73.09"), "32.73.09"},
		{"an activity", r.ActivityName("training"), "Pelatihan"},
		{"no activity", r.ActivityName("party"), "party"},
		{"a priority area", r.AreaName("education"), "Pendidikan"},
		{"no priority area", r.AreaName("health"), "health"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.what, tt.got, tt.want)
		}
	}

	if w, k, ok := r.Ward("32.73.02.1001"); !ok || w.Name != "Dago" || k.Name != "Coblong" {
		t.Errorf("Ward: %v %v %v", w, k, ok)
	}
	if _, _, ok := r.Ward("32.73.02"); ok {
		t.Error("a kecamatan is found as a ward")
	}

	codes := func(ws []Ward) (out []string) {
		for _, w := range ws {
			out = append(out, w.Code)
		}
		return out
	}
	for scope, want := range map[string][]string{
		"32.73":               {"32.73.01.1001", "32.73.01.1002", "32.73.02.1001"},
		"32.73.01":            {"32.73.01.1001", "32.73.01.1002"},
		"32.73.02.1001":       {"32.73.02.1001"},
		"32.73.01.1001/rw-01": nil,
		"32.73.0":             nil,
	} {
		if got := codes(r.WardsUnder(scope)); !slices.Equal(got, want) {
			t.Errorf("WardsUnder(%q) = %v, want %v", scope, got, want)
		}
	}

	var keys []string
	for _, in := range r.InstitutionsOf("32.73.01.1001") {
		keys = append(keys, in.Key)
	}
	if want := []string{"32.73.01.1001/rw-01", "32.73.01.1001/rw-02", "32.73.01.1001/lpm"}; !slices.Equal(keys, want) {
		t.Errorf("InstitutionsOf a ward: %v, want %v", keys, want)
	}
	if got := r.InstitutionsOf("32.73.01"); got != nil {
		t.Errorf("InstitutionsOf a kecamatan: %v", got)
	}
	if got := (&Region{}).PriorityAreas(); got != nil {
		t.Errorf("the priority areas without four-pillar rules: %v", got)
	}
}
