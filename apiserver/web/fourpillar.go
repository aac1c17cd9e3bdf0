package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
)

// The four-pillar workflow over HTTP: partners, the CSR forum, CSR plans,
// CSR requests, programmes with their contributions, innovation ideas. Each
// handler parses, takes the step of package fourpillar, and answers with the
// result.

// --- documents ---

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
	return each(ds, func(d *partnership.Document) documentJSON {
		return documentJSON{ID: d.ID, Purpose: d.Purpose, Name: d.Name, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256, CreatedAt: d.CreatedAt}
	})
}

// --- partners ---

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
	return answer2(c, fiber.StatusCreated, func(p *partnership.Partner, docs []*partnership.Document) partnerJSON {
		out := partnerOut(p)
		out.Documents = documentsOut(docs)
		return out
	})(fourpillar.RegisterPartner(c.UserContext(), realmOf(c), actorOf(c), in))
}

// listPartners lists the approved partners for everyone; the secretariat
// sees every registration (?state=), and ?mine=true lists your own.
var listPartners = listOf(func(c *fiber.Ctx, q *query) fourpillar.PartnerQuery {
	return fourpillar.PartnerQuery{Mine: c.Query("mine") == "true", State: partnership.PartnerState(c.Query("state")), Area: c.Query("area"), After: q.after, Limit: q.limit}
}, asCaller(fourpillar.Partners), func(p *partnership.Partner) int64 { return p.ID }, partnerOut)

// getPartner shows an approved partner to everyone, with the forum's
// decisions on it; a registration not approved only to the secretariat and
// to the partner, who also see its review and documents.
var getPartner = byID(asCaller(fourpillar.Partner), func(v fourpillar.PartnerView) partnerJSON {
	out := partnerOut(v.Partner)
	if v.Insider {
		out.Review, out.Documents = v.Review, documentsOut(v.Documents)
	}
	out.Decisions = v.Decisions
	return out
})

// reviewPartner records the secretariat's check of a registration and puts
// it on a forum meeting's agenda; the answer shows the review.
var reviewPartner = takeOn(same[partnership.ReviewInput], fourpillar.ReviewPartner, func(p *partnership.Partner) partnerJSON {
	out := partnerOut(p)
	out.Review = p.Review
	return out
})

// forumDecisionIn is a decision of the forum at one of its meetings.
type forumDecisionIn struct {
	Meeting  int64  `json:"meeting" form:"meeting"`
	Decision string `json:"decision" form:"decision"`
	Reason   string `json:"reason" form:"reason"`
}

// decidePartner records the forum's decision on a registration; approval
// grants the partner's account the company or university role.
var decidePartner = takeOn(forumDecision, fourpillar.DecidePartner, partnerOut)

func forumDecision(in forumDecisionIn) fourpillar.ForumDecision { return fourpillar.ForumDecision(in) }

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

// scheduleForum schedules a forum meeting for a quarter.
var scheduleForum = takeNew(fourpillar.ScheduleForum, forumOut)

var listForumMeetings = listOf(func(c *fiber.Ctx, q *query) store.ForumFilter {
	return store.ForumFilter{Year: int(q.count("year")), State: partnership.ForumState(c.Query("state")), AfterID: q.after, Limit: q.limit}
}, stored(store.ListForumMeetings), func(m *partnership.ForumMeeting) int64 { return m.ID }, forumOut)

// getForumMeeting shows a meeting with its decisions and minutes, and, until
// it is closed, its agenda: the registrations put on it, the aligned plans
// and the posted ideas waiting for the forum.
var getForumMeeting = byID(inRealm(fourpillar.Meeting), func(m fourpillar.MeetingRecord) forumJSON {
	out := forumOut(m.ForumMeeting)
	if a := m.Agenda; a != nil {
		out.Agenda = &forumAgendaJSON{Partners: each(a.Partners, func(p *partnership.Partner) partnerJSON {
			return partnerJSON{ID: p.ID, Kind: p.Kind, Name: p.Name, Areas: p.Areas, Kecamatan: p.Kecamatan, State: p.State, RegisteredAt: p.RegisteredAt}
		}), Plans: each(a.Plans, planOut), Ideas: each(a.Ideas, ideaOut)}
	}
	out.Decisions = m.Decisions
	return out
})

type forumAttendanceIn struct {
	Attendance map[string]int `json:"attendance"`
}

// holdForum records attendance by pillar and opens the meeting for decisions.
var holdForum = takeOn(func(in forumAttendanceIn) map[partnership.Stakeholder]int {
	att := make(map[partnership.Stakeholder]int, len(in.Attendance))
	for k, n := range in.Attendance {
		att[partnership.Stakeholder(k)] = n
	}
	return att
}, fourpillar.HoldForum, forumOut)

// closeForum publishes the minutes; the meeting and its decisions become immutable.
var closeForum = takeOn(func(in minutesIn) string { return in.Minutes }, fourpillar.CloseForum, forumOut)

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
type scoreJSON shareJSON

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
	out.Alignment = alignmentJSON{AlignmentScore: s, Score: (*scoreJSON)(shareOut(s.Share))}
	return out
}

// submitPlan takes an approved partner's annual plan.
var submitPlan = takeNew(fourpillar.SubmitPlan, planOut)

// revisePlan submits a plan the forum sent back again, with new activities.
var revisePlan = takeOn(same[partnership.PlanInput], fourpillar.RevisePlan, planOut)

var (
	listPlans = listOf(func(c *fiber.Ctx, q *query) store.PlanFilter {
		return store.PlanFilter{PartnerID: q.count("partner"), FiscalYear: int(q.count("fiscalYear")), State: partnership.PlanState(c.Query("state")),
			AfterID: q.after, Limit: q.limit}
	}, stored(store.ListPlans), func(p *partnership.CSRPlan) int64 { return p.ID }, planOut)
	getPlan = byID(stored(store.GetPlan), planOut)
)

type alignmentIn struct {
	Activities []partnership.AlignmentInput `json:"activities"`
}

// alignPlan records the secretariat's alignment of every activity of a plan.
var alignPlan = takeOn(func(in alignmentIn) []partnership.AlignmentInput { return in.Activities }, fourpillar.AlignPlan, planOut)

// decidePlan records the forum's approval of a plan, or its request for revision.
var decidePlan = takeOn(forumDecision, fourpillar.DecidePlan, planOut)

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

// newRequestScope is the ward a CSR request is submitted for.
var newRequestScope = bodyWard

var requestScope = objectScope(store.GetRequest, func(q *partnership.CSRRequest) string { return q.WardCode })

// submitRequest takes a resident's or community's CSR request: JSON, or a
// multipart form with up to five documents.
func submitRequest(c *fiber.Ctx) error {
	var in fourpillar.RequestSubmission
	if err := parseBody(c, &in.CSRRequestInput); err != nil {
		return err
	}
	if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) { // a JSON or plain form body carries no files
		form, err := c.MultipartForm()
		if err != nil {
			return partnership.Invalid("body", "not a readable multipart form: %v", err)
		}
		if in.Documents, err = readUploads(form.File["documents"], false); err != nil {
			return err
		}
	}
	return answer2(c, fiber.StatusCreated, requestWith)(fourpillar.SubmitRequest(c.UserContext(), realmOf(c), actorOf(c), in))
}

// listRequests lists CSR requests by ?state=, ?area=, ?scope= (a kecamatan
// or ward) and ?mine=true. Open requests are those not expired yet; for a
// caller acting for approved partners, ?state=open lists the ones its
// partners may claim (?claimable=false lists them all).
var listRequests = listOf(func(c *fiber.Ctx, q *query) fourpillar.RequestQuery {
	in := fourpillar.RequestQuery{State: partnership.RequestState(c.Query("state")), Area: c.Query("area"), Mine: c.Query("mine") == "true",
		AllOpen: c.Query("claimable") == "false", After: q.after, Limit: q.limit}
	if c.Query("scope") != "" {
		in.Scope = q.scope()
	}
	return in
}, asCaller(fourpillar.Requests), func(q *partnership.CSRRequest) int64 { return q.ID }, requestOut)

// getRequest shows a CSR request, with its documents for those who may read
// them (fourpillar.Request).
func getRequest(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return answer2(c, fiber.StatusOK, requestWith)(fourpillar.Request(c.UserContext(), realmOf(c), actorOf(c), id))
}

// requestWith shows a request with the documents shown with it.
func requestWith(q *partnership.CSRRequest, docs []*partnership.Document) requestJSON {
	out := requestOut(q)
	out.Documents = documentsOut(docs)
	return out
}

type claimIn struct {
	Partner int64 `json:"partner,omitempty" form:"partner"` // when the account acts for several
}

// claimRequest takes an open request for the caller's approved partner
// working in its area and kecamatan. Of concurrent claims exactly one wins;
// the others are told who did.
var claimRequest = takeOnWith(optionalBody, fiber.StatusOK, func(in claimIn) int64 { return in.Partner }, fourpillar.ClaimRequest, requestOut)

// withdrawRequest takes back an open request; only whoever submitted it may.
var withdrawRequest = byID(asCaller(fourpillar.WithdrawRequest), requestOut)

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

// programmeScope is a programme's ward, or the whole region for a programme without one.
var programmeScope = objectScope(store.GetProgramme, func(p *partnership.Programme) string { return p.WardCode })

// createProgramme makes a programme of an approved plan's activity or of a
// claimed request, assigned to the sector agency that follows it up.
var createProgramme = takeNew(fourpillar.CreateProgramme, programmeOut)

var listProgrammes = listOf(func(c *fiber.Ctx, q *query) store.ProgrammeFilter {
	return store.ProgrammeFilter{PartnerID: q.count("partner"), Area: c.Query("area"), FiscalYear: int(q.count("fiscalYear")),
		State: partnership.ProgrammeState(c.Query("state")), Source: c.Query("source"), AfterID: q.after, Limit: q.limit}
}, stored(store.ListProgrammes), func(p *partnership.Programme) int64 { return p.ID }, programmeOut)

// getProgramme shows a programme with its contributions ledger, summed per
// pillar in whole rupiah.
var getProgramme = byID(inRealm(fourpillar.ProgrammeLedger), func(rec fourpillar.ProgrammeRecord) programmeJSON {
	out := programmeOut(rec.Programme)
	by, total := partnership.Ledger(rec.Contributions)
	out.Ledger = &ledgerJSON{ByPillar: make(map[string]partnership.LedgerLine, len(by)), Total: total}
	for s, l := range by {
		out.Ledger.ByPillar[string(s)] = l
	}
	out.Contributions = each(rec.Contributions, contributionOut)
	return out
})

// changeProgramme reassigns a programme's sector agency, updates its
// beneficiaries, or completes or cancels it.
var changeProgramme = takeOn(same[partnership.ProgrammeChange], fourpillar.ChangeProgramme, programmeOut)

// contribute records a contribution to a programme in the caller's pillar.
var contribute = takeOnWith(parseBody, fiber.StatusCreated, same[partnership.ContributionInput], fourpillar.Contribute, contributionOut)

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

// postIdea posts an innovation idea from the caller's pillar.
var postIdea = takeNew(fourpillar.PostIdea, ideaOut)

var (
	listIdeas = listOf(func(c *fiber.Ctx, q *query) store.IdeaFilter {
		return store.IdeaFilter{State: partnership.IdeaState(c.Query("state")), Pillar: partnership.Stakeholder(c.Query("pillar")), AfterID: q.after, Limit: q.limit}
	}, stored(store.ListIdeas), func(i *partnership.Idea) int64 { return i.ID }, ideaOut)
	getIdea = byID(stored(store.GetIdea), ideaOut)
)

// adoptIdea adopts an idea at a held forum meeting into a programme or a CSR
// request, made in the same step.
var adoptIdea = takeOn(same[partnership.AdoptionInput], fourpillar.AdoptIdea, ideaOut)

type declineIn struct {
	Meeting int64  `json:"meeting" form:"meeting"`
	Reason  string `json:"reason" form:"reason"`
}

// declineIdea declines an idea at a held forum meeting, with a reason.
var declineIdea = takeOn(func(in declineIn) fourpillar.Decline { return fourpillar.Decline(in) }, fourpillar.DeclineIdea, ideaOut)
