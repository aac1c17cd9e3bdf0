package twopillar

import (
	"context"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// Work is what waits for one grant of the two-pillar workflow at its scope:
// what the grant's work queue lists, and what a digest of the day counts.
// Each list holds what waits for the grant's role; the others stay empty.
type Work struct {
	// Proposals wait for a Musrenbang: a ward's submitted ones, a
	// kecamatan's forwarded ones.
	Proposals []*partnership.Proposal
	// Funded are a ward's funded activities, waiting for its approval.
	Funded []*partnership.Proposal
	// Musrenbang are the area's still to run: the scheduled, then the held.
	Musrenbang []*partnership.Musrenbang
	// Reports wait for Step, the grant's step on them: verification (the
	// ward office), consolidation (the kecamatan office) or evaluation (the
	// regional secretariat).
	Reports []*partnership.Report
	Step    partnership.ReportStep
	// Aspirations are those sent to an institution still to answer: the
	// submitted, then the acknowledged.
	Aspirations []*partnership.Aspiration
	// Own are an institution's proposals, oldest first, and Allocation its
	// allocation of the year.
	Own        []*partnership.Proposal
	Allocation partnership.Allocation
	// Phases are this year's latest assessments of the wards beneath a ward
	// office that may assess them, by ward; nil for one that may not.
	Phases map[string]partnership.PhaseAssessment
}

// WorkOf reads what waits for the actor's grant g.
func WorkOf(ctx context.Context, r *step.Region, a step.Actor, g authz.Grant) (Work, error) {
	var w Work
	var err error
	scope, year := g.Scope, r.Clock().In(r.Spec.Location).Year()
	proposals := func(state partnership.ProposalState, limit int) []*partnership.Proposal {
		var ps []*partnership.Proposal
		if err == nil {
			ps, err = store.ListProposals(ctx, r.DB, store.ProposalFilter{Scope: scope, State: state, Limit: limit})
		}
		return ps
	}
	reports := func(state partnership.ReportState, s partnership.ReportStep) {
		w.Step = s
		if err == nil {
			w.Reports, err = store.ListReports(ctx, r.DB, store.ReportFilter{Scope: scope, State: state, Limit: 200})
		}
	}
	musrenbang := func() {
		for _, st := range []partnership.MusrenbangState{partnership.MusrenbangScheduled, partnership.MusrenbangHeld} {
			var ms []*partnership.Musrenbang
			if err == nil {
				ms, err = store.ListMusrenbang(ctx, r.DB, store.MusrenbangFilter{Scope: scope, State: st, Limit: 100})
			}
			w.Musrenbang = append(w.Musrenbang, ms...)
		}
	}
	switch g.Role {
	case policies.WardOffice:
		w.Proposals = proposals(partnership.ProposalSubmitted, 200)
		musrenbang()
		w.Funded = proposals(partnership.ProposalFunded, 200)
		reports(partnership.ReportSubmitted, partnership.StepVerify)
		if err == nil && r.May(a, policies.ParticipationAssess, scope) {
			w.Phases, err = store.LatestPhases(ctx, r.DB, scope, year)
		}
	case policies.KecamatanOffice:
		w.Proposals = proposals(partnership.ProposalForwarded, 200)
		musrenbang()
		reports(partnership.ReportVerified, partnership.StepConsolidate)
	case policies.RegionalSecretariat:
		reports(partnership.ReportConsolidated, partnership.StepEvaluate)
	case policies.InstitutionRW, policies.InstitutionPKK, policies.InstitutionKarangTaruna, policies.InstitutionLPM:
		if _, ok := r.Spec.Institution(scope); !ok {
			return w, nil
		}
		w.Own = proposals("", 500)
		for _, st := range []partnership.AspirationState{partnership.AspirationSubmitted, partnership.AspirationAcknowledged} {
			var as []*partnership.Aspiration
			if err == nil {
				as, err = store.ListAspirations(ctx, r.DB, store.AspirationFilter{Scope: scope, State: st, Limit: 200})
			}
			w.Aspirations = append(w.Aspirations, as...)
		}
		if err == nil {
			w.Allocation, err = store.GetAllocation(ctx, r.DB, scope, year, partnership.Rupiah(r.Spec.TwoPillar.AllocationPerInstitution))
		}
	}
	return w, err
}

// Dashboard is the participation of a region's public dashboard for a
// year: the region's and each kecamatan's figures, and each kecamatan's
// wards.
type Dashboard struct {
	Region    partnership.AreaEvaluation
	Kecamatan []partnership.AreaEvaluation
	Wards     []KecamatanWards
}

// KecamatanWards are the figures of a kecamatan's wards.
type KecamatanWards struct {
	Kecamatan string
	Rows      []partnership.AreaEvaluation
}

// DashboardOf evaluates the region per kecamatan and per ward for a year,
// as Participation evaluates an area.
func DashboardOf(ctx context.Context, r *step.Region, year int) (Dashboard, error) {
	region := r.Spec
	from, to := region.FiscalYearBounds(year)
	wards, err := store.ParticipationTallies(ctx, r.DB, r.Root, year, from, to, store.ByWard)
	if err != nil {
		return Dashboard{}, err
	}
	phases, err := store.LatestPhases(ctx, r.DB, r.Root, year)
	if err != nil {
		return Dashboard{}, err
	}
	var d Dashboard
	if d.Region, d.Kecamatan, err = region.Participation(r.Root, wards, nil, phases); err != nil {
		return Dashboard{}, err
	}
	for _, k := range region.Kecamatan {
		_, rows, err := region.Participation(k.Code, wards, nil, phases)
		if err != nil {
			return Dashboard{}, err
		}
		d.Wards = append(d.Wards, KecamatanWards{Kecamatan: k.Name, Rows: rows})
	}
	return d, nil
}
