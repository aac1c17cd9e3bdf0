package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

type findingRow struct {
	bun.BaseModel `bun:"table:findings"`
	ID            int64 `bun:",pk,autoincrement"`
	Scope         string
	ObjectType    string
	ObjectID      string
	Title         string
	Detail        string
	State         string
	RecordedBy    int64
	RecordedAt    time.Time
	DueAt         time.Time
	Response      string
	RespondedBy   int64     `bun:",nullzero"`
	RespondedAt   time.Time `bun:",nullzero"`
	ReopenReason  string
	ClosedAt      time.Time `bun:",nullzero"`
	UpdatedAt     time.Time
	Version       int64
}

func toFindingRow(f *partnership.Finding) *findingRow {
	return &findingRow{
		ID: f.ID, Scope: f.Scope, ObjectType: f.ObjectType, ObjectID: f.ObjectID, Title: f.Title, Detail: f.Detail,
		State: string(f.State), RecordedBy: f.RecordedBy, RecordedAt: f.RecordedAt.UTC(), DueAt: f.DueAt.UTC(),
		Response: f.Response, RespondedBy: f.RespondedBy, RespondedAt: utcOrZero(f.RespondedAt), ReopenReason: f.ReopenReason,
		ClosedAt: utcOrZero(f.ClosedAt), UpdatedAt: f.UpdatedAt.UTC(), Version: f.Version,
	}
}

func (r *findingRow) finding() *partnership.Finding {
	return &partnership.Finding{
		ID: r.ID, Scope: r.Scope, ObjectType: r.ObjectType, ObjectID: r.ObjectID, Title: r.Title, Detail: r.Detail,
		State: partnership.FindingState(r.State), RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC(), DueAt: r.DueAt.UTC(),
		Response: r.Response, RespondedBy: r.RespondedBy, RespondedAt: utcOrZero(r.RespondedAt), ReopenReason: r.ReopenReason,
		ClosedAt: utcOrZero(r.ClosedAt), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}

// utcOrZero keeps a zero time zero (stored as NULL) and puts any other in UTC.
func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

var findingTable = table[findingRow, *partnership.Finding]{one: "finding", many: "findings",
	row: always(toFindingRow), read: always((*findingRow).finding),
	writes: only("state", "due_at", "response", "responded_by", "responded_at", "reopen_reason", "closed_at", "updated_at")}

// InsertFinding stores a new finding and sets its id and version.
func InsertFinding(ctx context.Context, db bun.IDB, f *partnership.Finding) error {
	f.Version = 1
	return findingTable.insert(ctx, db, f, &f.ID, "insert a finding")
}

// UpdateFinding writes a finding's move from the state it was read in. The
// write happens only if the stored finding is still in that state and at the
// version read, so of two concurrent moves one wins and the other gets an
// ErrConflict; on success the version is bumped.
func UpdateFinding(ctx context.Context, db bun.IDB, f *partnership.Finding, from partnership.FindingState) error {
	return findingTable.move(ctx, db, f, f.ID, &f.Version, string(from))
}

// FindingFilter selects findings; zero fields select everything.
type FindingFilter struct {
	// Under keeps the findings at or beneath any of these scopes. Empty keeps
	// them all: a caller listing for a reader must pass the reader's scopes.
	Under []string
	State partnership.FindingState
	// OverdueAt keeps the findings still open after their due date as of this time.
	OverdueAt time.Time
	AfterID   int64 // keeps ids after this one: the last id of the previous page
	Limit     int   // 50 when zero
}

// ListFindings returns a page of the findings f selects, by id.
func ListFindings(ctx context.Context, db bun.IDB, f FindingFilter) ([]*partnership.Finding, error) {
	return findingTable.list(ctx, db, f.AfterID, listLimit(f.Limit), group(len(f.Under) > 0, scopesCover(f.Under)),
		given("state = ?", string(f.State)),
		when(!f.OverdueAt.IsZero(), "state = ? AND due_at < ?", string(partnership.FindingOpen), f.OverdueAt.UTC()))
}

// scopesCover keeps the rows whose scope column is at or beneath any of the
// scopes, as partnership.Covers decides: equal, or the scope followed by '.'
// or '/'. substr compares bytes in both dialects, whatever the collation, and
// has none of LIKE's wildcards or case folding.
func scopesCover(scopes []string) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		for _, s := range scopes {
			q = q.WhereOr("(scope = ? OR substr(scope, 1, ?) IN (?, ?))", s, len(s)+1, s+".", s+"/")
		}
		return q
	}
}

// listLimit is the size of a page of findings or complaints: 50 unless
// asked, 500 at most.
func listLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

type complaintRow struct {
	bun.BaseModel    `bun:"table:complaints"`
	ID               int64 `bun:",pk,autoincrement"`
	Scope            string
	WardCode         string
	AccountID        int64 `bun:",nullzero"`
	TrackingHash     *string
	Subject          string
	Body             string
	Public           bool
	State            string
	FiledAt          time.Time
	DueAt            time.Time
	ReceivedAt       time.Time `bun:",nullzero"`
	EscalatedAt      time.Time `bun:",nullzero"`
	EscalationReason string
	Ombudsman        bool
	ResolvedAt       time.Time `bun:",nullzero"`
	Resolution       string
	UpdatedAt        time.Time
	Version          int64
}

func toComplaintRow(c *partnership.Complaint) *complaintRow {
	return &complaintRow{
		ID: c.ID, Scope: c.Scope, WardCode: c.WardCode, AccountID: c.AccountID, Subject: c.Subject, Body: c.Body,
		Public: c.Public, State: string(c.State), FiledAt: c.FiledAt.UTC(), DueAt: c.DueAt.UTC(), ReceivedAt: utcOrZero(c.ReceivedAt),
		EscalatedAt: utcOrZero(c.EscalatedAt), EscalationReason: c.EscalationReason, Ombudsman: c.Ombudsman,
		ResolvedAt: utcOrZero(c.ResolvedAt), Resolution: c.Resolution, UpdatedAt: c.UpdatedAt.UTC(), Version: c.Version,
	}
}

func (r *complaintRow) complaint() *partnership.Complaint {
	return &partnership.Complaint{
		ID: r.ID, Scope: r.Scope, WardCode: r.WardCode, AccountID: r.AccountID, Subject: r.Subject, Body: r.Body,
		Public: r.Public, State: partnership.ComplaintState(r.State), FiledAt: r.FiledAt.UTC(), DueAt: r.DueAt.UTC(),
		ReceivedAt: utcOrZero(r.ReceivedAt), EscalatedAt: utcOrZero(r.EscalatedAt), EscalationReason: r.EscalationReason,
		Ombudsman: r.Ombudsman, ResolvedAt: utcOrZero(r.ResolvedAt), Resolution: r.Resolution, UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}

// hashTrackingCode is what is stored of a tracking code in its canonical form.
func hashTrackingCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

var complaintTable = table[complaintRow, *partnership.Complaint]{one: "complaint", many: "complaints",
	row: always(toComplaintRow), read: always((*complaintRow).complaint),
	writes: only("state", "received_at", "escalated_at", "escalation_reason", "ombudsman", "resolved_at", "resolution", "updated_at")}

// InsertComplaint stores a new complaint and sets its id and version. For an
// anonymous complaint it makes a tracking code, stores only its hash and
// returns the code, which cannot be recovered afterwards: the filer must be
// shown it now. For a complaint with an account it returns "".
func InsertComplaint(ctx context.Context, db bun.IDB, c *partnership.Complaint) (trackingCode string, err error) {
	c.Version = 1
	row := toComplaintRow(c)
	if c.Anonymous() {
		trackingCode = partnership.NewTrackingCode()
		h := hashTrackingCode(trackingCode)
		row.TrackingHash = &h
	}
	if err := insertRow(ctx, db, row, &c.ID, "insert a complaint"); err != nil {
		return "", err
	}
	return trackingCode, nil
}

// ComplaintByTrackingCode finds the anonymous complaint a tracking code
// follows, the code read as partnership.NormalizeTrackingCode reads it.
func ComplaintByTrackingCode(ctx context.Context, db bun.IDB, code string) (*partnership.Complaint, error) {
	canonical, err := partnership.NormalizeTrackingCode(code)
	if err != nil {
		return nil, err
	}
	return complaintTable.first(ctx, db, "no complaint has this tracking code", "find a complaint by tracking code",
		where("tracking_hash = ?", hashTrackingCode(canonical)))
}

// UpdateComplaint writes a complaint's move from the state it was read in,
// as UpdateFinding does: of two concurrent moves one wins and the other gets
// an ErrConflict.
func UpdateComplaint(ctx context.Context, db bun.IDB, c *partnership.Complaint, from partnership.ComplaintState) error {
	return complaintTable.move(ctx, db, c, c.ID, &c.Version, string(from))
}

// ComplaintFilter selects complaints; zero fields select everything.
type ComplaintFilter struct {
	// Under keeps the complaints at or beneath any of these scopes.
	Under []string
	State partnership.ComplaintState
	// OverdueAt keeps the complaints not resolved by their due date as of
	// this time: still unresolved after it, or resolved late.
	OverdueAt  time.Time
	AccountID  int64 // keeps one account's own complaints
	PublicOnly bool
	// Reader, when set, keeps only what a reader may see: the complaints under
	// the scopes where the reader may read complaints, the public ones and the
	// reader's own.
	Reader  *ComplaintReader
	AfterID int64 // keeps ids after this one: the last id of the previous page
	Limit   int   // 50 when zero
}

// ComplaintReader is who reads complaints: where they may read them all, and
// their account (0 when not signed in).
type ComplaintReader struct {
	Scopes    []string
	AccountID int64
}

// ListComplaints returns a page of the complaints f selects, by id.
func ListComplaints(ctx context.Context, db bun.IDB, f ComplaintFilter) ([]*partnership.Complaint, error) {
	return complaintTable.list(ctx, db, f.AfterID, listLimit(f.Limit), group(len(f.Under) > 0, scopesCover(f.Under)),
		given("state = ?", string(f.State)),
		when(!f.OverdueAt.IsZero(), "due_at < ? AND (resolved_at IS NULL OR resolved_at > due_at)", f.OverdueAt.UTC()),
		given("account_id = ?", f.AccountID), when(f.PublicOnly, "public"), group(f.Reader != nil, f.Reader.sees))
}

// sees keeps the complaints a reader may see: the public ones, the reader's
// own and those under the scopes where the reader may read them all.
func (r *ComplaintReader) sees(q *bun.SelectQuery) *bun.SelectQuery {
	q = q.WhereOr("public")
	if r.AccountID != 0 {
		q = q.WhereOr("account_id = ?", r.AccountID)
	}
	if len(r.Scopes) > 0 {
		q = q.WhereGroup(" OR ", scopesCover(r.Scopes))
	}
	return q
}
