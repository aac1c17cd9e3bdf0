package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// The four-pillar workflow over HTTP: partners, the CSR forum, CSR plans,
// CSR requests, programmes with their contributions, innovation ideas. As in
// the two-pillar workflow, each handler parses, lets the domain decide,
// stores and audits in one transaction, and answers with the result.

// --- helpers ---

// may reports whether the caller holds a permission at a scope: for what a
// handler shows or allows beyond the route's own check.
func may(c *fiber.Ctx, p policies.Permission, scope string) bool {
	rr := regionOf(c)
	e, err := rr.enforcer()
	if err != nil {
		return false
	}
	d, err := authz.Authorize(e, rr.principal, p, scope)
	return err == nil && d.Allowed
}

// stakeholderOf is the pillar a role belongs to: companies and universities
// their own, community institutions and residents the community, and every
// office of the region the government.
func stakeholderOf(role policies.Role) partnership.Stakeholder {
	switch role {
	case policies.Company:
		return partnership.StakeholderCompany
	case policies.University:
		return partnership.StakeholderUniversity
	case policies.Resident, policies.InstitutionRW, policies.InstitutionPKK, policies.InstitutionKarangTaruna, policies.InstitutionLPM,
		policies.ForumRW, policies.ForumPKK, policies.ForumKarangTaruna, policies.ForumLPM:
		return partnership.StakeholderCommunity
	case "", policies.Public:
		return ""
	}
	return partnership.StakeholderGovernment
}

// actingPartner is the partner the caller acts for: the one named, which
// must be theirs, or else their only approved partner (of the pillar, when
// one is given). Whether it is approved is for the domain to say.
func actingPartner(ctx context.Context, db bun.IDB, c *fiber.Ctx, id int64, pillar partnership.Stakeholder) (*partnership.Partner, error) {
	me := accountID(c)
	if id != 0 {
		p, err := store.GetPartner(ctx, db, id)
		if errors.Is(err, partnership.ErrNotFound) {
			return nil, partnership.Invalid("partner", "no partner %d", id)
		}
		if err != nil {
			return nil, err
		}
		if p.AccountID != me {
			return nil, fmt.Errorf("%w: partner %d is not yours to act for", partnership.ErrForbidden, id)
		}
		return p, nil
	}
	ps, err := store.ListPartners(ctx, db, store.PartnerFilter{AccountID: me})
	if err != nil {
		return nil, err
	}
	var approved []*partnership.Partner
	for _, p := range ps {
		if p.State == partnership.PartnerApproved && (pillar == "" || p.Kind.Stakeholder() == pillar) {
			approved = append(approved, p)
		}
	}
	switch {
	case len(approved) == 1:
		return approved[0], nil
	case len(approved) > 1:
		return nil, partnership.Invalid("partner", "you act for %d partners; name the one this is for", len(approved))
	case len(ps) > 0:
		return ps[len(ps)-1], nil // not approved: the domain says so
	}
	return nil, fmt.Errorf("%w: you act for no partner of %s; register as one first", partnership.ErrForbidden, regionOf(c).tenant.Region.Name)
}

// approvedPartnersOf lists the approved partners an account acts for.
func approvedPartnersOf(ctx context.Context, db bun.IDB, account int64) ([]*partnership.Partner, error) {
	if account == 0 {
		return nil, nil
	}
	return store.ListPartners(ctx, db, store.PartnerFilter{AccountID: account, State: partnership.PartnerApproved})
}

func intQueryParam(c *fiber.Ctx, name string) (int64, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, partnership.Invalid(name, "a non-negative whole number")
	}
	return n, nil
}

// formDocument reads one uploaded file of a multipart body into a checked
// document; a missing file is refused when required.
func formDocument(c *fiber.Ctx, field, purpose string, required bool, now time.Time) (*partnership.Document, error) {
	fh, err := c.FormFile(field)
	if err != nil {
		if required {
			return nil, partnership.Invalid(field, "required: send a multipart form with the file (PDF, JPEG or PNG, at most 2 MiB)")
		}
		return nil, nil
	}
	return readDocument(fh, field, purpose, now)
}

func readDocument(fh *multipart.FileHeader, field, purpose string, now time.Time) (*partnership.Document, error) {
	if fh.Size > partnership.MaxDocumentSize {
		return nil, partnership.Invalid(field, "the file is %d bytes; at most %d (2 MiB) are accepted", fh.Size, partnership.MaxDocumentSize)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("web: unable to read the upload %s: %w", field, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, partnership.MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("web: unable to read the upload %s: %w", field, err)
	}
	return partnership.NewDocument(field, purpose, fh.Filename, data, now)
}

// formDocuments reads the supporting documents of a multipart body, if any.
func formDocuments(c *fiber.Ctx, field string, now time.Time) ([]*partnership.Document, error) {
	if !strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		return nil, nil // a JSON or plain form body carries no files
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, partnership.Invalid("body", "not a readable multipart form: %v", err)
	}
	files := form.File[field]
	if len(files) > partnership.MaxDocuments {
		return nil, partnership.Invalid(field, "at most %d documents", partnership.MaxDocuments)
	}
	var out []*partnership.Document
	for i, fh := range files {
		d, err := readDocument(fh, fmt.Sprintf("%s.%d", field, i), partnership.PurposeSupporting, now)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

type documentJSON struct {
	ID          int64     `json:"id"`
	Purpose     string    `json:"purpose"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"createdAt"`
}

func documentsOut(ds []*partnership.Document) []documentJSON {
	out := make([]documentJSON, len(ds))
	for i, d := range ds {
		out[i] = documentJSON{ID: d.ID, Purpose: d.Purpose, Name: d.Name, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256, CreatedAt: d.CreatedAt}
	}
	return out
}

// --- partners ---

// partnerStaff reports whether the caller works the registrations: holds partner:review for the region.
func partnerStaff(c *fiber.Ctx) bool { return may(c, policies.PartnerReview, regionOf(c).root) }

type partnerJSON struct {
	ID           int64                       `json:"id"`
	Kind         partnership.PartnerKind     `json:"kind"`
	Name         string                      `json:"name"`
	Areas        []string                    `json:"areas"`
	Kecamatan    []string                    `json:"kecamatan"`
	State        partnership.PartnerState    `json:"state"`
	RegisteredAt time.Time                   `json:"registeredAt"`
	ApprovedAt   *time.Time                  `json:"approvedAt,omitempty"`
	Meeting      int64                       `json:"meeting,omitempty"`
	Reason       string                      `json:"reason,omitempty"`
	DecidedAt    *time.Time                  `json:"decidedAt,omitempty"`
	Review       *partnership.PartnerReview  `json:"review,omitempty"`    // for the secretariat and the partner
	Documents    []documentJSON              `json:"documents,omitempty"` // for the secretariat and the partner
	Decisions    []store.ForumDecisionRecord `json:"decisions,omitempty"`
	Version      int                         `json:"version"`
}

func partnerOut(p *partnership.Partner) partnerJSON {
	return partnerJSON{ID: p.ID, Kind: p.Kind, Name: p.Name, Areas: p.Areas, Kecamatan: p.Kecamatan, State: p.State, RegisteredAt: p.RegisteredAt,
		ApprovedAt: p.ApprovedAt, Meeting: p.MeetingID, Reason: p.Reason, DecidedAt: p.DecidedAt, Version: p.Version}
}

// registerPartner takes a company's or university's registration: a
// multipart form with kind, name, areas and kecamatan (repeated or
// comma-separated), the participationLetter and the proposal.
func registerPartner(c *fiber.Ctx) error {
	var in fourpillar.Registration
	if err := parseBody(c, &in.PartnerInput); err != nil {
		return err
	}
	var err error
	if in.Letter, err = formUpload(c, "participationLetter"); err != nil {
		return err
	}
	if in.Proposal, err = formUpload(c, "proposal"); err != nil {
		return err
	}
	p, docs, err := fourpillar.RegisterPartner(c.UserContext(), realmOf(c), actorOf(c), in)
	if err != nil {
		return err
	}
	out := partnerOut(p)
	out.Documents = documentsOut(docs)
	return c.Status(fiber.StatusCreated).JSON(out)
}

// listPartners lists the approved partners for everyone; the secretariat
// sees every registration (?state=), and ?mine=true lists your own.
func listPartners(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	ps, err := fourpillar.Partners(c.UserContext(), realmOf(c), actorOf(c), fourpillar.PartnerQuery{
		Mine: c.Query("mine") == "true", State: partnership.PartnerState(c.Query("state")), Area: c.Query("area"), After: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(pageOf(ps, limit, partnerOut, func() int64 { return ps[len(ps)-1].ID }))
}

// getPartner shows an approved partner to everyone, with the forum's
// decisions on it; a registration not approved only to the secretariat and
// to the partner, who also see its review and documents.
func getPartner(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	v, err := fourpillar.Partner(c.UserContext(), realmOf(c), actorOf(c), id)
	if err != nil {
		return err
	}
	out := partnerOut(v.Partner)
	if v.Insider {
		out.Review, out.Documents = v.Review, documentsOut(v.Documents)
	}
	out.Decisions = v.Decisions
	return c.JSON(out)
}

// reviewPartner records the secretariat's check of a registration and puts
// it on a forum meeting's agenda.
func reviewPartner(c *fiber.Ctx) error {
	var in partnership.ReviewInput
	if err := parseBody(c, &in); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, err := fourpillar.ReviewPartner(c.UserContext(), realmOf(c), actorOf(c), id, in)
	if err != nil {
		return err
	}
	out := partnerOut(p)
	out.Review = p.Review
	return c.JSON(out)
}

// forumDecisionIn is a decision of the forum at one of its meetings.
type forumDecisionIn struct {
	Meeting  int64  `json:"meeting" form:"meeting"`
	Decision string `json:"decision" form:"decision"`
	Reason   string `json:"reason" form:"reason"`
}

// decidePartner records the forum's decision on a registration; approval
// grants the partner's account the company or university role.
func decidePartner(c *fiber.Ctx) error {
	var in forumDecisionIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, err := fourpillar.DecidePartner(c.UserContext(), realmOf(c), actorOf(c), id, fourpillar.ForumDecision(in))
	if err != nil {
		return err
	}
	return c.JSON(partnerOut(p))
}

// getDocument sends a document to those who may read it (fourpillar.Document).
func getDocument(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	d, err := fourpillar.Document(c.UserContext(), realmOf(c), actorOf(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, d.ContentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, d.Name)))
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(d.Data)
}

// --- the forum ---

type forumAgendaJSON struct {
	Partners []partnerJSON `json:"partners"`
	Plans    []planJSON    `json:"plans"`
	Ideas    []ideaJSON    `json:"ideas"`
}

type forumJSON struct {
	ID          int64                       `json:"id"`
	Year        int                         `json:"year"`
	Quarter     int                         `json:"quarter"`
	ScheduledAt time.Time                   `json:"scheduledAt"`
	Place       string                      `json:"place"`
	State       partnership.ForumState      `json:"state"`
	Attendance  map[string]int              `json:"attendance"`
	Minutes     string                      `json:"minutes,omitempty"`
	ClosedAt    *time.Time                  `json:"closedAt,omitempty"`
	Agenda      *forumAgendaJSON            `json:"agenda,omitempty"`
	Decisions   []store.ForumDecisionRecord `json:"decisions,omitempty"`
	Version     int                         `json:"version"`
}

func forumOut(m *partnership.ForumMeeting) forumJSON {
	att := make(map[string]int, len(m.Attendance))
	for s, n := range m.Attendance {
		att[string(s)] = n
	}
	return forumJSON{ID: m.ID, Year: m.Year, Quarter: m.Quarter, ScheduledAt: m.ScheduledAt, Place: m.Place, State: m.State,
		Attendance: att, Minutes: m.Minutes, ClosedAt: m.ClosedAt, Version: m.Version}
}

func scheduleForum(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.ForumMeetingInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var m *partnership.ForumMeeting
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			n, err := store.CountForumMeetings(ctx, tx, in.Year, in.Quarter)
			if err != nil {
				return record{}, err
			}
			if m, err = rr.tenant.Region.ScheduleForum(in, n, o.now()); err != nil {
				return record{}, err
			}
			if err := store.InsertForumMeeting(ctx, tx, m); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.ForumMeet), ObjectType: "forum-meeting", ObjectID: strconv.FormatInt(m.ID, 10),
				After: map[string]any{"year": m.Year, "quarter": m.Quarter, "scheduledAt": m.ScheduledAt, "place": m.Place, "state": m.State}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(forumOut(m))
	}
}

func listForumMeetings(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	year, err := intQueryParam(c, "year")
	if err != nil {
		return err
	}
	ms, err := store.ListForumMeetings(c.UserContext(), regionOf(c).db, store.ForumFilter{Year: int(year), State: partnership.ForumState(c.Query("state")), AfterID: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(pageOf(ms, limit, forumOut, func() int64 { return ms[len(ms)-1].ID }))
}

// getForumMeeting shows a meeting with its decisions and minutes, and, until
// it is closed, its agenda: the registrations put on it, the aligned plans
// and the posted ideas waiting for the forum.
func getForumMeeting(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, db := c.UserContext(), regionOf(c).db
	m, err := store.GetForumMeeting(ctx, db, id)
	if err != nil {
		return err
	}
	out := forumOut(m)
	if m.State != partnership.ForumClosed {
		a := &forumAgendaJSON{Partners: []partnerJSON{}, Plans: []planJSON{}, Ideas: []ideaJSON{}}
		ps, err := store.ListPartners(ctx, db, store.PartnerFilter{State: partnership.PartnerReviewed, Meeting: m.ID})
		if err != nil {
			return err
		}
		for _, p := range ps {
			a.Partners = append(a.Partners, partnerJSON{ID: p.ID, Kind: p.Kind, Name: p.Name, Areas: p.Areas, Kecamatan: p.Kecamatan, State: p.State, RegisteredAt: p.RegisteredAt})
		}
		plans, err := store.ListPlans(ctx, db, store.PlanFilter{State: partnership.PlanAligned, Limit: 200})
		if err != nil {
			return err
		}
		for _, p := range plans {
			a.Plans = append(a.Plans, planOut(p))
		}
		ideas, err := store.ListIdeas(ctx, db, store.IdeaFilter{State: partnership.IdeaPosted, Limit: 200})
		if err != nil {
			return err
		}
		for _, i := range ideas {
			a.Ideas = append(a.Ideas, ideaOut(i))
		}
		out.Agenda = a
	}
	if out.Decisions, err = store.ForumDecisions(ctx, db, m.ID, "", 0); err != nil {
		return err
	}
	return c.JSON(out)
}

type forumAttendanceIn struct {
	Attendance map[string]int `json:"attendance"`
}

// holdForum records attendance by pillar and opens the meeting for decisions.
func holdForum(c *fiber.Ctx) error {
	var in forumAttendanceIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	att := make(map[partnership.Stakeholder]int, len(in.Attendance))
	for k, n := range in.Attendance {
		att[partnership.Stakeholder(k)] = n
	}
	var m *partnership.ForumMeeting
	err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
		if m, err = store.GetForumMeeting(ctx, tx, id); err != nil {
			return record{}, err
		}
		before := map[string]any{"state": m.State, "attendance": m.Attendance}
		if err := m.HoldForum(att); err != nil {
			return record{}, err
		}
		if err := store.UpdateForumMeeting(ctx, tx, m); err != nil {
			return record{}, err
		}
		return record{Action: string(policies.ForumMeet), ObjectType: "forum-meeting", ObjectID: strconv.FormatInt(m.ID, 10),
			Before: before, After: map[string]any{"state": m.State, "attendance": m.Attendance}, Public: true}, nil
	})
	if err != nil {
		return err
	}
	return c.JSON(forumOut(m))
}

// closeForum publishes the minutes; the meeting and its decisions become immutable.
func closeForum(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in minutesIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var m *partnership.ForumMeeting
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if m, err = store.GetForumMeeting(ctx, tx, id); err != nil {
				return record{}, err
			}
			undecided, err := store.ListPartners(ctx, tx, store.PartnerFilter{State: partnership.PartnerReviewed, Meeting: m.ID})
			if err != nil {
				return record{}, err
			}
			before := m.State
			if err := m.Close(in.Minutes, len(undecided), o.now()); err != nil {
				return record{}, err
			}
			if err := store.UpdateForumMeeting(ctx, tx, m); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.ForumMeet), ObjectType: "forum-meeting", ObjectID: strconv.FormatInt(m.ID, 10),
				Before: map[string]any{"state": before}, After: map[string]any{"state": m.State, "minutes": m.Minutes}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(forumOut(m))
	}
}

// --- CSR plans ---

type activityJSON struct {
	ID            int64                 `json:"id"`
	Title         string                `json:"title"`
	Location      string                `json:"location"`
	Area          string                `json:"area"`
	Target        string                `json:"target"`
	Goal          string                `json:"goal"`
	Financing     partnership.Rupiah    `json:"financing"`
	AlignedArea   string                `json:"alignedArea,omitempty"`
	AlignedTarget string                `json:"alignedTarget,omitempty"`
	Alignment     partnership.Alignment `json:"alignment,omitempty"`
}

// scoreJSON is a share in basis points and as a percentage.
type scoreJSON struct {
	BasisPoints int64  `json:"basisPoints"`
	Percent     string `json:"percent"`
}

type alignmentJSON struct {
	partnership.AlignmentScore
	// Score is the share of the plan's financing in aligned activities; null
	// for a plan with no financing.
	Score *scoreJSON `json:"score"`
}

type planJSON struct {
	ID              int64                 `json:"id"`
	Partner         int64                 `json:"partner"`
	FiscalYear      int                   `json:"fiscalYear"`
	BoardApprovedAt time.Time             `json:"boardApprovedAt"`
	SubmittedAt     time.Time             `json:"submittedAt"`
	DueAt           time.Time             `json:"dueAt"`
	Late            bool                  `json:"late"`
	State           partnership.PlanState `json:"state"`
	Reason          string                `json:"reason,omitempty"`
	Meeting         int64                 `json:"meeting,omitempty"`
	DecidedAt       *time.Time            `json:"decidedAt,omitempty"`
	Activities      []activityJSON        `json:"activities"`
	Alignment       alignmentJSON         `json:"alignment"`
	Version         int                   `json:"version"`
}

func planOut(p *partnership.CSRPlan) planJSON {
	out := planJSON{ID: p.ID, Partner: p.PartnerID, FiscalYear: p.FiscalYear, BoardApprovedAt: p.BoardApprovedAt, SubmittedAt: p.SubmittedAt,
		DueAt: p.DueAt, Late: p.Late, State: p.State, Reason: p.Reason, Meeting: p.MeetingID, DecidedAt: p.DecidedAt,
		Activities: make([]activityJSON, len(p.Activities)), Version: p.Version}
	for i, a := range p.Activities {
		out.Activities[i] = activityJSON{ID: a.ID, Title: a.Title, Location: a.Location, Area: a.Area, Target: a.Target, Goal: a.Goal,
			Financing: a.Financing, AlignedArea: a.AlignedArea, AlignedTarget: a.AlignedTarget, Alignment: a.Alignment}
	}
	s := p.Score()
	out.Alignment = alignmentJSON{AlignmentScore: s}
	if s.Share.Defined {
		out.Alignment.Score = &scoreJSON{BasisPoints: s.Share.Value, Percent: s.Share.String()}
	}
	return out
}

func planImage(p *partnership.CSRPlan) map[string]any {
	s := p.Score()
	return map[string]any{"partner": p.PartnerID, "fiscalYear": p.FiscalYear, "state": p.State, "late": p.Late, "dueAt": p.DueAt,
		"activities": len(p.Activities), "financing": s.Total, "aligned": s.Aligned, "reason": p.Reason, "version": p.Version}
}

// submitPlan takes an approved partner's annual plan; only the partner's own account submits it.
func submitPlan(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.PlanInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var plan *partnership.CSRPlan
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			p, err := actingPartner(ctx, tx, c, in.Partner, "")
			if err != nil {
				return record{}, err
			}
			if plan, err = rr.tenant.Region.SubmitPlan(p, in, o.now()); err != nil {
				return record{}, err
			}
			if err := store.InsertPlan(ctx, tx, plan); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.CSRPlanSubmit), ObjectType: "csr-plan", ObjectID: strconv.FormatInt(plan.ID, 10), After: planImage(plan), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(planOut(plan))
	}
}

// revisePlan submits a plan the forum sent back again, with new activities.
func revisePlan(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.PlanInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var plan *partnership.CSRPlan
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if plan, err = store.GetPlan(ctx, tx, id); err != nil {
				return record{}, err
			}
			p, err := actingPartner(ctx, tx, c, plan.PartnerID, "")
			if err != nil {
				return record{}, err
			}
			before := planImage(plan)
			if err := rr.tenant.Region.RevisePlan(plan, p, in, o.now()); err != nil {
				return record{}, err
			}
			if err := store.ReplacePlanActivities(ctx, tx, plan); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.CSRPlanSubmit), ObjectType: "csr-plan", ObjectID: strconv.FormatInt(plan.ID, 10), Before: before, After: planImage(plan), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(planOut(plan))
	}
}

func listPlans(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	partner, err := intQueryParam(c, "partner")
	if err != nil {
		return err
	}
	year, err := intQueryParam(c, "fiscalYear")
	if err != nil {
		return err
	}
	ps, err := store.ListPlans(c.UserContext(), regionOf(c).db, store.PlanFilter{PartnerID: partner, FiscalYear: int(year),
		State: partnership.PlanState(c.Query("state")), AfterID: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(pageOf(ps, limit, planOut, func() int64 { return ps[len(ps)-1].ID }))
}

func getPlan(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, err := store.GetPlan(c.UserContext(), regionOf(c).db, id)
	if err != nil {
		return err
	}
	return c.JSON(planOut(p))
}

// notOwnPlan refuses anyone acting on their own partner's plan: a company
// never aligns or approves its own plan, whatever roles it holds.
func notOwnPlan(ctx context.Context, tx bun.Tx, c *fiber.Ctx, plan *partnership.CSRPlan) error {
	p, err := store.GetPartner(ctx, tx, plan.PartnerID)
	if err != nil {
		return err
	}
	if p.AccountID != 0 && p.AccountID == accountID(c) {
		return fmt.Errorf("%w: a partner never aligns or approves its own plan", partnership.ErrForbidden)
	}
	return nil
}

type alignmentIn struct {
	Activities []partnership.AlignmentInput `json:"activities"`
}

// alignPlan records the secretariat's alignment of every activity of a plan.
func alignPlan(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in alignmentIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var plan *partnership.CSRPlan
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if plan, err = store.GetPlan(ctx, tx, id); err != nil {
				return record{}, err
			}
			if err := notOwnPlan(ctx, tx, c, plan); err != nil {
				return record{}, err
			}
			before := planImage(plan)
			if err := rr.tenant.Region.AlignPlan(plan, in.Activities); err != nil {
				return record{}, err
			}
			if err := store.UpdatePlan(ctx, tx, plan); err != nil {
				return record{}, err
			}
			after := planImage(plan)
			after["score"] = plan.Score().Share.Value
			return record{Action: string(policies.CSRPlanAlign), ObjectType: "csr-plan", ObjectID: strconv.FormatInt(plan.ID, 10), Before: before, After: after, Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(planOut(plan))
	}
}

// decidePlan records the forum's approval of a plan, or its request for revision.
func decidePlan(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in forumDecisionIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var plan *partnership.CSRPlan
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if plan, err = store.GetPlan(ctx, tx, id); err != nil {
				return record{}, err
			}
			m, err := heldMeeting(ctx, tx, in.Meeting)
			if err != nil {
				return record{}, err
			}
			if err := notOwnPlan(ctx, tx, c, plan); err != nil {
				return record{}, err
			}
			before, now := planImage(plan), o.now()
			if err := plan.DecidePlan(m, in.Decision, in.Reason, now); err != nil {
				return record{}, err
			}
			if err := store.UpdatePlan(ctx, tx, plan); err != nil {
				return record{}, err
			}
			if err := minute(ctx, tx, c, m, partnership.SubjectPlan, plan.ID, in.Decision, plan.Reason, now); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.CSRPlanApprove), ObjectType: "csr-plan", ObjectID: strconv.FormatInt(plan.ID, 10), Before: before, After: planImage(plan), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(planOut(plan))
	}
}

// --- CSR requests ---

type requestJSON struct {
	ID               int64                    `json:"id"`
	Source           string                   `json:"source"`
	Proposal         int64                    `json:"proposal,omitempty"`
	Area             string                   `json:"area"` // "" when the Musrenbang named none
	Ward             string                   `json:"ward"`
	Amount           partnership.Rupiah       `json:"amount"`
	Title            string                   `json:"title"`
	Description      string                   `json:"description"`
	PreferredPartner int64                    `json:"preferredPartner,omitempty"`
	State            partnership.RequestState `json:"state"`
	ClaimedBy        int64                    `json:"claimedBy,omitempty"`
	ClaimedAt        *time.Time               `json:"claimedAt,omitempty"`
	CreatedAt        time.Time                `json:"createdAt"`
	ExpiresAt        time.Time                `json:"expiresAt"`
	Documents        []documentJSON           `json:"documents,omitempty"`
	Version          int                      `json:"version"`
}

// requestOut leaves out who submitted a request: partners answer the need, not the person.
func requestOut(q *partnership.CSRRequest) requestJSON {
	return requestJSON{ID: q.ID, Source: q.Source, Proposal: q.ProposalID, Area: q.Area, Ward: q.WardCode, Amount: q.Amount, Title: q.Title,
		Description: q.Description, PreferredPartner: q.PreferredPartnerID, State: q.State, ClaimedBy: q.ClaimedBy, ClaimedAt: q.ClaimedAt,
		CreatedAt: q.CreatedAt, ExpiresAt: q.ExpiresAt, Version: q.Version}
}

func requestImage(q *partnership.CSRRequest) map[string]any {
	return map[string]any{"source": q.Source, "proposal": q.ProposalID, "area": q.Area, "ward": q.WardCode, "amount": q.Amount,
		"state": q.State, "claimedBy": q.ClaimedBy, "expiresAt": q.ExpiresAt, "version": q.Version}
}

// newRequestScope is the ward a CSR request is submitted for.
func newRequestScope(c *fiber.Ctx) (string, error) {
	var in struct {
		Ward string `json:"ward" form:"ward"`
	}
	if err := parseBody(c, &in); err != nil {
		return "", err
	}
	rr := regionOf(c)
	if rr.tenant.Region.ScopeLevel(in.Ward) != "ward" {
		return "", partnership.Invalid("ward", "%q is not a ward of %s", in.Ward, rr.tenant.Region.Name)
	}
	return in.Ward, nil
}

var requestScope = objectScope(store.GetRequest, func(q *partnership.CSRRequest) string { return q.WardCode })

// mayReadRequestDocuments: whoever submitted the request, the forum
// secretariat, and the approved partners who may claim it or claimed it.
func mayReadRequestDocuments(ctx context.Context, db bun.IDB, c *fiber.Ctx, q *partnership.CSRRequest) (bool, error) {
	me := accountID(c)
	if me != 0 && q.AccountID == me || partnerStaff(c) {
		return true, nil
	}
	ps, err := approvedPartnersOf(ctx, db, me)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.ID == q.ClaimedBy || q.State == partnership.RequestOpen && p.WorksIn(q.Area, q.WardCode) {
			return true, nil
		}
	}
	return false, nil
}

// submitRequest takes a resident's or community's CSR request: JSON, or a
// multipart form with up to five documents.
func submitRequest(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.CSRRequestInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		now := o.now()
		source := partnership.SourceCommunity
		if rr.decision.Role == policies.Resident {
			source = partnership.SourceResident
		}
		docs, err := formDocuments(c, "documents", now)
		if err != nil {
			return err
		}
		var q *partnership.CSRRequest
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var preferred *partnership.Partner
			if in.PreferredPartner != 0 {
				p, err := store.GetPartner(ctx, tx, in.PreferredPartner)
				if err != nil && !errors.Is(err, partnership.ErrNotFound) {
					return record{}, err
				}
				preferred = p
			}
			var err error
			if q, err = rr.tenant.Region.NewCSRRequest(in, source, accountID(c), preferred, now); err != nil {
				return record{}, err
			}
			if err := store.InsertRequest(ctx, tx, q); err != nil {
				return record{}, err
			}
			images, err := attach(ctx, tx, "csr-request", q.ID, docs)
			if err != nil {
				return record{}, err
			}
			after := requestImage(q)
			after["documents"] = images
			return record{Action: string(policies.CSRRequestSubmit), ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10), After: after, Public: true}, nil
		})
		if err != nil {
			return err
		}
		out := requestOut(q)
		out.Documents = documentsOut(docs)
		return c.Status(fiber.StatusCreated).JSON(out)
	}
}

// csrRequestFromProposal makes the CSR request a two-pillar proposal becomes
// when a kecamatan Musrenbang decides "csr", in the decision's transaction and
// audited beside it. The decision may name the request's priority area
// ("area"); without one, partners of every area in its kecamatan may claim it.
func csrRequestFromProposal(ctx context.Context, tx bun.Tx, c *fiber.Ctx, p *partnership.Proposal, now time.Time) error {
	var in struct {
		Area string `json:"area" form:"area"`
	}
	if err := parseBody(c, &in); err != nil {
		return err
	}
	q, err := regionOf(c).tenant.Region.CSRRequestFromProposal(p, in.Area, now)
	if err != nil {
		return err
	}
	if err := store.InsertRequest(ctx, tx, q); err != nil {
		return err
	}
	// Submitted on the Musrenbang's behalf: the entry's decision names the
	// musrenbang:decide that allowed it.
	return auditAlso(ctx, tx, c, record{Action: string(policies.CSRRequestSubmit), ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10),
		After: requestImage(q), Public: true})
}

// listRequests lists CSR requests by ?state=, ?area=, ?scope= (a kecamatan
// or ward) and ?mine=true. Open requests are those not expired yet; for a
// caller acting for approved partners, ?state=open lists the ones its
// partners may claim (?claimable=false lists them all).
func listRequests(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		after, limit, err := pageParams(c)
		if err != nil {
			return err
		}
		rr := regionOf(c)
		ctx := c.UserContext()
		f := store.RequestFilter{State: partnership.RequestState(c.Query("state")), Area: c.Query("area"), AfterID: after, Limit: limit}
		if s := c.Query("scope"); s != "" {
			if f.Scope, err = queryScope(c); err != nil {
				return err
			}
		}
		if c.Query("mine") == "true" {
			if f.AccountID = accountID(c); f.AccountID == 0 {
				return fmt.Errorf("%w: sign in to list your requests", partnership.ErrUnauthenticated)
			}
		}
		if f.State == partnership.RequestOpen {
			f.OpenAt = o.now()
			if c.Query("claimable") != "false" {
				if f.ClaimableBy, err = approvedPartnersOf(ctx, rr.db, accountID(c)); err != nil {
					return err
				}
			}
		}
		qs, err := store.ListRequests(ctx, rr.db, f)
		if err != nil {
			return err
		}
		return c.JSON(pageOf(qs, limit, requestOut, func() int64 { return qs[len(qs)-1].ID }))
	}
}

func getRequest(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, db := c.UserContext(), regionOf(c).db
	q, err := store.GetRequest(ctx, db, id)
	if err != nil {
		return err
	}
	out := requestOut(q)
	ok, err := mayReadRequestDocuments(ctx, db, c, q)
	if err != nil {
		return err
	}
	if ok {
		ds, err := store.Documents(ctx, db, "csr-request", q.ID)
		if err != nil {
			return err
		}
		out.Documents = documentsOut(ds)
	}
	return c.JSON(out)
}

type claimIn struct {
	Partner int64 `json:"partner,omitempty" form:"partner"` // when the account acts for several
}

// claimRequest takes an open request for the caller's approved partner
// working in its area and kecamatan. Of concurrent claims exactly one wins;
// the others are told who did.
func claimRequest(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in claimIn
		if len(c.Body()) > 0 {
			if err := parseBody(c, &in); err != nil {
				return err
			}
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var q *partnership.CSRRequest
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if q, err = store.GetRequest(ctx, tx, id); err != nil {
				return record{}, err
			}
			p, err := actingPartner(ctx, tx, c, in.Partner, "")
			if err != nil {
				return record{}, err
			}
			before := requestImage(q)
			if err := q.Claim(p, o.now()); err != nil {
				return record{}, err
			}
			if err := store.ClaimRequest(ctx, tx, q); err != nil {
				return record{}, err
			}
			after := requestImage(q)
			after["partnerName"] = p.Name
			return record{Action: string(policies.CSRRequestClaim), ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10), Before: before, After: after, Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(requestOut(q))
	}
}

// withdrawRequest takes back an open request; only whoever submitted it may.
func withdrawRequest(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var q *partnership.CSRRequest
	err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
		if q, err = store.GetRequest(ctx, tx, id); err != nil {
			return record{}, err
		}
		before := requestImage(q)
		if err := q.Withdraw(accountID(c)); err != nil {
			return record{}, err
		}
		if err := store.UpdateRequest(ctx, tx, q); err != nil {
			return record{}, err
		}
		return record{Action: string(policies.CSRRequestSubmit), ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10), Before: before, After: requestImage(q), Public: true}, nil
	})
	if err != nil {
		return err
	}
	return c.JSON(requestOut(q))
}

// --- programmes ---

type contributionJSON struct {
	ID          int64                        `json:"id"`
	Pillar      partnership.Stakeholder      `json:"pillar"`
	Kind        partnership.ContributionKind `json:"kind"`
	Amount      partnership.Rupiah           `json:"amount"`
	Quantity    int                          `json:"quantity,omitempty"`
	Unit        string                       `json:"unit,omitempty"`
	Description string                       `json:"description"`
	Partner     int64                        `json:"partner,omitempty"`
	RecordedAt  time.Time                    `json:"recordedAt"`
}

func contributionOut(c *partnership.Contribution) contributionJSON {
	return contributionJSON{ID: c.ID, Pillar: c.Pillar, Kind: c.Kind, Amount: c.Amount, Quantity: c.Quantity, Unit: c.Unit,
		Description: c.Description, Partner: c.PartnerID, RecordedAt: c.RecordedAt}
}

type ledgerJSON struct {
	ByPillar map[string]partnership.LedgerLine `json:"byPillar"`
	Total    partnership.LedgerLine            `json:"total"`
}

type programmeJSON struct {
	ID            int64                      `json:"id"`
	Source        string                     `json:"source"`
	Partner       int64                      `json:"partner,omitempty"`
	Area          string                     `json:"area"`
	Ward          string                     `json:"ward,omitempty"`
	Title         string                     `json:"title"`
	SectorAgency  string                     `json:"sectorAgency"`
	FiscalYear    int                        `json:"fiscalYear"`
	State         partnership.ProgrammeState `json:"state"`
	Beneficiaries int                        `json:"beneficiaries"`
	PlanActivity  int64                      `json:"planActivity,omitempty"`
	Request       int64                      `json:"request,omitempty"`
	Idea          int64                      `json:"idea,omitempty"`
	CreatedAt     time.Time                  `json:"createdAt"`
	Ledger        *ledgerJSON                `json:"ledger,omitempty"`
	Contributions []contributionJSON         `json:"contributions,omitempty"`
	Version       int                        `json:"version"`
}

func programmeOut(p *partnership.Programme) programmeJSON {
	return programmeJSON{ID: p.ID, Source: p.Source, Partner: p.PartnerID, Area: p.Area, Ward: p.WardCode, Title: p.Title, SectorAgency: p.SectorAgency,
		FiscalYear: p.FiscalYear, State: p.State, Beneficiaries: p.Beneficiaries, PlanActivity: p.PlanActivityID, Request: p.RequestID, Idea: p.IdeaID,
		CreatedAt: p.CreatedAt, Version: p.Version}
}

func programmeImage(p *partnership.Programme) map[string]any {
	return map[string]any{"source": p.Source, "partner": p.PartnerID, "area": p.Area, "ward": p.WardCode, "sectorAgency": p.SectorAgency,
		"fiscalYear": p.FiscalYear, "state": p.State, "beneficiaries": p.Beneficiaries, "version": p.Version}
}

// programmeScope is a programme's ward, or the whole region for a programme without one.
var programmeScope = objectScope(store.GetProgramme, func(p *partnership.Programme) string { return p.WardCode })

// createProgramme makes a programme of an approved plan's activity or of a
// claimed request, assigned to the sector agency that follows it up.
func createProgramme(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.ProgrammeInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var prog *partnership.Programme
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			now := o.now()
			switch in.Source {
			case partnership.FromPlan:
				plan, err := store.PlanOfActivity(ctx, tx, in.Activity)
				if errors.Is(err, partnership.ErrNotFound) {
					return record{}, partnership.Invalid("activity", "no plan activity %d", in.Activity)
				} else if err != nil {
					return record{}, err
				}
				if prog, err = rr.tenant.Region.ProgrammeFromActivity(plan, in.Activity, in, now); err != nil {
					return record{}, err
				}
			case partnership.FromRequest:
				q, err := store.GetRequest(ctx, tx, in.Request)
				if errors.Is(err, partnership.ErrNotFound) {
					return record{}, partnership.Invalid("request", "no CSR request %d", in.Request)
				} else if err != nil {
					return record{}, err
				}
				before := requestImage(q)
				if prog, err = rr.tenant.Region.ProgrammeFromRequest(q, in, now); err != nil {
					return record{}, err
				}
				if err := store.UpdateRequest(ctx, tx, q); err != nil {
					return record{}, err
				}
				if err := auditAlso(ctx, tx, c, record{Action: string(policies.ProgrammeManage), ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10),
					Before: before, After: requestImage(q), Public: true}); err != nil {
					return record{}, err
				}
			default:
				return record{}, partnership.Invalid("source", "plan (with activity) or request (with request)")
			}
			if err := store.InsertProgramme(ctx, tx, prog); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.ProgrammeManage), ObjectType: "programme", ObjectID: strconv.FormatInt(prog.ID, 10), After: programmeImage(prog), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(programmeOut(prog))
	}
}

func listProgrammes(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	partner, err := intQueryParam(c, "partner")
	if err != nil {
		return err
	}
	year, err := intQueryParam(c, "fiscalYear")
	if err != nil {
		return err
	}
	ps, err := store.ListProgrammes(c.UserContext(), regionOf(c).db, store.ProgrammeFilter{PartnerID: partner, Area: c.Query("area"),
		FiscalYear: int(year), State: partnership.ProgrammeState(c.Query("state")), Source: c.Query("source"), AfterID: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(pageOf(ps, limit, programmeOut, func() int64 { return ps[len(ps)-1].ID }))
}

// getProgramme shows a programme with its contributions ledger, summed per
// pillar in whole rupiah.
func getProgramme(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, db := c.UserContext(), regionOf(c).db
	p, err := store.GetProgramme(ctx, db, id)
	if err != nil {
		return err
	}
	cs, err := store.Contributions(ctx, db, p.ID)
	if err != nil {
		return err
	}
	out := programmeOut(p)
	by, total := partnership.Ledger(cs)
	out.Ledger = &ledgerJSON{ByPillar: make(map[string]partnership.LedgerLine, len(by)), Total: total}
	for s, l := range by {
		out.Ledger.ByPillar[string(s)] = l
	}
	out.Contributions = make([]contributionJSON, len(cs))
	for i, c := range cs {
		out.Contributions[i] = contributionOut(c)
	}
	return c.JSON(out)
}

// changeProgramme reassigns a programme's sector agency, updates its
// beneficiaries, or completes or cancels it.
func changeProgramme(c *fiber.Ctx) error {
	var in partnership.ProgrammeChange
	if err := parseBody(c, &in); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var p *partnership.Programme
	err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
		if p, err = store.GetProgramme(ctx, tx, id); err != nil {
			return record{}, err
		}
		before := programmeImage(p)
		if err := p.Change(in); err != nil {
			return record{}, err
		}
		if err := store.UpdateProgramme(ctx, tx, p); err != nil {
			return record{}, err
		}
		return record{Action: string(policies.ProgrammeManage), ObjectType: "programme", ObjectID: strconv.FormatInt(p.ID, 10), Before: before, After: programmeImage(p), Public: true}, nil
	})
	if err != nil {
		return err
	}
	return c.JSON(programmeOut(p))
}

// contribute records a contribution to a programme in the caller's pillar,
// the pillar of the role that allowed it: a company or university as its
// approved partner.
func contribute(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.ContributionInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		pillar := stakeholderOf(rr.decision.Role)
		var contrib *partnership.Contribution
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			p, err := store.GetProgramme(ctx, tx, id)
			if err != nil {
				return record{}, err
			}
			var partner *partnership.Partner
			if pillar == partnership.StakeholderCompany || pillar == partnership.StakeholderUniversity {
				if partner, err = actingPartner(ctx, tx, c, in.Partner, pillar); err != nil {
					return record{}, err
				}
			}
			n, err := store.CountContributions(ctx, tx, p.ID)
			if err != nil {
				return record{}, err
			}
			if contrib, err = p.Contribute(pillar, in, partner, accountID(c), n, o.now()); err != nil {
				return record{}, err
			}
			if err := store.InsertContribution(ctx, tx, contrib); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.ProgrammeContribute), ObjectType: "programme", ObjectID: strconv.FormatInt(p.ID, 10),
				After: map[string]any{"contribution": contrib.ID, "pillar": contrib.Pillar, "kind": contrib.Kind, "amount": contrib.Amount,
					"quantity": contrib.Quantity, "unit": contrib.Unit, "partner": contrib.PartnerID}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(contributionOut(contrib))
	}
}

// --- ideas ---

type adoptedJSON struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

type ideaJSON struct {
	ID          int64                   `json:"id"`
	Pillar      partnership.Stakeholder `json:"pillar"`
	Title       string                  `json:"title"`
	Body        string                  `json:"body"`
	State       partnership.IdeaState   `json:"state"`
	AdoptedInto *adoptedJSON            `json:"adoptedInto,omitempty"`
	Reason      string                  `json:"reason,omitempty"`
	Meeting     int64                   `json:"meeting,omitempty"`
	PostedAt    time.Time               `json:"postedAt"`
	DecidedAt   *time.Time              `json:"decidedAt,omitempty"`
	Version     int                     `json:"version"`
}

// ideaOut names the idea's pillar, not the person who posted it.
func ideaOut(i *partnership.Idea) ideaJSON {
	out := ideaJSON{ID: i.ID, Pillar: i.Pillar, Title: i.Title, Body: i.Body, State: i.State, Reason: i.Reason, Meeting: i.MeetingID,
		PostedAt: i.PostedAt, DecidedAt: i.DecidedAt, Version: i.Version}
	if i.AdoptedIntoType != "" {
		out.AdoptedInto = &adoptedJSON{Type: i.AdoptedIntoType, ID: i.AdoptedIntoID}
	}
	return out
}

func ideaImage(i *partnership.Idea) map[string]any {
	return map[string]any{"pillar": i.Pillar, "title": i.Title, "state": i.State, "adoptedIntoType": i.AdoptedIntoType,
		"adoptedIntoId": i.AdoptedIntoID, "reason": i.Reason, "meeting": i.MeetingID, "version": i.Version}
}

func postIdea(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.IdeaInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		i, err := rr.tenant.Region.PostIdea(in, stakeholderOf(rr.decision.Role), accountID(c), o.now())
		if err != nil {
			return err
		}
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if err := store.InsertIdea(ctx, tx, i); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.IdeaPost), ObjectType: "idea", ObjectID: strconv.FormatInt(i.ID, 10), After: ideaImage(i), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(ideaOut(i))
	}
}

func listIdeas(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	is, err := store.ListIdeas(c.UserContext(), regionOf(c).db, store.IdeaFilter{State: partnership.IdeaState(c.Query("state")),
		Pillar: partnership.Stakeholder(c.Query("pillar")), AfterID: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(pageOf(is, limit, ideaOut, func() int64 { return is[len(is)-1].ID }))
}

func getIdea(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	i, err := store.GetIdea(c.UserContext(), regionOf(c).db, id)
	if err != nil {
		return err
	}
	return c.JSON(ideaOut(i))
}

// adoptIdea adopts an idea at a held forum meeting into a programme or a CSR
// request, made in the same transaction.
func adoptIdea(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.AdoptionInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var i *partnership.Idea
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if i, err = store.GetIdea(ctx, tx, id); err != nil {
				return record{}, err
			}
			m, err := heldMeeting(ctx, tx, in.Meeting)
			if err != nil {
				return record{}, err
			}
			before, now := ideaImage(i), o.now()
			prog, q, err := rr.tenant.Region.AdoptIdea(i, m, in, now)
			if err != nil {
				return record{}, err
			}
			var made record
			if prog != nil {
				if err := store.InsertProgramme(ctx, tx, prog); err != nil {
					return record{}, err
				}
				i.Adopted(m, partnership.IntoProgramme, prog.ID, now)
				made = record{ObjectType: "programme", ObjectID: strconv.FormatInt(prog.ID, 10), After: programmeImage(prog)}
			} else {
				if err := store.InsertRequest(ctx, tx, q); err != nil {
					return record{}, err
				}
				i.Adopted(m, partnership.IntoRequest, q.ID, now)
				made = record{ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10), After: requestImage(q)}
			}
			made.Action, made.Public = string(policies.IdeaAdopt), true
			if err := auditAlso(ctx, tx, c, made); err != nil {
				return record{}, err
			}
			if err := store.UpdateIdea(ctx, tx, i); err != nil {
				return record{}, err
			}
			if err := minute(ctx, tx, c, m, partnership.SubjectIdea, i.ID, partnership.DecideAdopt, "", now); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.IdeaAdopt), ObjectType: "idea", ObjectID: strconv.FormatInt(i.ID, 10), Before: before, After: ideaImage(i), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(ideaOut(i))
	}
}

type declineIn struct {
	Meeting int64  `json:"meeting" form:"meeting"`
	Reason  string `json:"reason" form:"reason"`
}

// declineIdea declines an idea at a held forum meeting, with a reason.
func declineIdea(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in declineIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var i *partnership.Idea
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if i, err = store.GetIdea(ctx, tx, id); err != nil {
				return record{}, err
			}
			m, err := heldMeeting(ctx, tx, in.Meeting)
			if err != nil {
				return record{}, err
			}
			before, now := ideaImage(i), o.now()
			if err := i.DeclineIdea(m, in.Reason, now); err != nil {
				return record{}, err
			}
			if err := store.UpdateIdea(ctx, tx, i); err != nil {
				return record{}, err
			}
			if err := minute(ctx, tx, c, m, partnership.SubjectIdea, i.ID, partnership.DecideDecline, i.Reason, now); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.IdeaAdopt), ObjectType: "idea", ObjectID: strconv.FormatInt(i.ID, 10), Before: before, After: ideaImage(i), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(ideaOut(i))
	}
}
