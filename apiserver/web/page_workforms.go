package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/supervision"
	"pilar.id/pilar/apiserver/twopillar"
)

// The steps posted from the work queues of the two-pillar workflow and of
// supervision, each taken through the same step as the API handler it
// mirrors.

// workAction runs one step posted from the work queues: on success back to
// the queues with a flash message, on refusal the queues again with the
// failed form (keyPrefix and the path's id) filled in.
func workAction(keyPrefix, flash string, do func(c *fiber.Ctx, v *view, f *form) error) fiber.Handler {
	return work.post("", flash, func(c *fiber.Ctx, v *view, f *form) (string, error) {
		f.Key = keyPrefix + c.Params("id")
		return "/work", do(c, v, f)
	})
}

// parseRupiah reads an amount as people write it: "1500000", "1.500.000" or
// "Rp 1.500.000".
func parseRupiah(s string) (partnership.Rupiah, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "Rp"), "rp"))
	s = strings.NewReplacer(".", "", " ", "", "\u00a0", "").Replace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || s == "" {
		return 0, false
	}
	return partnership.Rupiah(n), true
}

func (f *form) money(v *view, name string) partnership.Rupiah {
	n, ok := parseRupiah(f.Get(name))
	if !ok {
		f.fail(name, v.L.T("error.money"))
	}
	return n
}

func (f *form) count(v *view, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
	if err != nil {
		f.fail(name, v.L.T("error.count"))
	}
	return n
}

var createProposalPage = newPage("proposal", "flash.proposal", twopillar.CreateProposal, func(v *view, f *form) partnership.ProposalInput {
	in := partnership.ProposalInput{Institution: f.Get("institution"), Activity: f.Get("activity"), Title: f.Get("title"),
		Description: f.Get("description"), Location: f.Get("location"), Kind: partnership.Kind(f.Get("kind"))}
	in.FiscalYear, _ = strconv.Atoi(f.Get("fiscalYear"))
	in.Cost = f.money(v, "cost")
	in.Beneficiaries = f.count(v, "beneficiaries")
	return in
})

var approveProposalPage = workOn("approve-", "flash.approved", func(c *fiber.Ctx, v *view, f *form, id int64) error {
	_, err := twopillar.ApproveExecution(c.UserContext(), realmOf(c), actorOf(c), id)
	return err
})

// submitReportPage reports the realisation of an approved proposal, with its
// evidence, as the API's submitReport does.
var submitReportPage = workOn("report-", "flash.report", func(c *fiber.Ctx, v *view, f *form, id int64) error {
	in := twopillar.Realisation{ReportInput: partnership.ReportInput{Outputs: f.Get("outputs"), ActivityStart: f.Get("activityStart"), ActivityEnd: f.Get("activityEnd")}}
	in.Spent = f.money(v, "spent")
	in.Participants = f.count(v, "participants")
	if mf, err := c.MultipartForm(); err == nil {
		if in.Evidence, err = readUploads(mf.File["attachments"], true); err != nil {
			return err
		}
	}
	if f.Failed() {
		return errFormFailed
	}
	_, err := twopillar.SubmitReport(c.UserContext(), realmOf(c), actorOf(c), id, in)
	return err
})

var respondAspirationPage = takePage("respond-", "flash.answered", twopillar.RespondAspiration, func(_ *view, f *form) twopillar.Response {
	return twopillar.Response{State: partnership.AspirationState(f.Get("state")), Reason: f.Get("reason")}
})

// reportStepPage takes a step on a report, as the API's reportStep does.
func reportStepPage(s partnership.ReportStep) fiber.Handler {
	prefix, field := "rstep-", "evaluation"
	if s == partnership.StepReturn {
		prefix, field = "return-", "reason"
	}
	return movePage(prefix, "flash.report", s, twopillar.MoveReport, value(field))
}

// takePage takes the step on the object the path's id names, with the
// input in reads of the form; a form whose fields in refuses (f.fail) is
// refused before the step is taken.
func takePage[I, T any](prefix, flash string, take func(context.Context, *step.Region, step.Actor, int64, I) (T, error), in func(*view, *form) I) fiber.Handler {
	return workOn(prefix, flash, func(c *fiber.Ctx, v *view, f *form, id int64) error {
		input := in(v, f)
		if f.Failed() {
			return errFormFailed
		}
		_, err := take(c.UserContext(), realmOf(c), actorOf(c), id, input)
		return err
	})
}

// newPage takes the step making new work with the input in reads of the
// form, as takePage does.
func newPage[I, T any](key, flash string, take func(context.Context, *step.Region, step.Actor, I) (T, error), in func(*view, *form) I) fiber.Handler {
	return workAction(key, flash, func(c *fiber.Ctx, v *view, f *form) error {
		input := in(v, f)
		if f.Failed() {
			return errFormFailed
		}
		_, err := take(c.UserContext(), realmOf(c), actorOf(c), input)
		return err
	})
}

// movePage takes the step moving the object the path's id names to the
// state to, with the input in reads of the form.
func movePage[S ~string, I, T any](prefix, flash string, to S, move func(context.Context, *step.Region, step.Actor, int64, S, I) (T, error), in func(*view, *form) I) fiber.Handler {
	return takePage(prefix, flash+"."+string(to), toward(move, to), in)
}

// value is the form's value of a field, as a step's input.
func value(name string) func(*view, *form) string {
	return func(_ *view, f *form) string { return f.Get(name) }
}

var recordFindingPage = newPage("finding", "flash.finding", supervision.RecordFinding, func(_ *view, f *form) partnership.NewFinding {
	return partnership.NewFinding{Scope: f.Get("scope"), Title: f.Get("title"), Detail: f.Get("detail"), DueAt: f.Get("dueAt")}
})

// moveFindingPage answers, closes or reopens a finding, as the API does.
func moveFindingPage(to partnership.FindingState) fiber.Handler {
	prefix := "finding-"
	if to == partnership.FindingOpen {
		prefix = "reopen-"
	}
	return movePage(prefix, "flash.finding", to, supervision.MoveFinding, func(_ *view, f *form) supervision.FindingMove {
		return supervision.FindingMove{Response: f.Get("response"), Reason: f.Get("reason"), DueAt: f.Get("dueAt")}
	})
}

// moveComplaintPage receives, investigates, resolves or escalates a
// complaint, as the API does.
func moveComplaintPage(to partnership.ComplaintState) fiber.Handler {
	prefix := "complaint-"
	if to == partnership.ComplaintEscalated {
		prefix = "escalate-"
	}
	return movePage(prefix, "flash.complaint", to, supervision.MoveComplaint, func(_ *view, f *form) supervision.ComplaintMove {
		return supervision.ComplaintMove{Resolution: f.Get("resolution"), Reason: f.Get("reason")}
	})
}

// assessPhasePage records the lurah's assessment of a ward's participation
// phase, as the API's assessPhase does.
var assessPhasePage = newPage("phase", "flash.phase", twopillar.AssessPhase, func(_ *view, f *form) partnership.PhaseInput {
	in := partnership.PhaseInput{Ward: f.Get("ward"), Phase: partnership.Phase(f.Get("phase")), Note: f.Get("note")}
	in.FiscalYear, _ = strconv.Atoi(f.Get("fiscalYear"))
	return in
})

// costChangePage changes the cost of a funded or approved activity,
// committing or releasing the difference, as the API's changeCost does.
var costChangePage = takePage("cost-", "flash.proposal.cost", twopillar.ChangeCost, func(v *view, f *form) partnership.Rupiah { return f.money(v, "cost") })

// cancelActivityPage cancels a funded or approved activity with a reason,
// releasing its allocation, as the API's cancelActivity does.
var cancelActivityPage = takePage("cancel-", "flash.proposal.cancel", twopillar.CancelActivity, value("reason"))

// mergeAspirationPage merges an aspiration into one of the institution's
// proposals, as the API's respondAspiration does with the state "merged".
var mergeAspirationPage = takePage("merge-", "flash.merged", twopillar.RespondAspiration, func(v *view, f *form) twopillar.Response {
	pid := formID(f, "proposal")
	if pid <= 0 {
		f.fail("proposal", v.L.T("error.choose"))
	}
	return twopillar.Response{State: partnership.AspirationMerged, Proposal: pid}
})

// workOn is workAction for a step on the object the path's id names.
func workOn(keyPrefix, flash string, do func(c *fiber.Ctx, v *view, f *form, id int64) error) fiber.Handler {
	return workAction(keyPrefix, flash, func(c *fiber.Ctx, v *view, f *form) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		return do(c, v, f, id)
	})
}
