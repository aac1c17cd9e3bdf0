package fourpillar

import (
	"context"
	"slices"
	"strconv"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// Recommendation is the forum secretariat's recommendation of a sanction on
// a company: the step of the ladder (the next one when empty) and why.
type Recommendation struct {
	Partner int64
	Step    string
	Reason  string
}

// RecommendSanction records the forum secretariat's own recommendation of a
// sanction, beside those the schedule makes by rule (FlagOverdue). Only
// approved companies are under the sanction ladder; a partner has at most
// one open recommendation.
func RecommendSanction(ctx context.Context, r *step.Region, a step.Actor, in Recommendation) (*partnership.Sanction, error) {
	var p *partnership.Partner
	recommended := sanctions.Telling(func(_ *partnership.Sanction, rec *step.Record) { rec.Concerns = []int64{p.AccountID} })
	return step.CreateAt(ctx, r, a, recommended, policies.SanctionIssue, r.Root, func(ctx context.Context, t *step.Tx) (*partnership.Sanction, error) {
		var err error
		if p, err = named(ctx, t, store.GetPartner, in.Partner, "partner", "partner"); err != nil {
			return nil, err
		}
		if p.State != partnership.PartnerApproved {
			return nil, partnership.Invalid("partner", "partner %d is %s; only approved partners are under the sanction ladder", p.ID, p.State)
		}
		if p.Kind.Stakeholder() != partnership.StakeholderCompany {
			return nil, partnership.Invalid("partner", "%s is a university; the CSR obligation and its sanctions bind companies", p.Name)
		}
		existing, err := store.SanctionsOf(ctx, t, p.ID)
		if err != nil {
			return nil, err
		}
		return r.Spec.RecommendSanction(p.ID, existing, in.Step, in.Reason, recommender(a), t.Now)
	})
}

// MoveSanction issues, dismisses or lifts a sanction. The forum issues and
// dismisses a recommendation under sanction:issue and lifts a sanction in
// force under sanction:lift; issuing cites the region's regulation on the
// CSR obligation — a region without one issues none — and notifies the
// partner, dismissing and lifting record the reason given.
func MoveSanction(ctx context.Context, r *step.Region, a step.Actor, id int64, to partnership.SanctionState, reason string) (*partnership.Sanction, error) {
	perm := policies.SanctionIssue
	if to == partnership.SanctionLifted {
		perm = policies.SanctionLift
	}
	var p *partnership.Partner
	moved := sanctions.Telling(func(_ *partnership.Sanction, rec *step.Record) { rec.Concerns = []int64{p.AccountID} })
	return step.Change(ctx, r, a, moved, id, perm, func(ctx context.Context, t *step.Tx, s *partnership.Sanction) (err error) {
		basis := ""
		if to == partnership.SanctionIssued {
			if basis, err = r.Spec.SanctionLegalBasis(); err != nil {
				return err
			}
		}
		if err := s.Move(to, reason, basis, a.AccountID(), t.Now); err != nil {
			return err
		}
		p, err = store.GetPartner(ctx, t, s.PartnerID)
		return err
	})
}

// recommender is how a sanction names who recommended it: a system actor
// by its name (the schedule is partnership.SystemActor), a person by the
// account's id.
func recommender(a step.Actor) string {
	if name := a.SystemName(); name != "" {
		return name
	}
	return strconv.FormatInt(a.AccountID(), 10)
}

// SanctionQuery narrows the list of sanctions.
type SanctionQuery struct {
	// Mine lists the sanctions on the partners the asker acts for: the
	// partner's notices.
	Mine    bool
	Partner int64
	State   partnership.SanctionState
	After   int64
	Limit   int // 0: all
}

// NamedSanction is a sanction with the name of the partner it is on.
type NamedSanction struct {
	partnership.Sanction
	PartnerName string
}

var sanctionStates = []partnership.SanctionState{partnership.SanctionRecommended, partnership.SanctionIssued, partnership.SanctionLifted, partnership.SanctionDismissed}

// Sanctions lists sanctions in the order they were recommended, public like
// the forum's decisions: what was recommended, issued, lifted or dismissed,
// and why. Mine lists a partner's notices: every sanction on the partners
// the asker acts for, none for nobody.
func Sanctions(ctx context.Context, r *step.Region, a step.Actor, q SanctionQuery) ([]NamedSanction, error) {
	if q.State != "" && !slices.Contains(sanctionStates, q.State) {
		return nil, partnership.Invalid("state", "recommended, issued, lifted or dismissed")
	}
	f := store.SanctionFilter{State: q.State, AfterID: q.After, Limit: q.Limit}
	if q.Partner != 0 {
		f.PartnerIDs = []int64{q.Partner}
	}
	if q.Mine {
		ids, err := store.PartnersOf(ctx, r.DB, a.AccountID())
		if err != nil {
			return nil, err
		}
		f.PartnerIDs = append([]int64{}, ids...)
	}
	ss, err := store.ListSanctions(ctx, r.DB, f)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = s.PartnerID
	}
	names, err := store.PartnerNames(ctx, r.DB, ids)
	if err != nil {
		return nil, err
	}
	out := make([]NamedSanction, len(ss))
	for i, s := range ss {
		out[i] = NamedSanction{Sanction: s, PartnerName: names[s.PartnerID]}
	}
	return out, nil
}
