package fourpillar

import (
	"context"
	"fmt"
	"strconv"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// SubmitPlan takes an approved partner's annual CSR plan, flagged late when
// it comes after the board's approval plus the region's deadline. The
// partner is the actor's own: the one named, or their only approved one.
func SubmitPlan(ctx context.Context, r *step.Region, a step.Actor, in partnership.PlanInput) (*partnership.CSRPlan, error) {
	return step.CreateAt(ctx, r, a, plans, policies.CSRPlanSubmit, r.Root, func(ctx context.Context, t *step.Tx) (*partnership.CSRPlan, error) {
		p, err := actingPartner(ctx, t, in.Partner, "")
		if err != nil {
			return nil, err
		}
		return r.Spec.SubmitPlan(p, in, t.Now)
	})
}

// RevisePlan submits a plan the forum sent back again, with new activities;
// only the plan's partner's own account may.
func RevisePlan(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.PlanInput) (*partnership.CSRPlan, error) {
	revised := plans
	revised.Update = step.Versioned(store.ReplacePlanActivities)
	return step.Change(ctx, r, a, revised, id, policies.CSRPlanSubmit, func(ctx context.Context, t *step.Tx, plan *partnership.CSRPlan) error {
		p, err := actingPartner(ctx, t, plan.PartnerID, "")
		if err != nil {
			return err
		}
		return r.Spec.RevisePlan(plan, p, in, t.Now)
	})
}

// AlignPlan records the forum secretariat's alignment of every activity of
// a submitted plan with a priority area and one of its targets. Nobody
// aligns their own partner's plan.
func AlignPlan(ctx context.Context, r *step.Region, a step.Actor, id int64, in []partnership.AlignmentInput) (*partnership.CSRPlan, error) {
	var p *partnership.Partner
	aligned := plans.Telling(func(plan *partnership.CSRPlan, rec *step.Record) {
		rec.After["score"], rec.Concerns = plan.Score().Share.Value, []int64{p.AccountID}
	})
	return step.Change(ctx, r, a, aligned, id, policies.CSRPlanAlign, func(ctx context.Context, t *step.Tx, plan *partnership.CSRPlan) error {
		var err error
		if p, err = NotOwnPlan(ctx, t, a, plan); err != nil {
			return err
		}
		return r.Spec.AlignPlan(plan, in)
	})
}

// DecidePlan records the forum's approval of an aligned plan, or its request
// for revision with a reason, at a held meeting, minuted. Nobody decides on
// their own partner's plan.
func DecidePlan(ctx context.Context, r *step.Region, a step.Actor, id int64, in ForumDecision) (*partnership.CSRPlan, error) {
	var p *partnership.Partner
	decided := plans.Telling(func(_ *partnership.CSRPlan, rec *step.Record) { rec.Concerns = []int64{p.AccountID} })
	return step.Change(ctx, r, a, decided, id, policies.CSRPlanApprove, func(ctx context.Context, t *step.Tx, plan *partnership.CSRPlan) error {
		m, err := heldMeeting(ctx, t, in.Meeting)
		if err != nil {
			return err
		}
		if p, err = NotOwnPlan(ctx, t, a, plan); err != nil {
			return err
		}
		if err := plan.DecidePlan(m, in.Decision, in.Reason, t.Now); err != nil {
			return err
		}
		return minute(ctx, t, m, partnership.SubjectPlan, plan.ID, in.Decision, plan.Reason)
	})
}

// NotOwnPlan refuses an actor acting for the plan's partner, who never
// aligns or approves its own plan whatever roles it holds; db is a step's
// transaction, or the region's database for showing the forms. It returns
// the plan's partner.
func NotOwnPlan(ctx context.Context, db bun.IDB, a step.Actor, plan *partnership.CSRPlan) (*partnership.Partner, error) {
	p, err := store.GetPartner(ctx, db, plan.PartnerID)
	if err != nil {
		return nil, err
	}
	if a.Is(p.AccountID) {
		return nil, fmt.Errorf("%w: a partner never aligns or approves its own plan", partnership.ErrForbidden)
	}
	return p, nil
}

// CreateProgramme makes a programme of an approved plan's activity, or of a
// claimed request (which becomes programmed, audited too), assigned to the
// sector agency that follows it up.
func CreateProgramme(ctx context.Context, r *step.Region, a step.Actor, in partnership.ProgrammeInput) (*partnership.Programme, error) {
	return step.CreateAt(ctx, r, a, programmes, policies.ProgrammeManage, r.Root, func(ctx context.Context, t *step.Tx) (*partnership.Programme, error) {
		switch in.Source {
		case partnership.FromPlan:
			plan, err := named(ctx, t, store.PlanOfActivity, in.Activity, "activity", "plan activity")
			if err != nil {
				return nil, err
			}
			return r.Spec.ProgrammeFromActivity(plan, in.Activity, in, t.Now)
		case partnership.FromRequest:
			q, err := named(ctx, t, store.GetRequest, in.Request, "request", "CSR request")
			if err != nil {
				return nil, err
			}
			before := requestImage(q)
			prog, err := r.Spec.ProgrammeFromRequest(q, in, t.Now)
			if err != nil {
				return nil, err
			}
			if err := store.UpdateRequest(ctx, t, q); err != nil {
				return nil, err
			}
			requests.Audit(t, policies.ProgrammeManage, q, before)
			return prog, nil
		}
		return nil, partnership.Invalid("source", "plan (with activity) or request (with request)")
	})
}

// ChangeProgramme reassigns a programme's sector agency, updates its
// beneficiaries, or completes or cancels it, at the programme's ward (the
// region's, for a programme without one).
func ChangeProgramme(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.ProgrammeChange) (*partnership.Programme, error) {
	return step.Change(ctx, r, a, programmes, id, policies.ProgrammeManage, func(_ context.Context, _ *step.Tx, p *partnership.Programme) error {
		return p.Change(in)
	})
}

// Contribute records a contribution to a programme in the actor's pillar:
// the pillar of the role that allowed it at the programme's ward. A company
// or university contributes as its approved partner of that pillar (the
// one named, or its only one).
func Contribute(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.ContributionInput) (*partnership.Contribution, error) {
	var c *partnership.Contribution
	err := step.On(ctx, r, a, programmes, id, policies.ProgrammeContribute, func(ctx context.Context, t *step.Tx, p *partnership.Programme) (err error) {
		pillar := pillarOf(t.Decision().Role)
		var partner *partnership.Partner
		if pillar == partnership.StakeholderCompany || pillar == partnership.StakeholderUniversity {
			if partner, err = actingPartner(ctx, t, in.Partner, pillar); err != nil {
				return err
			}
		}
		n, err := store.CountContributions(ctx, t, p.ID)
		if err != nil {
			return err
		}
		if c, err = p.Contribute(pillar, in, partner, a.AccountID(), n, t.Now); err != nil {
			return err
		}
		if err := store.InsertContribution(ctx, t, c); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.ProgrammeContribute, ObjectType: "programme", ObjectID: strconv.FormatInt(p.ID, 10),
			After: map[string]any{"contribution": c.ID, "pillar": c.Pillar, "kind": c.Kind, "amount": c.Amount,
				"quantity": c.Quantity, "unit": c.Unit, "partner": c.PartnerID}, Public: true, Scope: p.WardCode})
		return nil
	})
	return c, err
}

// pillarOf is the pillar a role belongs to: companies and universities
// their own, community institutions and residents the community, and every
// office of the region the government.
func pillarOf(role policies.Role) partnership.Stakeholder {
	switch role {
	case policies.Company:
		return partnership.StakeholderCompany
	case policies.University:
		return partnership.StakeholderUniversity
	case policies.Resident, policies.InstitutionRW, policies.InstitutionPKK, policies.InstitutionKarangTaruna, policies.InstitutionLPM,
		policies.ForumRW, policies.ForumPKK, policies.ForumKarangTaruna, policies.ForumLPM:
		return partnership.StakeholderCommunity
	case "", policies.Public:
		return ""
	}
	return partnership.StakeholderGovernment
}
