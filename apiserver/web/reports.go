package web

import (
	"context"
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// Realisation reports over HTTP: the institution submits one on its approved
// proposal, with evidence attached, and it goes up the hierarchy — verified
// by the ward office, consolidated by the kecamatan office, evaluated by the
// regional secretariat — or is sent back down. Every step moves the report
// and its proposal in one audited transaction; realisation is public, so
// the audit entries are too.

type attachmentJSON struct {
	N           int       `json:"n"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedAt  time.Time `json:"uploadedAt"`
	URL         string    `json:"url"`
}

type reportJSON struct {
	ID           int64              `json:"id"`
	Proposal     int64              `json:"proposal"`
	Institution  string             `json:"institution"`
	Ward         string             `json:"ward"`
	FiscalYear   int                `json:"fiscalYear"`
	Spent        partnership.Rupiah `json:"spent"`
	Outputs      string             `json:"outputs"`
	Participants int                `json:"participants"`
	// ActivityStart and ActivityEnd are dates in the region's time zone.
	ActivityStart string                  `json:"activityStart"`
	ActivityEnd   string                  `json:"activityEnd"`
	DueAt         time.Time               `json:"dueAt"`
	Late          bool                    `json:"late"`
	SubmittedAt   time.Time               `json:"submittedAt"`
	State         partnership.ReportState `json:"state"`
	// Pending is the step the report waits for; whoever may take it may
	// also send the report back.
	Pending        partnership.ReportStep `json:"pending,omitempty"`
	Reason         string                 `json:"reason,omitempty"`
	Evaluation     string                 `json:"evaluation,omitempty"`
	VerifiedAt     *time.Time             `json:"verifiedAt,omitempty"`
	ConsolidatedAt *time.Time             `json:"consolidatedAt,omitempty"`
	EvaluatedAt    *time.Time             `json:"evaluatedAt,omitempty"`
	Attachments    []attachmentJSON       `json:"attachments,omitempty"`
	Version        int                    `json:"version"`
}

func reportOut(c *fiber.Ctx, r *partnership.Report) reportJSON {
	rr := regionOf(c)
	loc := rr.location
	if loc == nil {
		loc = time.UTC
	}
	when := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	out := reportJSON{ID: r.ID, Proposal: r.ProposalID, Institution: r.Institution, Ward: r.WardCode, FiscalYear: r.FiscalYear,
		Spent: r.Spent, Outputs: r.Outputs, Participants: r.Participants,
		ActivityStart: r.ActivityStart.In(loc).Format(time.DateOnly), ActivityEnd: r.ActivityEnd.In(loc).Format(time.DateOnly),
		DueAt: r.DueAt, Late: r.Late(), SubmittedAt: r.SubmittedAt, State: r.State, Pending: r.State.Pending(),
		Reason: r.Reason, Evaluation: r.Evaluation, VerifiedAt: when(r.VerifiedAt), ConsolidatedAt: when(r.ConsolidatedAt),
		EvaluatedAt: when(r.EvaluatedAt), Version: r.Version}
	for _, a := range r.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{N: a.N, Name: a.Name, ContentType: a.ContentType, Size: a.Size,
			SHA256: a.SHA256, UploadedAt: a.UploadedAt, URL: fmt.Sprintf("%s/api/reports/%d/attachments/%d", rr.base, r.ID, a.N)})
	}
	return out
}

// reportImage is the part of a report the audit log keeps: its state and
// figures, and the fingerprints of its evidence.
func reportImage(r *partnership.Report, p *partnership.Proposal) map[string]any {
	files := make([]map[string]any, len(r.Attachments))
	for i, a := range r.Attachments {
		files[i] = map[string]any{"contentType": a.ContentType, "size": a.Size, "sha256": a.SHA256}
	}
	return map[string]any{"state": r.State, "proposal": r.ProposalID, "proposalState": p.State, "spent": r.Spent, "participants": r.Participants,
		"dueAt": r.DueAt, "late": r.Late(), "reason": r.Reason, "evaluation": r.Evaluation, "attachments": files, "version": r.Version}
}

// stepPermissions names the permission each step of a report needs.
var stepPermissions = map[partnership.ReportStep]policies.Permission{
	partnership.StepVerify:      policies.ReportVerify,
	partnership.StepConsolidate: policies.ReportConsolidate,
	partnership.StepEvaluate:    policies.ReportEvaluate,
}

// returnPermission is the permission of the step a report in this state
// waits for: only who may take it may send the report back. A report that
// waits for none can only be read; the domain refuses to send it back.
func returnPermission(s partnership.ReportState) policies.Permission {
	if p, ok := stepPermissions[s.Pending()]; ok {
		return p
	}
	return policies.ReportRead
}

var reportScope = objectScope(store.GetReport, func(r *partnership.Report) string { return r.Institution })

// localReturnFrom holds the state a report was in when sending it back was
// authorised; the change refuses to go on if it moved meanwhile, since the
// permission checked was that state's.
const localReturnFrom = "reportReturnFrom"

// requirePendingStep allows a report to be sent back by whoever holds the
// permission of the step it waits for, at the report's institution.
func requirePendingStep(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := store.GetReport(c.UserContext(), regionOf(c).db, id)
	if err != nil {
		return err
	}
	c.Locals(localReturnFrom, r.State)
	return require(returnPermission(r.State), func(*fiber.Ctx) (string, error) { return r.Institution, nil })(c)
}

// parseReport reads a report from a multipart form — its fields, and its
// files under "attachments" — or from JSON, which carries no files. A file's
// data is read no further than one byte beyond the limit: enough for the
// domain to refuse it with its size.
func parseReport(c *fiber.Ctx) (partnership.ReportInput, []partnership.Upload, error) {
	var in partnership.ReportInput
	if !strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), fiber.MIMEMultipartForm) {
		return in, nil, parseBody(c, &in)
	}
	files, err := multipartUploads(c, "attachments", &in)
	return in, files, err
}

// submitReport stores an institution's report on its proposal and moves the
// proposal to reported, in one transaction.
func submitReport(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		in, files, err := parseReport(c)
		if err != nil {
			return err
		}
		id, _ := idParam(c)
		var rep *partnership.Report
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			p, err := store.GetProposal(ctx, tx, id)
			if err != nil {
				return record{}, err
			}
			from := p.State
			if rep, err = rr.tenant.Region.Report(p, in, files, accountID(c), o.now()); err != nil {
				return record{}, err
			}
			// The proposal first: of two submissions racing, the second
			// finds it changed instead of colliding on the report's index.
			if err := store.UpdateProposal(ctx, tx, p); err != nil {
				return record{}, err
			}
			if err := store.InsertReport(ctx, tx, rep); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.ReportSubmit), ObjectType: "report", ObjectID: strconv.FormatInt(rep.ID, 10),
				Before: map[string]any{"proposal": p.ID, "proposalState": from}, After: reportImage(rep, p), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(reportOut(c, rep))
	}
}

func getReport(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := store.GetReport(c.UserContext(), regionOf(c).db, id)
	if err != nil {
		return err
	}
	return c.JSON(reportOut(c, r))
}

// getAttachment serves the n-th file of a report as a download: never shown
// inline, never sniffed into another type, never able to run script.
func getAttachment(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	n, err := c.ParamsInt("n")
	if err != nil || n < 1 {
		return partnership.Invalid("n", "the attachment's position, from 1")
	}
	a, err := store.GetAttachment(c.UserContext(), regionOf(c).db, id, n)
	if err != nil {
		return err
	}
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if disposition == "" {
		disposition = fmt.Sprintf("attachment; filename=report-%d-%d", id, n)
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.Send(a.Data)
}

var reportStates = []partnership.ReportState{partnership.ReportSubmitted, partnership.ReportVerified, partnership.ReportConsolidated,
	partnership.ReportEvaluated, partnership.ReportReturned}

func listReports(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	scope, err := queryScope(c)
	if err != nil {
		return err
	}
	f := store.ReportFilter{Scope: scope, State: partnership.ReportState(c.Query("state")), AfterID: after, Limit: limit}
	if f.State != "" && !slices.Contains(reportStates, f.State) {
		return partnership.Invalid("state", "submitted, verified, consolidated, evaluated or returned")
	}
	if s := c.Query("proposal"); s != "" {
		if f.ProposalID, err = strconv.ParseInt(s, 10, 64); err != nil || f.ProposalID <= 0 {
			return partnership.Invalid("proposal", "a proposal's id")
		}
	}
	if y := c.Query("fiscalYear"); y != "" {
		if f.FiscalYear, err = strconv.Atoi(y); err != nil {
			return partnership.Invalid("fiscalYear", "a year")
		}
	}
	rs, err := store.ListReports(c.UserContext(), regionOf(c).db, f)
	if err != nil {
		return err
	}
	out := page[reportJSON]{Items: make([]reportJSON, len(rs))}
	for i, r := range rs {
		out.Items[i] = reportOut(c, r)
	}
	if len(rs) == limit {
		out.Next = &rs[len(rs)-1].ID
	}
	return c.JSON(out)
}

// The steps of a report up the hierarchy, and back down.
func verifyReport(o Options) fiber.Handler      { return reportStep(o, partnership.StepVerify) }
func consolidateReport(o Options) fiber.Handler { return reportStep(o, partnership.StepConsolidate) }
func evaluateReport(o Options) fiber.Handler    { return reportStep(o, partnership.StepEvaluate) }
func returnReport(o Options) fiber.Handler      { return reportStep(o, partnership.StepReturn) }

// reportStepIn is the body of a step: the evaluation note of an evaluation,
// the reason of a return; verification and consolidation need none.
type reportStepIn struct {
	Reason     string `json:"reason,omitempty" form:"reason"`
	Evaluation string `json:"evaluation,omitempty" form:"evaluation"`
}

// reportStep takes a step on a report and moves its proposal with it, in
// one transaction; both are written only if neither changed since read.
func reportStep(o Options, step partnership.ReportStep) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in reportStepIn
		if err := parseBody(c, &in); err != nil && len(c.Body()) > 0 {
			return err
		}
		text := in.Evaluation
		if step == partnership.StepReturn {
			text = in.Reason
		}
		id, _ := idParam(c)
		var rep *partnership.Report
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if rep, err = store.GetReport(ctx, tx, id); err != nil {
				return record{}, err
			}
			p, err := store.GetProposal(ctx, tx, rep.ProposalID)
			if err != nil {
				return record{}, err
			}
			from, pFrom := rep.State, p.State
			perm := stepPermissions[step]
			if step == partnership.StepReturn {
				if authorised, _ := c.Locals(localReturnFrom).(partnership.ReportState); authorised != from {
					return record{}, store.ErrStale
				}
				perm = returnPermission(from)
			}
			if err := rep.Take(p, step, text, o.now()); err != nil {
				return record{}, err
			}
			if err := store.UpdateProposal(ctx, tx, p); err != nil {
				return record{}, err
			}
			if err := store.UpdateReport(ctx, tx, rep); err != nil {
				return record{}, err
			}
			return record{Action: string(perm), ObjectType: "report", ObjectID: strconv.FormatInt(rep.ID, 10),
				Before: map[string]any{"state": from, "proposal": p.ID, "proposalState": pFrom}, After: reportImage(rep, p), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(reportOut(c, rep))
	}
}
