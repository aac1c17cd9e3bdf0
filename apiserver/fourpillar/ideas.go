package fourpillar

import (
	"context"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/policies"
)

// PostIdea posts an innovation idea from the actor's pillar: the pillar of
// the role that allowed it. The idea names its pillar, not its author.
func PostIdea(ctx context.Context, r *step.Region, a step.Actor, in partnership.IdeaInput) (*partnership.Idea, error) {
	return step.CreateAt(ctx, r, a, ideas, policies.IdeaPost, r.Root, func(_ context.Context, t *step.Tx) (*partnership.Idea, error) {
		return r.Spec.PostIdea(in, pillarOf(t.Decision().Role), a.AccountID(), t.Now)
	})
}

// AdoptIdea adopts a posted idea at a held forum meeting into a programme or
// a CSR request, made and audited in the same step.
func AdoptIdea(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.AdoptionInput) (*partnership.Idea, error) {
	return decideIdea(ctx, r, a, id, in.Meeting, partnership.DecideAdopt, func(ctx context.Context, t *step.Tx, i *partnership.Idea, m *partnership.ForumMeeting) error {
		prog, q, err := r.Spec.AdoptIdea(i, m, in, t.Now)
		if err != nil {
			return err
		}
		if prog != nil {
			if err := programmes.Add(ctx, t, policies.IdeaAdopt, prog); err != nil {
				return err
			}
			i.Adopted(m, partnership.IntoProgramme, prog.ID, t.Now)
			return nil
		}
		if err := requests.Add(ctx, t, policies.IdeaAdopt, q); err != nil {
			return err
		}
		i.Adopted(m, partnership.IntoRequest, q.ID, t.Now)
		return nil
	})
}

// Decline is the forum's declining of an idea at one of its held meetings.
type Decline struct {
	Meeting int64  `json:"meeting" form:"meeting"`
	Reason  string `json:"reason" form:"reason"`
}

// DeclineIdea declines a posted idea at a held forum meeting, with a reason.
func DeclineIdea(ctx context.Context, r *step.Region, a step.Actor, id int64, in Decline) (*partnership.Idea, error) {
	return decideIdea(ctx, r, a, id, in.Meeting, partnership.DecideDecline, func(ctx context.Context, t *step.Tx, i *partnership.Idea, m *partnership.ForumMeeting) error {
		return i.DeclineIdea(m, in.Reason, t.Now)
	})
}

// decideIdea is the forum's decision on an idea at a held meeting, with
// idea:adopt: decide changes the idea (and makes what it becomes), the
// decision is minuted with the idea's reason (a declined one's), and the
// idea stored and audited.
func decideIdea(ctx context.Context, r *step.Region, a step.Actor, id, meeting int64, decision string,
	decide func(ctx context.Context, t *step.Tx, i *partnership.Idea, m *partnership.ForumMeeting) error) (*partnership.Idea, error) {
	return step.Change(ctx, r, a, ideas, id, policies.IdeaAdopt, func(ctx context.Context, t *step.Tx, i *partnership.Idea) error {
		m, err := heldMeeting(ctx, t, meeting)
		if err != nil {
			return err
		}
		if err := decide(ctx, t, i, m); err != nil {
			return err
		}
		return minute(ctx, t, m, partnership.SubjectIdea, i.ID, decision, i.Reason)
	})
}
