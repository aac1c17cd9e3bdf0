package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/twopillar"
)

// The two-pillar workflow over HTTP: each handler parses, takes the step of
// package twopillar, and answers with the result.

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

func accountID(c *fiber.Ctx) int64 {
	if a := regionOf(c).principal.Account; a != nil {
		return a.ID
	}
	return 0
}

// --- scopes of the objects routes act on ---

// bodyInstitution is the institution named in the body: proposals and aspirations are made there.
func bodyInstitution(c *fiber.Ctx) (string, error) {
	var in struct {
		Institution string `json:"institution" form:"institution"`
	}
	if err := parseBody(c, &in); err != nil {
		return "", err
	}
	if regionOf(c).tenant.Region.ScopeLevel(in.Institution) != "institution" {
		return "", partnership.Invalid("institution", "%q is not an institution of %s", in.Institution, regionOf(c).tenant.Region.Name)
	}
	return in.Institution, nil
}

// bodyArea is the ward or kecamatan a Musrenbang is scheduled for.
func bodyArea(c *fiber.Ctx) (string, error) {
	var in struct {
		Area string `json:"area" form:"area"`
	}
	if err := parseBody(c, &in); err != nil {
		return "", err
	}
	switch regionOf(c).tenant.Region.ScopeLevel(in.Area) {
	case "ward", "kecamatan":
		return in.Area, nil
	}
	return "", partnership.Invalid("area", "%q is not a ward or kecamatan of %s", in.Area, regionOf(c).tenant.Region.Name)
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
			f.AccountID = accountID(c)
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
	year := time.Now().In(rr.location).Year()
	if y := c.Query("fiscalYear"); y != "" {
		var err error
		if year, err = strconv.Atoi(y); err != nil {
			return partnership.Invalid("fiscalYear", "a year")
		}
	}
	a, err := store.GetAllocation(c.UserContext(), rr.db, inst, year, partnership.Rupiah(rr.tenant.Region.TwoPillar.AllocationPerInstitution))
	if err != nil {
		return err
	}
	return c.JSON(allocationJSON{a, a.Remaining()})
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

func getMusrenbang(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	rec, err := twopillar.Musrenbang(c.UserContext(), realmOf(c), id)
	if err != nil {
		return err
	}
	out := musrenbangOut(rec.Musrenbang)
	out.Agenda, out.Decisions = each(rec.Agenda, proposalOut), rec.Decisions
	return c.JSON(out)
}

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
