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
	r := steptest.Region(t, "bandung", "")
	everyone := steptest.Everyone(t, r)
	now := time.Now()

	partner, err := r.Spec.RegisterPartner(partnership.PartnerInput{Kind: partnership.PartnerCompany, Name: "PT Uji", Areas: []string{"education"}}, everyone.AccountID(), now)
	steptest.Must(t, err)
	steptest.Stored(t, r, store.InsertPartner, partner)
	at := now.Add(time.Hour)
	meeting, err := r.Spec.ScheduleForum(partnership.ForumMeetingInput{Year: at.Year(), Quarter: (int(at.Month())-1)/3 + 1, ScheduledAt: at, Place: "Balai Kota"}, 0, now)
	steptest.Must(t, err)
	steptest.Stored(t, r, store.InsertForumMeeting, meeting)

	plan := &partnership.CSRPlan{PartnerID: partner.ID, FiscalYear: now.Year(), BoardApprovedAt: now, SubmittedAt: now, DueAt: now, State: partnership.PlanSubmitted,
		Activities: []partnership.PlanActivity{{Title: "Beasiswa", Location: "32.73.01.1001", Area: "education", Target: "200 anak", Goal: "Sekolah", Financing: 1_000_000}}}
	steptest.Stored(t, r, store.InsertPlan, plan)
	request := &partnership.CSRRequest{Source: partnership.SourceResident, AccountID: everyone.AccountID(), Area: "education", WardCode: "32.73.01.1002",
		Amount: 1_000_000, Title: "Taman baca", Description: "Rak buku", State: partnership.RequestOpen, CreatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)}
	steptest.Stored(t, r, store.InsertRequest, request)
	programme := &partnership.Programme{Source: partnership.FromRequest, Area: "education", WardCode: "32.73.01.1002", Title: "Taman baca", SectorAgency: "Disdik",
		FiscalYear: now.Year(), State: partnership.ProgrammeActive, CreatedAt: now}
	steptest.Stored(t, r, store.InsertProgramme, programme)
	idea := &partnership.Idea{Pillar: partnership.StakeholderCommunity, AccountID: everyone.AccountID(), Title: "Perpustakaan keliling", Body: "Sepeda buku",
		State: partnership.IdeaPosted, PostedAt: now}
	steptest.Stored(t, r, store.InsertIdea, idea)
	activities := []partnership.ActivityInput{{Title: "Beasiswa", Location: "32.73.01.1001", Area: "education", Target: "200 anak", Goal: "Sekolah", Financing: 1_000_000}}

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
		{Step: "ScheduleForum", Permission: policies.ForumMeet, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := ScheduleForum(ctx, r, a, partnership.ForumMeetingInput{Year: at.Year(), Quarter: meeting.Quarter, ScheduledAt: at, Place: "Balai Kota"})
			return err
		}},
		{Step: "HoldForum", Permission: policies.ForumMeet, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := HoldForum(ctx, r, a, meeting.ID, map[partnership.Stakeholder]int{partnership.StakeholderGovernment: 3, partnership.StakeholderCompany: 2})
			return err
		}},
		{Step: "CloseForum", Permission: policies.ForumMeet, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := CloseForum(ctx, r, a, meeting.ID, "Notulen")
			return err
		}},
		{Step: "SubmitPlan", Permission: policies.CSRPlanSubmit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := SubmitPlan(ctx, r, a, partnership.PlanInput{Partner: partner.ID, FiscalYear: now.Year(), BoardApprovedAt: now, Activities: activities})
			return err
		}},
		{Step: "RevisePlan", Permission: policies.CSRPlanSubmit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := RevisePlan(ctx, r, a, plan.ID, partnership.PlanInput{FiscalYear: plan.FiscalYear, Activities: activities})
			return err
		}},
		{Step: "AlignPlan", Permission: policies.CSRPlanAlign, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := AlignPlan(ctx, r, a, plan.ID, []partnership.AlignmentInput{{Activity: plan.Activities[0].ID, Alignment: partnership.NotAligned}})
			return err
		}},
		{Step: "DecidePlan", Permission: policies.CSRPlanApprove, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := DecidePlan(ctx, r, a, plan.ID, ForumDecision{Meeting: meeting.ID, Decision: partnership.DecideApprove})
			return err
		}},
		{Step: "SubmitRequest", Permission: policies.CSRRequestSubmit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, _, err := SubmitRequest(ctx, r, a, RequestSubmission{
				CSRRequestInput: partnership.CSRRequestInput{Area: "education", Ward: "32.73.01.1002", Amount: 1_000_000, Title: "Meja belajar", Description: "Untuk PAUD"},
				Documents:       []partnership.Upload{{Name: "foto.pdf", Size: int64(len(pdf)), Data: pdf}}})
			return err
		}},
		{Step: "ClaimRequest", Permission: policies.CSRRequestClaim, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := ClaimRequest(ctx, r, a, request.ID, partner.ID)
			return err
		}},
		{Step: "WithdrawRequest", Permission: policies.CSRRequestSubmit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := WithdrawRequest(ctx, r, a, request.ID)
			return err
		}},
		{Step: "CreateProgramme", Permission: policies.ProgrammeManage, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := CreateProgramme(ctx, r, a, partnership.ProgrammeInput{Source: partnership.FromRequest, Request: request.ID, SectorAgency: "Disdik"})
			return err
		}},
		{Step: "ChangeProgramme", Permission: policies.ProgrammeManage, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			beneficiaries := 40
			_, err := ChangeProgramme(ctx, r, a, programme.ID, partnership.ProgrammeChange{Beneficiaries: &beneficiaries})
			return err
		}},
		{Step: "Contribute", Permission: policies.ProgrammeContribute, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := Contribute(ctx, r, a, programme.ID, partnership.ContributionInput{Kind: partnership.ContributeStaff, Quantity: 2, Unit: "people", Description: "Pendamping"})
			return err
		}},
		{Step: "PostIdea", Permission: policies.IdeaPost, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := PostIdea(ctx, r, a, partnership.IdeaInput{Title: "Kebun sekolah", Body: "Sayur di halaman sekolah"})
			return err
		}},
		{Step: "AdoptIdea", Permission: policies.IdeaAdopt, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := AdoptIdea(ctx, r, a, idea.ID, partnership.AdoptionInput{Meeting: meeting.ID, Into: partnership.IntoRequest, Area: "education", Ward: "32.73.01.1002", Amount: 1_000_000})
			return err
		}},
		{Step: "DeclineIdea", Permission: policies.IdeaAdopt, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := DeclineIdea(ctx, r, a, idea.ID, Decline{Meeting: meeting.ID, Reason: "Sudah ada"})
			return err
		}},
	})
}
