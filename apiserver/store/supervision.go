package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"pilar.id/pilar/apiserver/partnership"
)

// migrateSupervision creates internal supervisors' findings and residents'
// complaints. An anonymous complaint has no account and a tracking code,
// stored only as its SHA-256 hash; a complaint with an account has none.
// Times are UTC. Both tables carry a version, so that a move based on a stale
// read is refused instead of silently winning.
func migrateSupervision(ctx context.Context, tx bun.Tx, d dialect.Name) error {
	return exec(ctx, tx,
		`CREATE TABLE findings (
			`+idColumn(d)+`,
			scope TEXT NOT NULL,
			object_type TEXT NOT NULL DEFAULT '',
			object_id TEXT NOT NULL DEFAULT '',
			title TEXT NOT NULL,
			detail TEXT NOT NULL,
			state TEXT NOT NULL CHECK (state IN ('open', 'responded', 'closed')),
			recorded_by BIGINT NOT NULL REFERENCES accounts (id),
			recorded_at TIMESTAMP NOT NULL,
			due_at TIMESTAMP NOT NULL,
			response TEXT NOT NULL DEFAULT '',
			responded_by BIGINT REFERENCES accounts (id),
			responded_at TIMESTAMP,
			reopen_reason TEXT NOT NULL DEFAULT '',
			closed_at TIMESTAMP,
			updated_at TIMESTAMP NOT NULL,
			version BIGINT NOT NULL DEFAULT 1
		)`,
		`CREATE INDEX findings_scope ON findings (scope)`,
		`CREATE INDEX findings_due ON findings (state, due_at)`,
		`CREATE TABLE complaints (
			`+idColumn(d)+`,
			scope TEXT NOT NULL,
			ward_code TEXT NOT NULL REFERENCES wards (code),
			account_id BIGINT REFERENCES accounts (id),
			tracking_hash TEXT UNIQUE,
			subject TEXT NOT NULL,
			body TEXT NOT NULL,
			public BOOLEAN NOT NULL DEFAULT FALSE,
			state TEXT NOT NULL CHECK (state IN ('filed', 'received', 'investigating', 'resolved', 'escalated')),
			filed_at TIMESTAMP NOT NULL,
			due_at TIMESTAMP NOT NULL,
			received_at TIMESTAMP,
			escalated_at TIMESTAMP,
			escalation_reason TEXT NOT NULL DEFAULT '',
			ombudsman BOOLEAN NOT NULL DEFAULT FALSE,
			resolved_at TIMESTAMP,
			resolution TEXT NOT NULL DEFAULT '',
			updated_at TIMESTAMP NOT NULL,
			version BIGINT NOT NULL DEFAULT 1,
			CHECK ((account_id IS NULL) = (tracking_hash IS NOT NULL))
		)`,
		`CREATE INDEX complaints_scope ON complaints (scope)`,
		`CREATE INDEX complaints_account ON complaints (account_id)`,
		`CREATE INDEX complaints_due ON complaints (state, due_at)`,
	)
}

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

// InsertFinding stores a new finding and sets its id and version.
func InsertFinding(ctx context.Context, db bun.IDB, f *partnership.Finding) error {
	f.Version = 1
	row := toFindingRow(f)
	if _, err := db.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: unable to insert a finding: %w", err)
	}
	f.ID = row.ID
	return nil
}

// GetFinding reads one finding, or returns an ErrNotFound.
func GetFinding(ctx context.Context, db bun.IDB, id int64) (*partnership.Finding, error) {
	row := new(findingRow)
	err := db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no finding %d", partnership.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read finding %d: %w", id, err)
	}
	return row.finding(), nil
}

// UpdateFinding writes a finding's move from the state it was read in. The
// write happens only if the stored finding is still in that state and at the
// version read, so of two concurrent moves one wins and the other gets an
// ErrConflict; on success the version is bumped.
func UpdateFinding(ctx context.Context, db bun.IDB, f *partnership.Finding, from partnership.FindingState) error {
	row := toFindingRow(f)
	row.Version = f.Version + 1
	res, err := db.NewUpdate().Model(row).
		Column("state", "due_at", "response", "responded_by", "responded_at", "reopen_reason", "closed_at", "updated_at", "version").
		Where("id = ? AND state = ? AND version = ?", f.ID, string(from), f.Version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to update finding %d: %w", f.ID, err)
	}
	if err := changedOne(ctx, db, res, "findings", "finding", f.ID); err != nil {
		return err
	}
	f.Version = row.Version
	return nil
}

// changedOne tells an update that changed its row from one that found it
// changed meanwhile (ErrConflict) or gone (ErrNotFound).
func changedOne(ctx context.Context, db bun.IDB, res sql.Result, table, what string, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: unable to update %s %d: %w", what, id, err)
	}
	if n == 1 {
		return nil
	}
	exists, err := db.NewSelect().Table(table).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to read %s %d: %w", what, id, err)
	}
	if !exists {
		return fmt.Errorf("%w: no %s %d", partnership.ErrNotFound, what, id)
	}
	return fmt.Errorf("%w: %s %d was changed by someone else meanwhile; read it again", partnership.ErrConflict, what, id)
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
	var rows []findingRow
	q := db.NewSelect().Model(&rows).Where("id > ?", f.AfterID).Order("id").Limit(listLimit(f.Limit))
	if len(f.Under) > 0 {
		q = q.WhereGroup(" AND ", scopesCover(f.Under))
	}
	if f.State != "" {
		q = q.Where("state = ?", string(f.State))
	}
	if !f.OverdueAt.IsZero() {
		q = q.Where("state = ? AND due_at < ?", string(partnership.FindingOpen), f.OverdueAt.UTC())
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list findings: %w", err)
	}
	out := make([]*partnership.Finding, len(rows))
	for i := range rows {
		out[i] = rows[i].finding()
	}
	return out, nil
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

func listLimit(n int) int64 {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return int64(n)
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
	if _, err := db.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return "", fmt.Errorf("store: unable to insert a complaint: %w", err)
	}
	c.ID = row.ID
	return trackingCode, nil
}

// GetComplaint reads one complaint, or returns an ErrNotFound.
func GetComplaint(ctx context.Context, db bun.IDB, id int64) (*partnership.Complaint, error) {
	row := new(complaintRow)
	err := db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no complaint %d", partnership.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read complaint %d: %w", id, err)
	}
	return row.complaint(), nil
}

// ComplaintByTrackingCode finds the anonymous complaint a tracking code
// follows, the code read as partnership.NormalizeTrackingCode reads it.
func ComplaintByTrackingCode(ctx context.Context, db bun.IDB, code string) (*partnership.Complaint, error) {
	canonical, err := partnership.NormalizeTrackingCode(code)
	if err != nil {
		return nil, err
	}
	row := new(complaintRow)
	err = db.NewSelect().Model(row).Where("tracking_hash = ?", hashTrackingCode(canonical)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no complaint has this tracking code", partnership.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to find a complaint by tracking code: %w", err)
	}
	return row.complaint(), nil
}

// UpdateComplaint writes a complaint's move from the state it was read in,
// as UpdateFinding does: of two concurrent moves one wins and the other gets
// an ErrConflict.
func UpdateComplaint(ctx context.Context, db bun.IDB, c *partnership.Complaint, from partnership.ComplaintState) error {
	row := toComplaintRow(c)
	row.Version = c.Version + 1
	res, err := db.NewUpdate().Model(row).
		Column("state", "received_at", "escalated_at", "escalation_reason", "ombudsman", "resolved_at", "resolution", "updated_at", "version").
		Where("id = ? AND state = ? AND version = ?", c.ID, string(from), c.Version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to update complaint %d: %w", c.ID, err)
	}
	if err := changedOne(ctx, db, res, "complaints", "complaint", c.ID); err != nil {
		return err
	}
	c.Version = row.Version
	return nil
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
	var rows []complaintRow
	q := db.NewSelect().Model(&rows).Where("id > ?", f.AfterID).Order("id").Limit(listLimit(f.Limit))
	if len(f.Under) > 0 {
		q = q.WhereGroup(" AND ", scopesCover(f.Under))
	}
	if f.State != "" {
		q = q.Where("state = ?", string(f.State))
	}
	if !f.OverdueAt.IsZero() {
		q = q.Where("due_at < ? AND (resolved_at IS NULL OR resolved_at > due_at)", f.OverdueAt.UTC())
	}
	if f.AccountID != 0 {
		q = q.Where("account_id = ?", f.AccountID)
	}
	if f.PublicOnly {
		q = q.Where("public")
	}
	if r := f.Reader; r != nil {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.WhereOr("public")
			if r.AccountID != 0 {
				q = q.WhereOr("account_id = ?", r.AccountID)
			}
			if len(r.Scopes) > 0 {
				q = q.WhereGroup(" OR ", scopesCover(r.Scopes))
			}
			return q
		})
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list complaints: %w", err)
	}
	out := make([]*partnership.Complaint, len(rows))
	for i := range rows {
		out[i] = rows[i].complaint()
	}
	return out, nil
}
