package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

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

var proposalTable = table[proposalRow, *partnership.Proposal]{one: "proposal", many: "proposals",
	row: always(toProposalRow), read: always((*proposalRow).proposal), writes: allBut("id", "created_by", "created_at", "version"),
	key: func(p *partnership.Proposal) (*int64, *int) { return &p.ID, &p.Version }}

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
	return proposalTable.list(ctx, db, f.AfterID, f.Limit, covering("institution", f.Scope), given("state = ?", f.State),
		given("fiscal_year = ?", f.FiscalYear), given("musrenbang_id = ?", f.Musrenbang))
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

var aspirationTable = table[aspirationRow, *partnership.Aspiration]{one: "aspiration", many: "aspirations",
	row: always(toAspirationRow), read: always((*aspirationRow).aspiration),
	key: func(a *partnership.Aspiration) (*int64, *int) { return &a.ID, nil }}

// UpdateAspiration writes an aspiration's response if its state is still the
// one read. Aspirations carry no version: the state is what a response moves.
func UpdateAspiration(ctx context.Context, db bun.IDB, a *partnership.Aspiration, from partnership.AspirationState) error {
	res, err := db.NewUpdate().Model(toAspirationRow(a)).Column("state", "reason", "proposal_id", "updated_at").
		Where("id = ? AND state = ?", a.ID, from).Exec(ctx)
	return updatedOne(res, err, "aspiration", a.ID)
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
	return aspirationTable.list(ctx, db, f.AfterID, f.Limit, covering("institution", f.Scope), given("account_id = ?", f.AccountID),
		given("state = ?", f.State))
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

var musrenbangTable = table[musrenbangRow, *partnership.Musrenbang]{one: "Musrenbang", many: "Musrenbang",
	row: toMusrenbangRow, read: (*musrenbangRow).musrenbang, writes: only("state", "attendance", "minutes", "closed_at"),
	key: func(m *partnership.Musrenbang) (*int64, *int) { return &m.ID, &m.Version }}

// MusrenbangFilter selects Musrenbang.
type MusrenbangFilter struct {
	Scope   string // areas the scope covers
	State   partnership.MusrenbangState
	AfterID int64
	Limit   int
}

// ListMusrenbang returns a page of Musrenbang, oldest first.
func ListMusrenbang(ctx context.Context, db bun.IDB, f MusrenbangFilter) ([]*partnership.Musrenbang, error) {
	return musrenbangTable.list(ctx, db, f.AfterID, f.Limit, covering("area", f.Scope), given("state = ?", f.State))
}

// Agenda lists the proposals a Musrenbang still has to decide.
func Agenda(ctx context.Context, db bun.IDB, m *partnership.Musrenbang) ([]*partnership.Proposal, error) {
	return proposalTable.all(ctx, db, fmt.Sprintf("read the agenda of Musrenbang %d", m.ID), func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("fiscal_year = ?", m.FiscalYear).Order("id")
		if m.Level == partnership.LevelWard {
			return q.Where("state = ? AND ward_code = ?", partnership.ProposalSubmitted, m.Area)
		}
		return coveredBy(q.Where("state = ?", partnership.ProposalForwarded), "ward_code", m.Area)
	})
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
	return insertRow(ctx, db, d, &d.ID, "record a decision")
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
