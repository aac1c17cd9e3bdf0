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
