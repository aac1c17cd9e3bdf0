package twopillar

import (
	"context"
	"strconv"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// Realisation is a realisation report as an institution sends it: what it
// says, and its evidence as uploaded.
type Realisation struct {
	partnership.ReportInput
	Evidence []partnership.Upload
}

// SubmitReport stores an institution's realisation report on its approved
// (or returned) proposal, with its evidence checked by their bytes, and
// moves the proposal to reported.
func SubmitReport(ctx context.Context, r *step.Region, a step.Actor, proposal int64, in Realisation) (*partnership.Report, error) {
	var rep *partnership.Report
	err := step.On(ctx, r, a, proposals, proposal, policies.ReportSubmit, func(ctx context.Context, t *step.Tx, p *partnership.Proposal) error {
		from := p.State
		var err error
		if rep, err = r.Spec.Report(p, in.ReportInput, in.Evidence, a.AccountID(), t.Now); err != nil {
			return err
		}
		// The proposal first: of two submissions racing, the second finds
		// it changed instead of colliding on the report's index.
		if err := store.UpdateProposal(ctx, t, p); err != nil {
			return err
		}
		if err := store.InsertReport(ctx, t, rep); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.ReportSubmit, ObjectType: "report", ObjectID: strconv.FormatInt(rep.ID, 10),
			Before: map[string]any{"proposal": p.ID, "proposalState": from}, After: reportImage(rep, p), Public: true})
		return nil
	})
	return rep, err
}

// stepPermissions names the permission each step of a report up the
// hierarchy needs.
var stepPermissions = map[partnership.ReportStep]policies.Permission{
	partnership.StepVerify:      policies.ReportVerify,
	partnership.StepConsolidate: policies.ReportConsolidate,
	partnership.StepEvaluate:    policies.ReportEvaluate,
}

// ReturnPermission is the permission of the step a report in this state
// waits for: only who may take it may send the report back. A report that
// waits for none can only be read; the domain refuses to send it back.
func ReturnPermission(s partnership.ReportState) policies.Permission {
	if p, ok := stepPermissions[s.Pending()]; ok {
		return p
	}
	return policies.ReportRead
}

// MoveReport takes a step on a report and moves its proposal with it: the
// ward verifies, the kecamatan consolidates, the regional secretariat
// evaluates (text is the evaluation's note), each at the report's
// institution; whoever may take the step the report waits for may instead
// send it back (text is the reason). Both are written only if neither
// changed since read.
func MoveReport(ctx context.Context, r *step.Region, a step.Actor, id int64, s partnership.ReportStep, text string) (*partnership.Report, error) {
	var rep *partnership.Report
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if rep, err = store.GetReport(ctx, t, id); err != nil {
			return err
		}
		perm, known := stepPermissions[s]
		if s == partnership.StepReturn {
			perm, known = ReturnPermission(rep.State), true
		}
		if !known {
			return partnership.Invalid("step", "verify, consolidate, evaluate or return")
		}
		if err := t.Require(perm, rep.Institution); err != nil {
			return err
		}
		p, err := store.GetProposal(ctx, t, rep.ProposalID)
		if err != nil {
			return err
		}
		from, pFrom := rep.State, p.State
		if err := rep.Take(p, s, text, t.Now); err != nil {
			return err
		}
		if err := store.UpdateProposal(ctx, t, p); err != nil {
			return err
		}
		if err := store.UpdateReport(ctx, t, rep); err != nil {
			return err
		}
		t.Audit(step.Record{Action: perm, ObjectType: "report", ObjectID: strconv.FormatInt(rep.ID, 10),
			Before: map[string]any{"state": from, "proposal": p.ID, "proposalState": pFrom}, After: reportImage(rep, p), Public: true,
			Concerns: []int64{rep.SubmittedBy}})
		return nil
	})
	return rep, err
}

// reportImage is what the audit log keeps of a report: its state and
// figures, and the fingerprints of its evidence.
func reportImage(r *partnership.Report, p *partnership.Proposal) map[string]any {
	files := make([]map[string]any, len(r.Attachments))
	for i, a := range r.Attachments {
		files[i] = map[string]any{"contentType": a.ContentType, "size": a.Size, "sha256": a.SHA256}
	}
	return map[string]any{"state": r.State, "proposal": r.ProposalID, "proposalState": p.State, "spent": r.Spent, "participants": r.Participants,
		"dueAt": r.DueAt, "late": r.Late(), "reason": r.Reason, "evaluation": r.Evaluation, "attachments": files, "version": r.Version}
}
