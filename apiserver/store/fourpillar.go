package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

// nullID is an optional reference: NULL for 0.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func idOrZero(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// --- partners ---

type partnerRow struct {
	bun.BaseModel `bun:"table:partners"`
	ID            int64 `bun:",pk,autoincrement"`
	Kind          string
	Name          string
	AccountID     *int64
	Areas         string
	Kecamatan     string
	State         string
	RegisteredAt  time.Time
	ApprovedAt    *time.Time
	Review        *string
	MeetingID     *int64
	Reason        string
	DecidedAt     *time.Time
	Version       int
}

func toPartnerRow(p *partnership.Partner) (*partnerRow, error) {
	areas, err := json.Marshal(nonNil(p.Areas))
	if err != nil {
		return nil, err
	}
	kec, err := json.Marshal(nonNil(p.Kecamatan))
	if err != nil {
		return nil, err
	}
	r := &partnerRow{ID: p.ID, Kind: string(p.Kind), Name: p.Name, AccountID: nullID(p.AccountID), Areas: string(areas), Kecamatan: string(kec),
		State: string(p.State), RegisteredAt: p.RegisteredAt, ApprovedAt: p.ApprovedAt, MeetingID: nullID(p.MeetingID),
		Reason: p.Reason, DecidedAt: p.DecidedAt, Version: p.Version}
	if p.Review != nil {
		b, err := json.Marshal(p.Review)
		if err != nil {
			return nil, err
		}
		s := string(b)
		r.Review = &s
	}
	return r, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (r *partnerRow) partner() (*partnership.Partner, error) {
	p := &partnership.Partner{ID: r.ID, Kind: partnership.PartnerKind(r.Kind), Name: r.Name, AccountID: idOrZero(r.AccountID),
		State: partnership.PartnerState(r.State), RegisteredAt: r.RegisteredAt.UTC(), ApprovedAt: utcPtr(r.ApprovedAt),
		MeetingID: idOrZero(r.MeetingID), Reason: r.Reason, DecidedAt: utcPtr(r.DecidedAt), Version: r.Version}
	if err := json.Unmarshal([]byte(r.Areas), &p.Areas); err != nil {
		return nil, fmt.Errorf("store: partner %d has unreadable areas: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Kecamatan), &p.Kecamatan); err != nil {
		return nil, fmt.Errorf("store: partner %d has unreadable kecamatan: %w", r.ID, err)
	}
	if r.Review != nil {
		p.Review = new(partnership.PartnerReview)
		if err := json.Unmarshal([]byte(*r.Review), p.Review); err != nil {
			return nil, fmt.Errorf("store: partner %d has an unreadable review: %w", r.ID, err)
		}
		p.Review.ReviewedAt = p.Review.ReviewedAt.UTC()
	}
	return p, nil
}

var partnerTable = table[partnerRow, *partnership.Partner]{one: "partner", many: "partners",
	row: toPartnerRow, read: (*partnerRow).partner, writes: allBut("id", "account_id", "registered_at", "version"),
	key: func(p *partnership.Partner) (*int64, *int) { return &p.ID, &p.Version }}

// PartnerFilter selects partners; empty fields select everything.
type PartnerFilter struct {
	State     partnership.PartnerState
	AccountID int64  // the partners an account acts for
	Area      string // working in a priority area
	Meeting   int64  // on a forum meeting's agenda, or decided there
	AfterID   int64
	Limit     int // 0: all
}

// ListPartners returns partners in the order they registered.
func ListPartners(ctx context.Context, db bun.IDB, f PartnerFilter) ([]*partnership.Partner, error) {
	return partnerTable.list(ctx, db, f.AfterID, f.Limit, given("state = ?", f.State), given("account_id = ?", f.AccountID),
		when(f.Area != "", "areas LIKE ?", `%"`+escapeLike(f.Area)+`"%`), given("meeting_id = ?", f.Meeting))
}

// escapeLike drops the characters LIKE treats as wildcards from a key; keys
// of areas never hold them.
func escapeLike(s string) string { return strings.NewReplacer("%", "", "_", "", `"`, "").Replace(s) }

// --- documents ---

type documentRow struct {
	bun.BaseModel `bun:"table:documents"`
	ID            int64 `bun:",pk,autoincrement"`
	OwnerType     string
	OwnerID       int64
	Purpose       string
	Name          string
	ContentType   string
	Size          int64
	SHA256        string `bun:"sha256"`
	Data          []byte
	CreatedAt     time.Time
}

var documentTable = table[documentRow, *partnership.Document]{one: "document",
	row: always(toDocumentRow), read: always((*documentRow).document)}

func toDocumentRow(d *partnership.Document) *documentRow {
	return &documentRow{OwnerType: d.OwnerType, OwnerID: d.OwnerID, Purpose: d.Purpose, Name: d.Name, ContentType: d.ContentType,
		Size: d.Size, SHA256: d.SHA256, Data: d.Data, CreatedAt: d.CreatedAt}
}

func (r *documentRow) document() *partnership.Document {
	return &partnership.Document{ID: r.ID, OwnerType: r.OwnerType, OwnerID: r.OwnerID, Purpose: r.Purpose, Name: r.Name,
		ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Data: r.Data, CreatedAt: r.CreatedAt.UTC()}
}

// InsertDocument attaches a checked document (see partnership.NewDocument)
// to its owner, refusing more than partnership.MaxDocuments per owner.
func InsertDocument(ctx context.Context, db bun.IDB, d *partnership.Document) error {
	n, err := db.NewSelect().Model((*documentRow)(nil)).Where("owner_type = ? AND owner_id = ?", d.OwnerType, d.OwnerID).Count(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to count documents: %w", err)
	}
	if n >= partnership.MaxDocuments {
		return partnership.Invalid("documents", "at most %d documents per %s", partnership.MaxDocuments, d.OwnerType)
	}
	return documentTable.insert(ctx, db, d, &d.ID, fmt.Sprintf("store document %q", d.Name))
}

// Documents lists an owner's documents without their contents.
func Documents(ctx context.Context, db bun.IDB, ownerType string, ownerID int64) ([]*partnership.Document, error) {
	return documentTable.all(ctx, db, "list documents", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.ExcludeColumn("data").Where("owner_type = ? AND owner_id = ?", ownerType, ownerID).Order("id")
	})
}

// --- forum meetings ---

type forumMeetingRow struct {
	bun.BaseModel `bun:"table:forum_meetings"`
	ID            int64 `bun:",pk,autoincrement"`
	Year          int
	Quarter       int
	ScheduledAt   time.Time
	Place         string
	State         string
	Attendance    string
	Minutes       string
	ClosedAt      *time.Time
	Version       int
}

func toForumMeetingRow(m *partnership.ForumMeeting) (*forumMeetingRow, error) {
	att, err := json.Marshal(m.Attendance)
	if err != nil {
		return nil, err
	}
	if m.Attendance == nil {
		att = []byte("{}")
	}
	return &forumMeetingRow{ID: m.ID, Year: m.Year, Quarter: m.Quarter, ScheduledAt: m.ScheduledAt, Place: m.Place, State: string(m.State),
		Attendance: string(att), Minutes: m.Minutes, ClosedAt: m.ClosedAt, Version: m.Version}, nil
}

func (r *forumMeetingRow) meeting() (*partnership.ForumMeeting, error) {
	m := &partnership.ForumMeeting{ID: r.ID, Year: r.Year, Quarter: r.Quarter, ScheduledAt: r.ScheduledAt.UTC(), Place: r.Place,
		State: partnership.ForumState(r.State), Minutes: r.Minutes, ClosedAt: utcPtr(r.ClosedAt), Version: r.Version}
	if err := json.Unmarshal([]byte(r.Attendance), &m.Attendance); err != nil {
		return nil, fmt.Errorf("store: forum meeting %d has unreadable attendance: %w", r.ID, err)
	}
	return m, nil
}

var forumMeetingTable = table[forumMeetingRow, *partnership.ForumMeeting]{one: "forum meeting", many: "forum meetings",
	row: toForumMeetingRow, read: (*forumMeetingRow).meeting, writes: only("state", "attendance", "minutes", "closed_at"),
	key: func(m *partnership.ForumMeeting) (*int64, *int) { return &m.ID, &m.Version }}

// CountForumMeetings counts the meetings scheduled for a quarter.
func CountForumMeetings(ctx context.Context, db bun.IDB, year, quarter int) (int, error) {
	n, err := db.NewSelect().Model((*forumMeetingRow)(nil)).Where("year = ? AND quarter = ?", year, quarter).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count forum meetings: %w", err)
	}
	return int(n), nil
}

// ForumFilter selects forum meetings.
type ForumFilter struct {
	Year    int
	State   partnership.ForumState
	AfterID int64
	Limit   int
}

// ListForumMeetings returns meetings in the order they were scheduled.
func ListForumMeetings(ctx context.Context, db bun.IDB, f ForumFilter) ([]*partnership.ForumMeeting, error) {
	return forumMeetingTable.list(ctx, db, f.AfterID, f.Limit, given("year = ?", f.Year), given("state = ?", f.State))
}

// ForumDecisionRecord is a decision of the forum as stored and published.
type ForumDecisionRecord struct {
	bun.BaseModel `bun:"table:forum_decisions"`
	ID            int64     `bun:",pk,autoincrement" json:"id"`
	MeetingID     int64     `json:"meeting"`
	SubjectType   string    `json:"subjectType"`
	SubjectID     int64     `json:"subjectId"`
	Decision      string    `json:"decision"`
	Reason        string    `json:"reason,omitempty"`
	DecidedBy     int64     `json:"decidedBy"`
	DecidedAt     time.Time `json:"decidedAt"`
}

// InsertForumDecision minutes a decision of the forum.
func InsertForumDecision(ctx context.Context, db bun.IDB, d *ForumDecisionRecord) error {
	return insertRow(ctx, db, d, &d.ID, "minute a forum decision")
}

// ForumDecisions lists the decisions taken at a meeting (meeting != 0) or on
// one subject (subjectType and subjectID), in the order they were taken.
func ForumDecisions(ctx context.Context, db bun.IDB, meeting int64, subjectType string, subjectID int64) ([]ForumDecisionRecord, error) {
	var ds []ForumDecisionRecord
	q := db.NewSelect().Model(&ds).Order("id")
	if meeting != 0 {
		q = q.Where("meeting_id = ?", meeting)
	}
	if subjectType != "" {
		q = q.Where("subject_type = ? AND subject_id = ?", subjectType, subjectID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to list forum decisions: %w", err)
	}
	for i := range ds {
		ds[i].DecidedAt = ds[i].DecidedAt.UTC()
	}
	return ds, nil
}

// --- CSR plans ---

type planRow struct {
	bun.BaseModel   `bun:"table:csr_plans"`
	ID              int64 `bun:",pk,autoincrement"`
	PartnerID       int64
	FiscalYear      int
	BoardApprovedAt time.Time
	SubmittedAt     time.Time
	DueAt           time.Time
	Late            bool
	State           string
	Reason          string
	MeetingID       *int64
	DecidedAt       *time.Time
	Version         int
}

type planActivityRow struct {
	bun.BaseModel `bun:"table:csr_plan_activities"`
	ID            int64 `bun:",pk,autoincrement"`
	PlanID        int64
	Position      int
	Title         string
	Location      string
	Area          string
	Target        string
	Goal          string
	Financing     int64
	AlignedArea   string
	AlignedTarget string
	Alignment     string
}

func toPlanRow(p *partnership.CSRPlan) *planRow {
	return &planRow{ID: p.ID, PartnerID: p.PartnerID, FiscalYear: p.FiscalYear, BoardApprovedAt: p.BoardApprovedAt, SubmittedAt: p.SubmittedAt,
		DueAt: p.DueAt, Late: p.Late, State: string(p.State), Reason: p.Reason, MeetingID: nullID(p.MeetingID), DecidedAt: p.DecidedAt, Version: p.Version}
}

func (r *planRow) plan() *partnership.CSRPlan {
	return &partnership.CSRPlan{ID: r.ID, PartnerID: r.PartnerID, FiscalYear: r.FiscalYear, BoardApprovedAt: r.BoardApprovedAt.UTC(),
		SubmittedAt: r.SubmittedAt.UTC(), DueAt: r.DueAt.UTC(), Late: r.Late, State: partnership.PlanState(r.State), Reason: r.Reason,
		MeetingID: idOrZero(r.MeetingID), DecidedAt: utcPtr(r.DecidedAt), Version: r.Version}
}

var planTable = table[planRow, *partnership.CSRPlan]{one: "CSR plan", many: "CSR plans",
	row: always(toPlanRow), read: always((*planRow).plan), writes: only("submitted_at", "state", "reason", "meeting_id", "decided_at"),
	key: func(p *partnership.CSRPlan) (*int64, *int) { return &p.ID, &p.Version }}

func (r *planActivityRow) activity() partnership.PlanActivity {
	return partnership.PlanActivity{ID: r.ID, PlanID: r.PlanID, Title: r.Title, Location: r.Location, Area: r.Area, Target: r.Target,
		Goal: r.Goal, Financing: partnership.Rupiah(r.Financing), AlignedArea: r.AlignedArea, AlignedTarget: r.AlignedTarget,
		Alignment: partnership.Alignment(r.Alignment)}
}

func insertActivities(ctx context.Context, db bun.IDB, p *partnership.CSRPlan) error {
	for i := range p.Activities {
		a := &p.Activities[i]
		a.PlanID = p.ID
		row := &planActivityRow{PlanID: p.ID, Position: i, Title: a.Title, Location: a.Location, Area: a.Area, Target: a.Target, Goal: a.Goal,
			Financing: int64(a.Financing), AlignedArea: a.AlignedArea, AlignedTarget: a.AlignedTarget, Alignment: string(a.Alignment)}
		if err := insertRow(ctx, db, row, &a.ID, fmt.Sprintf("insert an activity of CSR plan %d", p.ID)); err != nil {
			return err
		}
	}
	return nil
}

// InsertPlan stores a submitted plan with its activities and sets their ids.
// A partner has one plan per fiscal year: a second is a conflict.
func InsertPlan(ctx context.Context, db bun.IDB, p *partnership.CSRPlan) error {
	exists, err := db.NewSelect().Model((*planRow)(nil)).Where("partner_id = ? AND fiscal_year = ?", p.PartnerID, p.FiscalYear).Exists(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to check CSR plans: %w", err)
	}
	if exists {
		return fmt.Errorf("%w: partner %d already submitted its CSR plan for %d", partnership.ErrConflict, p.PartnerID, p.FiscalYear)
	}
	if err := planTable.add(ctx, db, p); err != nil {
		return err
	}
	return insertActivities(ctx, db, p)
}

// GetPlan reads one plan with its activities.
func GetPlan(ctx context.Context, db bun.IDB, id int64) (*partnership.CSRPlan, error) {
	p, err := planTable.get(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if _, err := withActivities(ctx, db, []*partnership.CSRPlan{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// PlanOfActivity reads the plan an activity belongs to.
func PlanOfActivity(ctx context.Context, db bun.IDB, activityID int64) (*partnership.CSRPlan, error) {
	var planID int64
	err := db.NewSelect().Model((*planActivityRow)(nil)).Column("plan_id").Where("id = ?", activityID).Scan(ctx, &planID)
	if err != nil {
		return nil, notFound(err, "plan activity", activityID)
	}
	return GetPlan(ctx, db, planID)
}

// withActivities reads the activities of plans into them.
func withActivities(ctx context.Context, db bun.IDB, plans []*partnership.CSRPlan) ([]*partnership.CSRPlan, error) {
	if len(plans) == 0 {
		return plans, nil
	}
	ids := make([]int64, len(plans))
	byID := map[int64]*partnership.CSRPlan{}
	for i, p := range plans {
		ids[i] = p.ID
		byID[p.ID] = p
	}
	var acts []planActivityRow
	if err := db.NewSelect().Model(&acts).Where("plan_id IN (?)", bun.In(ids)).Order("plan_id", "position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to read the activities of CSR plans: %w", err)
	}
	for i := range acts {
		p := byID[acts[i].PlanID]
		p.Activities = append(p.Activities, acts[i].activity())
	}
	return plans, nil
}

// UpdatePlan writes a changed plan and its activities' alignment if its
// version is still the one read.
func UpdatePlan(ctx context.Context, db bun.IDB, p *partnership.CSRPlan) error {
	version := p.Version
	if err := planTable.update(ctx, db, p, p.ID, &version); err != nil {
		return err
	}
	for _, a := range p.Activities {
		if _, err := db.NewUpdate().Model((*planActivityRow)(nil)).
			Set("aligned_area = ?, aligned_target = ?, alignment = ?", a.AlignedArea, a.AlignedTarget, string(a.Alignment)).
			Where("id = ? AND plan_id = ?", a.ID, p.ID).Exec(ctx); err != nil {
			return fmt.Errorf("store: unable to align activity %d: %w", a.ID, err)
		}
	}
	p.Version = version // bumped only once the activities are written too
	return nil
}

// ReplacePlanActivities writes a revised plan: the plan as UpdatePlan does,
// and its new activities in place of the old ones (a plan under revision has
// no programmes yet).
func ReplacePlanActivities(ctx context.Context, db bun.IDB, p *partnership.CSRPlan) error {
	acts := p.Activities
	p.Activities = nil
	if err := UpdatePlan(ctx, db, p); err != nil {
		p.Activities = acts
		return err
	}
	p.Activities = acts
	if _, err := db.NewDelete().Model((*planActivityRow)(nil)).Where("plan_id = ?", p.ID).Exec(ctx); err != nil {
		return fmt.Errorf("store: unable to replace the activities of CSR plan %d: %w", p.ID, err)
	}
	return insertActivities(ctx, db, p)
}

// PlanFilter selects CSR plans.
type PlanFilter struct {
	PartnerID  int64
	FiscalYear int
	State      partnership.PlanState
	AfterID    int64
	Limit      int // 0: all
}

// ListPlans returns plans with their activities, in the order they were submitted.
func ListPlans(ctx context.Context, db bun.IDB, f PlanFilter) ([]*partnership.CSRPlan, error) {
	ps, err := planTable.list(ctx, db, f.AfterID, f.Limit, given("partner_id = ?", f.PartnerID), given("fiscal_year = ?", f.FiscalYear),
		given("state = ?", f.State))
	if err != nil {
		return nil, err
	}
	return withActivities(ctx, db, ps)
}

// --- CSR requests ---

type requestRow struct {
	bun.BaseModel      `bun:"table:csr_requests"`
	ID                 int64 `bun:",pk,autoincrement"`
	Source             string
	ProposalID         *int64
	AccountID          *int64
	Area               string
	WardCode           string
	Amount             int64
	Title              string
	Description        string
	PreferredPartnerID *int64
	State              string
	ClaimedBy          *int64
	ClaimedAt          *time.Time
	CreatedAt          time.Time
	ExpiresAt          time.Time
	Version            int
}

func toRequestRow(q *partnership.CSRRequest) *requestRow {
	return &requestRow{ID: q.ID, Source: q.Source, ProposalID: nullID(q.ProposalID), AccountID: nullID(q.AccountID), Area: q.Area,
		WardCode: q.WardCode, Amount: int64(q.Amount), Title: q.Title, Description: q.Description, PreferredPartnerID: nullID(q.PreferredPartnerID),
		State: string(q.State), ClaimedBy: nullID(q.ClaimedBy), ClaimedAt: q.ClaimedAt, CreatedAt: q.CreatedAt, ExpiresAt: q.ExpiresAt, Version: q.Version}
}

func (r *requestRow) request() *partnership.CSRRequest {
	return &partnership.CSRRequest{ID: r.ID, Source: r.Source, ProposalID: idOrZero(r.ProposalID), AccountID: idOrZero(r.AccountID), Area: r.Area,
		WardCode: r.WardCode, Amount: partnership.Rupiah(r.Amount), Title: r.Title, Description: r.Description,
		PreferredPartnerID: idOrZero(r.PreferredPartnerID), State: partnership.RequestState(r.State), ClaimedBy: idOrZero(r.ClaimedBy),
		ClaimedAt: utcPtr(r.ClaimedAt), CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), Version: r.Version}
}

var requestTable = table[requestRow, *partnership.CSRRequest]{one: "CSR request", many: "CSR requests",
	row: always(toRequestRow), read: always((*requestRow).request), writes: only("area", "state", "claimed_by", "claimed_at"),
	key: func(q *partnership.CSRRequest) (*int64, *int) { return &q.ID, &q.Version }}

// InsertRequest stores a new CSR request. A proposal becomes at most one request.
func InsertRequest(ctx context.Context, db bun.IDB, q *partnership.CSRRequest) error {
	if q.ProposalID != 0 {
		exists, err := db.NewSelect().Model((*requestRow)(nil)).Where("proposal_id = ?", q.ProposalID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("store: unable to check CSR requests: %w", err)
		}
		if exists {
			return fmt.Errorf("%w: proposal %d is already a CSR request", partnership.ErrConflict, q.ProposalID)
		}
	}
	return requestTable.add(ctx, db, q)
}

// ClaimRequest records a claim the domain allowed (q as Claim left it), in
// one conditional UPDATE: only a request still open and unexpired at the
// claim's time is taken, so of concurrent claims exactly one wins; the others
// get a partnership.ClaimedError naming the winner.
func ClaimRequest(ctx context.Context, db bun.IDB, q *partnership.CSRRequest) error {
	if q.ClaimedAt == nil || q.ClaimedBy == 0 {
		return fmt.Errorf("store: CSR request %d is not claimed", q.ID)
	}
	res, err := db.NewUpdate().Model((*requestRow)(nil)).
		Set("state = ?, claimed_by = ?, claimed_at = ?, version = version + 1", partnership.RequestClaimed, q.ClaimedBy, *q.ClaimedAt).
		Where("id = ? AND state = ? AND expires_at > ?", q.ID, partnership.RequestOpen, *q.ClaimedAt).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to claim CSR request %d: %w", q.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		q.Version++
		return nil
	}
	now, err := GetRequest(ctx, db, q.ID)
	if err != nil {
		return err
	}
	if now.ClaimedBy != 0 {
		return &partnership.ClaimedError{Request: q.ID, By: now.ClaimedBy}
	}
	return fmt.Errorf("%w: CSR request %d is %s", partnership.ErrConflict, q.ID, now.State)
}

// RequestFilter selects CSR requests.
type RequestFilter struct {
	State     partnership.RequestState
	Scope     string // wards the scope covers
	Area      string
	AccountID int64     // submitted by one account
	OpenAt    time.Time // with State open: not expired at this time
	// ClaimableBy keeps the requests one of these partners works in (area,
	// and kecamatan when it lists any); with none given, no restriction.
	ClaimableBy []*partnership.Partner
	AfterID     int64
	Limit       int // 0: all
}

// ListRequests returns requests in the order they were made.
func ListRequests(ctx context.Context, db bun.IDB, f RequestFilter) ([]*partnership.CSRRequest, error) {
	return requestTable.list(ctx, db, f.AfterID, f.Limit, given("state = ?", f.State), when(!f.OpenAt.IsZero(), "expires_at > ?", f.OpenAt),
		covering("ward_code", f.Scope), given("area = ?", f.Area), given("account_id = ?", f.AccountID),
		group(len(f.ClaimableBy) > 0, claimableBy(f.ClaimableBy)))
}

// claimableBy keeps the requests one of the partners works in: in one of
// its areas (or none named), and in one of its kecamatan when it lists any.
func claimableBy(partners []*partnership.Partner) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		for _, p := range partners {
			q = q.WhereGroup(" OR ", func(q *bun.SelectQuery) *bun.SelectQuery {
				if len(p.Areas) == 0 {
					q = q.Where("area = ''")
				} else {
					q = q.Where("(area = '' OR area IN (?))", bun.In(p.Areas))
				}
				if len(p.Kecamatan) > 0 {
					q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
						for _, k := range p.Kecamatan {
							q = q.WhereOr("ward_code LIKE ?", k+".%")
						}
						return q
					})
				}
				return q
			})
		}
		return q
	}
}

// ExpirableRequests lists up to limit requests still open whose expiry has passed at now.
func ExpirableRequests(ctx context.Context, db bun.IDB, now time.Time, limit int) ([]*partnership.CSRRequest, error) {
	return requestTable.all(ctx, db, "list expirable CSR requests", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("state = ? AND expires_at <= ?", partnership.RequestOpen, now.UTC()).Order("id").Limit(int64(limit))
	})
}

// --- programmes and contributions ---

type programmeRow struct {
	bun.BaseModel  `bun:"table:programmes"`
	ID             int64 `bun:",pk,autoincrement"`
	Source         string
	PartnerID      *int64
	Area           string
	WardCode       *string
	Title          string
	SectorAgency   string
	FiscalYear     int
	State          string
	Beneficiaries  int
	PlanActivityID *int64
	RequestID      *int64
	IdeaID         *int64
	CreatedAt      time.Time
	Version        int
}

func toProgrammeRow(p *partnership.Programme) *programmeRow {
	r := &programmeRow{ID: p.ID, Source: p.Source, PartnerID: nullID(p.PartnerID), Area: p.Area, Title: p.Title, SectorAgency: p.SectorAgency,
		FiscalYear: p.FiscalYear, State: string(p.State), Beneficiaries: p.Beneficiaries, PlanActivityID: nullID(p.PlanActivityID),
		RequestID: nullID(p.RequestID), IdeaID: nullID(p.IdeaID), CreatedAt: p.CreatedAt, Version: p.Version}
	if p.WardCode != "" {
		w := p.WardCode
		r.WardCode = &w
	}
	return r
}

func (r *programmeRow) programme() *partnership.Programme {
	p := &partnership.Programme{ID: r.ID, Source: r.Source, PartnerID: idOrZero(r.PartnerID), Area: r.Area, Title: r.Title,
		SectorAgency: r.SectorAgency, FiscalYear: r.FiscalYear, State: partnership.ProgrammeState(r.State), Beneficiaries: r.Beneficiaries,
		PlanActivityID: idOrZero(r.PlanActivityID), RequestID: idOrZero(r.RequestID), IdeaID: idOrZero(r.IdeaID), CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
	if r.WardCode != nil {
		p.WardCode = *r.WardCode
	}
	return p
}

var programmeTable = table[programmeRow, *partnership.Programme]{one: "programme", many: "programmes",
	row: always(toProgrammeRow), read: always((*programmeRow).programme), writes: only("sector_agency", "state", "beneficiaries", "title"),
	key: func(p *partnership.Programme) (*int64, *int) { return &p.ID, &p.Version }}

// InsertProgramme stores a new programme and sets its id and version. A plan
// activity, a request and an idea each become at most one programme.
func InsertProgramme(ctx context.Context, db bun.IDB, p *partnership.Programme) error {
	for _, ref := range []struct {
		column string
		id     int64
	}{{"plan_activity_id", p.PlanActivityID}, {"request_id", p.RequestID}, {"idea_id", p.IdeaID}} {
		if ref.id == 0 {
			continue
		}
		var existing int64
		err := db.NewSelect().Model((*programmeRow)(nil)).Column("id").Where("? = ?", bun.Ident(ref.column), ref.id).Scan(ctx, &existing)
		if err == nil {
			return fmt.Errorf("%w: programme %d already follows it up", partnership.ErrConflict, existing)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: unable to check programmes: %w", err)
		}
	}
	return programmeTable.add(ctx, db, p)
}

// ProgrammeFilter selects programmes.
type ProgrammeFilter struct {
	PartnerID  int64
	Area       string
	FiscalYear int
	State      partnership.ProgrammeState
	Source     string
	AfterID    int64
	Limit      int // 0: all
}

// ListProgrammes returns programmes in the order they were made.
func ListProgrammes(ctx context.Context, db bun.IDB, f ProgrammeFilter) ([]*partnership.Programme, error) {
	return programmeTable.list(ctx, db, f.AfterID, f.Limit, given("partner_id = ?", f.PartnerID), given("area = ?", f.Area),
		given("fiscal_year = ?", f.FiscalYear), given("state = ?", f.State), given("source = ?", f.Source))
}

type contributionRow struct {
	bun.BaseModel `bun:"table:contributions"`
	ID            int64 `bun:",pk,autoincrement"`
	ProgrammeID   int64
	Pillar        string
	Kind          string
	Amount        int64
	Quantity      int
	Unit          string
	Description   string
	PartnerID     *int64
	AccountID     *int64
	RecordedAt    time.Time
}

var contributionTable = table[contributionRow, *partnership.Contribution]{row: always(toContributionRow), read: always((*contributionRow).contribution)}

func toContributionRow(c *partnership.Contribution) *contributionRow {
	return &contributionRow{ProgrammeID: c.ProgrammeID, Pillar: string(c.Pillar), Kind: string(c.Kind), Amount: int64(c.Amount),
		Quantity: c.Quantity, Unit: c.Unit, Description: c.Description, PartnerID: nullID(c.PartnerID), AccountID: nullID(c.AccountID),
		RecordedAt: c.RecordedAt}
}

func (r *contributionRow) contribution() *partnership.Contribution {
	return &partnership.Contribution{ID: r.ID, ProgrammeID: r.ProgrammeID, Pillar: partnership.Stakeholder(r.Pillar),
		Kind: partnership.ContributionKind(r.Kind), Amount: partnership.Rupiah(r.Amount), Quantity: r.Quantity, Unit: r.Unit,
		Description: r.Description, PartnerID: idOrZero(r.PartnerID), AccountID: idOrZero(r.AccountID), RecordedAt: r.RecordedAt.UTC()}
}

// InsertContribution adds an entry to a programme's ledger.
func InsertContribution(ctx context.Context, db bun.IDB, c *partnership.Contribution) error {
	return contributionTable.insert(ctx, db, c, &c.ID, "record a contribution")
}

// Contributions lists a programme's ledger in the order it was recorded.
func Contributions(ctx context.Context, db bun.IDB, programmeID int64) ([]*partnership.Contribution, error) {
	return contributionTable.all(ctx, db, fmt.Sprintf("read the contributions of programme %d", programmeID),
		func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("programme_id = ?", programmeID).Order("id") })
}

// CountContributions counts a programme's ledger entries.
func CountContributions(ctx context.Context, db bun.IDB, programmeID int64) (int, error) {
	n, err := db.NewSelect().Model((*contributionRow)(nil)).Where("programme_id = ?", programmeID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count the contributions of programme %d: %w", programmeID, err)
	}
	return int(n), nil
}

// --- ideas ---

type ideaRow struct {
	bun.BaseModel   `bun:"table:ideas"`
	ID              int64 `bun:",pk,autoincrement"`
	Pillar          string
	AccountID       int64
	Title           string
	Body            string
	State           string
	AdoptedIntoType *string
	AdoptedIntoID   *int64
	Reason          string
	MeetingID       *int64
	PostedAt        time.Time
	DecidedAt       *time.Time
	Version         int
}

func toIdeaRow(i *partnership.Idea) *ideaRow {
	r := &ideaRow{ID: i.ID, Pillar: string(i.Pillar), AccountID: i.AccountID, Title: i.Title, Body: i.Body, State: string(i.State),
		AdoptedIntoID: nullID(i.AdoptedIntoID), Reason: i.Reason, MeetingID: nullID(i.MeetingID), PostedAt: i.PostedAt, DecidedAt: i.DecidedAt, Version: i.Version}
	if i.AdoptedIntoType != "" {
		t := i.AdoptedIntoType
		r.AdoptedIntoType = &t
	}
	return r
}

func (r *ideaRow) idea() *partnership.Idea {
	i := &partnership.Idea{ID: r.ID, Pillar: partnership.Stakeholder(r.Pillar), AccountID: r.AccountID, Title: r.Title, Body: r.Body,
		State: partnership.IdeaState(r.State), AdoptedIntoID: idOrZero(r.AdoptedIntoID), Reason: r.Reason, MeetingID: idOrZero(r.MeetingID),
		PostedAt: r.PostedAt.UTC(), DecidedAt: utcPtr(r.DecidedAt), Version: r.Version}
	if r.AdoptedIntoType != nil {
		i.AdoptedIntoType = *r.AdoptedIntoType
	}
	return i
}

var ideaTable = table[ideaRow, *partnership.Idea]{one: "idea", many: "ideas", row: always(toIdeaRow), read: always((*ideaRow).idea),
	writes: only("state", "adopted_into_type", "adopted_into_id", "reason", "meeting_id", "decided_at"),
	key:    func(i *partnership.Idea) (*int64, *int) { return &i.ID, &i.Version }}

// IdeaFilter selects ideas.
type IdeaFilter struct {
	State   partnership.IdeaState
	Pillar  partnership.Stakeholder
	AfterID int64
	Limit   int
}

// ListIdeas returns ideas in the order they were posted.
func ListIdeas(ctx context.Context, db bun.IDB, f IdeaFilter) ([]*partnership.Idea, error) {
	return ideaTable.list(ctx, db, f.AfterID, f.Limit, given("state = ?", f.State), given("pillar = ?", f.Pillar))
}
