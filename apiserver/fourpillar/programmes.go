package fourpillar

import (
	"context"
	"strconv"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

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
