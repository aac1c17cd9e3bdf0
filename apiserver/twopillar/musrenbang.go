package twopillar

import (
	"context"

	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// ScheduleMusrenbang schedules the Musrenbang of a ward or a kecamatan, for
// the office of that area.
func ScheduleMusrenbang(ctx context.Context, r *step.Region, a step.Actor, in partnership.MusrenbangInput) (*partnership.Musrenbang, error) {
	scheduled := musrenbangs.Keeping(func(m *partnership.Musrenbang) map[string]any {
		return map[string]any{"level": m.Level, "area": m.Area, "scheduledAt": m.ScheduledAt, "place": m.Place}
	})
	return step.Create(ctx, r, a, scheduled, policies.MusrenbangSchedule, func(_ context.Context, t *step.Tx) (*partnership.Musrenbang, error) {
		return r.Spec.ScheduleMusrenbang(in, t.Now)
	})
}

// RecordAttendance records who came to a Musrenbang, by category, and opens
// it for decisions when the region's quorum is met.
func RecordAttendance(ctx context.Context, r *step.Region, a step.Actor, id int64, attendance map[string]int) (*partnership.Musrenbang, error) {
	attended := musrenbangs.Keeping(func(m *partnership.Musrenbang) map[string]any {
		return map[string]any{"state": m.State, "attendance": m.Attendance}
	})
	return step.Change(ctx, r, a, attended, id, policies.MusrenbangAttend, func(_ context.Context, _ *step.Tx, m *partnership.Musrenbang) error {
		return r.Spec.Hold(m, attendance)
	})
}

// CloseMusrenbang publishes a held Musrenbang's minutes once every proposal
// of its agenda is decided; from then on it and its decisions are final.
func CloseMusrenbang(ctx context.Context, r *step.Region, a step.Actor, id int64, minutes string) (*partnership.Musrenbang, error) {
	minuted := musrenbangs.Telling(func(m *partnership.Musrenbang, rec *step.Record) { rec.After["minutes"] = m.Minutes })
	return step.Change(ctx, r, a, minuted, id, policies.MusrenbangClose, func(ctx context.Context, t *step.Tx, m *partnership.Musrenbang) error {
		agenda, err := store.Agenda(ctx, t, m)
		if err != nil {
			return err
		}
		return m.Close(minutes, len(agenda), t.Now)
	})
}

// Decision is one decision of a Musrenbang on one proposal of its agenda;
// Area is the priority area of the CSR request a kecamatan's csr decision
// makes ("" lets partners of every area claim it).
type Decision struct {
	partnership.Decision
	Proposal int64
	Area     string
}

// Decide takes one decision of a held Musrenbang on one proposal of its
// agenda, minuted. Funding commits the proposal's cost against its
// institution's remaining allocation in the same transaction: a decision
// the allocation cannot bear changes nothing and is refused with the
// figures (partnership.OverAllocationError). A kecamatan's csr decision
// makes the proposal a CSR request, audited beside the decision.
func Decide(ctx context.Context, r *step.Region, a step.Actor, id int64, in Decision) (*partnership.Proposal, error) {
	var p *partnership.Proposal
	err := step.On(ctx, r, a, musrenbangs, id, policies.MusrenbangDecide, func(ctx context.Context, t *step.Tx, m *partnership.Musrenbang) error {
		if err := m.Open(); err != nil {
			return err
		}
		var err error
		if p, err = store.GetProposal(ctx, t, in.Proposal); err != nil {
			return partnership.Invalid("proposal", "no proposal %d", in.Proposal)
		}
		before := proposalImage(p)
		if err := r.Spec.Decide(m, p, in.Decision, t.Now); err != nil {
			return err
		}
		if p.State == partnership.ProposalFunded {
			if _, err := store.Commit(ctx, t, p.Institution, p.FiscalYear, allocation(r), p.Cost); err != nil {
				return err
			}
		}
		if err := store.UpdateProposal(ctx, t, p); err != nil {
			return err
		}
		if p.State == partnership.ProposalCSR {
			if _, err := fourpillar.RequestFromProposal(ctx, t, p, in.Area); err != nil {
				return err
			}
		}
		// A decision also stales the Musrenbang's version, so that a close
		// racing with it cannot miss it.
		if err := store.UpdateMusrenbang(ctx, t, m); err != nil {
			return err
		}
		d := &store.DecisionRecord{MusrenbangID: m.ID, ProposalID: p.ID, Decision: in.Decision.Decision, Reason: p.Reason, Agency: p.Agency,
			DecidedBy: a.AccountID(), DecidedAt: t.Now.UTC()}
		if err := store.InsertDecision(ctx, t, d); err != nil {
			return err
		}
		proposals.Audit(t, policies.MusrenbangDecide, p, before)
		return nil
	})
	return p, err
}

// MusrenbangRecord is a Musrenbang with its decisions and, until it is
// closed, its agenda: the proposals still waiting for it.
type MusrenbangRecord struct {
	*partnership.Musrenbang
	Agenda    []*partnership.Proposal
	Decisions []store.DecisionRecord
}

// Musrenbang reads one Musrenbang as its page and the API show it.
func Musrenbang(ctx context.Context, r *step.Region, id int64) (MusrenbangRecord, error) {
	m, err := store.GetMusrenbang(ctx, r.DB, id)
	if err != nil {
		return MusrenbangRecord{}, err
	}
	rec := MusrenbangRecord{Musrenbang: m}
	if m.State != partnership.MusrenbangClosed && m.State != partnership.MusrenbangCancelled {
		if rec.Agenda, err = store.Agenda(ctx, r.DB, m); err != nil {
			return MusrenbangRecord{}, err
		}
	}
	if rec.Decisions, err = store.Decisions(ctx, r.DB, m.ID); err != nil {
		return MusrenbangRecord{}, err
	}
	return rec, nil
}
