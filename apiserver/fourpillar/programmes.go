package fourpillar

import (
	"context"
	"errors"
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
	var prog *partnership.Programme
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.ProgrammeManage, r.Root); err != nil {
			return err
		}
		switch in.Source {
		case partnership.FromPlan:
			plan, err := store.PlanOfActivity(ctx, t, in.Activity)
			if errors.Is(err, partnership.ErrNotFound) {
				return partnership.Invalid("activity", "no plan activity %d", in.Activity)
			} else if err != nil {
				return err
			}
			if prog, err = r.Spec.ProgrammeFromActivity(plan, in.Activity, in, t.Now); err != nil {
				return err
			}
		case partnership.FromRequest:
			q, err := store.GetRequest(ctx, t, in.Request)
			if errors.Is(err, partnership.ErrNotFound) {
				return partnership.Invalid("request", "no CSR request %d", in.Request)
			} else if err != nil {
				return err
			}
			before := requestImage(q)
			if prog, err = r.Spec.ProgrammeFromRequest(q, in, t.Now); err != nil {
				return err
			}
			if err := store.UpdateRequest(ctx, t, q); err != nil {
				return err
			}
			t.Audit(step.Record{Action: policies.ProgrammeManage, ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10),
				Before: before, After: requestImage(q), Public: true, Scope: q.WardCode, Concerns: []int64{q.AccountID}})
		default:
			return partnership.Invalid("source", "plan (with activity) or request (with request)")
		}
		if err := store.InsertProgramme(ctx, t, prog); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.ProgrammeManage, ObjectType: "programme", ObjectID: strconv.FormatInt(prog.ID, 10),
			After: programmeImage(prog), Public: true, Scope: prog.WardCode})
		return nil
	})
	return prog, err
}

// ChangeProgramme reassigns a programme's sector agency, updates its
// beneficiaries, or completes or cancels it, at the programme's ward (the
// region's, for a programme without one).
func ChangeProgramme(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.ProgrammeChange) (*partnership.Programme, error) {
	var p *partnership.Programme
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if p, err = store.GetProgramme(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(policies.ProgrammeManage, orRoot(r, p.WardCode)); err != nil {
			return err
		}
		before := programmeImage(p)
		if err := p.Change(in); err != nil {
			return err
		}
		if err := store.UpdateProgramme(ctx, t, p); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.ProgrammeManage, ObjectType: "programme", ObjectID: strconv.FormatInt(p.ID, 10),
			Before: before, After: programmeImage(p), Public: true, Scope: p.WardCode})
		return nil
	})
	return p, err
}

// Contribute records a contribution to a programme in the actor's pillar:
// the pillar of the role that allowed it at the programme's ward. A company
// or university contributes as its approved partner of that pillar (the
// one named, or its only one).
func Contribute(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.ContributionInput) (*partnership.Contribution, error) {
	var c *partnership.Contribution
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		p, err := store.GetProgramme(ctx, t, id)
		if err != nil {
			return err
		}
		if err := t.Require(policies.ProgrammeContribute, orRoot(r, p.WardCode)); err != nil {
			return err
		}
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

// programmeImage is what the audit log keeps of a programme before and after a change.
func programmeImage(p *partnership.Programme) map[string]any {
	return map[string]any{"source": p.Source, "partner": p.PartnerID, "area": p.Area, "ward": p.WardCode, "sectorAgency": p.SectorAgency,
		"fiscalYear": p.FiscalYear, "state": p.State, "beneficiaries": p.Beneficiaries, "version": p.Version}
}
