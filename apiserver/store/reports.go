package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

type reportRow struct {
	bun.BaseModel  `bun:"table:reports"`
	ID             int64 `bun:",pk,autoincrement"`
	ProposalID     int64
	Institution    string
	WardCode       string
	FiscalYear     int
	Spent          int64
	Outputs        string
	Participants   int
	ActivityStart  time.Time
	ActivityEnd    time.Time
	DueAt          time.Time
	SubmittedBy    int64
	SubmittedAt    time.Time
	State          string
	Reason         string
	Evaluation     string
	VerifiedAt     *time.Time
	ConsolidatedAt *time.Time
	EvaluatedAt    *time.Time
	Version        int
}

// optionalTime is nil for the zero time: a step not taken yet.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func fromOptionalTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func toReportRow(r *partnership.Report) *reportRow {
	return &reportRow{ID: r.ID, ProposalID: r.ProposalID, Institution: r.Institution, WardCode: r.WardCode, FiscalYear: r.FiscalYear,
		Spent: int64(r.Spent), Outputs: r.Outputs, Participants: r.Participants,
		ActivityStart: r.ActivityStart.UTC(), ActivityEnd: r.ActivityEnd.UTC(), DueAt: r.DueAt.UTC(),
		SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt.UTC(), State: string(r.State), Reason: r.Reason, Evaluation: r.Evaluation,
		VerifiedAt: optionalTime(r.VerifiedAt), ConsolidatedAt: optionalTime(r.ConsolidatedAt), EvaluatedAt: optionalTime(r.EvaluatedAt),
		Version: r.Version}
}

func (r *reportRow) report() *partnership.Report {
	return &partnership.Report{ID: r.ID, ProposalID: r.ProposalID, Institution: r.Institution, WardCode: r.WardCode, FiscalYear: r.FiscalYear,
		Spent: partnership.Rupiah(r.Spent), Outputs: r.Outputs, Participants: r.Participants,
		ActivityStart: r.ActivityStart.UTC(), ActivityEnd: r.ActivityEnd.UTC(), DueAt: r.DueAt.UTC(),
		SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt.UTC(), State: partnership.ReportState(r.State), Reason: r.Reason,
		Evaluation: r.Evaluation, VerifiedAt: fromOptionalTime(r.VerifiedAt), ConsolidatedAt: fromOptionalTime(r.ConsolidatedAt),
		EvaluatedAt: fromOptionalTime(r.EvaluatedAt), Version: r.Version}
}

var reportTable = table[reportRow, *partnership.Report]{one: "report", many: "reports",
	row: always(toReportRow), read: always((*reportRow).report),
	writes: only("state", "reason", "evaluation", "verified_at", "consolidated_at", "evaluated_at"),
	key:    func(r *partnership.Report) (*int64, *int) { return &r.ID, &r.Version }}

type attachmentRow struct {
	bun.BaseModel `bun:"table:attachments"`
	ID            int64 `bun:",pk,autoincrement"`
	ReportID      int64
	Name          string
	ContentType   string
	Size          int64
	SHA256        string `bun:"sha256"`
	Data          []byte
	UploadedAt    time.Time
}

func (r *attachmentRow) attachment(n int) partnership.Attachment {
	return partnership.Attachment{N: n, Name: r.Name, ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Data: r.Data, UploadedAt: r.UploadedAt.UTC()}
}

// checkAttachments refuses evidence the domain would not have made: too many
// files, or one whose content is not what it claims to be or too large.
func checkAttachments(as []partnership.Attachment) error {
	if len(as) > partnership.MaxAttachments {
		return partnership.Invalid("attachments", "%d files; at most %d a report", len(as), partnership.MaxAttachments)
	}
	for _, a := range as {
		switch {
		case int64(len(a.Data)) != a.Size || a.Size == 0 || a.Size > partnership.MaxAttachmentSize:
			return partnership.Invalid("attachments", "%q is %d bytes, claims %d; a file holds 1 byte to 2 MiB", a.Name, len(a.Data), a.Size)
		case partnership.SniffAttachment(a.Data) != a.ContentType || a.ContentType == "":
			return partnership.Invalid("attachments", "%q is not the %s it claims to be", a.Name, a.ContentType)
		}
	}
	return nil
}

// InsertReport stores a new report with its attachments and sets its id and
// version. Run it in the transaction that moves the report's proposal.
func InsertReport(ctx context.Context, db bun.IDB, r *partnership.Report) error {
	if err := checkAttachments(r.Attachments); err != nil {
		return err
	}
	r.Version = 1
	if err := reportTable.insert(ctx, db, r, &r.ID, fmt.Sprintf("insert a report on proposal %d", r.ProposalID)); err != nil {
		return err
	}
	return attachAll(r.Attachments, func(a *partnership.Attachment) error {
		ar := &attachmentRow{ReportID: r.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, Data: a.Data, UploadedAt: a.UploadedAt.UTC()}
		return insertRow(ctx, db, ar, &ar.ID, fmt.Sprintf("store attachment %q of report %d", a.Name, r.ID))
	})
}

// attachAll stores each attachment with attach, in order, and numbers it
// from 1 once it is stored.
func attachAll(as []partnership.Attachment, attach func(*partnership.Attachment) error) error {
	for i := range as {
		if err := attach(&as[i]); err != nil {
			return err
		}
		as[i].N = i + 1
	}
	return nil
}

// GetReport reads one report with its attachments' metadata, not their data.
func GetReport(ctx context.Context, db bun.IDB, id int64) (*partnership.Report, error) {
	r, err := reportTable.get(ctx, db, id)
	if err != nil {
		return nil, err
	}
	var atts []attachmentRow
	if err := db.NewSelect().Model(&atts).ExcludeColumn("data").Where("report_id = ?", id).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list the attachments of report %d: %w", id, err)
	}
	for i := range atts {
		r.Attachments = append(r.Attachments, atts[i].attachment(i+1))
	}
	return r, nil
}

// GetAttachment reads the n-th attachment of a report, counted from 1, with its data.
func GetAttachment(ctx context.Context, db bun.IDB, reportID int64, n int) (*partnership.Attachment, error) {
	if n < 1 || n > partnership.MaxAttachments {
		return nil, fmt.Errorf("%w: report %d has no attachment %d", partnership.ErrNotFound, reportID, n)
	}
	row := new(attachmentRow)
	err := db.NewSelect().Model(row).Where("report_id = ?", reportID).Order("id").Offset(int64(n - 1)).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: report %d has no attachment %d", partnership.ErrNotFound, reportID, n)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read attachment %d of report %d: %w", n, reportID, err)
	}
	a := row.attachment(n)
	return &a, nil
}

// ReportFilter selects reports; zero fields select everything.
type ReportFilter struct {
	Scope      string // an institution, ward, kecamatan or the region: everything it covers
	State      partnership.ReportState
	ProposalID int64
	FiscalYear int
	AfterID    int64
	Limit      int
}

// ListReports returns a page of reports, oldest first, without their attachments.
func ListReports(ctx context.Context, db bun.IDB, f ReportFilter) ([]*partnership.Report, error) {
	return reportTable.list(ctx, db, f.AfterID, f.Limit, covering("institution", f.Scope), given("state = ?", f.State),
		given("proposal_id = ?", f.ProposalID), given("fiscal_year = ?", f.FiscalYear))
}
