package tenancy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"sigs.k8s.io/yaml"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/policies"
)

// LoadDir reads every tenants/*.yaml manifest of a directory, validates each and
// converts it to the domain's Region. Any error refuses the whole directory, so
// the server never starts half-configured; each error names the file, the field
// and the reason.
func LoadDir(dir string) ([]*partnership.Region, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("tenancy: unable to list %s: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("tenancy: no region manifests (*.yaml) in %s", dir)
	}
	sort.Strings(paths)
	var (
		regions []*partnership.Region
		errs    []error
		slugs   = map[string]string{}
		codes   = map[string]string{}
	)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		r, err := ParseManifest(data)
		if err != nil {
			// One line per field, each naming the file.
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range joined.Unwrap() {
					errs = append(errs, fmt.Errorf("%s: %w", p, e))
				}
			} else {
				errs = append(errs, fmt.Errorf("%s: %w", p, err))
			}
			continue
		}
		if _, err := policies.Render(r.PolicyOverrides); err != nil {
			errs = append(errs, fmt.Errorf("%s: spec.policy.overrides: %w", p, err))
			continue
		}
		if other, ok := slugs[r.Slug]; ok {
			errs = append(errs, fmt.Errorf("%s: metadata.name: region %q is already defined in %s", p, r.Slug, other))
			continue
		}
		if other, ok := codes[r.Code]; ok {
			errs = append(errs, fmt.Errorf("%s: spec.code: code %s is already used in %s", p, r.Code, other))
			continue
		}
		slugs[r.Slug], codes[r.Code] = p, p
		regions = append(regions, r)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("tenancy: refusing the region manifests:\n%w", errors.Join(errs...))
	}
	return regions, nil
}

// ParseManifest decodes one Region manifest strictly (unknown fields are errors),
// validates it and converts it to the domain's Region.
func ParseManifest(data []byte) (*partnership.Region, error) {
	var r v1alpha1.Region
	if err := yaml.UnmarshalStrict(data, &r); err != nil {
		return nil, fmt.Errorf("not a valid Region manifest: %w", err)
	}
	if r.APIVersion != v1alpha1.GroupVersion.String() || r.Kind != "Region" {
		return nil, fmt.Errorf("apiVersion/kind: want %s Region, got %q %q", v1alpha1.GroupVersion, r.APIVersion, r.Kind)
	}
	return FromRegion(&r)
}

// DemoDataAnnotation on a Region names the demo data set the embedded mode
// seeds the region's database with, e.g. bandung-csr-2014-2015.
const DemoDataAnnotation = "pilar.id/demo-data"

// FromRegion validates a Region resource and converts it to the domain's Region.
func FromRegion(r *v1alpha1.Region) (*partnership.Region, error) {
	if errs := r.Validate(); len(errs) > 0 {
		joined := make([]error, len(errs))
		for i, e := range errs {
			joined[i] = e
		}
		return nil, errors.Join(joined...)
	}
	s := &r.Spec
	kecamatan, _ := s.ResolveAreas() // Validate has resolved them once already
	tz := s.TimeZone
	if tz == "" {
		tz = "Asia/Jakarta"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("spec.timeZone: %w", err)
	}
	out := &partnership.Region{
		Slug: r.Name, Code: s.Code, Name: s.Name, Kind: string(s.Kind), Location: loc,
		Languages:       append([]string(nil), s.Languages...),
		PolicyOverrides: s.Policy.Overrides,
		DemoData:        r.Annotations[DemoDataAnnotation],
	}
	for _, p := range s.Pillars {
		out.Pillars = append(out.Pillars, partnership.Pillar(p))
	}
	for _, k := range kecamatan {
		dk := partnership.Kecamatan{Code: k.Code, Name: k.Name}
		for _, w := range k.Wards {
			dk.Wards = append(dk.Wards, partnership.Ward{Code: w.Code, Name: w.Name, Kind: v1alpha1.WardKind(w.Code), Population: w.Population, RW: w.RW})
		}
		out.Kecamatan = append(out.Kecamatan, dk)
	}
	for _, t := range s.InstitutionTypes {
		dt := partnership.InstitutionType{Key: t.Key, Name: t.Name, PerRW: t.PerRW}
		for _, a := range t.Scope {
			dt.Scope = append(dt.Scope, partnership.Activity{Key: a.Key, Name: a.Name})
		}
		out.InstitutionTypes = append(out.InstitutionTypes, dt)
	}
	const day = 24 * time.Hour
	if t := s.TwoPillar; t != nil {
		out.TwoPillar = &partnership.TwoPillarRules{
			AllocationPerInstitution: t.AllocationPerInstitution,
			BudgetUser:               string(t.BudgetUser),
			DelegatedBudgetUser:      string(t.DelegatedBudgetUser),
			MinAttendance:            int(t.Musrenbang.MinAttendance),
			ComplaintResponse:        time.Duration(t.ComplaintResponseDays) * day,
			FindingResponse:          time.Duration(t.FindingResponseDays) * day,
			ReportDeadline:           time.Duration(t.ReportDeadlineDays) * day,
		}
		// Defaults for the optional periods, as the CRD sets them in a cluster.
		if out.TwoPillar.FindingResponse == 0 {
			out.TwoPillar.FindingResponse = 30 * day
		}
		if out.TwoPillar.ReportDeadline == 0 {
			out.TwoPillar.ReportDeadline = 30 * day
		}
		for _, c := range t.Musrenbang.RequiredCategories {
			out.TwoPillar.RequiredCategories = append(out.TwoPillar.RequiredCategories, string(c))
		}
	}
	if f := s.FourPillar; f != nil {
		fr := &partnership.FourPillarRules{
			PlanDeadline:        time.Duration(f.PlanDeadlineDays) * day,
			RealisationDeadline: time.Duration(f.RealisationDeadlineDays) * day,
			RequestExpiry:       time.Duration(f.RequestExpiryDays) * day,
			ForumCadenceMonths:  int(f.ForumCadenceMonths),
			AwardCycleYears:     int(f.AwardCycleYears),
			AwardWeights:        map[string]int{},
			SanctionLadder:      append([]string(nil), f.SanctionLadder...),
		}
		for _, a := range f.PriorityAreas {
			da := partnership.PriorityArea{Key: a.Key, Name: a.Name}
			for _, t := range a.Targets {
				da.Targets = append(da.Targets, partnership.Target{Key: t.Key, Name: t.Name})
			}
			fr.PriorityAreas = append(fr.PriorityAreas, da)
		}
		for _, c := range f.AwardCriteria {
			fr.AwardWeights[c.Key] = int(c.Weight)
		}
		out.FourPillar = fr
	}
	for _, g := range s.LegalBasis {
		dg := partnership.Regulation{Kind: string(g.Kind), Number: g.Number, Year: int(g.Year), Title: g.Title}
		for _, c := range g.Covers {
			dg.Covers = append(dg.Covers, string(c))
		}
		out.LegalBasis = append(out.LegalBasis, dg)
	}
	out.IndexScopes()
	return out, nil
}
