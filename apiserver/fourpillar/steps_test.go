package fourpillar

import (
	"context"
	"testing"
	"time"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/step/steptest"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

var pdf = []byte("%PDF-1.4\n%test\n")

// TestEveryStepNeedsItsPermission lists every step of the four-pillar
// workflow with the permission it needs: under a policy that allows
// nothing, each is refused for that permission and changes nothing.
func TestEveryStepNeedsItsPermission(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "bandung", "")
	everyone := steptest.Everyone(t, r)
	now := time.Now()

	partner, err := r.Spec.RegisterPartner(partnership.PartnerInput{Kind: partnership.PartnerCompany, Name: "PT Uji", Areas: []string{"education"}}, everyone.AccountID(), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.InsertPartner(ctx, r.DB, partner); err != nil {
		t.Fatal(err)
	}
	at := now.Add(time.Hour)
	meeting, err := r.Spec.ScheduleForum(partnership.ForumMeetingInput{Year: at.Year(), Quarter: (int(at.Month())-1)/3 + 1, ScheduledAt: at, Place: "Balai Kota"}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.InsertForumMeeting(ctx, r.DB, meeting); err != nil {
		t.Fatal(err)
	}

	steptest.Refused(t, r, everyone, []steptest.Case{
		{Step: "RegisterPartner", Permission: policies.PartnerRegister, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, _, err := RegisterPartner(ctx, r, a, Registration{
				PartnerInput: partnership.PartnerInput{Kind: partnership.PartnerCompany, Name: "PT Baru", Areas: []string{"health"}},
				Letter:       &partnership.Upload{Name: "surat.pdf", Size: int64(len(pdf)), Data: pdf},
				Proposal:     &partnership.Upload{Name: "proposal.pdf", Size: int64(len(pdf)), Data: pdf}})
			return err
		}},
		{Step: "ReviewPartner", Permission: policies.PartnerReview, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := ReviewPartner(ctx, r, a, partner.ID, partnership.ReviewInput{Meeting: meeting.ID})
			return err
		}},
		{Step: "DecidePartner", Permission: policies.PartnerDecide, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := DecidePartner(ctx, r, a, partner.ID, ForumDecision{Meeting: meeting.ID, Decision: partnership.DecideApprove})
			return err
		}},
	})
}
