package twopillar

import (
	"context"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// AssessPhase records a facilitator's assessment of a ward's participation
// phase for a fiscal year; earlier assessments stay as history, and the
// audit log publishes it.
func AssessPhase(ctx context.Context, r *step.Region, a step.Actor, in partnership.PhaseInput) (*partnership.PhaseAssessment, error) {
	return step.Create(ctx, r, a, phases, policies.ParticipationAssess, func(_ context.Context, t *step.Tx) (*partnership.PhaseAssessment, error) {
		return r.Spec.AssessPhase(in, a.AccountID(), t.Now)
	})
}

// Evaluation is an area's participation and evaluation for a fiscal year:
// the area, each area one level beneath it, and for a ward the history of
// its phase assessments that year, newest first.
type Evaluation struct {
	FiscalYear int
	Area       partnership.AreaEvaluation
	Rows       []partnership.AreaEvaluation
	History    []partnership.PhaseAssessment
}

// Participation evaluates the area a scope names for a fiscal year (the
// current one when 0), with a recap one level beneath it: the region's
// kecamatan, a kecamatan's wards, a ward's institutions.
func Participation(ctx context.Context, r *step.Region, scope string, year int) (Evaluation, error) {
	region, now := r.Spec, r.Clock()
	if year == 0 {
		year = now.In(region.Location).Year()
	}
	if err := region.CheckReadableYear(year, now); err != nil {
		return Evaluation{}, err
	}
	level := region.ScopeLevel(scope)
	wardScope := scope // where ward tallies are summed: an institution's ward
	if level == "institution" {
		in, _ := region.Institution(scope)
		wardScope = in.WardCode
	}
	from, to := region.FiscalYearBounds(year)
	wards, err := store.ParticipationTallies(ctx, r.DB, wardScope, year, from, to, store.ByWard)
	if err != nil {
		return Evaluation{}, err
	}
	var insts map[string]partnership.Tally
	if level == "ward" || level == "institution" {
		if insts, err = store.ParticipationTallies(ctx, r.DB, scope, year, from, to, store.ByInstitution); err != nil {
			return Evaluation{}, err
		}
	}
	phases, err := store.LatestPhases(ctx, r.DB, wardScope, year)
	if err != nil {
		return Evaluation{}, err
	}
	e := Evaluation{FiscalYear: year}
	if e.Area, e.Rows, err = region.Participation(scope, wards, insts, phases); err != nil {
		return Evaluation{}, err
	}
	if level == "ward" {
		if e.History, err = store.PhaseHistory(ctx, r.DB, scope, year); err != nil {
			return Evaluation{}, err
		}
	}
	return e, nil
}
