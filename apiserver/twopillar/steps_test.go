package twopillar

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

const (
	rw   = "32.73.01.1001/rw-02"
	ward = "32.73.01.1001"
)

// TestEveryStepNeedsItsPermission lists every step of the two-pillar
// workflow with the permission it needs: under a policy that allows
// nothing, each is refused for that permission and changes nothing.
func TestEveryStepNeedsItsPermission(t *testing.T) {
	r := steptest.Region(t, "bandung", "")
	everyone := steptest.Everyone(t, r)
	now := time.Now()
	year := now.In(r.Spec.Location).Year()
	asp, err := r.Spec.Aspiration(partnership.NewAspiration{Institution: rw, Title: "Saluran", Body: "Tergenang"}, everyone.AccountID(), now)
	steptest.Must(t, err)
	steptest.Stored(t, r, store.InsertAspiration, asp)
	proposal := partnership.ProposalInput{Institution: rw, FiscalYear: year, Activity: "infrastructure", Title: "Saluran", Description: "Perbaikan",
		Cost: 10_000_000, Beneficiaries: 100, Location: "RT 03", Kind: partnership.Infrastructure}
	p, err := r.Spec.Proposal(proposal, everyone.AccountID(), now)
	steptest.Must(t, err)
	m, err := r.Spec.ScheduleMusrenbang(partnership.MusrenbangInput{Level: partnership.LevelWard, Area: ward, FiscalYear: year,
		ScheduledAt: now.Add(time.Hour), Place: "Aula"}, now)
	steptest.Must(t, err)
	steptest.Stored(t, r, store.InsertMusrenbang, m)
	reported, err := r.Spec.Proposal(proposal, everyone.AccountID(), now)
	steptest.Must(t, err)
	reported.State = partnership.ProposalReported
	steptest.Stored(t, r, store.InsertProposal, p, reported)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	rep := &partnership.Report{ProposalID: reported.ID, Institution: rw, WardCode: ward, FiscalYear: year, Spent: 5_000_000, Outputs: "Saluran diperbaiki",
		ActivityStart: day, ActivityEnd: day, DueAt: r.Spec.ReportDue(day), SubmittedAt: now.UTC(), State: partnership.ReportSubmitted}
	steptest.Stored(t, r, store.InsertReport, rep)

	moveReport := func(s partnership.ReportStep) func(context.Context, *step.Region, step.Actor) error {
		return func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveReport(ctx, r, a, rep.ID, s, "Catatan")
			return err
		}
	}
	steptest.Refused(t, r, everyone, []steptest.Case{
		{Step: "SubmitAspiration", Permission: policies.AspirationSubmit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := SubmitAspiration(ctx, r, a, partnership.NewAspiration{Institution: rw, Title: "Lampu jalan", Body: "Gelap"})
			return err
		}},
		{Step: "RespondAspiration", Permission: policies.AspirationRespond, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := RespondAspiration(ctx, r, a, asp.ID, Response{State: partnership.AspirationAcknowledged})
			return err
		}},
		{Step: "RespondAspiration (merge)", Permission: policies.AspirationRespond, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := RespondAspiration(ctx, r, a, asp.ID, Response{State: partnership.AspirationMerged, Proposal: p.ID})
			return err
		}},
		{Step: "CreateProposal", Permission: policies.ProposalCreate, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := CreateProposal(ctx, r, a, proposal)
			return err
		}},
		{Step: "EditProposal", Permission: policies.ProposalEdit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := EditProposal(ctx, r, a, p.ID, proposal)
			return err
		}},
		{Step: "ApproveExecution", Permission: policies.ExecutionApprove, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := ApproveExecution(ctx, r, a, p.ID)
			return err
		}},
		{Step: "ChangeCost", Permission: policies.ProposalEdit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := ChangeCost(ctx, r, a, p.ID, 5_000_000)
			return err
		}},
		{Step: "CancelActivity", Permission: policies.ActivityCancel, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := CancelActivity(ctx, r, a, p.ID, "Tidak jadi")
			return err
		}},
		{Step: "ScheduleMusrenbang", Permission: policies.MusrenbangSchedule, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := ScheduleMusrenbang(ctx, r, a, partnership.MusrenbangInput{Level: partnership.LevelWard, Area: ward, FiscalYear: year,
				ScheduledAt: time.Now().Add(2 * time.Hour), Place: "Balai RW"})
			return err
		}},
		{Step: "RecordAttendance", Permission: policies.MusrenbangAttend, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := RecordAttendance(ctx, r, a, m.ID, map[string]int{"rt-board": 5, "rw-board": 5, "community-leader": 2, "women-leader": 2, "youth-leader": 2})
			return err
		}},
		{Step: "Decide", Permission: policies.MusrenbangDecide, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := Decide(ctx, r, a, m.ID, Decision{Decision: partnership.Decision{Decision: partnership.DecideFund}, Proposal: p.ID})
			return err
		}},
		{Step: "CloseMusrenbang", Permission: policies.MusrenbangClose, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := CloseMusrenbang(ctx, r, a, m.ID, "Berita acara")
			return err
		}},
		{Step: "SubmitReport", Permission: policies.ReportSubmit, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := SubmitReport(ctx, r, a, p.ID, Realisation{ReportInput: partnership.ReportInput{Spent: 1, Outputs: "x"}})
			return err
		}},
		{Step: "MoveReport (verify)", Permission: policies.ReportVerify, Take: moveReport(partnership.StepVerify)},
		{Step: "MoveReport (consolidate)", Permission: policies.ReportConsolidate, Take: moveReport(partnership.StepConsolidate)},
		{Step: "MoveReport (evaluate)", Permission: policies.ReportEvaluate, Take: moveReport(partnership.StepEvaluate)},
		// A submitted report waits for its verification: only who may verify it sends it back.
		{Step: "MoveReport (return)", Permission: policies.ReportVerify, Take: moveReport(partnership.StepReturn)},
		{Step: "AssessPhase", Permission: policies.ParticipationAssess, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := AssessPhase(ctx, r, a, partnership.PhaseInput{Ward: ward, FiscalYear: year, Phase: partnership.Phases[0], Note: "Warga hadir"})
			return err
		}},
	})
}
