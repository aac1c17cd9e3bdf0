package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

// RealisationDocuments is the owner type of a realisation's evidence in the
// documents table, and EvidencePurpose its purpose.
const (
	RealisationDocuments = "realisation"
	EvidencePurpose      = "evidence"
)

// --- realisations ---

type realisationRow struct {
	bun.BaseModel  `bun:"table:csr_realisations"`
	ID             int64 `bun:",pk,autoincrement"`
	PartnerID      int64
	ProgrammeID    *int64
	FiscalYear     int
	Area           string
	WardCode       *string
	ActivityStart  time.Time
	ActivityEnd    time.Time
	DueAt          time.Time
	SubmittedAt    time.Time
	SubmittedBy    *int64
	Amount         int64
	SourceOfFunds  string
	Outputs        string
	TargetsReached string
	Late           bool
	Historical     bool
}

func toRealisationRow(r *partnership.Realisation) *realisationRow {
	row := &realisationRow{ID: r.ID, PartnerID: r.PartnerID, ProgrammeID: nullID(r.ProgrammeID), FiscalYear: r.FiscalYear, Area: r.Area,
		ActivityStart: r.ActivityStart.UTC(), ActivityEnd: r.ActivityEnd.UTC(), DueAt: r.DueAt.UTC(), SubmittedAt: r.SubmittedAt.UTC(),
		SubmittedBy: nullID(r.SubmittedBy), Amount: int64(r.Amount), SourceOfFunds: r.SourceOfFunds, Outputs: r.Outputs,
		TargetsReached: r.TargetsReached, Late: r.Late, Historical: r.Historical}
	if r.WardCode != "" {
		w := r.WardCode
		row.WardCode = &w
	}
	return row
}

func (row *realisationRow) realisation() *partnership.Realisation {
	r := &partnership.Realisation{ID: row.ID, PartnerID: row.PartnerID, ProgrammeID: idOrZero(row.ProgrammeID), FiscalYear: row.FiscalYear,
		Area: row.Area, ActivityStart: row.ActivityStart.UTC(), ActivityEnd: row.ActivityEnd.UTC(), DueAt: row.DueAt.UTC(),
		SubmittedAt: row.SubmittedAt.UTC(), SubmittedBy: idOrZero(row.SubmittedBy), Amount: partnership.Rupiah(row.Amount),
		SourceOfFunds: row.SourceOfFunds, Outputs: row.Outputs, TargetsReached: row.TargetsReached, Late: row.Late, Historical: row.Historical}
	if row.WardCode != nil {
		r.WardCode = *row.WardCode
	}
	return r
}

var realisationTable = table[realisationRow, *partnership.Realisation]{one: "realisation", many: "realisations",
	row: always(toRealisationRow), read: always((*realisationRow).realisation)}

// InsertRealisation stores a realisation report with its evidence and sets
// its id; evidence is checked again (content, size, count) so that nothing
// the domain would refuse reaches the database.
func InsertRealisation(ctx context.Context, db bun.IDB, r *partnership.Realisation) error {
	if err := checkAttachments(r.Evidence); err != nil {
		var fe *partnership.FieldError
		if errors.As(err, &fe) {
			return partnership.Invalid("evidence", "%s", fe.Reason)
		}
		return err
	}
	if err := realisationTable.insert(ctx, db, r, &r.ID, fmt.Sprintf("insert a realisation of partner %d", r.PartnerID)); err != nil {
		return err
	}
	return attachAll(r.Evidence, func(a *partnership.Attachment) error {
		return InsertDocument(ctx, db, &partnership.Document{OwnerType: RealisationDocuments, OwnerID: r.ID, Purpose: EvidencePurpose, Name: a.Name,
			ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, Data: a.Data, CreatedAt: a.UploadedAt.UTC()})
	})
}

// GetRealisation reads one realisation with its evidence's metadata.
func GetRealisation(ctx context.Context, db bun.IDB, id int64) (*partnership.Realisation, error) {
	r, err := realisationTable.get(ctx, db, id)
	if err != nil {
		return nil, err
	}
	docs, err := Documents(ctx, db, RealisationDocuments, id)
	if err != nil {
		return nil, err
	}
	for i, d := range docs {
		r.Evidence = append(r.Evidence, partnership.Attachment{N: i + 1, Name: d.Name, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256, UploadedAt: d.CreatedAt})
	}
	return r, nil
}

// RealisationEvidence reads the n-th evidence document of a realisation, with its contents.
func RealisationEvidence(ctx context.Context, db bun.IDB, id int64, n int) (*partnership.Document, error) {
	docs, err := Documents(ctx, db, RealisationDocuments, id)
	if err != nil {
		return nil, err
	}
	if n < 1 || n > len(docs) {
		return nil, fmt.Errorf("%w: realisation %d has no evidence %d", partnership.ErrNotFound, id, n)
	}
	return GetDocument(ctx, db, docs[n-1].ID)
}

// RealisationFilter selects realisations; empty fields select everything.
type RealisationFilter struct {
	PartnerID   int64
	ProgrammeID int64
	FiscalYear  int
	Area        string
	AfterID     int64
	Limit       int // 0: all
}

// ListRealisations returns realisations in the order they were stored,
// without their evidence.
func ListRealisations(ctx context.Context, db bun.IDB, f RealisationFilter) ([]*partnership.Realisation, error) {
	return realisationTable.list(ctx, db, f.AfterID, f.Limit, given("partner_id = ?", f.PartnerID), given("programme_id = ?", f.ProgrammeID),
		given("fiscal_year = ?", f.FiscalYear), given("area = ?", f.Area))
}

// ActsFor reports whether an account acts for a partner that the forum approved.
func ActsFor(ctx context.Context, db bun.IDB, accountID, partnerID int64) (bool, error) {
	n, err := db.NewSelect().Table("partners").Where("id = ? AND account_id = ? AND state = ?", partnerID, accountID, partnership.PartnerApproved).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("store: unable to read partner %d: %w", partnerID, err)
	}
	return n > 0, nil
}

// PartnersOf lists the ids of the partners an account registered, in any state.
func PartnersOf(ctx context.Context, db bun.IDB, accountID int64) ([]int64, error) {
	var ids []int64
	if err := db.NewSelect().Table("partners").Column("id").Where("account_id = ?", accountID).Order("id").Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("store: unable to list the partners of account %d: %w", accountID, err)
	}
	return ids, nil
}

// PartnerNames maps partner ids to their names; unknown ids are left out.
func PartnerNames(ctx context.Context, db bun.IDB, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := db.NewSelect().Table("partners").Column("id", "name").Where("id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: unable to read partners' names: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// --- sanctions ---

type sanctionRow struct {
	bun.BaseModel `bun:"table:csr_sanctions"`
	ID            int64 `bun:",pk,autoincrement"`
	PartnerID     int64
	Step          string
	Reason        string
	LegalBasis    string
	State         string
	RecommendedBy string
	RecommendedAt time.Time
	IssuedAt      *time.Time
	IssuedBy      *int64
	NotifiedAt    *time.Time
	LiftedAt      *time.Time
	DismissedAt   *time.Time
	Resolution    string
	Version       int
}

var sanctionTable = table[sanctionRow, partnership.Sanction]{one: "sanction", many: "sanctions",
	row: always(toSanctionRow), read: always((*sanctionRow).sanction),
	writes: only("state", "legal_basis", "issued_at", "issued_by", "notified_at", "lifted_at", "dismissed_at", "resolution")}

func toSanctionRow(s partnership.Sanction) *sanctionRow {
	return &sanctionRow{ID: s.ID, PartnerID: s.PartnerID, Step: s.Step, Reason: s.Reason, LegalBasis: s.LegalBasis, State: string(s.State),
		RecommendedBy: s.RecommendedBy, RecommendedAt: s.RecommendedAt.UTC(), IssuedAt: optionalTime(s.IssuedAt), IssuedBy: nullID(s.IssuedBy),
		NotifiedAt: optionalTime(s.NotifiedAt), LiftedAt: optionalTime(s.LiftedAt), DismissedAt: optionalTime(s.DismissedAt),
		Resolution: s.Resolution, Version: s.Version}
}

func (r *sanctionRow) sanction() partnership.Sanction {
	return partnership.Sanction{ID: r.ID, PartnerID: r.PartnerID, Step: r.Step, Reason: r.Reason, LegalBasis: r.LegalBasis,
		State: partnership.SanctionState(r.State), RecommendedBy: r.RecommendedBy, RecommendedAt: r.RecommendedAt.UTC(),
		IssuedAt: fromOptionalTime(r.IssuedAt), IssuedBy: idOrZero(r.IssuedBy), NotifiedAt: fromOptionalTime(r.NotifiedAt),
		LiftedAt: fromOptionalTime(r.LiftedAt), DismissedAt: fromOptionalTime(r.DismissedAt), Resolution: r.Resolution, Version: r.Version}
}

// InsertSanction stores a recommended sanction and sets its id and version.
// A second open recommendation for the same partner is a conflict.
func InsertSanction(ctx context.Context, db bun.IDB, s *partnership.Sanction) error {
	s.Version = 1
	if err := sanctionTable.insert(ctx, db, *s, &s.ID, fmt.Sprintf("insert a sanction on partner %d", s.PartnerID)); err != nil {
		if n, _ := db.NewSelect().Model((*sanctionRow)(nil)).Where("partner_id = ? AND state = ?", s.PartnerID, partnership.SanctionRecommended).Count(ctx); n > 0 {
			return fmt.Errorf("%w: partner %d already has an open recommendation", partnership.ErrConflict, s.PartnerID)
		}
		return err
	}
	return nil
}

// GetSanction reads one sanction.
func GetSanction(ctx context.Context, db bun.IDB, id int64) (*partnership.Sanction, error) {
	s, err := sanctionTable.get(ctx, db, id)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// UpdateSanction writes a sanction's move if its version is still the one read.
func UpdateSanction(ctx context.Context, db bun.IDB, s *partnership.Sanction) error {
	return sanctionTable.update(ctx, db, *s, s.ID, &s.Version)
}

// SanctionFilter selects sanctions; empty fields select everything.
type SanctionFilter struct {
	PartnerIDs []int64
	State      partnership.SanctionState
	AfterID    int64
	Limit      int // 0: all
}

// ListSanctions returns sanctions in the order they were recommended.
func ListSanctions(ctx context.Context, db bun.IDB, f SanctionFilter) ([]partnership.Sanction, error) {
	if f.PartnerIDs != nil && len(f.PartnerIDs) == 0 {
		return []partnership.Sanction{}, nil
	}
	return sanctionTable.list(ctx, db, f.AfterID, f.Limit, when(f.PartnerIDs != nil, "partner_id IN (?)", bun.In(f.PartnerIDs)),
		given("state = ?", f.State))
}

// SanctionsOf lists every sanction of a partner, oldest first.
func SanctionsOf(ctx context.Context, db bun.IDB, partnerID int64) ([]partnership.Sanction, error) {
	return ListSanctions(ctx, db, SanctionFilter{PartnerIDs: []int64{partnerID}})
}

// --- standing: compliance and maturity ---

// Standing is a partner's public standing: its compliance under the
// sanction ladder, the sanction that sets it, and its CSR maturity.
type Standing struct {
	PartnerID  int64
	Name       string
	Kind       string
	State      string
	Compliance partnership.Compliance
	Sanction   *partnership.Sanction // the highest in force; nil when compliant
	Maturity   partnership.Maturity
	Record     partnership.MaturityRecord
}

// Standings derives the standing of the given partners, or of every
// approved partner when ids is nil, in the order of their ids.
func Standings(ctx context.Context, db bun.IDB, region *partnership.Region, ids []int64) ([]Standing, error) {
	var partners []struct {
		ID    int64
		Name  string
		Kind  string
		State string
	}
	q := db.NewSelect().Table("partners").Column("id", "name", "kind", "state").Order("id")
	if ids == nil {
		q = q.Where("state = ?", partnership.PartnerApproved)
	} else if len(ids) == 0 {
		return []Standing{}, nil
	} else {
		q = q.Where("id IN (?)", bun.In(ids))
	}
	if err := q.Scan(ctx, &partners); err != nil {
		return nil, fmt.Errorf("store: unable to list partners: %w", err)
	}
	if len(partners) == 0 {
		return []Standing{}, nil
	}
	pids := make([]int64, len(partners))
	for i, p := range partners {
		pids[i] = p.ID
	}
	records, err := maturityRecords(ctx, db, pids)
	if err != nil {
		return nil, err
	}
	sanctions, err := ListSanctions(ctx, db, SanctionFilter{PartnerIDs: pids})
	if err != nil {
		return nil, err
	}
	byPartner := map[int64][]partnership.Sanction{}
	for _, s := range sanctions {
		byPartner[s.PartnerID] = append(byPartner[s.PartnerID], s)
	}
	out := make([]Standing, len(partners))
	for i, p := range partners {
		c, s := region.ComplianceOf(byPartner[p.ID])
		if s != nil {
			inForce := *s
			s = &inForce
		}
		rec := records[p.ID]
		out[i] = Standing{PartnerID: p.ID, Name: p.Name, Kind: p.Kind, State: p.State, Compliance: c, Sanction: s,
			Maturity: partnership.MaturityOf(rec), Record: rec}
	}
	return out, nil
}

// maturityRecords gathers, per partner, the years it planned (with an
// aligned activity or not) and realised.
func maturityRecords(ctx context.Context, db bun.IDB, ids []int64) (map[int64]partnership.MaturityRecord, error) {
	out := map[int64]partnership.MaturityRecord{}
	var plans []struct {
		PartnerID  int64
		FiscalYear int
		Aligned    int64
	}
	if err := db.NewSelect().TableExpr("csr_plans AS p").
		ColumnExpr("p.partner_id, p.fiscal_year").
		ColumnExpr("(SELECT COUNT(*) FROM csr_plan_activities AS a WHERE a.plan_id = p.id AND a.aligned_area <> '') AS aligned").
		Where("p.partner_id IN (?)", bun.In(ids)).Scan(ctx, &plans); err != nil {
		return nil, fmt.Errorf("store: unable to read partners' plans: %w", err)
	}
	for _, p := range plans {
		rec := out[p.PartnerID]
		rec.PlanYears = append(rec.PlanYears, p.FiscalYear)
		if p.Aligned > 0 {
			rec.AlignedPlanYears = append(rec.AlignedPlanYears, p.FiscalYear)
		}
		out[p.PartnerID] = rec
	}
	var realised []struct {
		PartnerID  int64
		FiscalYear int
	}
	if err := db.NewSelect().Table("csr_realisations").ColumnExpr("DISTINCT partner_id, fiscal_year").
		Where("partner_id IN (?)", bun.In(ids)).Scan(ctx, &realised); err != nil {
		return nil, fmt.Errorf("store: unable to read partners' realisations: %w", err)
	}
	for _, r := range realised {
		rec := out[r.PartnerID]
		rec.RealisationYears = append(rec.RealisationYears, r.FiscalYear)
		out[r.PartnerID] = rec
	}
	for id, rec := range out {
		slices.Sort(rec.PlanYears)
		slices.Sort(rec.AlignedPlanYears)
		slices.Sort(rec.RealisationYears)
		out[id] = rec
	}
	return out, nil
}

// --- the overdue schedule ---

// Overdue kinds.
const (
	OverdueRealisation = "realisation"
	OverduePlan        = "plan"
)

type overdueRow struct {
	bun.BaseModel `bun:"table:csr_overdue"`
	ID            int64 `bun:",pk,autoincrement"`
	Kind          string
	ObjectID      int64
	FiscalYear    int
	PartnerID     int64
	DueAt         time.Time
	FlaggedAt     time.Time
	ResolvedAt    *time.Time
	SanctionID    *int64
}

// ResolveOverdue marks resolved every flagged obligation met since: the
// report filed, the plan submitted, the programme cancelled. It returns how
// many it resolved.
func ResolveOverdue(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	res, err := db.NewUpdate().Table("csr_overdue").Set("resolved_at = ?", now.UTC()).
		Where("resolved_at IS NULL").
		WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.
				Where("kind = ? AND EXISTS (SELECT 1 FROM csr_realisations AS r WHERE r.programme_id = csr_overdue.object_id)", OverdueRealisation).
				WhereOr("kind = ? AND EXISTS (SELECT 1 FROM programmes AS p WHERE p.id = csr_overdue.object_id AND p.state = ?)", OverdueRealisation, partnership.ProgrammeCancelled).
				WhereOr("kind = ? AND EXISTS (SELECT 1 FROM csr_plans AS p WHERE p.partner_id = csr_overdue.object_id AND p.fiscal_year = csr_overdue.fiscal_year)", OverduePlan)
		}).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: unable to resolve met obligations: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// FlagMissing flags, once each, the obligations missing past their due
// date at now, and returns them:
//
//   - every programme of a partner, not cancelled, with no realisation
//     report past its due date (see Region.ProgrammeRealisationDue);
//   - every approved partner with no plan for the current fiscal year, or
//     the last one (had the server been down over the turn of the year),
//     past its due date (see Region.PlanDue). A partner whose approval date
//     is not on record — an imported one — has no plan deadline.
func FlagMissing(ctx context.Context, db bun.IDB, region *partnership.Region, now time.Time) ([]partnership.OverdueItem, error) {
	now = now.UTC()
	current := now.In(region.Location).Year()
	var flagged []partnership.OverdueItem
	// Programmes without a report; only years whose reports can be due are read.
	var progs []struct {
		ID         int64
		PartnerID  int64
		Name       string
		FiscalYear int
	}
	if err := db.NewSelect().TableExpr("programmes AS p").Join("JOIN partners AS pa ON pa.id = p.partner_id").
		ColumnExpr("p.id, p.partner_id, pa.name, p.fiscal_year").
		Where("p.state <> ? AND p.fiscal_year < ?", partnership.ProgrammeCancelled, current).
		Where("NOT EXISTS (SELECT 1 FROM csr_realisations AS r WHERE r.programme_id = p.id)").
		Where("NOT EXISTS (SELECT 1 FROM csr_overdue AS o WHERE o.kind = ? AND o.object_id = p.id AND o.fiscal_year = p.fiscal_year)", OverdueRealisation).
		Order("p.id").Scan(ctx, &progs); err != nil {
		return nil, fmt.Errorf("store: unable to find programmes without a report: %w", err)
	}
	for _, p := range progs {
		if due := region.ProgrammeRealisationDue(p.FiscalYear); now.After(due) {
			flagged = append(flagged, partnership.OverdueItem{Kind: OverdueRealisation, Object: p.ID, Partner: p.PartnerID, Name: p.Name, FiscalYear: p.FiscalYear, DueAt: due})
		}
	}
	// Approved partners without a plan.
	var partners []struct {
		ID         int64
		Name       string
		ApprovedAt time.Time
	}
	if err := db.NewSelect().Table("partners").Column("id", "name", "approved_at").
		Where("state = ? AND approved_at IS NOT NULL", partnership.PartnerApproved).Order("id").Scan(ctx, &partners); err != nil {
		return nil, fmt.Errorf("store: unable to list approved partners: %w", err)
	}
	for _, year := range []int{current - 1, current} {
		_, end := region.FiscalYearBounds(year)
		var planned, known []int64
		if err := db.NewSelect().Table("csr_plans").Column("partner_id").Where("fiscal_year = ?", year).Scan(ctx, &planned); err != nil {
			return nil, fmt.Errorf("store: unable to list the plans of %d: %w", year, err)
		}
		if err := db.NewSelect().Table("csr_overdue").Column("object_id").Where("kind = ? AND fiscal_year = ?", OverduePlan, year).Scan(ctx, &known); err != nil {
			return nil, fmt.Errorf("store: unable to list the plans flagged for %d: %w", year, err)
		}
		for _, p := range partners {
			if !p.ApprovedAt.Before(end) || slices.Contains(planned, p.ID) || slices.Contains(known, p.ID) {
				continue
			}
			if due := region.PlanDue(year, p.ApprovedAt); now.After(due) {
				flagged = append(flagged, partnership.OverdueItem{Kind: OverduePlan, Object: p.ID, Partner: p.ID, Name: p.Name, FiscalYear: year, DueAt: due})
			}
		}
	}
	for _, f := range flagged {
		row := &overdueRow{Kind: f.Kind, ObjectID: f.Object, FiscalYear: f.FiscalYear, PartnerID: f.Partner, DueAt: f.DueAt.UTC(), FlaggedAt: now.Truncate(time.Microsecond)}
		if _, err := db.NewInsert().Model(row).ExcludeColumn("id").Exec(ctx); err != nil {
			return nil, fmt.Errorf("store: unable to flag %s %d: %w", f.Kind, f.Object, err)
		}
	}
	return flagged, nil
}

// UnansweredOverdue lists the flagged obligations of companies (not
// universities: the CSR obligation binds companies) that are still open and
// that no sanction answers yet, by partner.
func UnansweredOverdue(ctx context.Context, db bun.IDB) ([]OverdueRecord, error) {
	var rows []OverdueRecord
	if err := db.NewSelect().TableExpr("csr_overdue AS o").Join("JOIN partners AS pa ON pa.id = o.partner_id").
		ColumnExpr("o.id, o.kind, o.object_id, o.fiscal_year, o.partner_id, pa.name AS partner_name, o.due_at, o.flagged_at").
		Where("o.resolved_at IS NULL AND o.sanction_id IS NULL AND pa.kind <> ?", partnership.PartnerUniversity).
		Order("o.partner_id", "o.id").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: unable to list unanswered flags: %w", err)
	}
	for i := range rows {
		rows[i].DueAt, rows[i].FlaggedAt = rows[i].DueAt.UTC(), rows[i].FlaggedAt.UTC()
	}
	return rows, nil
}

// AnswerOverdue records the sanction that answers flagged obligations.
func AnswerOverdue(ctx context.Context, db bun.IDB, ids []int64, sanctionID int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := db.NewUpdate().Table("csr_overdue").Set("sanction_id = ?", sanctionID).Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
		return fmt.Errorf("store: unable to link flags to sanction %d: %w", sanctionID, err)
	}
	return nil
}

// OverdueFilter selects flagged obligations.
type OverdueFilter struct {
	PartnerID int64
	Open      bool // only those not resolved
}

// ListOverdue lists flagged obligations with their partner's name, oldest first.
func ListOverdue(ctx context.Context, db bun.IDB, f OverdueFilter) ([]OverdueRecord, error) {
	var rows []OverdueRecord
	q := db.NewSelect().TableExpr("csr_overdue AS o").Join("JOIN partners AS pa ON pa.id = o.partner_id").
		ColumnExpr("o.id, o.kind, o.object_id, o.fiscal_year, o.partner_id, pa.name AS partner_name, o.due_at, o.flagged_at, o.resolved_at, o.sanction_id").
		Order("o.id")
	if f.PartnerID != 0 {
		q = q.Where("o.partner_id = ?", f.PartnerID)
	}
	if f.Open {
		q = q.Where("o.resolved_at IS NULL")
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: unable to list overdue obligations: %w", err)
	}
	for i := range rows {
		rows[i].DueAt, rows[i].FlaggedAt, rows[i].ResolvedAt = rows[i].DueAt.UTC(), rows[i].FlaggedAt.UTC(), utcPtr(rows[i].ResolvedAt)
	}
	return rows, nil
}

// OverdueRecord is a flagged obligation as stored.
type OverdueRecord struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	ObjectID    int64      `json:"object"`
	FiscalYear  int        `json:"fiscalYear"`
	PartnerID   int64      `json:"partner"`
	PartnerName string     `json:"partnerName"`
	DueAt       time.Time  `json:"dueAt"`
	FlaggedAt   time.Time  `json:"flaggedAt"`
	ResolvedAt  *time.Time `json:"resolvedAt,omitempty"`
	SanctionID  *int64     `json:"sanction,omitempty"`
}

// --- awards ---

type awardRow struct {
	bun.BaseModel `bun:"table:csr_awards"`
	ID            int64 `bun:",pk,autoincrement"`
	Cycle         int
	PartnerID     int64
	Scores        string
	Total         int64
	Adjustments   string
	Adjusted      int64
	State         string
	ScoredAt      time.Time
	PublishedAt   *time.Time
	Version       int
}

func toAwardRow(a *partnership.Award) (*awardRow, error) {
	scores, err := json.Marshal(a.Scores)
	if err != nil {
		return nil, err
	}
	adj := a.Adjustments
	if adj == nil {
		adj = []partnership.AwardAdjustment{}
	}
	adjustments, err := json.Marshal(adj)
	if err != nil {
		return nil, err
	}
	return &awardRow{ID: a.ID, Cycle: a.Cycle, PartnerID: a.PartnerID, Scores: string(scores), Total: a.Total, Adjustments: string(adjustments),
		Adjusted: a.Adjusted(), State: string(a.State), ScoredAt: a.ScoredAt.UTC(), PublishedAt: optionalTime(a.PublishedAt), Version: a.Version}, nil
}

func (r *awardRow) award() (*partnership.Award, error) {
	a := &partnership.Award{ID: r.ID, Cycle: r.Cycle, PartnerID: r.PartnerID, Total: r.Total, State: partnership.AwardState(r.State),
		ScoredAt: r.ScoredAt.UTC(), PublishedAt: fromOptionalTime(r.PublishedAt), Version: r.Version}
	if err := json.Unmarshal([]byte(r.Scores), &a.Scores); err != nil {
		return nil, fmt.Errorf("store: award %d has unreadable scores: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Adjustments), &a.Adjustments); err != nil {
		return nil, fmt.Errorf("store: award %d has unreadable adjustments: %w", r.ID, err)
	}
	for i := range a.Adjustments {
		a.Adjustments[i].At = a.Adjustments[i].At.UTC()
	}
	return a, nil
}

var awardTable = table[awardRow, *partnership.Award]{one: "award", row: toAwardRow, read: (*awardRow).award,
	writes: only("scores", "total", "adjustments", "adjusted", "state", "scored_at", "published_at")}

// SaveAward stores a new award score, or writes a changed one if its version
// is still the one read, and bumps its version.
func SaveAward(ctx context.Context, db bun.IDB, a *partnership.Award) error {
	if a.ID == 0 {
		a.Version = 1
		return awardTable.insert(ctx, db, a, &a.ID, fmt.Sprintf("insert the award of partner %d for cycle %d", a.PartnerID, a.Cycle))
	}
	return awardTable.update(ctx, db, a, a.ID, &a.Version)
}

// Awards lists the award scores of a cycle, best adjusted total first.
func Awards(ctx context.Context, db bun.IDB, cycle int) ([]*partnership.Award, error) {
	return awardTable.all(ctx, db, fmt.Sprintf("list the awards of cycle %d", cycle), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("cycle = ?", cycle).OrderExpr("adjusted DESC, partner_id")
	})
}

// GetAward reads a partner's award score for a cycle.
func GetAward(ctx context.Context, db bun.IDB, cycle int, partnerID int64) (*partnership.Award, error) {
	return awardTable.first(ctx, db, fmt.Sprintf("partner %d has no award score for cycle %d", partnerID, cycle),
		fmt.Sprintf("read the award of partner %d", partnerID), where("cycle = ? AND partner_id = ?", cycle, partnerID))
}

// AwardRecords counts, for every approved partner with a plan, a programme
// or a realisation in the cycle's years, what the award criteria measure.
func AwardRecords(ctx context.Context, db bun.IDB, first, last int) ([]partnership.AwardRecord, error) {
	var rows []struct {
		ID               int64
		Programmes       int64
		ProgrammeValue   int64
		PlanFinancing    int64
		AlignedFinancing int64
		Realised         int64
		Reports          int64
		OnTime           int64
		Missing          int64
		WithEvidence     int64
	}
	yr := func(col string) string { return col + " BETWEEN ? AND ?" }
	q := db.NewSelect().TableExpr("partners AS pa").ColumnExpr("pa.id").
		ColumnExpr("(SELECT COUNT(*) FROM programmes AS p WHERE p.partner_id = pa.id AND p.state <> ? AND "+yr("p.fiscal_year")+") AS programmes", partnership.ProgrammeCancelled, first, last).
		ColumnExpr("(SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM csr_realisations AS r WHERE r.partner_id = pa.id AND r.programme_id IS NOT NULL AND "+yr("r.fiscal_year")+") AS programme_value", first, last).
		ColumnExpr("(SELECT CAST(COALESCE(SUM(a.financing), 0) AS BIGINT) FROM csr_plan_activities AS a JOIN csr_plans AS p ON p.id = a.plan_id WHERE p.partner_id = pa.id AND "+yr("p.fiscal_year")+") AS plan_financing", first, last).
		ColumnExpr("(SELECT CAST(COALESCE(SUM(a.financing), 0) AS BIGINT) FROM csr_plan_activities AS a JOIN csr_plans AS p ON p.id = a.plan_id WHERE p.partner_id = pa.id AND a.alignment = ? AND "+yr("p.fiscal_year")+") AS aligned_financing", partnership.Aligned, first, last).
		ColumnExpr("(SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM csr_realisations AS r WHERE r.partner_id = pa.id AND "+yr("r.fiscal_year")+") AS realised", first, last).
		ColumnExpr("(SELECT COUNT(*) FROM csr_realisations AS r WHERE r.partner_id = pa.id AND NOT r.historical AND "+yr("r.fiscal_year")+") AS reports", first, last).
		ColumnExpr("(SELECT COUNT(*) FROM csr_realisations AS r WHERE r.partner_id = pa.id AND NOT r.historical AND NOT r.late AND "+yr("r.fiscal_year")+") AS on_time", first, last).
		ColumnExpr("(SELECT COUNT(*) FROM csr_overdue AS o WHERE o.partner_id = pa.id AND o.kind = ? AND o.resolved_at IS NULL AND "+yr("o.fiscal_year")+") AS missing", OverdueRealisation, first, last).
		ColumnExpr("(SELECT COUNT(*) FROM csr_realisations AS r WHERE r.partner_id = pa.id AND NOT r.historical AND "+yr("r.fiscal_year")+
			" AND EXISTS (SELECT 1 FROM documents AS d WHERE d.owner_type = ? AND d.owner_id = r.id)) AS with_evidence", first, last, RealisationDocuments).
		Where("pa.state = ?", partnership.PartnerApproved).
		Where("(EXISTS (SELECT 1 FROM csr_plans AS p WHERE p.partner_id = pa.id AND "+yr("p.fiscal_year")+") OR "+
			"EXISTS (SELECT 1 FROM programmes AS p WHERE p.partner_id = pa.id AND "+yr("p.fiscal_year")+") OR "+
			"EXISTS (SELECT 1 FROM csr_realisations AS r WHERE r.partner_id = pa.id AND "+yr("r.fiscal_year")+"))", first, last, first, last, first, last).
		Order("pa.id")
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: unable to gather the award records of %d–%d: %w", first, last, err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	years := map[int64][]int{}
	if len(ids) > 0 {
		var plans []struct {
			PartnerID  int64
			FiscalYear int
		}
		if err := db.NewSelect().Table("csr_plans").Column("partner_id", "fiscal_year").Where("partner_id IN (?)", bun.In(ids)).Scan(ctx, &plans); err != nil {
			return nil, fmt.Errorf("store: unable to read partners' plan years: %w", err)
		}
		for _, p := range plans {
			years[p.PartnerID] = append(years[p.PartnerID], p.FiscalYear)
		}
	}
	out := make([]partnership.AwardRecord, len(rows))
	for i, r := range rows {
		out[i] = partnership.AwardRecord{PartnerID: r.ID, Programmes: r.Programmes, ProgrammeValue: partnership.Rupiah(r.ProgrammeValue),
			PlanFinancing: partnership.Rupiah(r.PlanFinancing), AlignedFinancing: partnership.Rupiah(r.AlignedFinancing),
			Realised: partnership.Rupiah(r.Realised), Reports: r.Reports, OnTime: r.OnTime, Missing: r.Missing, WithEvidence: r.WithEvidence,
			PlanYears: years[r.ID]}
	}
	return out, nil
}

// --- the dashboard and the evaluation ---

// areaFacts sums realisations per area, and in total, over a condition.
func areaFacts(ctx context.Context, db bun.IDB, where string, args ...any) ([]partnership.AreaFacts, partnership.AreaFacts, error) {
	var rows []struct {
		Area       string
		Amount     int64
		Partners   int64
		Programmes int64
	}
	cols := "CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount, COUNT(DISTINCT partner_id) AS partners, COUNT(DISTINCT programme_id) AS programmes"
	if err := db.NewSelect().Table("csr_realisations").ColumnExpr("area, "+cols).Where(where, args...).Group("area").Order("area").Scan(ctx, &rows); err != nil {
		return nil, partnership.AreaFacts{}, fmt.Errorf("store: unable to sum realisations per area: %w", err)
	}
	var total struct {
		Amount     int64
		Partners   int64
		Programmes int64
	}
	if err := db.NewSelect().Table("csr_realisations").ColumnExpr(cols).Where(where, args...).Scan(ctx, &total); err != nil {
		return nil, partnership.AreaFacts{}, fmt.Errorf("store: unable to sum realisations: %w", err)
	}
	areas := make([]partnership.AreaFacts, len(rows))
	for i, r := range rows {
		areas[i] = partnership.AreaFacts{Area: r.Area, Amount: partnership.Rupiah(r.Amount), Partners: r.Partners, Programmes: r.Programmes}
	}
	return areas, partnership.AreaFacts{Area: partnership.TotalArea, Amount: partnership.Rupiah(total.Amount), Partners: total.Partners, Programmes: total.Programmes}, nil
}

// requestCounts counts the CSR requests submitted in [from, to) per area and
// in total, and how many of them were taken up (claimed or programmed).
func requestCounts(ctx context.Context, db bun.IDB, from, to time.Time) (map[string]int64, int64, int64, error) {
	var rows []struct {
		Area      string
		N         int64
		Fulfilled int64
	}
	if err := db.NewSelect().Table("csr_requests").
		ColumnExpr("area, COUNT(*) AS n").
		ColumnExpr("CAST(COALESCE(SUM(CASE WHEN state IN (?) THEN 1 ELSE 0 END), 0) AS BIGINT) AS fulfilled", bun.In([]partnership.RequestState{partnership.RequestClaimed, partnership.RequestProgrammed})).
		Where("created_at >= ? AND created_at < ?", from, to).Group("area").Scan(ctx, &rows); err != nil {
		return nil, 0, 0, fmt.Errorf("store: unable to count CSR requests: %w", err)
	}
	byArea := map[string]int64{}
	var total, fulfilled int64
	for _, r := range rows {
		byArea[r.Area] += r.N
		total += r.N
		fulfilled += r.Fulfilled
	}
	return byArea, total, fulfilled, nil
}

// DashboardOf gathers a region's public figures for a year: realisations of
// the fiscal year per priority area (amount, distinct partners, distinct
// programmes) and in total — where partners and programmes are counted
// distinct again, not summed — and the CSR requests submitted in the year.
func DashboardOf(ctx context.Context, db bun.IDB, region *partnership.Region, year int) (partnership.Dashboard, error) {
	areas, total, err := areaFacts(ctx, db, "fiscal_year = ?", year)
	if err != nil {
		return partnership.Dashboard{}, err
	}
	from, to := region.FiscalYearBounds(year)
	requests, submitted, _, err := requestCounts(ctx, db, from, to)
	if err != nil {
		return partnership.Dashboard{}, err
	}
	areas = withRequests(areas, requests)
	total.Requests = submitted
	return region.Dashboard(year, areas, total), nil
}

func withRequests(areas []partnership.AreaFacts, requests map[string]int64) []partnership.AreaFacts {
	seen := map[string]bool{}
	for i := range areas {
		areas[i].Requests = requests[areas[i].Area]
		seen[areas[i].Area] = true
	}
	for area, n := range requests {
		if !seen[area] && area != "" {
			areas = append(areas, partnership.AreaFacts{Area: area, Requests: n})
		}
	}
	return areas
}

// EvaluationOf generates the quarterly evaluation of a year's quarter from
// the data (see Region.Evaluate).
func EvaluationOf(ctx context.Context, db bun.IDB, region *partnership.Region, year, quarter int) (partnership.Evaluation, error) {
	from, to := region.QuarterBounds(year, quarter)
	yearStart, _ := region.FiscalYearBounds(year)
	areas, total, err := areaFacts(ctx, db, "activity_end >= ? AND activity_end < ?", from, to)
	if err != nil {
		return partnership.Evaluation{}, err
	}
	requests, submitted, fulfilled, err := requestCounts(ctx, db, yearStart, to)
	if err != nil {
		return partnership.Evaluation{}, err
	}
	var devs []struct {
		ID       int64
		Name     string
		Planned  int64
		Realised int64
	}
	if err := db.NewSelect().TableExpr("partners AS pa").ColumnExpr("pa.id, pa.name").
		ColumnExpr("(SELECT CAST(COALESCE(SUM(a.financing), 0) AS BIGINT) FROM csr_plan_activities AS a JOIN csr_plans AS p ON p.id = a.plan_id WHERE p.partner_id = pa.id AND p.fiscal_year = ?) AS planned", year).
		ColumnExpr("(SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM csr_realisations AS r WHERE r.partner_id = pa.id AND r.fiscal_year = ? AND r.activity_end < ?) AS realised", year, to).
		Where("EXISTS (SELECT 1 FROM csr_plans AS p WHERE p.partner_id = pa.id AND p.fiscal_year = ?) OR "+
			"EXISTS (SELECT 1 FROM csr_realisations AS r WHERE r.partner_id = pa.id AND r.fiscal_year = ? AND r.activity_end < ?)", year, year, to).
		Order("pa.id").Scan(ctx, &devs); err != nil {
		return partnership.Evaluation{}, fmt.Errorf("store: unable to compare plans and realisations: %w", err)
	}
	deviations := make([]partnership.PartnerDeviation, len(devs))
	for i, d := range devs {
		deviations[i] = partnership.PartnerDeviation{Partner: d.ID, Name: d.Name, Planned: partnership.Rupiah(d.Planned), Realised: partnership.Rupiah(d.Realised)}
	}
	// What was overdue at the quarter's end: flagged by then, not yet met then.
	var flags []OverdueRecord
	if err := db.NewSelect().TableExpr("csr_overdue AS o").Join("JOIN partners AS pa ON pa.id = o.partner_id").
		ColumnExpr("o.id, o.kind, o.object_id, o.fiscal_year, o.partner_id, pa.name AS partner_name, o.due_at").
		Where("o.due_at < ? AND o.flagged_at < ? AND (o.resolved_at IS NULL OR o.resolved_at >= ?)", to, to, to).
		Order("o.id").Scan(ctx, &flags); err != nil {
		return partnership.Evaluation{}, fmt.Errorf("store: unable to list what was overdue: %w", err)
	}
	overdue := make([]partnership.OverdueItem, len(flags))
	for i, f := range flags {
		overdue[i] = partnership.OverdueItem{Kind: f.Kind, Object: f.ObjectID, Partner: f.PartnerID, Name: f.PartnerName, FiscalYear: f.FiscalYear, DueAt: f.DueAt.UTC()}
	}
	return region.Evaluate(year, quarter, withRequests(areas, requests), total, deviations, overdue, submitted, fulfilled), nil
}

// EvaluationRecord is a published evaluation: the snapshot as published,
// never changed afterwards.
type EvaluationRecord struct {
	bun.BaseModel `bun:"table:csr_evaluations"`
	ID            int64           `bun:",pk,autoincrement" json:"id"`
	FiscalYear    int             `json:"year"`
	Quarter       int             `json:"quarter"`
	Snapshot      json.RawMessage `bun:"type:text" json:"evaluation"`
	PublishedBy   int64           `json:"publishedBy"`
	PublishedAt   time.Time       `json:"publishedAt"`
}

// InsertEvaluation publishes an evaluation; a quarter is published once.
func InsertEvaluation(ctx context.Context, db bun.IDB, e *EvaluationRecord) error {
	n, err := db.NewSelect().Model((*EvaluationRecord)(nil)).Where("fiscal_year = ? AND quarter = ?", e.FiscalYear, e.Quarter).Count(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to check published evaluations: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("%w: the evaluation of Q%d %d is already published; a published evaluation is never replaced", partnership.ErrConflict, e.Quarter, e.FiscalYear)
	}
	return insertRow(ctx, db, e, &e.ID, fmt.Sprintf("publish the evaluation of Q%d %d", e.Quarter, e.FiscalYear))
}

// evaluationTable reads published evaluations: the record is the row.
var evaluationTable = table[EvaluationRecord, *EvaluationRecord]{one: "evaluation",
	read: func(e *EvaluationRecord) (*EvaluationRecord, error) {
		e.PublishedAt = e.PublishedAt.UTC()
		return e, nil
	}}

// ListEvaluations lists published evaluations, newest quarter first,
// optionally of one year, without their snapshots.
func ListEvaluations(ctx context.Context, db bun.IDB, year int) ([]EvaluationRecord, error) {
	var es []EvaluationRecord
	q := db.NewSelect().Model(&es).ExcludeColumn("snapshot").OrderExpr("fiscal_year DESC, quarter DESC")
	if year != 0 {
		q = q.Where("fiscal_year = ?", year)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list evaluations: %w", err)
	}
	for i := range es {
		es[i].PublishedAt = es[i].PublishedAt.UTC()
	}
	return es, nil
}
