package web

// What the handlers not yet moved to the application layer still use; each
// goes with the last handler that needs it.

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
)

func attach(ctx context.Context, tx bun.Tx, ownerType string, ownerID int64, docs []*partnership.Document) ([]map[string]any, error) {
	var images []map[string]any
	for _, d := range docs {
		d.OwnerType, d.OwnerID = ownerType, ownerID
		if err := store.InsertDocument(ctx, tx, d); err != nil {
			return nil, err
		}
		images = append(images, map[string]any{"id": d.ID, "purpose": d.Purpose, "name": d.Name, "size": d.Size, "sha256": d.SHA256})
	}
	return images, nil
}

func partnerImage(p *partnership.Partner) map[string]any {
	return map[string]any{"kind": p.Kind, "name": p.Name, "areas": p.Areas, "kecamatan": p.Kecamatan, "state": p.State, "meeting": p.MeetingID,
		"reason": p.Reason, "version": p.Version}
}

func heldMeeting(ctx context.Context, tx bun.Tx, id int64) (*partnership.ForumMeeting, error) {
	if id == 0 {
		return nil, partnership.Invalid("meeting", "name the forum meeting that decides")
	}
	m, err := store.GetForumMeeting(ctx, tx, id)
	if errors.Is(err, partnership.ErrNotFound) {
		return nil, partnership.Invalid("meeting", "no forum meeting %d", id)
	}
	if err != nil {
		return nil, err
	}
	return m, m.Open()
}

func minute(ctx context.Context, tx bun.Tx, c *fiber.Ctx, m *partnership.ForumMeeting, subject string, id int64, decision, reason string, now time.Time) error {
	if err := store.UpdateForumMeeting(ctx, tx, m); err != nil {
		return err
	}
	return store.InsertForumDecision(ctx, tx, &store.ForumDecisionRecord{MeetingID: m.ID, SubjectType: subject, SubjectID: id,
		Decision: decision, Reason: strings.TrimSpace(reason), DecidedBy: accountID(c), DecidedAt: now.UTC()})
}

var _ = strconv.Itoa
