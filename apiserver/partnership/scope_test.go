package partnership

import "testing"

func TestCovers(t *testing.T) {
	tests := []struct {
		outer, inner string
		want         bool
	}{
		{"32.73", "32.73", true},
		{"32.73", "32.73.01", true},
		{"32.73", "32.73.01.1001/rw-03", true},
		{"32.73.01", "32.73.01.1001", true},
		{"32.73.01.1001", "32.73.01.1001/lpm", true},
		{"32.73.01.1001", "32.73.01.1002", false}, // a lurah does not reach the next kelurahan
		{"32.73.01", "32.73.010", false},          // a prefix must end at a separator
		{"32.73.1", "32.73.10", false},
		{"32.73.01.1001/rw-03", "32.73.01.1001", false}, // an institution does not reach its ward
		{"32.73.01.1001/rw-03", "32.73.01.1001/rw-030", false},
		{"32.74", "32.73.01", false},
		{"", "32.73", false},
	}
	for _, tt := range tests {
		if got := Covers(tt.outer, tt.inner); got != tt.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", tt.outer, tt.inner, got, tt.want)
		}
	}
}

func TestScopeLevel(t *testing.T) {
	r := &Region{Code: "32.73", Kecamatan: []Kecamatan{{Code: "32.73.01", Wards: []Ward{{Code: "32.73.01.1001", RW: 2}}}},
		InstitutionTypes: []InstitutionType{{Key: "rw", PerRW: true}, {Key: "lpm"}}}
	for scope, want := range map[string]string{
		"32.73": "region", "32.73.01": "kecamatan", "32.73.01.1001": "ward",
		"32.73.01.1001/rw-02": "institution", "32.73.01.1001/lpm": "institution",
		"32.73.01.1001/rw-03": "", "32.73.02": "", "32.74": "", "": "",
	} {
		if got := r.ScopeLevel(scope); got != want {
			t.Errorf("ScopeLevel(%q) = %q, want %q", scope, got, want)
		}
		indexed := *r
		indexed.IndexScopes()
		if got := indexed.ScopeLevel(scope); got != want {
			t.Errorf("indexed ScopeLevel(%q) = %q, want %q", scope, got, want)
		}
	}
}

func TestPrerequisiteGaps(t *testing.T) {
	r := &Region{Pillars: []Pillar{TwoPillar, FourPillar}, LegalBasis: []Regulation{
		{Covers: []string{"community-institutions", "partnership-model"}},
		{Covers: []string{"technical-guidelines", "csr-obligation", "csr-forum"}},
	}}
	gaps := r.PrerequisiteGaps()
	if got := gaps[TwoPillar]; len(got) != 1 || got[0] != "procurement" {
		t.Errorf("two-pillar gaps %v, want [procurement]", got)
	}
	if got := gaps[FourPillar]; len(got) != 1 || got[0] != "third-party-contributions" {
		t.Errorf("four-pillar gaps %v, want [third-party-contributions]", got)
	}
	r.Pillars = []Pillar{FourPillar}
	if _, ok := r.PrerequisiteGaps()[TwoPillar]; ok {
		t.Error("gaps reported for a model the region does not run")
	}
}
