package fourpillar

import (
	"context"
	"errors"
	"strings"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
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
