package v1alpha1

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	regionCode   = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}$`)
	languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)
	keyPattern   = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)
)

// Validate checks a Region beyond what its schema can express: codes nest in the
// tree, each enabled pillar has its rules, weights add up, keys are unique. The
// CRD's schema and CEL rules catch the rest in a cluster; the embedded mode has
// no API server, so Validate repeats the checks that matter there too. Each
// error names the field and the reason.
func (r *Region) Validate() field.ErrorList {
	var errs field.ErrorList
	if msgs := validation.IsDNS1123Label(r.Name); len(msgs) > 0 {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), r.Name, strings.Join(msgs, "; ")))
	}
	return append(errs, r.Spec.validate(field.NewPath("spec"))...)
}

func (s *RegionSpec) validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if !regionCode.MatchString(s.Code) {
		errs = append(errs, field.Invalid(p.Child("code"), s.Code, "must be an official region code such as 32.73"))
	}
	if strings.TrimSpace(s.Name) == "" {
		errs = append(errs, field.Required(p.Child("name"), "the region's official name"))
	}
	if s.Kind != Kota && s.Kind != Kabupaten {
		errs = append(errs, field.NotSupported(p.Child("kind"), s.Kind, []string{string(Kota), string(Kabupaten)}))
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			errs = append(errs, field.Invalid(p.Child("timeZone"), s.TimeZone, "not a known IANA time zone"))
		}
	}
	errs = append(errs, validateLanguages(p.Child("languages"), s.Languages)...)
	errs = append(errs, s.validatePillars(p)...)
	if _, areaErrs := s.ResolveAreas(); len(areaErrs) > 0 {
		errs = append(errs, areaErrs...)
	}
	errs = append(errs, s.validateInstitutionTypes(p.Child("institutionTypes"))...)
	for i, reg := range s.LegalBasis {
		rp := p.Child("legalBasis").Index(i)
		if strings.TrimSpace(reg.Number) == "" {
			errs = append(errs, field.Required(rp.Child("number"), "the regulation's number"))
		}
		if reg.Year < 1945 || reg.Year > 2100 {
			errs = append(errs, field.Invalid(rp.Child("year"), reg.Year, "must be a year between 1945 and 2100"))
		}
		if strings.TrimSpace(reg.Title) == "" {
			errs = append(errs, field.Required(rp.Child("title"), "what the regulation is about"))
		}
	}
	return errs
}

func validateLanguages(p *field.Path, langs []string) field.ErrorList {
	var errs field.ErrorList
	if len(langs) == 0 {
		return append(errs, field.Required(p, `at least "id" (Bahasa Indonesia)`))
	}
	seen := map[string]bool{}
	for i, l := range langs {
		if !languageCode.MatchString(l) {
			errs = append(errs, field.Invalid(p.Index(i), l, "must be a two- or three-letter lower-case language code"))
		}
		if seen[l] {
			errs = append(errs, field.Duplicate(p.Index(i), l))
		}
		seen[l] = true
	}
	if !seen["id"] {
		errs = append(errs, field.Invalid(p, langs, `must include "id": Bahasa Indonesia is always offered`))
	}
	return errs
}

func (s *RegionSpec) validatePillars(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(s.Pillars) == 0 {
		errs = append(errs, field.Required(p.Child("pillars"), "TwoPillar, FourPillar or both"))
	}
	seen := map[Pillar]bool{}
	for i, pl := range s.Pillars {
		if pl != TwoPillar && pl != FourPillar {
			errs = append(errs, field.NotSupported(p.Child("pillars").Index(i), pl, []string{string(TwoPillar), string(FourPillar)}))
		}
		if seen[pl] {
			errs = append(errs, field.Duplicate(p.Child("pillars").Index(i), pl))
		}
		seen[pl] = true
	}
	if seen[TwoPillar] {
		if s.TwoPillar == nil {
			errs = append(errs, field.Required(p.Child("twoPillar"), "the region runs the two-pillar model"))
		} else {
			errs = append(errs, s.TwoPillar.validate(p.Child("twoPillar"))...)
			if len(s.InstitutionTypes) == 0 {
				errs = append(errs, field.Required(p.Child("institutionTypes"), "the two-pillar model needs community institution types"))
			}
		}
	} else if s.TwoPillar != nil {
		errs = append(errs, field.Forbidden(p.Child("twoPillar"), "the region does not run the two-pillar model"))
	}
	if seen[FourPillar] {
		if s.FourPillar == nil {
			errs = append(errs, field.Required(p.Child("fourPillar"), "the region runs the four-pillar model"))
		} else {
			errs = append(errs, s.FourPillar.validate(p.Child("fourPillar"))...)
		}
	} else if s.FourPillar != nil {
		errs = append(errs, field.Forbidden(p.Child("fourPillar"), "the region does not run the four-pillar model"))
	}
	return errs
}

func (t *TwoPillarSpec) validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if t.AllocationPerInstitution < 0 {
		errs = append(errs, field.Invalid(p.Child("allocationPerInstitution"), t.AllocationPerInstitution, "must not be negative"))
	}
	levels := []string{string(LevelRegion), string(LevelKecamatan), string(LevelWard)}
	for name, l := range map[string]Level{"budgetUser": t.BudgetUser, "delegatedBudgetUser": t.DelegatedBudgetUser} {
		if l != "" && l != LevelRegion && l != LevelKecamatan && l != LevelWard {
			errs = append(errs, field.NotSupported(p.Child(name), l, levels))
		}
	}
	if t.Musrenbang.MinAttendance < 1 {
		errs = append(errs, field.Invalid(p.Child("musrenbang", "minAttendance"), t.Musrenbang.MinAttendance, "must be at least 1"))
	}
	known := map[AttendanceCategory]bool{"rt-board": true, "rw-board": true, "community-leader": true, "religious-leader": true, "women-leader": true, "youth-leader": true, "resident": true}
	for i, c := range t.Musrenbang.RequiredCategories {
		if !known[c] {
			errs = append(errs, field.Invalid(p.Child("musrenbang", "requiredCategories").Index(i), c, "not an attendance category"))
		}
	}
	if t.ComplaintResponseDays < 1 {
		errs = append(errs, field.Invalid(p.Child("complaintResponseDays"), t.ComplaintResponseDays, "must be at least 1"))
	}
	if t.FindingResponseDays < 0 {
		errs = append(errs, field.Invalid(p.Child("findingResponseDays"), t.FindingResponseDays, "must not be negative"))
	}
	if t.ReportDeadlineDays < 0 {
		errs = append(errs, field.Invalid(p.Child("reportDeadlineDays"), t.ReportDeadlineDays, "must not be negative"))
	}
	return errs
}

func (f *FourPillarSpec) validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(f.PriorityAreas) == 0 {
		errs = append(errs, field.Required(p.Child("priorityAreas"), "at least one priority area"))
	}
	areas := map[string]bool{}
	for i, a := range f.PriorityAreas {
		errs = append(errs, validateGroup(p.Child("priorityAreas").Index(i), a.Key, areas, a.Name, "the area's name",
			"targets", a.Targets, func(t Target) string { return t.Key }, "at least one target")...)
	}
	for name, v := range map[string]int32{
		"planDeadlineDays": f.PlanDeadlineDays, "realisationDeadlineDays": f.RealisationDeadlineDays,
		"requestExpiryDays": f.RequestExpiryDays, "forumCadenceMonths": f.ForumCadenceMonths, "awardCycleYears": f.AwardCycleYears,
	} {
		if v < 1 {
			errs = append(errs, field.Invalid(p.Child(name), v, "must be at least 1"))
		}
	}
	var sum int32
	criteria := map[string]bool{}
	for i, c := range f.AwardCriteria {
		cp := p.Child("awardCriteria").Index(i)
		switch c.Key {
		case "commitment", "alignment", "deviation", "reporting", "sustainability", "documents":
		default:
			errs = append(errs, field.NotSupported(cp.Child("key"), c.Key, []string{"commitment", "alignment", "deviation", "reporting", "sustainability", "documents"}))
		}
		if criteria[c.Key] {
			errs = append(errs, field.Duplicate(cp.Child("key"), c.Key))
		}
		criteria[c.Key] = true
		if c.Weight < 0 || c.Weight > 100 {
			errs = append(errs, field.Invalid(cp.Child("weight"), c.Weight, "must be between 0 and 100"))
		}
		sum += c.Weight
	}
	if sum != 100 {
		errs = append(errs, field.Invalid(p.Child("awardCriteria"), sum, "weights must add up to 100"))
	}
	if len(f.SanctionLadder) == 0 {
		errs = append(errs, field.Required(p.Child("sanctionLadder"), "at least one sanction"))
	}
	steps := map[string]bool{}
	for i, s := range f.SanctionLadder {
		errs = append(errs, validateKey(p.Child("sanctionLadder").Index(i), s, steps)...)
	}
	return errs
}

func (s *RegionSpec) validateInstitutionTypes(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	keys := map[string]bool{}
	for i, t := range s.InstitutionTypes {
		errs = append(errs, validateGroup(p.Index(i), t.Key, keys, t.Name, "the type's name",
			"scope", t.Scope, func(a Activity) string { return a.Key }, "at least one activity")...)
	}
	return errs
}

// validateGroup checks an entry of a list that holds keyed members of its
// own — a priority area and its targets, an institution type and the
// activities in its scope: its key, unique in the list (seen); its name
// (nameIs says what it is); at least one member (none says what is missing),
// each with a key unique in the entry.
func validateGroup[M any](p *field.Path, key string, seen map[string]bool, name, nameIs, membersField string, members []M, memberKey func(M) string, none string) field.ErrorList {
	errs := validateKey(p.Child("key"), key, seen)
	if strings.TrimSpace(name) == "" {
		errs = append(errs, field.Required(p.Child("name"), nameIs))
	}
	if len(members) == 0 {
		errs = append(errs, field.Required(p.Child(membersField), none))
	}
	keys := map[string]bool{}
	for j, m := range members {
		errs = append(errs, validateKey(p.Child(membersField).Index(j).Child("key"), memberKey(m), keys)...)
	}
	return errs
}

func validateKey(p *field.Path, key string, seen map[string]bool) field.ErrorList {
	var errs field.ErrorList
	if !keyPattern.MatchString(key) {
		errs = append(errs, field.Invalid(p, key, "must be lower-case letters, digits and dashes, starting with a letter"))
	}
	if seen[key] {
		errs = append(errs, field.Duplicate(p, key))
	}
	seen[key] = true
	return errs
}

// validateKecamatan checks that codes nest (region → kecamatan → ward) and appear once.
func validateKecamatan(p *field.Path, region string, kecamatan []Kecamatan) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, k := range kecamatan {
		kp := p.Index(i)
		if !kecamatanCode.MatchString(k.Code) || !strings.HasPrefix(k.Code, region+".") {
			errs = append(errs, field.Invalid(kp.Child("code"), k.Code, fmt.Sprintf("must be a kecamatan code under %s, such as %s.01", region, region)))
		}
		if seen[k.Code] {
			errs = append(errs, field.Duplicate(kp.Child("code"), k.Code))
		}
		seen[k.Code] = true
		if strings.TrimSpace(k.Name) == "" {
			errs = append(errs, field.Required(kp.Child("name"), "the kecamatan's name"))
		}
		for j, w := range k.Wards {
			wp := kp.Child("wards").Index(j)
			if !wardCode.MatchString(w.Code) || !strings.HasPrefix(w.Code, k.Code+".") {
				errs = append(errs, field.Invalid(wp.Child("code"), w.Code, fmt.Sprintf("must be a kelurahan/desa code under %s, such as %s.1001", k.Code, k.Code)))
			}
			if seen[w.Code] {
				errs = append(errs, field.Duplicate(wp.Child("code"), w.Code))
			}
			seen[w.Code] = true
			if strings.TrimSpace(w.Name) == "" {
				errs = append(errs, field.Required(wp.Child("name"), "the ward's name"))
			}
			if w.Population < 0 {
				errs = append(errs, field.Invalid(wp.Child("population"), w.Population, "must not be negative"))
			}
			if w.RW < 0 {
				errs = append(errs, field.Invalid(wp.Child("rw"), w.RW, "must not be negative"))
			}
		}
	}
	return errs
}

// ResolveAreas merges the inline kecamatan with those of the CSV text and
// validates the result.
func (s *RegionSpec) ResolveAreas() ([]Kecamatan, field.ErrorList) {
	p := field.NewPath("spec", "areas")
	all := append([]Kecamatan(nil), s.Areas.Kecamatan...)
	if s.Areas.CSV != "" {
		ks, err := ParseAreasCSV(strings.NewReader(s.Areas.CSV), s.Code)
		if err != nil {
			return nil, field.ErrorList{field.Invalid(p.Child("csv"), "(csv)", err.Error())}
		}
		all = append(all, ks...)
	}
	if errs := validateKecamatan(p.Child("kecamatan"), s.Code, all); len(errs) > 0 {
		return nil, errs
	}
	if len(all) == 0 {
		return nil, field.ErrorList{field.Required(p, "at least one kecamatan, inline or as CSV")}
	}
	return all, nil
}
