package web

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// The two-pillar workflow over HTTP: each handler parses, lets the domain
// decide, stores and audits in one transaction, and answers with the result.

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

// image is the part of a proposal the audit log keeps before and after a change.
func image(p *partnership.Proposal) map[string]any {
	return map[string]any{"state": p.State, "cost": p.Cost, "activity": p.Activity, "kind": p.Kind, "reason": p.Reason, "agency": p.Agency, "version": p.Version}
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

func submitAspiration(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.NewAspiration
		if err := parseBody(c, &in); err != nil {
			return err
		}
		a, err := rr.tenant.Region.Aspiration(in, accountID(c), o.now())
		if err != nil {
			return err
		}
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if err := store.InsertAspiration(ctx, tx, a); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.AspirationSubmit), ObjectType: "aspiration", ObjectID: strconv.FormatInt(a.ID, 10),
				After: map[string]any{"institution": a.Institution, "state": a.State}}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(aspirationOut(a))
	}
}

func listAspirations(mine bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		after, limit, err := pageParams(c)
		if err != nil {
			return err
		}
		f := store.AspirationFilter{State: partnership.AspirationState(c.Query("state")), AfterID: after, Limit: limit}
		if mine {
			f.AccountID = accountID(c)
		} else if f.Scope, err = queryScope(c); err != nil {
			return err
		}
		as, err := store.ListAspirations(c.UserContext(), regionOf(c).db, f)
		if err != nil {
			return err
		}
		return c.JSON(pageOf(as, limit, aspirationOut, func() int64 { return as[len(as)-1].ID }))
	}
}

type aspirationResponse struct {
	State    partnership.AspirationState `json:"state" form:"state"`
	Reason   string                      `json:"reason" form:"reason"`
	Proposal int64                       `json:"proposal" form:"proposal"`
}

func respondAspiration(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in aspirationResponse
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, _ := idParam(c)
		var a *partnership.Aspiration
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if a, err = store.GetAspiration(ctx, tx, id); err != nil {
				return record{}, err
			}
			var p *partnership.Proposal
			if in.State == partnership.AspirationMerged {
				if p, err = store.GetProposal(ctx, tx, in.Proposal); err != nil {
					return record{}, partnership.Invalid("proposal", "no proposal %d", in.Proposal)
				}
			}
			from := a.State
			if err := a.Respond(in.State, in.Reason, p, o.now()); err != nil {
				return record{}, err
			}
			if err := store.UpdateAspiration(ctx, tx, a, from); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.AspirationRespond), ObjectType: "aspiration", ObjectID: strconv.FormatInt(a.ID, 10),
				Before: map[string]any{"state": from}, After: map[string]any{"state": a.State, "reason": a.Reason, "proposal": a.ProposalID}}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(aspirationOut(a))
	}
}

// --- proposals ---

func createProposal(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.ProposalInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		p, err := rr.tenant.Region.Proposal(in, accountID(c), o.now())
		if err != nil {
			return err
		}
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if err := store.InsertProposal(ctx, tx, p); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.ProposalCreate), ObjectType: "proposal", ObjectID: strconv.FormatInt(p.ID, 10), After: image(p), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(proposalOut(p))
	}
}

func editProposal(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.ProposalInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, _ := idParam(c)
		var p *partnership.Proposal
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if p, err = store.GetProposal(ctx, tx, id); err != nil {
				return record{}, err
			}
			before := image(p)
			if err := rr.tenant.Region.Edit(p, in, o.now()); err != nil {
				return record{}, err
			}
			if err := store.UpdateProposal(ctx, tx, p); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.ProposalEdit), ObjectType: "proposal", ObjectID: strconv.FormatInt(p.ID, 10), Before: before, After: image(p), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(proposalOut(p))
	}
}

func getProposal(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, err := store.GetProposal(c.UserContext(), regionOf(c).db, id)
	if err != nil {
		return err
	}
	return c.JSON(proposalOut(p))
}

func listProposals(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	scope, err := queryScope(c)
	if err != nil {
		return err
	}
	f := store.ProposalFilter{Scope: scope, State: partnership.ProposalState(c.Query("state")), AfterID: after, Limit: limit}
	if y := c.Query("fiscalYear"); y != "" {
		if f.FiscalYear, err = strconv.Atoi(y); err != nil {
			return partnership.Invalid("fiscalYear", "a year")
		}
	}
	ps, err := store.ListProposals(c.UserContext(), regionOf(c).db, f)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(ps, limit, proposalOut, func() int64 { return ps[len(ps)-1].ID }))
}

// stepIn is what an execution step may carry: a reason to cancel, a new cost.
type stepIn struct {
	Reason string             `json:"reason,omitempty" form:"reason"`
	Cost   partnership.Rupiah `json:"cost,omitempty" form:"cost"`
}

// moveProposal is an execution step on a funded proposal: the KPA's approval,
// a cost change (committing or releasing the difference, and needing the
// approval again), or a cancellation (releasing the whole commitment).
func moveProposal(o Options, perm policies.Permission, step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in stepIn
		if err := parseBody(c, &in); err != nil && len(c.Body()) > 0 {
			return err
		}
		id, _ := idParam(c)
		var p *partnership.Proposal
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if p, err = store.GetProposal(ctx, tx, id); err != nil {
				return record{}, err
			}
			before := image(p)
			amount := rr.tenant.Region.TwoPillar.AllocationPerInstitution
			now := o.now()
			switch step {
			case "approve":
				err = p.Move(partnership.ProposalApproved, "", now)
			case "cancel":
				if err = p.Move(partnership.ProposalCancelled, in.Reason, now); err == nil {
					_, err = store.Commit(ctx, tx, p.Institution, p.FiscalYear, partnership.Rupiah(amount), -p.Cost)
				}
			case "cost":
				if err = partnership.CheckAmount("cost", in.Cost, false); err != nil {
					return record{}, err
				}
				if err = p.Move(partnership.ProposalFunded, "", now); err == nil {
					if _, err = store.Commit(ctx, tx, p.Institution, p.FiscalYear, partnership.Rupiah(amount), in.Cost-p.Cost); err == nil {
						p.Cost = in.Cost
					}
				}
			}
			if err != nil {
				return record{}, err
			}
			if err := store.UpdateProposal(ctx, tx, p); err != nil {
				return record{}, err
			}
			return record{Action: string(perm), ObjectType: "proposal", ObjectID: strconv.FormatInt(p.ID, 10), Before: before, After: image(p), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(proposalOut(p))
	}
}

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

func scheduleMusrenbang(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.MusrenbangInput
		if err := parseBody(c, &in); err != nil {
			return err
		}
		m, err := rr.tenant.Region.ScheduleMusrenbang(in, o.now())
		if err != nil {
			return err
		}
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if err := store.InsertMusrenbang(ctx, tx, m); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.MusrenbangSchedule), ObjectType: "musrenbang", ObjectID: strconv.FormatInt(m.ID, 10),
				After: map[string]any{"level": m.Level, "area": m.Area, "scheduledAt": m.ScheduledAt, "place": m.Place}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(musrenbangOut(m))
	}
}

func getMusrenbang(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, db := c.UserContext(), regionOf(c).db
	m, err := store.GetMusrenbang(ctx, db, id)
	if err != nil {
		return err
	}
	out := musrenbangOut(m)
	if m.State != partnership.MusrenbangClosed {
		agenda, err := store.Agenda(ctx, db, m)
		if err != nil {
			return err
		}
		for _, p := range agenda {
			out.Agenda = append(out.Agenda, proposalOut(p))
		}
	}
	if out.Decisions, err = store.Decisions(ctx, db, m.ID); err != nil {
		return err
	}
	return c.JSON(out)
}

func listMusrenbang(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	scope, err := queryScope(c)
	if err != nil {
		return err
	}
	ms, err := store.ListMusrenbang(c.UserContext(), regionOf(c).db, store.MusrenbangFilter{Scope: scope, State: partnership.MusrenbangState(c.Query("state")), AfterID: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(pageOf(ms, limit, musrenbangOut, func() int64 { return ms[len(ms)-1].ID }))
}

type attendanceIn struct {
	Attendance map[string]int `json:"attendance"`
}

// recordAttendance records who came, by category, and opens the Musrenbang
// for decisions when the region's quorum is met.
func recordAttendance(c *fiber.Ctx) error {
	rr := regionOf(c)
	var in attendanceIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	id, _ := idParam(c)
	var m *partnership.Musrenbang
	err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
		var err error
		if m, err = store.GetMusrenbang(ctx, tx, id); err != nil {
			return record{}, err
		}
		before := map[string]any{"state": m.State, "attendance": m.Attendance}
		if err := rr.tenant.Region.Hold(m, in.Attendance); err != nil {
			return record{}, err
		}
		if err := store.UpdateMusrenbang(ctx, tx, m); err != nil {
			return record{}, err
		}
		return record{Action: string(policies.MusrenbangAttend), ObjectType: "musrenbang", ObjectID: strconv.FormatInt(m.ID, 10),
			Before: before, After: map[string]any{"state": m.State, "attendance": m.Attendance}, Public: true}, nil
	})
	if err != nil {
		return err
	}
	return c.JSON(musrenbangOut(m))
}

type decisionIn struct {
	partnership.Decision
	Proposal int64 `json:"proposal" form:"proposal"`
}

// decide takes one Musrenbang decision on one proposal of its agenda. Funding
// commits the cost against the institution's remaining allocation in the same
// transaction; a decision the allocation cannot bear changes nothing.
func decide(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in decisionIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, _ := idParam(c)
		var p *partnership.Proposal
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			m, err := store.GetMusrenbang(ctx, tx, id)
			if err != nil {
				return record{}, err
			}
			if err := m.Open(); err != nil {
				return record{}, err
			}
			if p, err = store.GetProposal(ctx, tx, in.Proposal); err != nil {
				return record{}, partnership.Invalid("proposal", "no proposal %d", in.Proposal)
			}
			before := image(p)
			now := o.now()
			if err := rr.tenant.Region.Decide(m, p, in.Decision, now); err != nil {
				return record{}, err
			}
			if p.State == partnership.ProposalFunded {
				amount := partnership.Rupiah(rr.tenant.Region.TwoPillar.AllocationPerInstitution)
				if _, err := store.Commit(ctx, tx, p.Institution, p.FiscalYear, amount, p.Cost); err != nil {
					return record{}, err
				}
			}
			if err := store.UpdateProposal(ctx, tx, p); err != nil {
				return record{}, err
			}
			// Offered to companies, it becomes a CSR request (fourpillar.go).
			if p.State == partnership.ProposalCSR {
				if err := csrRequestFromProposal(ctx, tx, c, p, now); err != nil {
					return record{}, err
				}
			}
			// A decision of a Musrenbang also stales its version, so that a
			// close racing with it cannot miss it.
			if err := store.UpdateMusrenbang(ctx, tx, m); err != nil {
				return record{}, err
			}
			d := &store.DecisionRecord{MusrenbangID: m.ID, ProposalID: p.ID, Decision: in.Decision.Decision, Reason: p.Reason, Agency: p.Agency, DecidedBy: accountID(c), DecidedAt: now.UTC()}
			if err := store.InsertDecision(ctx, tx, d); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.MusrenbangDecide), ObjectType: "proposal", ObjectID: strconv.FormatInt(p.ID, 10),
				Before: before, After: image(p), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(proposalOut(p))
	}
}

type minutesIn struct {
	Minutes string `json:"minutes" form:"minutes"`
}

// closeMusrenbang publishes the minutes; from then on the Musrenbang and its
// decisions are immutable.
func closeMusrenbang(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in minutesIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		id, _ := idParam(c)
		var m *partnership.Musrenbang
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if m, err = store.GetMusrenbang(ctx, tx, id); err != nil {
				return record{}, err
			}
			agenda, err := store.Agenda(ctx, tx, m)
			if err != nil {
				return record{}, err
			}
			if err := m.Close(in.Minutes, len(agenda), o.now()); err != nil {
				return record{}, err
			}
			if err := store.UpdateMusrenbang(ctx, tx, m); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.MusrenbangClose), ObjectType: "musrenbang", ObjectID: strconv.FormatInt(m.ID, 10),
				Before: map[string]any{"state": partnership.MusrenbangHeld}, After: map[string]any{"state": m.State, "minutes": m.Minutes}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(musrenbangOut(m))
	}
}
