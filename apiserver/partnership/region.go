package partnership

import (
	"fmt"
	"strings"
	"time"
)

// Pillar is a partnership model a region runs.
type Pillar string

// The two partnership models.
const (
	TwoPillar  Pillar = "TwoPillar"
	FourPillar Pillar = "FourPillar"
)

// Region is one region's regulations as data: everything that differs from one
// region to the next. It is built once from the region's manifest and never changed.
type Region struct {
	Slug             string // the name in URLs and host names, e.g. "bandung"
	Code             string // official code, e.g. "32.73"
	Name             string
	Kind             string // Kota or Kabupaten
	Location         *time.Location
	Languages        []string // the default first
	Pillars          []Pillar
	Kecamatan        []Kecamatan
	InstitutionTypes []InstitutionType
	TwoPillar        *TwoPillarRules
	FourPillar       *FourPillarRules
	LegalBasis       []Regulation
	PolicyOverrides  string
	// DemoData names the demo data set the embedded mode seeds the region
	// with (the manifest's annotation pilar.id/demo-data), or is empty.
	DemoData string

	scopes map[string]place // see IndexScopes
}

// Runs reports whether the region runs the given model.
func (r *Region) Runs(p Pillar) bool {
	for _, q := range r.Pillars {
		if q == p {
			return true
		}
	}
	return false
}

// Kecamatan is a sub-district and its wards.
type Kecamatan struct {
	Code  string
	Name  string
	Wards []Ward
}

// Ward is a kelurahan or desa.
type Ward struct {
	Code       string
	Name       string
	Kind       string // kelurahan or desa
	Population int64
	RW         int32 // number of rukun warga
}

// InstitutionType is a kind of community institution and the activities it may propose.
type InstitutionType struct {
	Key   string
	Name  string
	PerRW bool
	Scope []Activity
}

// Allows reports whether the type's scope includes the activity.
func (t InstitutionType) Allows(activity string) bool {
	for _, a := range t.Scope {
		if a.Key == activity {
			return true
		}
	}
	return false
}

// Activity is an activity type in an institution type's scope.
type Activity struct {
	Key  string
	Name string
}

// TwoPillarRules are the rules of the government + community model.
type TwoPillarRules struct {
	AllocationPerInstitution int64 // whole rupiah per institution per fiscal year
	BudgetUser               string
	DelegatedBudgetUser      string
	MinAttendance            int
	RequiredCategories       []string
	ComplaintResponse        time.Duration
	FindingResponse          time.Duration
	ReportDeadline           time.Duration // after an activity ends
}

// FourPillarRules are the rules of the government + companies + universities + community model.
type FourPillarRules struct {
	PriorityAreas       []PriorityArea
	PlanDeadline        time.Duration
	RealisationDeadline time.Duration
	RequestExpiry       time.Duration
	ForumCadenceMonths  int
	AwardCycleYears     int
	AwardWeights        map[string]int // criterion → percent
	SanctionLadder      []string
}

// PriorityArea is a CSR priority area and its targets.
type PriorityArea struct {
	Key     string
	Name    string
	Targets []Target
}

// Target is one target of a priority area.
type Target struct {
	Key  string
	Name string
}

// Regulation is one regulation in force and the prerequisites it covers.
type Regulation struct {
	Kind   string
	Number string
	Year   int
	Title  string
	Covers []string
}

// Cite renders a regulation the way Indonesian documents cite it, e.g. "Perwal 281/2015".
func (g Regulation) Cite() string {
	return fmt.Sprintf("%s %s/%d", g.Kind, g.Number, g.Year)
}

// Institution is one community institution of a ward.
type Institution struct {
	Key      string // unique in the region: ward code, type and RW number, e.g. "32.73.01.1001/rw-03"
	WardCode string
	Type     string
	RW       int // the RW number for per-RW types, else 0
	Name     string
}

// Institutions lists every institution of every ward, in tree order: one per RW
// for per-RW types, one per ward for the others.
func (r *Region) Institutions() []Institution {
	var out []Institution
	for _, k := range r.Kecamatan {
		for _, w := range k.Wards {
			out = r.wardInstitutions(out, w)
		}
	}
	return out
}

// wardInstitutions appends the institutions of one ward to out, in order.
func (r *Region) wardInstitutions(out []Institution, w Ward) []Institution {
	for _, t := range r.InstitutionTypes {
		if !t.PerRW {
			out = append(out, institution(w, t, 0))
			continue
		}
		for n := 1; n <= int(w.RW); n++ {
			out = append(out, institution(w, t, n))
		}
	}
	return out
}

// institution is the ward's institution of a type: the one of RW n for a
// per-RW type.
func institution(w Ward, t InstitutionType, n int) Institution {
	if !t.PerRW {
		return Institution{Key: w.Code + "/" + t.Key, WardCode: w.Code, Type: t.Key, Name: t.Name + " " + w.Name}
	}
	return Institution{
		Key:      fmt.Sprintf("%s/%s-%02d", w.Code, t.Key, n),
		WardCode: w.Code, Type: t.Key, RW: n,
		Name: fmt.Sprintf("%s %02d %s", strings.ToUpper(t.Key), n, w.Name),
	}
}

// Population is the number of residents of all the region's wards.
func (r *Region) Population() int64 {
	var n int64
	for _, k := range r.Kecamatan {
		for _, w := range k.Wards {
			n += w.Population
		}
	}
	return n
}

// location is the region's time zone, UTC when it names none.
func (r *Region) location() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// year is the current year in the region's time zone: its fiscal year.
func (r *Region) year(now time.Time) int { return now.In(r.location()).Year() }

// checkYear refuses a year other than first or the one after it, naming the field.
func checkYear(field string, year, first int) error {
	if year < first || year > first+1 {
		return Invalid(field, "must be %d or %d", first, first+1)
	}
	return nil
}
