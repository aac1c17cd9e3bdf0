package supervision

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

// TestEveryStepNeedsItsPermission lists every step of supervision with the
// permission it needs: under a policy that allows nothing, each is refused
// for that permission and changes nothing — an anonymous complaint too,
// although the region's own policy lets the public file one.
func TestEveryStepNeedsItsPermission(t *testing.T) {
	r := steptest.Region(t, "bandung", "")
	everyone := steptest.Everyone(t, r)
	now := time.Now()
	ward := r.Spec.Kecamatan[0].Wards[0].Code
	supervisor := steptest.Account(t, r, "supervisor")

	finding, err := r.Spec.Finding(partnership.NewFinding{Scope: ward, Title: "Laporan terlambat", Detail: "Laporan kegiatan belum masuk."}, supervisor.AccountID(), now)
	steptest.Must(t, err)
	steptest.Stored(t, r, store.InsertFinding, finding)
	complaint := func(escalated bool) int64 {
		cp, err := r.Spec.Complaint(partnership.NewComplaint{Ward: ward, Subject: "Lampu jalan", Body: "Lampu jalan mati sebulan."}, 0, now)
		steptest.Must(t, err)
		if escalated {
			steptest.Must(t, cp.Escalate("tidak ditanggapi", now))
		}
		_, err = store.InsertComplaint(context.Background(), r.DB, cp)
		steptest.Must(t, err)
		return cp.ID
	}
	filed, escalated := complaint(false), complaint(true)

	file := func(anonymous bool) func(ctx context.Context, r *step.Region, a step.Actor) error {
		return func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, _, err := FileComplaint(ctx, r, a, Filing{NewComplaint: partnership.NewComplaint{Ward: ward, Subject: "Sampah", Body: "Sampah tidak diangkut."}, Anonymous: anonymous})
			return err
		}
	}
	moveFinding := func(to partnership.FindingState) func(ctx context.Context, r *step.Region, a step.Actor) error {
		return func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveFinding(ctx, r, a, finding.ID, to, FindingMove{Response: "Sudah dikirim.", Reason: "Belum lengkap."})
			return err
		}
	}
	moveComplaint := func(id int64, to partnership.ComplaintState) func(ctx context.Context, r *step.Region, a step.Actor) error {
		return func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveComplaint(ctx, r, a, id, to, ComplaintMove{Resolution: "Lampu diganti.", Reason: "Tidak ditanggapi."})
			return err
		}
	}

	steptest.Refused(t, r, everyone, []steptest.Case{
		{Step: "RecordFinding", Permission: policies.FindingRecord, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := RecordFinding(ctx, r, a, partnership.NewFinding{Scope: ward, Title: "Temuan", Detail: "Rincian temuan."})
			return err
		}},
		{Step: "MoveFinding respond", Permission: policies.FindingRespond, Take: moveFinding(partnership.FindingResponded)},
		{Step: "MoveFinding close", Permission: policies.FindingRecord, Take: moveFinding(partnership.FindingClosed)},
		{Step: "MoveFinding reopen", Permission: policies.FindingRecord, Take: moveFinding(partnership.FindingOpen)},
		{Step: "FileComplaint", Permission: policies.ComplaintFile, Take: file(false)},
		{Step: "FileComplaint anonymously", Permission: policies.ComplaintFile, Take: file(true)},
		{Step: "MoveComplaint receive", Permission: policies.ComplaintHandle, Take: moveComplaint(filed, partnership.ComplaintReceived)},
		{Step: "MoveComplaint investigate", Permission: policies.ComplaintHandle, Take: moveComplaint(filed, partnership.ComplaintInvestigating)},
		{Step: "MoveComplaint resolve", Permission: policies.ComplaintHandle, Take: moveComplaint(filed, partnership.ComplaintResolved)},
		{Step: "MoveComplaint escalate", Permission: policies.ComplaintEscalate, Take: moveComplaint(filed, partnership.ComplaintEscalated)},
		{Step: "MoveComplaint investigate, escalated", Permission: policies.ComplaintHandle, Take: moveComplaint(escalated, partnership.ComplaintInvestigating)},
	})
}
