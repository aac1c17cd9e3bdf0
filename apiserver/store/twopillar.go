package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"pilar.id/pilar/apiserver/partnership"
)

// migrateTwoPillar creates the two-pillar workflow's tables: aspirations,
// proposals, Musrenbang with their decisions, and allocations. Money is
// BIGINT rupiah. Rows that change carry a version, so that a write based on
// a stale read is refused instead of silently winning.
func migrateTwoPillar(ctx context.Context, tx bun.Tx, d dialect.Name) error {
	return exec(ctx, tx,
		`CREATE TABLE proposals (
			`+idColumn(d)+`,
			institution TEXT NOT NULL REFERENCES institutions (key),
			ward_code TEXT NOT NULL REFERENCES wards (code),
			fiscal_year INTEGER NOT NULL,
			activity TEXT NOT NULL,
			title TEXT NOT NULL,
			description TEXT NOT NULL,
			cost BIGINT NOT NULL CHECK (cost > 0),
			beneficiaries INTEGER NOT NULL CHECK (beneficiaries >= 0),
			location TEXT NOT NULL,
			kind TEXT NOT NULL CHECK (kind IN ('empowerment', 'infrastructure')),
			state TEXT NOT NULL,
			reason TEXT NOT NULL DEFAULT '',
			agency TEXT NOT NULL DEFAULT '',
			musrenbang_id BIGINT,
			created_by BIGINT NOT NULL,
			created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL,
			version INTEGER NOT NULL DEFAULT 1
		)`,
		`CREATE INDEX proposals_ward ON proposals (ward_code, fiscal_year, state)`,
		`CREATE INDEX proposals_institution ON proposals (institution, fiscal_year)`,
		`CREATE TABLE aspirations (
			`+idColumn(d)+`,
			institution TEXT NOT NULL REFERENCES institutions (key),
			ward_code TEXT NOT NULL REFERENCES wards (code),
			account_id BIGINT NOT NULL REFERENCES accounts (id),
			title TEXT NOT NULL,
			body TEXT NOT NULL,
			state TEXT NOT NULL,
			reason TEXT NOT NULL DEFAULT '',
			proposal_id BIGINT REFERENCES proposals (id),
			submitted_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL
		)`,
		`CREATE INDEX aspirations_account ON aspirations (account_id)`,
		`CREATE INDEX aspirations_institution ON aspirations (institution, state)`,
		`CREATE TABLE musrenbang (
			`+idColumn(d)+`,
			level TEXT NOT NULL CHECK (level IN ('ward', 'kecamatan')),
			area TEXT NOT NULL,
			fiscal_year INTEGER NOT NULL,
			scheduled_at TIMESTAMP NOT NULL,
			place TEXT NOT NULL,
			state TEXT NOT NULL,
			attendance TEXT NOT NULL DEFAULT '{}',
			minutes TEXT NOT NULL DEFAULT '',
			closed_at TIMESTAMP,
			version INTEGER NOT NULL DEFAULT 1
		)`,
		`CREATE INDEX musrenbang_area ON musrenbang (area, fiscal_year)`,
		`CREATE TABLE musrenbang_decisions (
			`+idColumn(d)+`,
			musrenbang_id BIGINT NOT NULL REFERENCES musrenbang (id),
			proposal_id BIGINT NOT NULL REFERENCES proposals (id),
			decision TEXT NOT NULL,
			reason TEXT NOT NULL DEFAULT '',
			agency TEXT NOT NULL DEFAULT '',
			decided_by BIGINT NOT NULL,
			decided_at TIMESTAMP NOT NULL,
			UNIQUE (musrenbang_id, proposal_id)
		)`,
		`CREATE TABLE allocations (
			institution TEXT NOT NULL REFERENCES institutions (key),
			fiscal_year INTEGER NOT NULL,
			amount BIGINT NOT NULL CHECK (amount >= 0),
			committed BIGINT NOT NULL DEFAULT 0 CHECK (committed >= 0 AND committed <= amount),
			PRIMARY KEY (institution, fiscal_year)
		)`,
	)
}

// ErrStale refuses a write whose object changed since it was read.
var ErrStale = fmt.Errorf("%w: the record changed meanwhile; read it again", partnership.ErrConflict)

type proposalRow struct {
	bun.BaseModel `bun:"table:proposals"`
	ID            int64 `bun:",pk,autoincrement"`
	Institution   string
	WardCode      string
	FiscalYear    int
	Activity      string
	Title         string
	Description   string
	Cost          int64
	Beneficiaries int
	Location      string
	Kind          string
	State         string
	Reason        string
	Agency        string
	MusrenbangID  *int64
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

func toProposalRow(p *partnership.Proposal) *proposalRow {
	r := &proposalRow{ID: p.ID, Institution: p.Institution, WardCode: p.WardCode, FiscalYear: p.FiscalYear, Activity: p.Activity,
		Title: p.Title, Description: p.Description, Cost: int64(p.Cost), Beneficiaries: p.Beneficiaries, Location: p.Location,
		Kind: string(p.Kind), State: string(p.State), Reason: p.Reason, Agency: p.Agency, CreatedBy: p.CreatedBy,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if p.MusrenbangID != 0 {
		r.MusrenbangID = &p.MusrenbangID
	}
	return r
}

func (r *proposalRow) proposal() *partnership.Proposal {
	p := &partnership.Proposal{ID: r.ID, Institution: r.Institution, WardCode: r.WardCode, FiscalYear: r.FiscalYear, Activity: r.Activity,
		Title: r.Title, Description: r.Description, Cost: partnership.Rupiah(r.Cost), Beneficiaries: r.Beneficiaries, Location: r.Location,
		Kind: partnership.Kind(r.Kind), State: partnership.ProposalState(r.State), Reason: r.Reason, Agency: r.Agency,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.MusrenbangID != nil {
		p.MusrenbangID = *r.MusrenbangID
	}
	return p
}

// InsertProposal stores a new proposal and sets its id and version.
func InsertProposal(ctx context.Context, db bun.IDB, p *partnership.Proposal) error {
	p.Version = 1
	row := toProposalRow(p)
	if _, err := db.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: unable to insert a proposal: %w", err)
	}
	p.ID = row.ID
	return nil
}

// GetProposal reads one proposal.
func GetProposal(ctx context.Context, db bun.IDB, id int64) (*partnership.Proposal, error) {
	row := new(proposalRow)
	err := db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no proposal %d", partnership.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read proposal %d: %w", id, err)
	}
	return row.proposal(), nil
}

// UpdateProposal writes a changed proposal if nobody changed it since it was
// read (its version), and bumps its version.
func UpdateProposal(ctx context.Context, db bun.IDB, p *partnership.Proposal) error {
	row := toProposalRow(p)
	res, err := db.NewUpdate().Model(row).ExcludeColumn("id", "created_by", "created_at", "version").
		Set("version = version + 1").Where("id = ? AND version = ?", p.ID, p.Version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to update proposal %d: %w", p.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStale
	}
	p.Version++
	return nil
}

// ProposalFilter selects proposals; empty fields select everything.
type ProposalFilter struct {
	Scope      string // a ward, kecamatan or institution: everything it covers
	State      partnership.ProposalState
	FiscalYear int
	AfterID    int64
	Limit      int
	Musrenbang int64
}

// coveredBy restricts a query to a column's values a scope covers.
func coveredBy(q *bun.SelectQuery, column, scope string) *bun.SelectQuery {
	return q.Where("(? = ? OR ? LIKE ? OR ? LIKE ?)", bun.Ident(column), scope, bun.Ident(column), scope+".%", bun.Ident(column), scope+"/%")
}

// ListProposals returns a page of proposals, oldest first.
func ListProposals(ctx context.Context, db bun.IDB, f ProposalFilter) ([]*partnership.Proposal, error) {
	var rows []proposalRow
	q := db.NewSelect().Model(&rows).Where("id > ?", f.AfterID).Order("id").Limit(int64(f.Limit))
	if f.Scope != "" {
		q = coveredBy(q, "institution", f.Scope)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.FiscalYear != 0 {
		q = q.Where("fiscal_year = ?", f.FiscalYear)
	}
	if f.Musrenbang != 0 {
		q = q.Where("musrenbang_id = ?", f.Musrenbang)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list proposals: %w", err)
	}
	out := make([]*partnership.Proposal, len(rows))
	for i := range rows {
		out[i] = rows[i].proposal()
	}
	return out, nil
}

type aspirationRow struct {
	bun.BaseModel `bun:"table:aspirations"`
	ID            int64 `bun:",pk,autoincrement"`
	Institution   string
	WardCode      string
	AccountID     int64
	Title         string
	Body          string
	State         string
	Reason        string
	ProposalID    *int64
	SubmittedAt   time.Time
	UpdatedAt     time.Time
}

func (r *aspirationRow) aspiration() *partnership.Aspiration {
	a := &partnership.Aspiration{ID: r.ID, Institution: r.Institution, WardCode: r.WardCode, AccountID: r.AccountID, Title: r.Title,
		Body: r.Body, State: partnership.AspirationState(r.State), Reason: r.Reason, SubmittedAt: r.SubmittedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.ProposalID != nil {
		a.ProposalID = *r.ProposalID
	}
	return a
}

func toAspirationRow(a *partnership.Aspiration) *aspirationRow {
	r := &aspirationRow{ID: a.ID, Institution: a.Institution, WardCode: a.WardCode, AccountID: a.AccountID, Title: a.Title, Body: a.Body,
		State: string(a.State), Reason: a.Reason, SubmittedAt: a.SubmittedAt, UpdatedAt: a.UpdatedAt}
	if a.ProposalID != 0 {
		r.ProposalID = &a.ProposalID
	}
	return r
}

// InsertAspiration stores a resident's aspiration.
func InsertAspiration(ctx context.Context, db bun.IDB, a *partnership.Aspiration) error {
	row := toAspirationRow(a)
	if _, err := db.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: unable to insert an aspiration: %w", err)
	}
	a.ID = row.ID
	return nil
}

// GetAspiration reads one aspiration.
func GetAspiration(ctx context.Context, db bun.IDB, id int64) (*partnership.Aspiration, error) {
	row := new(aspirationRow)
	err := db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no aspiration %d", partnership.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read aspiration %d: %w", id, err)
	}
	return row.aspiration(), nil
}

// UpdateAspiration writes an aspiration's response if its state is still the one read.
func UpdateAspiration(ctx context.Context, db bun.IDB, a *partnership.Aspiration, from partnership.AspirationState) error {
	res, err := db.NewUpdate().Model(toAspirationRow(a)).Column("state", "reason", "proposal_id", "updated_at").
		Where("id = ? AND state = ?", a.ID, from).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to update aspiration %d: %w", a.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStale
	}
	return nil
}

// AspirationFilter selects aspirations.
type AspirationFilter struct {
	Scope     string // institutions the scope covers
	AccountID int64  // one resident's
	State     partnership.AspirationState
	AfterID   int64
	Limit     int
}

// ListAspirations returns a page of aspirations, oldest first.
func ListAspirations(ctx context.Context, db bun.IDB, f AspirationFilter) ([]*partnership.Aspiration, error) {
	var rows []aspirationRow
	q := db.NewSelect().Model(&rows).Where("id > ?", f.AfterID).Order("id").Limit(int64(f.Limit))
	if f.Scope != "" {
		q = coveredBy(q, "institution", f.Scope)
	}
	if f.AccountID != 0 {
		q = q.Where("account_id = ?", f.AccountID)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list aspirations: %w", err)
	}
	out := make([]*partnership.Aspiration, len(rows))
	for i := range rows {
		out[i] = rows[i].aspiration()
	}
	return out, nil
}

type musrenbangRow struct {
	bun.BaseModel `bun:"table:musrenbang"`
	ID            int64 `bun:",pk,autoincrement"`
	Level         string
	Area          string
	FiscalYear    int
	ScheduledAt   time.Time
	Place         string
	State         string
	Attendance    string
	Minutes       string
	ClosedAt      *time.Time
	Version       int
}

func toMusrenbangRow(m *partnership.Musrenbang) (*musrenbangRow, error) {
	att, err := json.Marshal(m.Attendance)
	if err != nil {
		return nil, err
	}
	return &musrenbangRow{ID: m.ID, Level: m.Level, Area: m.Area, FiscalYear: m.FiscalYear, ScheduledAt: m.ScheduledAt, Place: m.Place,
		State: string(m.State), Attendance: string(att), Minutes: m.Minutes, ClosedAt: m.ClosedAt, Version: m.Version}, nil
}

func (r *musrenbangRow) musrenbang() (*partnership.Musrenbang, error) {
	m := &partnership.Musrenbang{ID: r.ID, Level: r.Level, Area: r.Area, FiscalYear: r.FiscalYear, ScheduledAt: r.ScheduledAt.UTC(),
		Place: r.Place, State: partnership.MusrenbangState(r.State), Minutes: r.Minutes, Version: r.Version}
	if r.ClosedAt != nil {
		t := r.ClosedAt.UTC()
		m.ClosedAt = &t
	}
	if err := json.Unmarshal([]byte(r.Attendance), &m.Attendance); err != nil {
		return nil, fmt.Errorf("store: Musrenbang %d has unreadable attendance: %w", r.ID, err)
	}
	return m, nil
}

// InsertMusrenbang stores a scheduled Musrenbang.
func InsertMusrenbang(ctx context.Context, db bun.IDB, m *partnership.Musrenbang) error {
	m.Version = 1
	row, err := toMusrenbangRow(m)
	if err != nil {
		return err
	}
	if _, err := db.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: unable to insert a Musrenbang: %w", err)
	}
	m.ID = row.ID
	return nil
}

// GetMusrenbang reads one Musrenbang.
func GetMusrenbang(ctx context.Context, db bun.IDB, id int64) (*partnership.Musrenbang, error) {
	row := new(musrenbangRow)
	err := db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no Musrenbang %d", partnership.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read Musrenbang %d: %w", id, err)
	}
	return row.musrenbang()
}

// UpdateMusrenbang writes a changed Musrenbang if its version is still the one read.
func UpdateMusrenbang(ctx context.Context, db bun.IDB, m *partnership.Musrenbang) error {
	row, err := toMusrenbangRow(m)
	if err != nil {
		return err
	}
	res, err := db.NewUpdate().Model(row).Column("state", "attendance", "minutes", "closed_at").
		Set("version = version + 1").Where("id = ? AND version = ?", m.ID, m.Version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to update Musrenbang %d: %w", m.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStale
	}
	m.Version++
	return nil
}

// MusrenbangFilter selects Musrenbang.
type MusrenbangFilter struct {
	Scope   string // areas the scope covers
	State   partnership.MusrenbangState
	AfterID int64
	Limit   int
}

// ListMusrenbang returns a page of Musrenbang, oldest first.
func ListMusrenbang(ctx context.Context, db bun.IDB, f MusrenbangFilter) ([]*partnership.Musrenbang, error) {
	var rows []musrenbangRow
	q := db.NewSelect().Model(&rows).Where("id > ?", f.AfterID).Order("id").Limit(int64(f.Limit))
	if f.Scope != "" {
		q = coveredBy(q, "area", f.Scope)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list Musrenbang: %w", err)
	}
	out := make([]*partnership.Musrenbang, len(rows))
	for i := range rows {
		m, err := rows[i].musrenbang()
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// Agenda lists the proposals a Musrenbang still has to decide.
func Agenda(ctx context.Context, db bun.IDB, m *partnership.Musrenbang) ([]*partnership.Proposal, error) {
	var rows []proposalRow
	q := db.NewSelect().Model(&rows).Where("fiscal_year = ?", m.FiscalYear).Order("id")
	if m.Level == partnership.LevelWard {
		q = q.Where("state = ? AND ward_code = ?", partnership.ProposalSubmitted, m.Area)
	} else {
		q = coveredBy(q.Where("state = ?", partnership.ProposalForwarded), "ward_code", m.Area)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to read the agenda of Musrenbang %d: %w", m.ID, err)
	}
	out := make([]*partnership.Proposal, len(rows))
	for i := range rows {
		out[i] = rows[i].proposal()
	}
	return out, nil
}

// DecisionRecord is a Musrenbang decision as stored.
type DecisionRecord struct {
	bun.BaseModel `bun:"table:musrenbang_decisions"`
	ID            int64     `bun:",pk,autoincrement" json:"id"`
	MusrenbangID  int64     `json:"musrenbang"`
	ProposalID    int64     `json:"proposal"`
	Decision      string    `json:"decision"`
	Reason        string    `json:"reason,omitempty"`
	Agency        string    `json:"agency,omitempty"`
	DecidedBy     int64     `json:"decidedBy"`
	DecidedAt     time.Time `json:"decidedAt"`
}

// InsertDecision records a Musrenbang decision; a proposal is decided once per Musrenbang.
func InsertDecision(ctx context.Context, db bun.IDB, d *DecisionRecord) error {
	if _, err := db.NewInsert().Model(d).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: unable to record a decision: %w", err)
	}
	return nil
}

// Decisions lists a Musrenbang's decisions in the order they were taken.
func Decisions(ctx context.Context, db bun.IDB, musrenbangID int64) ([]DecisionRecord, error) {
	var ds []DecisionRecord
	if err := db.NewSelect().Model(&ds).Where("musrenbang_id = ?", musrenbangID).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list decisions: %w", err)
	}
	return ds, nil
}

type allocationRow struct {
	bun.BaseModel `bun:"table:allocations"`
	Institution   string `bun:",pk"`
	FiscalYear    int    `bun:",pk"`
	Amount        int64
	Committed     int64
}

// GetAllocation reads an institution's allocation for a year; one never
// touched is the full amount with nothing committed.
func GetAllocation(ctx context.Context, db bun.IDB, institution string, year int, amount partnership.Rupiah) (partnership.Allocation, error) {
	row := new(allocationRow)
	err := db.NewSelect().Model(row).Where("institution = ? AND fiscal_year = ?", institution, year).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return partnership.Allocation{Institution: institution, FiscalYear: year, Amount: amount}, nil
	}
	if err != nil {
		return partnership.Allocation{}, fmt.Errorf("store: unable to read the allocation of %s: %w", institution, err)
	}
	return partnership.Allocation{Institution: institution, FiscalYear: year, Amount: partnership.Rupiah(row.Amount), Committed: partnership.Rupiah(row.Committed)}, nil
}

// Commit adds a cost (or, negative, releases it) to an institution's
// allocation for a year, in one conditional UPDATE: concurrent commitments
// on the same allocation are serialised by the database's row lock, and one
// that would overspend it changes nothing and returns the figures.
func Commit(ctx context.Context, db bun.IDB, institution string, year int, amount, cost partnership.Rupiah) (partnership.Allocation, error) {
	if _, err := db.NewInsert().Model(&allocationRow{Institution: institution, FiscalYear: year, Amount: int64(amount)}).
		On("CONFLICT (institution, fiscal_year) DO NOTHING").Exec(ctx); err != nil {
		return partnership.Allocation{}, fmt.Errorf("store: unable to open the allocation of %s: %w", institution, err)
	}
	res, err := db.NewUpdate().Model((*allocationRow)(nil)).Set("committed = committed + ?", int64(cost)).
		Where("institution = ? AND fiscal_year = ? AND committed + ? <= amount AND committed + ? >= 0", institution, year, int64(cost), int64(cost)).
		Exec(ctx)
	if err != nil {
		return partnership.Allocation{}, fmt.Errorf("store: unable to commit against the allocation of %s: %w", institution, err)
	}
	a, err := GetAllocation(ctx, db, institution, year, amount)
	if err != nil {
		return a, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err := a.Commit(cost) // explains the refusal with the figures
		if err == nil {
			err = ErrStale
		}
		return a, err
	}
	return a, nil
}
