package twopillar

import (
	"context"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// CreateProposal makes an institution's proposal, waiting for its ward's
// Musrenbang; the activity must be in the scope of the institution's type.
func CreateProposal(ctx context.Context, r *step.Region, a step.Actor, in partnership.ProposalInput) (*partnership.Proposal, error) {
	return step.Create(ctx, r, a, proposals, policies.ProposalCreate, func(ctx context.Context, t *step.Tx) (*partnership.Proposal, error) {
		return r.Spec.Proposal(in, a.AccountID(), t.Now)
	})
}

// EditProposal changes what a proposal still waiting for its Musrenbang says.
func EditProposal(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.ProposalInput) (*partnership.Proposal, error) {
	return step.Change(ctx, r, a, proposals, id, policies.ProposalEdit, func(_ context.Context, t *step.Tx, p *partnership.Proposal) error {
		return r.Spec.Edit(p, in, t.Now)
	})
}

// ApproveExecution is the delegated budget user's (the ward's) approval of
// a funded activity's execution.
func ApproveExecution(ctx context.Context, r *step.Region, a step.Actor, id int64) (*partnership.Proposal, error) {
	return step.Change(ctx, r, a, proposals, id, policies.ExecutionApprove, func(_ context.Context, t *step.Tx, p *partnership.Proposal) error {
		return p.Move(partnership.ProposalApproved, "", t.Now)
	})
}

// ChangeCost changes the cost of a funded or approved activity, committing
// the difference against (or releasing it to) the institution's allocation;
// the activity needs its approval again. A cost the allocation cannot bear
// is refused with the figures (partnership.OverAllocationError).
func ChangeCost(ctx context.Context, r *step.Region, a step.Actor, id int64, cost partnership.Rupiah) (*partnership.Proposal, error) {
	return step.Change(ctx, r, a, proposals, id, policies.ProposalEdit, func(ctx context.Context, t *step.Tx, p *partnership.Proposal) error {
		if err := partnership.CheckAmount("cost", cost, false); err != nil {
			return err
		}
		if err := p.Move(partnership.ProposalFunded, "", t.Now); err != nil {
			return err
		}
		if _, err := store.Commit(ctx, t, p.Institution, p.FiscalYear, allocation(r), cost-p.Cost); err != nil {
			return err
		}
		p.Cost = cost
		return nil
	})
}

// CancelActivity cancels a funded or approved activity with a reason,
// releasing its whole cost to the institution's allocation.
func CancelActivity(ctx context.Context, r *step.Region, a step.Actor, id int64, reason string) (*partnership.Proposal, error) {
	return step.Change(ctx, r, a, proposals, id, policies.ActivityCancel, func(ctx context.Context, t *step.Tx, p *partnership.Proposal) error {
		if err := p.Move(partnership.ProposalCancelled, reason, t.Now); err != nil {
			return err
		}
		_, err := store.Commit(ctx, t, p.Institution, p.FiscalYear, allocation(r), -p.Cost)
		return err
	})
}

// allocation is what the region allocates each institution a fiscal year.
func allocation(r *step.Region) partnership.Rupiah {
	return partnership.Rupiah(r.Spec.TwoPillar.AllocationPerInstitution)
}
