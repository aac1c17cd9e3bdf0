package partnership

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// now is when the tests act, unless they say otherwise.
var now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// testRegion is Bandung on a small tree running the pillars given, with the
// two-pillar model's rules.
func testRegion(pillars ...Pillar) *Region {
	jkt, _ := time.LoadLocation("Asia/Jakarta")
	r := &Region{
		Slug: "bandung", Code: "32.73", Name: "Kota Bandung", Location: jkt, Pillars: pillars,
		Kecamatan: []Kecamatan{
			{Code: "32.73.01", Name: "Sukasari", Wards: []Ward{{Code: "32.73.01.1001", Name: "Sukarasa", RW: 3, Population: 1000}, {Code: "32.73.01.1002", Name: "Gegerkalong", RW: 2}}},
			{Code: "32.73.02", Name: "Coblong", Wards: []Ward{{Code: "32.73.02.1001", Name: "Cipaganti", RW: 1}}},
		},
		InstitutionTypes: []InstitutionType{
			{Key: "rw", Name: "RW", PerRW: true, Scope: []Activity{{Key: "infrastructure"}, {Key: "social-affairs"}}},
			{Key: "pkk", Name: "PKK", Scope: []Activity{{Key: "pokja-4"}}},
		},
		TwoPillar: &TwoPillarRules{AllocationPerInstitution: 100_000_000, MinAttendance: 10, RequiredCategories: []string{"rw-board", "women-leader"}},
	}
	r.IndexScopes()
	return r
}

// fourPillarRegion is the test region running both models, with two of
// Bandung's priority areas, a 30-day plan deadline, 90-day request expiry and
// a quarterly forum.
func fourPillarRegion() *Region {
	r := testRegion(TwoPillar, FourPillar)
	r.FourPillar = &FourPillarRules{
		PriorityAreas: []PriorityArea{
			{Key: "education", Name: "Pendidikan", Targets: []Target{{Key: "facilities"}, {Key: "out-of-school-mentoring"}}},
			{Key: "environment", Name: "Lingkungan hidup", Targets: []Target{{Key: "waste-management"}, {Key: "green-areas"}}},
		},
		PlanDeadline: 30 * 24 * time.Hour, RequestExpiry: 90 * 24 * time.Hour, ForumCadenceMonths: 3,
	}
	return r
}

// outcomesRegion is Bandung's four-pillar rules on a small tree.
func outcomesRegion() *Region {
	r := testRegion(TwoPillar, FourPillar)
	r.FourPillar = &FourPillarRules{
		PriorityAreas: []PriorityArea{
			{Key: "education", Name: "Pendidikan"}, {Key: "health", Name: "Kesehatan"}, {Key: "prosperity", Name: "Kesejahteraan"},
			{Key: "environment", Name: "Lingkungan hidup"}, {Key: "arts-culture", Name: "Seni dan budaya"}, {Key: "sport", Name: "Olahraga"},
			{Key: "religion", Name: "Keagamaan"},
		},
		PlanDeadline: 30 * 24 * time.Hour, RealisationDeadline: 30 * 24 * time.Hour, ForumCadenceMonths: 3, AwardCycleYears: 2,
		AwardWeights:   map[string]int{"commitment": 25, "alignment": 20, "deviation": 15, "reporting": 15, "sustainability": 15, "documents": 10},
		SanctionLadder: []string{"written-warning", "business-restriction", "facility-freeze", "revocation"},
	}
	r.LegalBasis = []Regulation{
		{Kind: "Perda", Number: "02", Year: 2013, Covers: []string{"community-institutions"}},
		{Kind: "Perda", Number: "13", Year: 2012, Covers: []string{"csr-obligation"}},
	}
	return r
}

// invalidOn reports whether err is bad input on the field named.
func invalidOn(err error, field string) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Field == field
}

// A fieldCase edits a valid input so that it is refused on the field.
type fieldCase[T any] struct {
	name  string
	edit  func(*T)
	field string
}

// checkFields makes each case's edit to a copy of good and checks that try
// refuses the result on the case's field.
func checkFields[T any](t *testing.T, good T, cases []fieldCase[T], try func(T) error) {
	t.Helper()
	for _, tt := range cases {
		in := good
		tt.edit(&in)
		if err := try(in); !invalidOn(err, tt.field) {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
	}
}

// checkTransitions runs every move of a machine from every state: each is
// allowed exactly when the machine lists it, a refusal is a conflict, and a
// refused move leaves the state as it was.
func checkTransitions[S ~string](t *testing.T, m machine[S], try func(from, to S) (S, error)) {
	t.Helper()
	states := m.States()
	for _, from := range states {
		for _, to := range states {
			got, err := try(from, to)
			if allowed := m.Allows(from, to); allowed != (err == nil) {
				t.Errorf("%s → %s: allowed %v, got %v", from, to, allowed, err)
			}
			if err != nil && !errors.Is(err, ErrConflict) {
				t.Errorf("%s → %s: refused with %v, want a conflict", from, to, err)
			}
			if err != nil && got != from {
				t.Errorf("%s → %s: a refused move changed the state to %s", from, to, got)
			}
			if err == nil && got != to {
				t.Errorf("%s → %s: the move ended in %s", from, to, got)
			}
		}
	}
}

// checkMachine checks that the machine has the states, sorted, and allows
// a move between two of them exactly when allowed says, refusing the others
// as a conflict.
func checkMachine[S ~string](t *testing.T, m machine[S], object string, states []S, allowed map[[2]S]bool) {
	t.Helper()
	if got := m.States(); !slices.Equal(got, states) {
		t.Fatalf("states %v, want %v", got, states)
	}
	for _, from := range states {
		for _, to := range states {
			want := allowed[[2]S{from, to}]
			err := m.Check(object, from, to)
			if want && err != nil {
				t.Errorf("%s → %s refused: %v", from, to, err)
			}
			if !want && !errors.Is(err, ErrConflict) {
				t.Errorf("%s → %s: %v, want a conflict", from, to, err)
			}
		}
	}
}
