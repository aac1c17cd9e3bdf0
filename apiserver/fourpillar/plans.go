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
	var plan *partnership.CSRPlan
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.CSRPlanSubmit, r.Root); err != nil {
			return err
		}
		p, err := actingPartner(ctx, t, in.Partner, "")
		if err != nil {
			return err
		}
		if plan, err = r.Spec.SubmitPlan(p, in, t.Now); err != nil {
			return err
		}
		if err := store.InsertPlan(ctx, t, plan); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.CSRPlanSubmit, ObjectType: "csr-plan", ObjectID: strconv.FormatInt(plan.ID, 10),
			After: planImage(plan), Public: true, Concerns: []int64{p.AccountID}})
		return nil
	})
	return plan, err
}

// RevisePlan submits a plan the forum sent back again, with new activities;
// only the plan's partner's own account may.
func RevisePlan(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.PlanInput) (*partnership.CSRPlan, error) {
	var plan *partnership.CSRPlan
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if plan, err = store.GetPlan(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(policies.CSRPlanSubmit, r.Root); err != nil {
			return err
		}
		p, err := actingPartner(ctx, t, plan.PartnerID, "")
		if err != nil {
			return err
		}
		before := planImage(plan)
		if err := r.Spec.RevisePlan(plan, p, in, t.Now); err != nil {
			return err
		}
		if err := store.ReplacePlanActivities(ctx, t, plan); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.CSRPlanSubmit, ObjectType: "csr-plan", ObjectID: strconv.FormatInt(plan.ID, 10),
			Before: before, After: planImage(plan), Public: true, Concerns: []int64{p.AccountID}})
		return nil
	})
	return plan, err
}

// AlignPlan records the forum secretariat's alignment of every activity of
// a submitted plan with a priority area and one of its targets. Nobody
// aligns their own partner's plan.
func AlignPlan(ctx context.Context, r *step.Region, a step.Actor, id int64, in []partnership.AlignmentInput) (*partnership.CSRPlan, error) {
	var plan *partnership.CSRPlan
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if plan, err = store.GetPlan(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(policies.CSRPlanAlign, r.Root); err != nil {
			return err
		}
		p, err := NotOwnPlan(ctx, t, a, plan)
		if err != nil {
			return err
		}
		before := planImage(plan)
		if err := r.Spec.AlignPlan(plan, in); err != nil {
			return err
		}
		if err := store.UpdatePlan(ctx, t, plan); err != nil {
			return err
		}
		after := planImage(plan)
		after["score"] = plan.Score().Share.Value
		t.Audit(step.Record{Action: policies.CSRPlanAlign, ObjectType: "csr-plan", ObjectID: strconv.FormatInt(plan.ID, 10),
			Before: before, After: after, Public: true, Concerns: []int64{p.AccountID}})
		return nil
	})
	return plan, err
}

// DecidePlan records the forum's approval of an aligned plan, or its request
// for revision with a reason, at a held meeting, minuted. Nobody decides on
// their own partner's plan.
func DecidePlan(ctx context.Context, r *step.Region, a step.Actor, id int64, in ForumDecision) (*partnership.CSRPlan, error) {
	var plan *partnership.CSRPlan
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if plan, err = store.GetPlan(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(policies.CSRPlanApprove, r.Root); err != nil {
			return err
		}
		m, err := heldMeeting(ctx, t, in.Meeting)
		if err != nil {
			return err
		}
		p, err := NotOwnPlan(ctx, t, a, plan)
		if err != nil {
			return err
		}
		before := planImage(plan)
		if err := plan.DecidePlan(m, in.Decision, in.Reason, t.Now); err != nil {
			return err
		}
		if err := store.UpdatePlan(ctx, t, plan); err != nil {
			return err
		}
		if err := minute(ctx, t, m, partnership.SubjectPlan, plan.ID, in.Decision, plan.Reason); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.CSRPlanApprove, ObjectType: "csr-plan", ObjectID: strconv.FormatInt(plan.ID, 10),
			Before: before, After: planImage(plan), Public: true, Concerns: []int64{p.AccountID}})
		return nil
	})
	return plan, err
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

// planImage is what the audit log keeps of a plan before and after a change.
func planImage(p *partnership.CSRPlan) map[string]any {
	s := p.Score()
	return map[string]any{"partner": p.PartnerID, "fiscalYear": p.FiscalYear, "state": p.State, "late": p.Late, "dueAt": p.DueAt,
		"activities": len(p.Activities), "financing": s.Total, "aligned": s.Aligned, "reason": p.Reason, "version": p.Version}
}
