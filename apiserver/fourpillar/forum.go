package fourpillar

import (
	"context"
	"errors"
	"strconv"
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
	m, err := store.GetForumMeeting(ctx, t, id)
	if errors.Is(err, partnership.ErrNotFound) {
		return nil, partnership.Invalid("meeting", "no forum meeting %d", id)
	}
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
	var m *partnership.ForumMeeting
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.ForumMeet, r.Root); err != nil {
			return err
		}
		n, err := store.CountForumMeetings(ctx, t, in.Year, in.Quarter)
		if err != nil {
			return err
		}
		if m, err = r.Spec.ScheduleForum(in, n, t.Now); err != nil {
			return err
		}
		if err := store.InsertForumMeeting(ctx, t, m); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.ForumMeet, ObjectType: "forum-meeting", ObjectID: strconv.FormatInt(m.ID, 10),
			After: map[string]any{"year": m.Year, "quarter": m.Quarter, "scheduledAt": m.ScheduledAt, "place": m.Place, "state": m.State}, Public: true})
		return nil
	})
	return m, err
}

// HoldForum records a meeting's attendance by pillar and opens it for the
// forum's decisions; the forum sits when the government attends with at
// least one other pillar.
func HoldForum(ctx context.Context, r *step.Region, a step.Actor, id int64, attendance map[partnership.Stakeholder]int) (*partnership.ForumMeeting, error) {
	return meet(ctx, r, a, id, func(ctx context.Context, t *step.Tx, m *partnership.ForumMeeting) (before, after map[string]any, err error) {
		before = map[string]any{"state": m.State, "attendance": m.Attendance}
		if err := m.HoldForum(attendance); err != nil {
			return nil, nil, err
		}
		return before, map[string]any{"state": m.State, "attendance": m.Attendance}, nil
	})
}

// CloseForum publishes a held meeting's minutes; the meeting and its
// decisions become immutable. Every registration on its agenda must have
// been decided.
func CloseForum(ctx context.Context, r *step.Region, a step.Actor, id int64, minutes string) (*partnership.ForumMeeting, error) {
	return meet(ctx, r, a, id, func(ctx context.Context, t *step.Tx, m *partnership.ForumMeeting) (before, after map[string]any, err error) {
		undecided, err := undecidedPartners(ctx, t, m)
		if err != nil {
			return nil, nil, err
		}
		before = map[string]any{"state": m.State}
		if err := m.Close(minutes, len(undecided), t.Now); err != nil {
			return nil, nil, err
		}
		return before, map[string]any{"state": m.State, "minutes": m.Minutes}, nil
	})
}

// meet changes a forum meeting, with forum:meet for the whole region:
// change applies the domain's rule and says what the audit log keeps of the
// meeting before and after.
func meet(ctx context.Context, r *step.Region, a step.Actor, id int64,
	change func(ctx context.Context, t *step.Tx, m *partnership.ForumMeeting) (before, after map[string]any, err error)) (*partnership.ForumMeeting, error) {
	var m *partnership.ForumMeeting
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if m, err = store.GetForumMeeting(ctx, t, id); err != nil {
			return err
		}
		if err := t.Require(policies.ForumMeet, r.Root); err != nil {
			return err
		}
		before, after, err := change(ctx, t, m)
		if err != nil {
			return err
		}
		if err := store.UpdateForumMeeting(ctx, t, m); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.ForumMeet, ObjectType: "forum-meeting", ObjectID: strconv.FormatInt(m.ID, 10),
			Before: before, After: after, Public: true})
		return nil
	})
	return m, err
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
