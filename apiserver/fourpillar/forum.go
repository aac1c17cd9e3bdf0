package fourpillar

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// heldMeeting reads the meeting a decision names, for the decision's
// transaction: it must exist and be held, not closed.
func heldMeeting(ctx context.Context, t *step.Tx, id int64) (*partnership.ForumMeeting, error) {
	if id == 0 {
		return nil, partnership.Invalid("meeting", "name the forum meeting that decides")
	}
	m, err := named(ctx, t, store.GetForumMeeting, id, "meeting", "forum meeting")
	if err != nil {
		return nil, err
	}
	return m, m.Open()
}

// minute records a forum decision and stales the meeting's version, so that
// a close racing with the decision cannot miss it.
func minute(ctx context.Context, t *step.Tx, m *partnership.ForumMeeting, subject string, id int64, decision, reason string) error {
	if err := store.UpdateForumMeeting(ctx, t, m); err != nil {
		return err
	}
	return store.InsertForumDecision(ctx, t, &store.ForumDecisionRecord{MeetingID: m.ID, SubjectType: subject, SubjectID: id,
		Decision: decision, Reason: strings.TrimSpace(reason), DecidedBy: t.Actor.AccountID(), DecidedAt: t.Now.UTC()})
}

// ScheduleForum schedules a forum meeting for a quarter, on the region's
// cadence: the forum secretariat's, for the whole region.
func ScheduleForum(ctx context.Context, r *step.Region, a step.Actor, in partnership.ForumMeetingInput) (*partnership.ForumMeeting, error) {
	scheduled := meetings.Keeping(func(m *partnership.ForumMeeting) map[string]any {
		return map[string]any{"year": m.Year, "quarter": m.Quarter, "scheduledAt": m.ScheduledAt, "place": m.Place, "state": m.State}
	})
	return step.CreateAt(ctx, r, a, scheduled, policies.ForumMeet, r.Root, func(ctx context.Context, t *step.Tx) (*partnership.ForumMeeting, error) {
		n, err := store.CountForumMeetings(ctx, t, in.Year, in.Quarter)
		if err != nil {
			return nil, err
		}
		return r.Spec.ScheduleForum(in, n, t.Now)
	})
}

// HoldForum records a meeting's attendance by pillar and opens it for the
// forum's decisions; the forum sits when the government attends with at
// least one other pillar.
func HoldForum(ctx context.Context, r *step.Region, a step.Actor, id int64, attendance map[partnership.Stakeholder]int) (*partnership.ForumMeeting, error) {
	attended := meetings.Keeping(func(m *partnership.ForumMeeting) map[string]any {
		return map[string]any{"state": m.State, "attendance": m.Attendance}
	})
	return step.Change(ctx, r, a, attended, id, policies.ForumMeet, func(_ context.Context, _ *step.Tx, m *partnership.ForumMeeting) error {
		return m.HoldForum(attendance)
	})
}

// CloseForum publishes a held meeting's minutes; the meeting and its
// decisions become immutable. Every registration on its agenda must have
// been decided.
func CloseForum(ctx context.Context, r *step.Region, a step.Actor, id int64, minutes string) (*partnership.ForumMeeting, error) {
	minuted := meetings.Telling(func(m *partnership.ForumMeeting, rec *step.Record) { rec.After["minutes"] = m.Minutes })
	return step.Change(ctx, r, a, minuted, id, policies.ForumMeet, func(ctx context.Context, t *step.Tx, m *partnership.ForumMeeting) error {
		undecided, err := undecidedPartners(ctx, t, m)
		if err != nil {
			return err
		}
		return m.Close(minutes, len(undecided), t.Now)
	})
}

// undecidedPartners are the registrations put on a meeting's agenda and not
// decided yet.
func undecidedPartners(ctx context.Context, db bun.IDB, m *partnership.ForumMeeting) ([]*partnership.Partner, error) {
	return store.ListPartners(ctx, db, store.PartnerFilter{State: partnership.PartnerReviewed, Meeting: m.ID})
}

// ForumAgenda is what waits for a forum meeting's decisions: the
// registrations put on its agenda, the aligned plans and the posted ideas.
type ForumAgenda struct {
	Partners []*partnership.Partner
	Plans    []*partnership.CSRPlan
	Ideas    []*partnership.Idea
}

// Agenda is what waits for a meeting's decisions while it is not closed:
// the registrations on it and not decided, and every aligned plan and
// posted idea (at most 200 of each).
func Agenda(ctx context.Context, r *step.Region, m *partnership.ForumMeeting) (*ForumAgenda, error) {
	var a ForumAgenda
	var err error
	if a.Partners, err = undecidedPartners(ctx, r.DB, m); err != nil {
		return nil, err
	}
	if a.Plans, err = store.ListPlans(ctx, r.DB, store.PlanFilter{State: partnership.PlanAligned, Limit: 200}); err != nil {
		return nil, err
	}
	if a.Ideas, err = store.ListIdeas(ctx, r.DB, store.IdeaFilter{State: partnership.IdeaPosted, Limit: 200}); err != nil {
		return nil, err
	}
	return &a, nil
}

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
