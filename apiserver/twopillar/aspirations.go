package twopillar

import (
	"context"
	"strconv"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// SubmitAspiration sends a resident's aspiration to an institution of the
// region, as the actor's (anyone the region's policy lets submit there).
func SubmitAspiration(ctx context.Context, r *step.Region, a step.Actor, in partnership.NewAspiration) (*partnership.Aspiration, error) {
	var asp *partnership.Aspiration
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if asp, err = r.Spec.Aspiration(in, a.AccountID(), t.Now); err != nil {
			return err
		}
		if err := t.Require(policies.AspirationSubmit, asp.Institution); err != nil {
			return err
		}
		if err := store.InsertAspiration(ctx, t, asp); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.AspirationSubmit, ObjectType: "aspiration", ObjectID: strconv.FormatInt(asp.ID, 10),
			After: map[string]any{"institution": asp.Institution, "state": asp.State}})
		return nil
	})
	return asp, err
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
	var asp *partnership.Aspiration
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if asp, err = store.GetAspiration(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(policies.AspirationRespond, asp.Institution); err != nil {
			return err
		}
		var p *partnership.Proposal
		if in.State == partnership.AspirationMerged {
			if p, err = store.GetProposal(ctx, t, in.Proposal); err != nil {
				return partnership.Invalid("proposal", "no proposal %d", in.Proposal)
			}
		}
		from := asp.State
		if err := asp.Respond(in.State, in.Reason, p, t.Now); err != nil {
			return err
		}
		if err := store.UpdateAspiration(ctx, t, asp, from); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.AspirationRespond, ObjectType: "aspiration", ObjectID: strconv.FormatInt(asp.ID, 10),
			Before: map[string]any{"state": from}, After: map[string]any{"state": asp.State, "reason": asp.Reason, "proposal": asp.ProposalID},
			Concerns: []int64{asp.AccountID}})
		return nil
	})
	return asp, err
}
