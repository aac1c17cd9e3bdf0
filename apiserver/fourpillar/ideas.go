package fourpillar

import (
	"context"
	"strconv"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// PostIdea posts an innovation idea from the actor's pillar: the pillar of
// the role that allowed it. The idea names its pillar, not its author.
func PostIdea(ctx context.Context, r *step.Region, a step.Actor, in partnership.IdeaInput) (*partnership.Idea, error) {
	var i *partnership.Idea
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.IdeaPost, r.Root); err != nil {
			return err
		}
		var err error
		if i, err = r.Spec.PostIdea(in, pillarOf(t.Decision().Role), a.AccountID(), t.Now); err != nil {
			return err
		}
		if err := store.InsertIdea(ctx, t, i); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.IdeaPost, ObjectType: "idea", ObjectID: strconv.FormatInt(i.ID, 10), After: ideaImage(i), Public: true})
		return nil
	})
	return i, err
}

// AdoptIdea adopts a posted idea at a held forum meeting into a programme or
// a CSR request, made and audited in the same step.
func AdoptIdea(ctx context.Context, r *step.Region, a step.Actor, id int64, in partnership.AdoptionInput) (*partnership.Idea, error) {
	return decideIdea(ctx, r, a, id, in.Meeting, partnership.DecideAdopt, func(ctx context.Context, t *step.Tx, i *partnership.Idea, m *partnership.ForumMeeting) error {
		prog, q, err := r.Spec.AdoptIdea(i, m, in, t.Now)
		if err != nil {
			return err
		}
		made := step.Record{Action: policies.IdeaAdopt, Public: true}
		if prog != nil {
			if err := store.InsertProgramme(ctx, t, prog); err != nil {
				return err
			}
			i.Adopted(m, partnership.IntoProgramme, prog.ID, t.Now)
			made.ObjectType, made.ObjectID, made.After, made.Scope = "programme", strconv.FormatInt(prog.ID, 10), programmeImage(prog), prog.WardCode
		} else {
			if err := store.InsertRequest(ctx, t, q); err != nil {
				return err
			}
			i.Adopted(m, partnership.IntoRequest, q.ID, t.Now)
			made.ObjectType, made.ObjectID, made.After, made.Scope = "csr-request", strconv.FormatInt(q.ID, 10), requestImage(q), q.WardCode
		}
		t.Audit(made)
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
// idea:adopt: decide changes the idea (and makes what it becomes); the idea
// is stored, and the decision minuted with the idea's reason (a declined
// one's) and audited.
func decideIdea(ctx context.Context, r *step.Region, a step.Actor, id, meeting int64, decision string,
	decide func(ctx context.Context, t *step.Tx, i *partnership.Idea, m *partnership.ForumMeeting) error) (*partnership.Idea, error) {
	var i *partnership.Idea
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if i, err = store.GetIdea(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(policies.IdeaAdopt, r.Root); err != nil {
			return err
		}
		m, err := heldMeeting(ctx, t, meeting)
		if err != nil {
			return err
		}
		before := ideaImage(i)
		if err := decide(ctx, t, i, m); err != nil {
			return err
		}
		if err := store.UpdateIdea(ctx, t, i); err != nil {
			return err
		}
		if err := minute(ctx, t, m, partnership.SubjectIdea, i.ID, decision, i.Reason); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.IdeaAdopt, ObjectType: "idea", ObjectID: strconv.FormatInt(i.ID, 10),
			Before: before, After: ideaImage(i), Public: true, Concerns: []int64{i.AccountID}})
		return nil
	})
	return i, err
}

// ideaImage is what the audit log keeps of an idea before and after a change.
func ideaImage(i *partnership.Idea) map[string]any {
	return map[string]any{"pillar": i.Pillar, "title": i.Title, "state": i.State, "adoptedIntoType": i.AdoptedIntoType,
		"adoptedIntoId": i.AdoptedIntoID, "reason": i.Reason, "meeting": i.MeetingID, "version": i.Version}
}
