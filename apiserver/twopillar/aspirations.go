package twopillar

import (
	"context"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// SubmitAspiration sends a resident's aspiration to an institution of the
// region, as the actor's (anyone the region's policy lets submit there).
func SubmitAspiration(ctx context.Context, r *step.Region, a step.Actor, in partnership.NewAspiration) (*partnership.Aspiration, error) {
	sent := aspirations.Telling(func(asp *partnership.Aspiration, rec *step.Record) { rec.After["institution"] = asp.Institution })
	return step.Create(ctx, r, a, sent, policies.AspirationSubmit, func(_ context.Context, t *step.Tx) (*partnership.Aspiration, error) {
		return r.Spec.Aspiration(in, a.AccountID(), t.Now)
	})
}

// Response is an institution's answer to an aspiration: acknowledged,
// declined with a reason, or merged into one of its proposals.
type Response struct {
	State    partnership.AspirationState `json:"state" form:"state"`
	Reason   string                      `json:"reason" form:"reason"`
	Proposal int64                       `json:"proposal" form:"proposal"`
}

// RespondAspiration answers an aspiration for the institution it was sent
// to; a merge names a proposal of that institution.
func RespondAspiration(ctx context.Context, r *step.Region, a step.Actor, id int64, in Response) (*partnership.Aspiration, error) {
	answered := aspirations.Telling(func(asp *partnership.Aspiration, rec *step.Record) {
		rec.After["reason"], rec.After["proposal"] = asp.Reason, asp.ProposalID
	})
	return step.Change(ctx, r, a, answered, id, policies.AspirationRespond, func(ctx context.Context, t *step.Tx, asp *partnership.Aspiration) error {
		var p *partnership.Proposal
		if in.State == partnership.AspirationMerged {
			var err error
			if p, err = store.GetProposal(ctx, t, in.Proposal); err != nil {
				return partnership.Invalid("proposal", "no proposal %d", in.Proposal)
			}
		}
		return asp.Respond(in.State, in.Reason, p, t.Now)
	})
}
