package partnership

import (
	"fmt"
	"testing"
)

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

// Institution finds exactly what Institutions lists, by key, and nothing else.
func TestInstitutionByKey(t *testing.T) {
	r := testRegion(TwoPillar)
	all := r.Institutions()
	if len(all) != 9 { // 3+2+1 RW and a PKK in each of the 3 wards
		t.Fatalf("%d institutions", len(all))
	}
	for _, want := range all {
		got, ok := r.Institution(want.Key)
		if !ok || got != want {
			t.Errorf("Institution(%q) = %+v, %v; want %+v", want.Key, got, ok, want)
		}
	}
	for _, key := range []string{"32.73.01.1001/rw-04", "32.73.01.1001/rw-2", "32.73.01.1001/rw-00", "32.73.01.1001", "32.73.01", "32.73.09.1001/pkk", "32.73.01.1001/lpm", "", "/pkk"} {
		if got, ok := r.Institution(key); ok {
			t.Errorf("Institution(%q) = %+v, want none", key, got)
		}
	}
}

// BenchmarkInstitution finds an institution of the last ward of a region of
// 150 wards with ten RW each: the lookup every write naming one makes.
func BenchmarkInstitution(b *testing.B) {
	r := &Region{Code: "32.73", InstitutionTypes: []InstitutionType{{Key: "rw", PerRW: true}, {Key: "pkk"}, {Key: "karang-taruna"}, {Key: "lpm"}}}
	for k := range 30 {
		kec := Kecamatan{Code: fmt.Sprintf("32.73.%02d", k+1)}
		for w := range 5 {
			kec.Wards = append(kec.Wards, Ward{Code: fmt.Sprintf("%s.%04d", kec.Code, 1001+w), RW: 10})
		}
		r.Kecamatan = append(r.Kecamatan, kec)
	}
	r.IndexScopes()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := r.Institution("32.73.30.1005/rw-07"); !ok {
			b.Fatal("not found")
		}
	}
}

// ScopeLevel knows an institution exactly when Institutions lists its key,
// with the index built or not, though the index holds no institutions.
func TestScopeLevelOfInstitutions(t *testing.T) {
	for _, indexed := range []bool{false, true} {
		r := &Region{Code: "32.73", Kecamatan: []Kecamatan{
			{Code: "32.73.01", Wards: []Ward{{Code: "32.73.01.1001", RW: 12}, {Code: "32.73.01.1002", RW: 0}}},
			{Code: "32.73.02", Wards: []Ward{{Code: "32.73.02.1001", RW: 1}}},
		}, InstitutionTypes: []InstitutionType{{Key: "rw", PerRW: true}, {Key: "pkk"}, {Key: "karang-taruna"}, {Key: "rw-x"}}}
		if indexed {
			r.IndexScopes()
		}
		listed := map[string]bool{}
		for _, in := range r.Institutions() {
			listed[in.Key] = true
			if got := r.ScopeLevel(in.Key); got != "institution" {
				t.Errorf("indexed %v: ScopeLevel(%q) = %q", indexed, in.Key, got)
			}
		}
		for _, key := range []string{
			"32.73.01.1001/rw-13", "32.73.01.1001/rw-00", "32.73.01.1001/rw-1", "32.73.01.1001/rw-001", "32.73.01.1001/rw-+1",
			"32.73.01.1001/rw-", "32.73.01.1002/rw-01", "32.73.01.1001/lpm", "32.73.01.1001/", "32.73.01.1001/pkk/x",
			"32.73.01/pkk", "32.73/pkk", "32.73.09.1001/pkk", "/pkk", "32.73.01.1001/rw-x", "32.73.01.1001/rw-x-01",
		} {
			got := r.ScopeLevel(key)
			if want := map[bool]string{true: "institution", false: ""}[listed[key]]; got != want {
				t.Errorf("indexed %v: ScopeLevel(%q) = %q, want %q", indexed, key, got, want)
			}
		}
	}
}
