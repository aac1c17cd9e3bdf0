package web

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/twopillar"
)

// The two-pillar workflow over HTTP: each handler parses, takes the step of
// package twopillar, and answers with the result. Realisation reports are
// in reports.go.

type proposalJSON struct {
	ID            int64                     `json:"id"`
	Institution   string                    `json:"institution"`
	Ward          string                    `json:"ward"`
	FiscalYear    int                       `json:"fiscalYear"`
	Activity      string                    `json:"activity"`
	Title         string                    `json:"title"`
	Description   string                    `json:"description"`
	Cost          partnership.Rupiah        `json:"cost"`
	Beneficiaries int                       `json:"beneficiaries"`
	Location      string                    `json:"location"`
	Kind          partnership.Kind          `json:"kind"`
	State         partnership.ProposalState `json:"state"`
	Reason        string                    `json:"reason,omitempty"`
	Agency        string                    `json:"agency,omitempty"`
	Musrenbang    int64                     `json:"musrenbang,omitempty"`
	CreatedAt     time.Time                 `json:"createdAt"`
	UpdatedAt     time.Time                 `json:"updatedAt"`
	Version       int                       `json:"version"`
}

func proposalOut(p *partnership.Proposal) proposalJSON {
	return proposalJSON{ID: p.ID, Institution: p.Institution, Ward: p.WardCode, FiscalYear: p.FiscalYear, Activity: p.Activity,
		Title: p.Title, Description: p.Description, Cost: p.Cost, Beneficiaries: p.Beneficiaries, Location: p.Location, Kind: p.Kind,
		State: p.State, Reason: p.Reason, Agency: p.Agency, Musrenbang: p.MusrenbangID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

// --- scopes of the objects routes act on ---

// bodyInstitution is the institution named in the body: proposals and aspirations are made there.
func bodyInstitution(c *fiber.Ctx) (string, error) {
	var in struct {
		Institution string `json:"institution" form:"institution"`
	}
	return bodyPlace(c, &in, "institution", &in.Institution, "an institution", "institution")
}

// bodyPlace is the place named in the field of the body: one of the
// region's places at one of levels (what they are called in the refusal).
func bodyPlace(c *fiber.Ctx, in any, field string, place *string, what string, levels ...string) (string, error) {
	if err := parseBody(c, in); err != nil {
		return "", err
	}
	r := regionOf(c).tenant.Region
	if !slices.Contains(levels, r.ScopeLevel(*place)) {
		return "", partnership.Invalid(field, "%q is not %s of %s", *place, what, r.Name)
	}
	return *place, nil
}

// bodyArea is the ward or kecamatan a Musrenbang is scheduled for.
func bodyArea(c *fiber.Ctx) (string, error) {
	var in struct {
		Area string `json:"area" form:"area"`
	}
	return bodyPlace(c, &in, "area", &in.Area, "a ward or kecamatan", "ward", "kecamatan")
}

// queryScope is the scope a list asks for, the whole region by default.
func queryScope(c *fiber.Ctx) (string, error) {
	rr := regionOf(c)
	s := c.Query("scope", rr.root)
	if rr.tenant.Region.ScopeLevel(s) == "" {
		return "", partnership.Invalid("scope", "%q is not a place of %s", s, rr.tenant.Region.Name)
	}
	return s, nil
}

// The scopes of the objects named by a route's id: where each belongs in the tree.
var (
	proposalScope   = objectScope(store.GetProposal, func(p *partnership.Proposal) string { return p.Institution })
	aspirationScope = objectScope(store.GetAspiration, func(a *partnership.Aspiration) string { return a.Institution })
	musrenbangScope = objectScope(store.GetMusrenbang, func(m *partnership.Musrenbang) string { return m.Area })
)

// --- aspirations ---

type aspirationJSON struct {
	ID          int64                       `json:"id"`
	Institution string                      `json:"institution"`
	Ward        string                      `json:"ward"`
	Title       string                      `json:"title"`
	Body        string                      `json:"body"`
	State       partnership.AspirationState `json:"state"`
	Reason      string                      `json:"reason,omitempty"`
	Proposal    int64                       `json:"proposal,omitempty"`
	SubmittedAt time.Time                   `json:"submittedAt"`
	UpdatedAt   time.Time                   `json:"updatedAt"`
}

// aspirationOut leaves out who sent an aspiration: institutions answer the
// aspiration, not the person.
func aspirationOut(a *partnership.Aspiration) aspirationJSON {
	return aspirationJSON{ID: a.ID, Institution: a.Institution, Ward: a.WardCode, Title: a.Title, Body: a.Body, State: a.State,
		Reason: a.Reason, Proposal: a.ProposalID, SubmittedAt: a.SubmittedAt, UpdatedAt: a.UpdatedAt}
}

var submitAspiration = takeNew(twopillar.SubmitAspiration, aspirationOut)

// listAspirations lists the aspirations within a scope, or your own.
func listAspirations(mine bool) fiber.Handler {
	return listOf(func(c *fiber.Ctx, q *query) store.AspirationFilter {
		f := store.AspirationFilter{State: partnership.AspirationState(c.Query("state")), AfterID: q.after, Limit: q.limit}
		if mine {
			f.AccountID = actorOf(c).AccountID()
		} else {
			f.Scope = q.scope()
		}
		return f
	}, stored(store.ListAspirations), func(a *partnership.Aspiration) int64 { return a.ID }, aspirationOut)
}

type aspirationResponse struct {
	State    partnership.AspirationState `json:"state" form:"state"`
	Reason   string                      `json:"reason" form:"reason"`
	Proposal int64                       `json:"proposal" form:"proposal"`
}

// respondAspiration acknowledges, declines or merges an aspiration.
var respondAspiration = takeOn(func(in aspirationResponse) twopillar.Response { return twopillar.Response(in) }, twopillar.RespondAspiration, aspirationOut)

// --- proposals ---

var (
	createProposal = takeNew(twopillar.CreateProposal, proposalOut)
	editProposal   = takeOn(same[partnership.ProposalInput], twopillar.EditProposal, proposalOut)
)

var (
	getProposal   = byID(stored(store.GetProposal), proposalOut)
	listProposals = listOf(func(c *fiber.Ctx, q *query) store.ProposalFilter {
		return store.ProposalFilter{Scope: q.scope(), State: partnership.ProposalState(c.Query("state")), FiscalYear: q.year("fiscalYear"), AfterID: q.after, Limit: q.limit}
	}, stored(store.ListProposals), func(p *partnership.Proposal) int64 { return p.ID }, proposalOut)
)

// stepIn is what an execution step may carry: a reason to cancel, a new cost.
type stepIn struct {
	Reason string             `json:"reason,omitempty" form:"reason"`
	Cost   partnership.Rupiah `json:"cost,omitempty" form:"cost"`
}

// The execution steps on a funded proposal: the KPA's approval, a cost
// change (committing or releasing the difference, and needing the approval
// again), a cancellation (releasing the whole commitment).
var approveProposal = byID(asCaller(twopillar.ApproveExecution), proposalOut)

var (
	changeCost     = takeOnWith(optionalBody, fiber.StatusOK, func(in stepIn) partnership.Rupiah { return in.Cost }, twopillar.ChangeCost, proposalOut)
	cancelActivity = takeOnWith(optionalBody, fiber.StatusOK, func(in stepIn) string { return in.Reason }, twopillar.CancelActivity, proposalOut)
)

type allocationJSON struct {
	partnership.Allocation
	Remaining partnership.Rupiah `json:"remaining"`
}

func getAllocation(c *fiber.Ctx) error {
	rr := regionOf(c)
	inst := c.Query("institution")
	if rr.tenant.Region.ScopeLevel(inst) != "institution" {
		return partnership.Invalid("institution", "%q is not an institution of %s", inst, rr.tenant.Region.Name)
	}
	q := &query{c: c}
	year := q.yearOr("fiscalYear", time.Now().In(rr.location).Year())
	if q.err != nil {
		return q.err
	}
	a, err := store.GetAllocation(c.UserContext(), rr.db, inst, year, partnership.Rupiah(rr.tenant.Region.TwoPillar.AllocationPerInstitution))
	return answer(c, fiber.StatusOK, func(a partnership.Allocation) allocationJSON { return allocationJSON{a, a.Remaining()} })(a, err)
}

// --- Musrenbang ---

type musrenbangJSON struct {
	ID          int64                       `json:"id"`
	Level       string                      `json:"level"`
	Area        string                      `json:"area"`
	FiscalYear  int                         `json:"fiscalYear"`
	ScheduledAt time.Time                   `json:"scheduledAt"`
	Place       string                      `json:"place"`
	State       partnership.MusrenbangState `json:"state"`
	Attendance  map[string]int              `json:"attendance"`
	Minutes     string                      `json:"minutes,omitempty"`
	ClosedAt    *time.Time                  `json:"closedAt,omitempty"`
	Agenda      []proposalJSON              `json:"agenda,omitempty"`
	Decisions   []store.DecisionRecord      `json:"decisions,omitempty"`
	Version     int                         `json:"version"`
}

func musrenbangOut(m *partnership.Musrenbang) musrenbangJSON {
	return musrenbangJSON{ID: m.ID, Level: m.Level, Area: m.Area, FiscalYear: m.FiscalYear, ScheduledAt: m.ScheduledAt, Place: m.Place,
		State: m.State, Attendance: m.Attendance, Minutes: m.Minutes, ClosedAt: m.ClosedAt, Version: m.Version}
}

var scheduleMusrenbang = takeNew(twopillar.ScheduleMusrenbang, musrenbangOut)

var getMusrenbang = byID(inRealm(twopillar.Musrenbang), func(rec twopillar.MusrenbangRecord) musrenbangJSON {
	out := musrenbangOut(rec.Musrenbang)
	out.Agenda, out.Decisions = each(rec.Agenda, proposalOut), rec.Decisions
	return out
})

var listMusrenbang = listOf(func(c *fiber.Ctx, q *query) store.MusrenbangFilter {
	return store.MusrenbangFilter{Scope: q.scope(), State: partnership.MusrenbangState(c.Query("state")), AfterID: q.after, Limit: q.limit}
}, stored(store.ListMusrenbang), func(m *partnership.Musrenbang) int64 { return m.ID }, musrenbangOut)

type attendanceIn struct {
	Attendance map[string]int `json:"attendance"`
}

// recordAttendance records who came, by category, and opens the Musrenbang
// for decisions when the region's quorum is met.
var recordAttendance = takeOn(func(in attendanceIn) map[string]int { return in.Attendance }, twopillar.RecordAttendance, musrenbangOut)

type decisionIn struct {
	partnership.Decision
	Proposal int64 `json:"proposal" form:"proposal"`
}

// csrDecisionIn is a decision as sent: a kecamatan's csr decision may name
// the CSR request's priority area.
type csrDecisionIn struct {
	decisionIn
	Area string `json:"area" form:"area"`
}

// decide takes one Musrenbang decision on one proposal of its agenda.
var decide = takeOn(func(in csrDecisionIn) twopillar.Decision {
	return twopillar.Decision{Decision: in.Decision, Proposal: in.Proposal, Area: in.Area}
}, twopillar.Decide, proposalOut)

type minutesIn struct {
	Minutes string `json:"minutes" form:"minutes"`
}

// closeMusrenbang publishes the minutes; from then on the Musrenbang and its
// decisions are immutable.
var closeMusrenbang = takeOn(func(in minutesIn) string { return in.Minutes }, twopillar.CloseMusrenbang, musrenbangOut)

// --- participation ---

// Participation and evaluation over HTTP: the indicators of an area for a
// fiscal year with a recap one level beneath it, and the facilitators'
// assessments of each ward's participation phase.

// shareJSON is a share in basis points and as a percentage; null when undefined.
type shareJSON struct {
	BasisPoints int64  `json:"basisPoints"`
	Percent     string `json:"percent"`
}

func shareOut(b partnership.BasisPoints) *shareJSON {
	if !b.Defined {
		return nil
	}
	return &shareJSON{BasisPoints: b.Value, Percent: b.String()}
}

// perMilleOut is a rate per 1,000 residents; null when the area has no residents on record.
func perMilleOut(p partnership.PerMille) *int64 {
	if !p.Defined {
		return nil
	}
	return &p.Value
}

type participationFiguresJSON struct {
	Population           int64  `json:"population"`
	Aspirations          int64  `json:"aspirations"`
	AspirationsPerMille  *int64 `json:"aspirationsPerMille"`
	Attendance           int64  `json:"attendance"`
	AttendancePerMille   *int64 `json:"attendancePerMille"`
	Participants         int64  `json:"participants"`
	ParticipantsPerMille *int64 `json:"participantsPerMille"`
}

type spendingJSON struct {
	Empowerment      partnership.Rupiah `json:"empowerment"`
	Infrastructure   partnership.Rupiah `json:"infrastructure"`
	EmpowermentShare *shareJSON         `json:"empowermentShare"`
}

type absorptionJSON struct {
	Institutions int64              `json:"institutions"`
	Allocation   partnership.Rupiah `json:"allocation"`
	Spent        partnership.Rupiah `json:"spent"`
	Share        *shareJSON         `json:"share"`
}

type reportingJSON struct {
	Reports int64      `json:"reports"`
	OnTime  int64      `json:"onTime"`
	Share   *shareJSON `json:"share"`
}

type complaintFiguresJSON struct {
	Filed                 int64  `json:"filed"`
	Resolved              int64  `json:"resolved"`
	MedianResolutionHours *int64 `json:"medianResolutionHours"`
}

type indicatorsJSON struct {
	Participation participationFiguresJSON `json:"participation"`
	Spending      spendingJSON             `json:"spending"`
	Absorption    absorptionJSON           `json:"absorption"`
	Reporting     reportingJSON            `json:"reporting"`
	Complaints    complaintFiguresJSON     `json:"complaints"`
}

type phaseJSON struct {
	ID         int64             `json:"id"`
	Ward       string            `json:"ward"`
	FiscalYear int               `json:"fiscalYear"`
	Phase      partnership.Phase `json:"phase"`
	Note       string            `json:"note"`
	AssessedBy int64             `json:"assessedBy"`
	AssessedAt time.Time         `json:"assessedAt"`
}

func phaseOut(a *partnership.PhaseAssessment) phaseJSON {
	return phaseJSON{ID: a.ID, Ward: a.WardCode, FiscalYear: a.FiscalYear, Phase: a.Phase, Note: a.Note, AssessedBy: a.AssessedBy, AssessedAt: a.AssessedAt}
}

// areaJSON is one area's indicators beside its phase: a ward's latest
// assessment (null when never assessed that year), or for a kecamatan or
// the region how many wards stand at each phase ("unassessed" for those
// never assessed).
type areaJSON struct {
	Scope      string           `json:"scope"`
	Level      string           `json:"level"`
	Name       string           `json:"name"`
	Indicators indicatorsJSON   `json:"indicators"`
	Phase      *phaseJSON       `json:"phase,omitempty"`
	Phases     map[string]int64 `json:"phases,omitempty"`
}

func areaOut(e partnership.AreaEvaluation) areaJSON {
	in := e.Indicators
	out := areaJSON{Scope: e.Scope, Level: e.Level, Name: e.Name, Indicators: indicatorsJSON{
		Participation: participationFiguresJSON{
			Population: in.Population, Aspirations: in.Aspirations, AspirationsPerMille: perMilleOut(in.AspirationRate),
			Attendance: in.Attendance, AttendancePerMille: perMilleOut(in.AttendanceRate),
			Participants: in.Participants, ParticipantsPerMille: perMilleOut(in.ParticipantRate),
		},
		Spending:   spendingJSON{Empowerment: in.Empowerment, Infrastructure: in.Infrastructure, EmpowermentShare: shareOut(in.EmpowermentShare)},
		Absorption: absorptionJSON{Institutions: in.Institutions, Allocation: in.Allocation, Spent: in.Spent, Share: shareOut(in.Absorption)},
		Reporting:  reportingJSON{Reports: in.Reports, OnTime: in.OnTime, Share: shareOut(in.OnTimeShare)},
		Complaints: complaintFiguresJSON{Filed: in.Complaints, Resolved: in.Resolved},
	}}
	if in.MedianResolution.Defined {
		h := in.MedianResolution.Value
		out.Indicators.Complaints.MedianResolutionHours = &h
	}
	if e.Phase != nil {
		p := phaseOut(e.Phase)
		out.Phase = &p
	}
	if e.Phases != nil {
		out.Phases = map[string]int64{}
		for p, n := range e.Phases {
			key := string(p)
			if p == "" {
				key = "unassessed"
			}
			out.Phases[key] = n
		}
	}
	return out
}

// participationJSON is an area's evaluation, one row per area beneath it,
// and for a ward the history of its phase assessments that year, newest first.
type participationJSON struct {
	FiscalYear int `json:"fiscalYear"`
	areaJSON
	Rows    []areaJSON  `json:"rows"`
	History []phaseJSON `json:"history,omitempty"`
}

// getParticipation evaluates the area the scope names for a fiscal year (the
// current one by default), with a recap one level beneath it.
func getParticipation(c *fiber.Ctx) error {
	q := &query{c: c}
	scope, year := q.scope(), q.year("fiscalYear")
	if q.err != nil {
		return q.err
	}
	return answer(c, fiber.StatusOK, func(e twopillar.Evaluation) participationJSON {
		return participationJSON{FiscalYear: e.FiscalYear, areaJSON: areaOut(e.Area), Rows: each(e.Rows, areaOut),
			History: each(e.History, func(a partnership.PhaseAssessment) phaseJSON { return phaseOut(&a) })}
	})(twopillar.Participation(c.UserContext(), realmOf(c), scope, year))
}

// bodyWard is the ward named in the body: a participation phase is
// assessed there, a CSR request submitted for it.
func bodyWard(c *fiber.Ctx) (string, error) {
	var in struct {
		Ward string `json:"ward" form:"ward"`
	}
	return bodyPlace(c, &in, "ward", &in.Ward, "a ward", "ward")
}

// assessPhase records a facilitator's assessment of a ward's participation
// phase; earlier assessments stay as history, and the audit log publishes it.
var assessPhase = takeNew(twopillar.AssessPhase, phaseOut)
