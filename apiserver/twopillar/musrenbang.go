package twopillar

import (
	"context"
	"strconv"

	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// ScheduleMusrenbang schedules the Musrenbang of a ward or a kecamatan, for
// the office of that area.
func ScheduleMusrenbang(ctx context.Context, r *step.Region, a step.Actor, in partnership.MusrenbangInput) (*partnership.Musrenbang, error) {
	var m *partnership.Musrenbang
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if m, err = r.Spec.ScheduleMusrenbang(in, t.Now); err != nil {
			return err
		}
		if err := t.Require(policies.MusrenbangSchedule, m.Area); err != nil {
			return err
		}
		if err := store.InsertMusrenbang(ctx, t, m); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.MusrenbangSchedule, ObjectType: "musrenbang", ObjectID: strconv.FormatInt(m.ID, 10),
			After: map[string]any{"level": m.Level, "area": m.Area, "scheduledAt": m.ScheduledAt, "place": m.Place}, Public: true})
		return nil
	})
	return m, err
}

// RecordAttendance records who came to a Musrenbang, by category, and opens
// it for decisions when the region's quorum is met.
func RecordAttendance(ctx context.Context, r *step.Region, a step.Actor, id int64, attendance map[string]int) (*partnership.Musrenbang, error) {
	image := func(m *partnership.Musrenbang) map[string]any {
		return map[string]any{"state": m.State, "attendance": m.Attendance}
	}
	return moveMusrenbang(ctx, r, a, id, policies.MusrenbangAttend, func(ctx context.Context, t *step.Tx, m *partnership.Musrenbang) (map[string]any, map[string]any, error) {
		before := image(m)
		if err := r.Spec.Hold(m, attendance); err != nil {
			return nil, nil, err
		}
		return before, image(m), nil
	})
}

// CloseMusrenbang publishes a held Musrenbang's minutes once every proposal
// of its agenda is decided; from then on it and its decisions are final.
func CloseMusrenbang(ctx context.Context, r *step.Region, a step.Actor, id int64, minutes string) (*partnership.Musrenbang, error) {
	return moveMusrenbang(ctx, r, a, id, policies.MusrenbangClose, func(ctx context.Context, t *step.Tx, m *partnership.Musrenbang) (map[string]any, map[string]any, error) {
		agenda, err := store.Agenda(ctx, t, m)
		if err != nil {
			return nil, nil, err
		}
		if err := m.Close(minutes, len(agenda), t.Now); err != nil {
			return nil, nil, err
		}
		return map[string]any{"state": partnership.MusrenbangHeld}, map[string]any{"state": m.State, "minutes": m.Minutes}, nil
	})
}

// moveMusrenbang is a step on one Musrenbang under perm at its area: change
// lets the domain move it and says what the audit log keeps of it before
// and after; the Musrenbang is stored, if unchanged since read, and audited
// publicly.
func moveMusrenbang(ctx context.Context, r *step.Region, a step.Actor, id int64, perm policies.Permission,
	change func(context.Context, *step.Tx, *partnership.Musrenbang) (before, after map[string]any, err error)) (*partnership.Musrenbang, error) {
	var m *partnership.Musrenbang
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if m, err = store.GetMusrenbang(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(perm, m.Area); err != nil {
			return err
		}
		before, after, err := change(ctx, t, m)
		if err != nil {
			return err
		}
		if err := store.UpdateMusrenbang(ctx, t, m); err != nil {
			return err
		}
		t.Audit(step.Record{Action: perm, ObjectType: "musrenbang", ObjectID: strconv.FormatInt(m.ID, 10), Before: before, After: after, Public: true})
		return nil
	})
	return m, err
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
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		m, err := store.GetMusrenbang(ctx, t, id)
		if err != nil {
			return err
		}
		if err := t.Require(policies.MusrenbangDecide, m.Area); err != nil {
			return err
		}
		if err := m.Open(); err != nil {
			return err
		}
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
		t.Audit(step.Record{Action: policies.MusrenbangDecide, ObjectType: "proposal", ObjectID: strconv.FormatInt(p.ID, 10),
			Before: before, After: proposalImage(p), Public: true, Scope: p.Institution, Concerns: []int64{p.CreatedBy}})
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
