package fourpillar

import (
	"context"
	"errors"
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

// outcomes is a region with what the outcome steps act on: an approved
// company of everyone's, its programme, a sanction recommended on it, its
// award score of the 2024 cycle, and a CSR request past its expiry.
type outcomes struct {
	r        *step.Region
	everyone step.Actor
	partner  *partnership.Partner
	program  *partnership.Programme
	sanction *partnership.Sanction
}

func newOutcomes(t *testing.T) outcomes {
	t.Helper()
	r := steptest.Region(t, "bandung", "")
	o := outcomes{r: r, everyone: steptest.Everyone(t, r)}
	now := time.Now().UTC().Truncate(time.Microsecond)
	approved := now.Add(-24 * time.Hour)
	o.partner = &partnership.Partner{Kind: partnership.PartnerCompany, Name: "PT Uji", Areas: []string{"education"}, AccountID: o.everyone.AccountID(),
		State: partnership.PartnerApproved, RegisteredAt: approved.Add(-time.Hour), ApprovedAt: &approved}
	steptest.Stored(t, r, store.InsertPartner, o.partner)
	o.program = &partnership.Programme{Source: partnership.FromPlan, PartnerID: o.partner.ID, Area: "education", WardCode: "32.73.01.1001",
		Title: "Perpustakaan RW", SectorAgency: "Dinas Pendidikan", FiscalYear: now.Year(), State: partnership.ProgrammeActive, CreatedAt: now}
	steptest.Stored(t, r, store.InsertProgramme, o.program)
	var err error
	o.sanction, err = r.Spec.RecommendSanction(o.partner.ID, nil, "", "Rencana TJSL tidak disampaikan", partnership.SystemActor, now)
	steptest.Must(t, err)
	steptest.Stored(t, r, store.InsertSanction, o.sanction)
	steptest.Stored(t, r, store.SaveAward, &partnership.Award{Cycle: 2024, PartnerID: o.partner.ID, Scores: map[string]int64{}, State: partnership.AwardScored, ScoredAt: now})
	steptest.Stored(t, r, store.InsertRequest, &partnership.CSRRequest{Source: partnership.SourceCommunity, Area: "education", WardCode: "32.73.01.1001", Amount: 10_000_000,
		Title: "Rak buku", Description: "Untuk taman baca RW 02", State: partnership.RequestOpen, CreatedAt: now.Add(-90 * 24 * time.Hour), ExpiresAt: now.Add(-time.Hour)})
	return o
}

// TestEveryOutcomeStepNeedsItsPermission lists every step of what comes of
// the four-pillar workflow — realisations, sanctions, evaluations, awards
// and the schedule's own steps — with the permission it needs: under a
// policy that allows nothing, each is refused for it and changes nothing.
func TestEveryOutcomeStepNeedsItsPermission(t *testing.T) {
	o := newOutcomes(t)
	steptest.Refused(t, o.r, o.everyone, []steptest.Case{
		{Step: "SubmitRealisation", Permission: policies.RealisationSubmit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			day := time.Now().Add(-48 * time.Hour).Format(time.DateOnly)
			_, err := SubmitRealisation(ctx, r, a, partnership.RealisationInput{Programme: o.program.ID, ActivityStart: day, ActivityEnd: day, Amount: 10,
				SourceOfFunds: "Dana TJSL", Outputs: "Selesai", TargetsReached: "Semua"}, nil)
			return err
		}},
		{Step: "RecommendSanction", Permission: policies.SanctionIssue, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := RecommendSanction(ctx, r, a, Recommendation{Partner: o.partner.ID, Reason: "Laporan tidak disampaikan"})
			return err
		}},
		{Step: "MoveSanction (issue)", Permission: policies.SanctionIssue, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveSanction(ctx, r, a, o.sanction.ID, partnership.SanctionIssued, "")
			return err
		}},
		{Step: "MoveSanction (dismiss)", Permission: policies.SanctionIssue, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveSanction(ctx, r, a, o.sanction.ID, partnership.SanctionDismissed, "Sudah disampaikan")
			return err
		}},
		{Step: "MoveSanction (lift)", Permission: policies.SanctionLift, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveSanction(ctx, r, a, o.sanction.ID, partnership.SanctionLifted, "Sudah dipenuhi")
			return err
		}},
		{Step: "PublishEvaluation", Permission: policies.EvaluationPublish, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := PublishEvaluation(ctx, r, a, Quarter{Year: time.Now().Year() - 1, Quarter: 4})
			return err
		}},
		{Step: "ScoreAwards", Permission: policies.AwardScore, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := ScoreAwards(ctx, r, a, 2024)
			return err
		}},
		{Step: "AdjustAward", Permission: policies.AwardAdjust, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := AdjustAward(ctx, r, a, 2024, o.partner.ID, Adjustment{Delta: 100, Reason: "Program berkelanjutan"})
			return err
		}},
		{Step: "PublishAwards", Permission: policies.AwardScore, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := PublishAwards(ctx, r, a, 2024)
			return err
		}},
		{Step: "ExpireRequests", Permission: policies.CSRRequestExpire, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := ExpireRequests(ctx, r, a)
			return err
		}},
		{Step: "FlagOverdue", Permission: policies.OverdueFlag, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := FlagOverdue(ctx, r, a)
			return err
		}},
	})
}

// The schedule's FlagOverdue also recommends sanctions: a region whose
// policy lets the system flag but not recommend has it refused for
// sanction:recommend, and nothing changes.
func TestFlagOverdueNeedsSanctionRecommend(t *testing.T) {
	o := newOutcomes(t)
	flagOnly := steptest.UnderPolicy(t, o.r, "# baseline\np, system, overdue:flag, allow\n")
	before := steptest.AuditLength(t, o.r)
	_, err := FlagOverdue(context.Background(), flagOnly, step.System(step.Schedule))
	var d *step.Denied
	if !errors.As(err, &d) || d.Permission != policies.SanctionRecommend {
		t.Fatalf("flagging without sanction:recommend: %v", err)
	}
	if after := steptest.AuditLength(t, o.r); after != before {
		t.Fatalf("refused, yet the audit log went from %d to %d entries", before, after)
	}
}

// The schedule's steps, allowed by the region's own policy, are audited as
// the system's: the expired request, and FlagOverdue's decision.
func TestScheduledStepsAreTheSystems(t *testing.T) {
	o := newOutcomes(t)
	ctx := context.Background()
	n, err := ExpireRequests(ctx, o.r, step.System(step.Schedule))
	if err != nil || n != 1 {
		t.Fatalf("expired %d: %v", n, err)
	}
	if _, err := FlagOverdue(ctx, o.r, step.System(step.Schedule)); err != nil {
		t.Fatal(err)
	}
	var actors []string
	if err := o.r.DB.NewSelect().Table("audit_log").Column("actor").Where("action = ?", policies.CSRRequestExpire).Scan(ctx, &actors); err != nil {
		t.Fatal(err)
	}
	if len(actors) != 1 || actors[0] != partnership.SystemActor {
		t.Fatalf("the expiry was audited as %v", actors)
	}
}
