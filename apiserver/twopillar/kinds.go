package twopillar

import (
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
)

// The kinds of stored object the two-pillar steps make and change, and what
// the audit log keeps of each.

// proposals is how the steps keep proposals: each belongs to its
// institution, everyone reads what happens to it, and it concerns whoever
// proposed it.
var proposals = step.Kind[*partnership.Proposal]{
	Name: "proposal", Get: store.GetProposal, Insert: store.InsertProposal, Update: step.Versioned(store.UpdateProposal),
	Facts: func(p *partnership.Proposal) step.Facts {
		return step.Facts{ID: p.ID, Scope: p.Institution, Public: true, Owner: p.CreatedBy}
	},
	Image: proposalImage,
}

// proposalImage is what the audit log keeps of a proposal before and after a change.
func proposalImage(p *partnership.Proposal) map[string]any {
	return map[string]any{"state": p.State, "cost": p.Cost, "activity": p.Activity, "kind": p.Kind, "reason": p.Reason, "agency": p.Agency, "version": p.Version}
}

// aspirations is how the steps keep residents' aspirations: each is sent to
// an institution and concerns whoever sent it; the audit log keeps its
// state, and each step tells what else it settled.
var aspirations = step.Kind[*partnership.Aspiration]{
	Name: "aspiration", Get: store.GetAspiration, Insert: store.InsertAspiration, Update: step.Guarded(store.UpdateAspiration),
	Facts: func(asp *partnership.Aspiration) step.Facts {
		return step.Facts{ID: asp.ID, Scope: asp.Institution, State: string(asp.State), Owner: asp.AccountID}
	},
	Image: func(asp *partnership.Aspiration) map[string]any { return map[string]any{"state": asp.State} },
}

// musrenbangs is how the steps keep Musrenbang: each belongs to the office
// of its area, everyone reads what happens to it, and the audit log keeps
// its state — and what each step records of it.
var musrenbangs = step.Kind[*partnership.Musrenbang]{
	Name: "musrenbang", Get: store.GetMusrenbang, Insert: store.InsertMusrenbang, Update: step.Versioned(store.UpdateMusrenbang),
	Facts: func(m *partnership.Musrenbang) step.Facts { return step.Facts{ID: m.ID, Scope: m.Area, Public: true} },
	Image: func(m *partnership.Musrenbang) map[string]any { return map[string]any{"state": m.State} },
}

// phases is how AssessPhase keeps a ward's phase assessments: each is the
// ward's, and the audit log publishes it whole.
var phases = step.Kind[*partnership.PhaseAssessment]{
	Name: "participation-phase", Insert: store.InsertPhase,
	Facts: func(pa *partnership.PhaseAssessment) step.Facts {
		return step.Facts{ID: pa.ID, Scope: pa.WardCode, Public: true}
	},
	Image: func(pa *partnership.PhaseAssessment) map[string]any {
		return map[string]any{"ward": pa.WardCode, "fiscalYear": pa.FiscalYear, "phase": pa.Phase, "note": pa.Note}
	},
}
