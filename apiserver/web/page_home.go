package web

import (
	"errors"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/twopillar"
	"pilar.id/pilar/policies"
)

// publicDecisions are the actions of the audit log the home page shows as
// decisions: what deliberations and the forum decided, in public.
var publicDecisions = []string{
	string(policies.MusrenbangDecide), string(policies.MusrenbangClose), string(policies.ReportEvaluate),
	string(policies.PartnerDecide), string(policies.CSRPlanApprove), string(policies.SanctionIssue), string(policies.AwardScore),
}

type homeData struct {
	Summary   regionSummary
	Open      []*partnership.Musrenbang
	Requests  []*partnership.CSRRequest
	FourPilar bool
	Decisions []audit.Entry
}

// regionHome is the region's portal home page: the Musrenbang open to
// residents, the CSR requests open to partners, the latest public decisions
// and the way to the dashboard.
var regionHome = screen{nav: "home", template: "home", data: func(c *fiber.Ctx, v *view) (any, error) {
	rr := regionOf(c)
	ctx, db, r := c.UserContext(), rr.db, rr.tenant.Region
	s, err := summarise(c)
	if err != nil {
		return nil, err
	}
	d := homeData{Summary: s, FourPilar: r.Runs(partnership.FourPillar)}
	for _, st := range []partnership.MusrenbangState{partnership.MusrenbangScheduled, partnership.MusrenbangHeld} {
		ms, err := store.ListMusrenbang(ctx, db, store.MusrenbangFilter{Scope: rr.root, State: st, Limit: 20})
		if err != nil {
			return nil, err
		}
		d.Open = append(d.Open, ms...)
	}
	slices.SortFunc(d.Open, func(a, b *partnership.Musrenbang) int { return a.ScheduledAt.Compare(b.ScheduledAt) })
	if d.FourPilar {
		if d.Requests, err = store.ListRequests(ctx, db, store.RequestFilter{State: partnership.RequestOpen, OpenAt: rr.realm.Clock(), Limit: 10}); err != nil {
			return nil, err
		}
	}
	if d.Decisions, err = recentDecisions(c, 8); err != nil {
		return nil, err
	}
	v.Title = r.Name
	return d, nil
}}.get

// recentDecisions are the newest public decisions of the audit log, newest
// first. The log lists in order from a sequence number, so the sequence
// number to start from is found first.
func recentDecisions(c *fiber.Ctx, n int) ([]audit.Entry, error) {
	ctx, db := c.UserContext(), regionOf(c).db
	seqs, err := store.NewestPublicSeqs(ctx, db, publicDecisions, n)
	if err != nil || len(seqs) == 0 {
		return nil, err
	}
	es, err := audit.List(ctx, db, audit.Filter{PublicOnly: true, AfterSeq: seqs[len(seqs)-1] - 1, Limit: audit.MaxLimit})
	if err != nil {
		return nil, err
	}
	var out []audit.Entry
	for i := len(es) - 1; i >= 0 && len(out) < n; i-- {
		if slices.Contains(publicDecisions, es[i].Action) {
			out = append(out, es[i])
		}
	}
	return out, nil
}

// DecisionText says what a public decision of the audit log was, in the
// reader's language.
func (v *view) DecisionText(e audit.Entry) string {
	state, _ := e.After["state"].(string)
	return v.L.T("audit.action."+e.Action, v.L.T("object."+e.ObjectType, e.ObjectID), v.stateLabel(e.ObjectType, state))
}

// stateLabel names the state of an object of a type; none for no state.
func (v *view) stateLabel(typ, state string) string {
	if state == "" {
		return ""
	}
	return v.Named("state."+typ+".", state)
}

// Named is what the catalog calls prefix+key, or the key itself where the
// catalog has no name for it: a forum decision, an award criterion, a step
// of the sanction ladder, an object's state.
func (v *view) Named(prefix, key string) string {
	if v.L.Has(prefix + key) {
		return v.L.T(prefix + key)
	}
	return key
}

// --- Musrenbang ---

type musrenbangListData struct {
	Upcoming, Held, Closed []*partnership.Musrenbang
}

// musrenbangList lists the region's Musrenbang: coming, under way and published.
var musrenbangList = screen{nav: "musrenbang", template: "musrenbang_list", data: func(c *fiber.Ctx, v *view) (any, error) {
	rr := regionOf(c)
	var d musrenbangListData
	for st, into := range map[partnership.MusrenbangState]*[]*partnership.Musrenbang{
		partnership.MusrenbangScheduled: &d.Upcoming, partnership.MusrenbangHeld: &d.Held, partnership.MusrenbangClosed: &d.Closed,
	} {
		ms, err := store.ListMusrenbang(c.UserContext(), rr.db, store.MusrenbangFilter{Scope: rr.root, State: st, Limit: 200})
		if err != nil {
			return nil, err
		}
		*into = ms
	}
	slices.Reverse(d.Closed) // newest first
	return d, nil
}}.get

type decidedItem struct {
	Record   store.DecisionRecord
	Proposal *partnership.Proposal
}

type musrenbangData struct {
	M          *partnership.Musrenbang
	Categories []string
	Total      int
	Agenda     []*partnership.Proposal
	Decided    []decidedItem
	Decisions  []string // the decisions this level takes
	CanAttend  bool
	CanDecide  bool
	CanClose   bool
	Quorum     string // why the quorum is not met, when it is not
	MinAttend  int
	Required   []string
}

// musrenbangPage shows one Musrenbang: its attendance, agenda, decisions and
// minutes — and to the office running it, the forms for each step.
var musrenbang = screen{nav: "musrenbang", template: "musrenbang", data: func(c *fiber.Ctx, v *view) (any, error) {
	rr := regionOf(c)
	ctx, r := c.UserContext(), rr.tenant.Region
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	rec, err := twopillar.Musrenbang(ctx, realmOf(c), id)
	if err != nil {
		return nil, err
	}
	m := rec.Musrenbang
	d := musrenbangData{M: m, Categories: partnership.AttendanceCategories, Agenda: rec.Agenda}
	for _, n := range m.Attendance {
		d.Total += n
	}
	if r.TwoPillar != nil {
		d.MinAttend, d.Required = r.TwoPillar.MinAttendance, r.TwoPillar.RequiredCategories
	}
	if m.State != partnership.MusrenbangClosed && m.State != partnership.MusrenbangCancelled {
		d.CanAttend = holds(c, policies.MusrenbangAttend, m.Area)
		d.CanDecide = m.State == partnership.MusrenbangHeld && holds(c, policies.MusrenbangDecide, m.Area)
		d.CanClose = m.State == partnership.MusrenbangHeld && holds(c, policies.MusrenbangClose, m.Area)
	}
	for _, rec := range rec.Decisions {
		p, err := store.GetProposal(ctx, rr.db, rec.ProposalID)
		if err != nil {
			return nil, err
		}
		d.Decided = append(d.Decided, decidedItem{rec, p})
	}
	if m.Level == partnership.LevelWard {
		d.Decisions = []string{partnership.DecideFund, partnership.DecideForward, partnership.DecideReject}
	} else {
		d.Decisions = []string{partnership.DecideSector, partnership.DecideReject}
		if r.Runs(partnership.FourPillar) {
			d.Decisions = []string{partnership.DecideSector, partnership.DecideCSR, partnership.DecideReject}
		}
	}
	v.Title = v.L.T("musrenbang.title", r.PlaceName(m.Area))
	return d, nil
}}

// AttendanceValue is the count shown in the attendance form for a category:
// what was typed, else what was recorded.
func (v *view) AttendanceValue(m *partnership.Musrenbang, cat string) string {
	f := v.Form.For("attendance")
	if f.Failed() {
		return f.Get("attendance." + cat)
	}
	if n, ok := m.Attendance[cat]; ok {
		return strconv.Itoa(n)
	}
	return "0"
}

// musrenbangAction takes one step posted from a Musrenbang's page: on
// success back to the page (at anchor), on refusal the page again with the
// failed form (key, or as do names it) filled in.
func musrenbangAction(key, anchor, flash string, do func(c *fiber.Ctx, v *view, f *form, id int64) error) fiber.Handler {
	return musrenbang.post(key, flash, func(c *fiber.Ctx, v *view, f *form) (string, error) {
		id, _ := idParam(c)
		return "/musrenbang/" + strconv.FormatInt(id, 10) + anchor, do(c, v, f, id)
	})
}

// recordAttendancePage records the attendance by category from the form.
var recordAttendancePage = musrenbangAction("attendance", "#decisions", "flash.attendance", func(c *fiber.Ctx, v *view, f *form, id int64) error {
	r := regionOf(c).tenant.Region
	att := map[string]int{}
	for _, cat := range partnership.AttendanceCategories {
		s := f.Get("attendance." + cat)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			f.fail("attendance."+cat, v.L.T("error.count"))
			continue
		}
		att[cat] = n
	}
	if f.Failed() {
		return errFormFailed
	}
	_, err := twopillar.RecordAttendance(c.UserContext(), realmOf(c), actorOf(c), id, att)
	if err == nil || r.TwoPillar == nil || r.Quorum(att) == nil {
		return err
	}
	total := 0
	for _, n := range att {
		total += n
	}
	f.General = v.L.T("musrenbang.noquorum", v.Num(total), v.Num(r.TwoPillar.MinAttendance))
	for _, cat := range r.TwoPillar.RequiredCategories {
		if att[cat] < 1 {
			f.fail("attendance."+cat, v.L.T("musrenbang.needone"))
		}
	}
	return errFormFailed
})

// decidePage takes one decision on one proposal of the agenda, as the API's
// decide does (twopillar.Decide).
var decidePage = musrenbangAction("", "#decisions", "flash.decided", func(c *fiber.Ctx, v *view, f *form, id int64) error {
	pid, _ := strconv.ParseInt(f.Get("proposal"), 10, 64)
	f.Key = "decide-" + strconv.FormatInt(pid, 10)
	in := twopillar.Decision{Decision: partnership.Decision{Decision: f.Get("decision"), Reason: f.Get("reason"), Agency: f.Get("agency")},
		Proposal: pid, Area: f.Get("area")}
	if in.Decision.Decision == "" {
		f.fail("decision", v.L.T("error.choose"))
	}
	if in.Decision.Decision == partnership.DecideReject && f.Get("reason") == "" {
		f.fail("reason", v.L.T("error.reason"))
	}
	if f.Failed() {
		return errFormFailed
	}
	_, err := twopillar.Decide(c.UserContext(), realmOf(c), actorOf(c), id, in)
	return err
})

// refuseAllocation refuses a form whose funding the allocation cannot bear,
// with the figures; any other error as refuse does.
func refuseAllocation(v *view, f *form, err error) error {
	var over *partnership.OverAllocationError
	if errors.As(err, &over) {
		f.General = v.L.T("error.allocation", v.Money(over.Allocation.Remaining()), v.Money(over.Cost))
		return nil
	}
	return f.refuse(v.L, err)
}

// closeMusrenbangPage publishes the minutes; the Musrenbang becomes immutable.
var closeMusrenbangPage = musrenbangAction("close", "", "flash.closed", func(c *fiber.Ctx, v *view, f *form, id int64) error {
	_, err := twopillar.CloseMusrenbang(c.UserContext(), realmOf(c), actorOf(c), id, f.Get("minutes"))
	return err
})

// scheduleMusrenbangPage schedules a Musrenbang from the work queue's form.
var scheduleMusrenbangPage = work.post("schedule", "flash.scheduled", func(c *fiber.Ctx, v *view, f *form) (string, error) {
	r := regionOf(c).tenant.Region
	in := partnership.MusrenbangInput{Area: f.Get("area"), Place: f.Get("place")}
	in.Level = r.ScopeLevel(in.Area)
	if in.Level != partnership.LevelWard && in.Level != partnership.LevelKecamatan {
		f.fail("area", v.L.T("error.choose"))
	}
	in.FiscalYear, _ = strconv.Atoi(f.Get("fiscalYear"))
	in.ScheduledAt = f.datetime(v, "scheduledAt", r.Location)
	if f.Failed() {
		return "", errFormFailed
	}
	m, err := twopillar.ScheduleMusrenbang(c.UserContext(), realmOf(c), actorOf(c), in)
	if err != nil {
		return "", err
	}
	return "/musrenbang/" + strconv.FormatInt(m.ID, 10), nil
})
