package web

import (
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/twopillar"
)

// Realisation reports over HTTP: the institution submits one on its approved
// proposal, with evidence attached, and it goes up the hierarchy — verified
// by the ward office, consolidated by the kecamatan office, evaluated by the
// regional secretariat — or is sent back down: the steps of package
// twopillar (SubmitReport, MoveReport).

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

// reportOut shows reports as the request's region dates them and links their files.
func reportOut(c *fiber.Ctx) func(*partnership.Report) reportJSON {
	rr := regionOf(c)
	loc := rr.location
	if loc == nil {
		loc = time.UTC
	}
	return func(r *partnership.Report) reportJSON {
		out := reportJSON{ID: r.ID, Proposal: r.ProposalID, Institution: r.Institution, Ward: r.WardCode, FiscalYear: r.FiscalYear,
			Spent: r.Spent, Outputs: r.Outputs, Participants: r.Participants,
			ActivityStart: r.ActivityStart.In(loc).Format(time.DateOnly), ActivityEnd: r.ActivityEnd.In(loc).Format(time.DateOnly),
			DueAt: r.DueAt, Late: r.Late(), SubmittedAt: r.SubmittedAt, State: r.State, Pending: r.State.Pending(),
			Reason: r.Reason, Evaluation: r.Evaluation, VerifiedAt: timeOrNil(r.VerifiedAt), ConsolidatedAt: timeOrNil(r.ConsolidatedAt),
			EvaluatedAt: timeOrNil(r.EvaluatedAt), Version: r.Version, Attachments: each(r.Attachments, func(a partnership.Attachment) attachmentJSON {
				return attachmentOut(a, fmt.Sprintf("%s/api/reports/%d/attachments/%d", rr.base, r.ID, a.N))
			})}
		return out
	}
}

// attachmentOut shows a file of a report, or of a realisation's evidence,
// with the address it is downloaded from.
func attachmentOut(a partnership.Attachment, url string) attachmentJSON {
	return attachmentJSON{N: a.N, Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, UploadedAt: a.UploadedAt, URL: url}
}

// isMultipart reports whether the request's body is a multipart form.
func isMultipart(c *fiber.Ctx) bool {
	return strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), fiber.MIMEMultipartForm)
}

var reportScope = objectScope(store.GetReport, func(r *partnership.Report) string { return r.Institution })

// requirePendingStep allows a report to be sent back by whoever holds the
// permission of the step it waits for, at the report's institution; the
// step asks again for the state it finds (twopillar.MoveReport).
func requirePendingStep(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := store.GetReport(c.UserContext(), regionOf(c).db, id)
	if err != nil {
		return err
	}
	return require(twopillar.ReturnPermission(r.State), func(*fiber.Ctx) (string, error) { return r.Institution, nil })(c)
}

// parseReport reads a report from a multipart form — its fields, and its
// files under "attachments" — or from JSON, which carries no files. A file's
// data is read no further than one byte beyond the limit: enough for the
// domain to refuse it with its size.
func parseReport(c *fiber.Ctx) (twopillar.Realisation, error) {
	var in twopillar.Realisation
	if !isMultipart(c) {
		return in, parseBody(c, &in.ReportInput)
	}
	var err error
	in.Evidence, err = multipartUploads(c, "attachments", &in.ReportInput)
	return in, err
}

// submitReport stores an institution's report on its proposal and moves the
// proposal to reported.
func submitReport(c *fiber.Ctx) error {
	in, err := parseReport(c)
	if err != nil {
		return err
	}
	id, _ := idParam(c)
	return answer(c, fiber.StatusCreated, reportOut(c))(twopillar.SubmitReport(c.UserContext(), realmOf(c), actorOf(c), id, in))
}

func getReport(c *fiber.Ctx) error { return byID(stored(store.GetReport), reportOut(c))(c) }

// getAttachment serves the n-th file of a report as a download.
func getAttachment(c *fiber.Ctx) error {
	return download(c, "report", "the attachment's position, from 1", func(id int64, n int) (file, error) {
		a, err := store.GetAttachment(c.UserContext(), regionOf(c).db, id, n)
		if err != nil {
			return file{}, err
		}
		return file{a.Name, a.ContentType, a.Data}, nil
	})
}

// file is a file to download.
type file struct {
	name, contentType string
	data              []byte
}

// download sends the n-th file of the object (of kind what) the path's id
// names as a download: never shown inline, never sniffed into another type,
// never able to run script. A file whose name cannot be sent is named by
// its object and place.
func download(c *fiber.Ctx, what, position string, read func(id int64, n int) (file, error)) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	n, err := c.ParamsInt("n")
	if err != nil || n < 1 {
		return partnership.Invalid("n", "%s", position)
	}
	f, err := read(id, n)
	if err != nil {
		return err
	}
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": f.name})
	if disposition == "" {
		disposition = fmt.Sprintf("attachment; filename=%s-%d-%d", what, id, n)
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.Send(f.data)
}

var reportStates = []partnership.ReportState{partnership.ReportSubmitted, partnership.ReportVerified, partnership.ReportConsolidated,
	partnership.ReportEvaluated, partnership.ReportReturned}

func listReports(c *fiber.Ctx) error {
	return listOf(func(c *fiber.Ctx, q *query) store.ReportFilter {
		f := store.ReportFilter{Scope: q.scope(), State: partnership.ReportState(c.Query("state")), AfterID: q.after, Limit: q.limit}
		if f.State != "" && !slices.Contains(reportStates, f.State) {
			q.check(partnership.Invalid("state", "submitted, verified, consolidated, evaluated or returned"))
		}
		if s := c.Query("proposal"); s != "" {
			if id, err := strconv.ParseInt(s, 10, 64); err != nil || id <= 0 {
				q.check(partnership.Invalid("proposal", "a proposal's id"))
			} else {
				f.ProposalID = id
			}
		}
		f.FiscalYear = q.year("fiscalYear")
		return f
	}, stored(store.ListReports), func(r *partnership.Report) int64 { return r.ID }, reportOut(c))(c)
}

// reportStepIn is the body of a step: the evaluation note of an evaluation,
// the reason of a return; verification and consolidation need none.
type reportStepIn struct {
	Reason     string `json:"reason,omitempty" form:"reason"`
	Evaluation string `json:"evaluation,omitempty" form:"evaluation"`
}

// reportStep takes a step on a report up the hierarchy, or sends it back
// (twopillar.MoveReport).
func reportStep(s partnership.ReportStep) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return takeOnWith(optionalBody, fiber.StatusOK, func(in reportStepIn) string {
			if s == partnership.StepReturn {
				return in.Reason
			}
			return in.Evaluation
		}, toward(twopillar.MoveReport, s), reportOut(c))(c)
	}
}
