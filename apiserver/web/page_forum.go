package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// The four-pillar model's pages: the public record — the forum's meetings
// with their minuted decisions, the published quarterly evaluations, the
// published award scores and the sanctions with each partner's compliance —
// then CSR requests and the directory of partners. They read what the API's
// handlers read (fourpillar.go, csroutcomes.go); the forum secretariat's
// sanction steps are fourpillar.MoveSanction, as the API's moveSanction.

// fourPillarOnly refuses the pages of the four-pillar model in a region that
// does not run it.
func fourPillarOnly(c *fiber.Ctx) error {
	r := regionOf(c).tenant.Region
	if !r.Runs(partnership.FourPillar) {
		return fmt.Errorf("%w: %s does not run the four-pillar model", partnership.ErrNotFound, r.Name)
	}
	return nil
}

// fourPillar is a screen of the four-pillar model, not found in a region
// that does not run it.
func fourPillar(s screen) screen {
	data := s.data
	s.data = func(c *fiber.Ctx, v *view) (any, error) {
		if err := fourPillarOnly(c); err != nil {
			return nil, err
		}
		return data(c, v)
	}
	return s
}

// forumListPage lists the forum's meetings, the latest first.
var forumListPage = fourPillar(screen{nav: "forum", template: "forum_list", data: func(c *fiber.Ctx, v *view) (any, error) {
	ms, err := store.ListForumMeetings(c.UserContext(), regionOf(c).db, store.ForumFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	slices.Reverse(ms)
	return ms, nil
}}).get

// forumDecisionRow is a minuted decision with what it was about, named.
type forumDecisionRow struct {
	D       store.ForumDecisionRecord
	Subject string
}

type forumMeetingData struct {
	M          *partnership.ForumMeeting
	Attendance []attendanceRow
	Decisions  []forumDecisionRow
}

type attendanceRow struct {
	Pillar string
	Count  int
}

// forumPillars are the four pillars in the order the pages show them.
var forumPillars = []partnership.Stakeholder{partnership.StakeholderGovernment, partnership.StakeholderCompany, partnership.StakeholderUniversity, partnership.StakeholderCommunity}

// forumMeetingPage shows a meeting: when and where, attendance by pillar,
// its minutes and the decisions taken there.
var forumMeetingPage = fourPillar(screen{nav: "forum", template: "forum_meeting", data: func(c *fiber.Ctx, v *view) (any, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	ctx, db := c.UserContext(), regionOf(c).db
	m, err := fourpillar.Meeting(ctx, realmOf(c), id)
	if err != nil {
		return nil, err
	}
	d := forumMeetingData{M: m.ForumMeeting}
	for _, p := range forumPillars {
		if n, ok := m.Attendance[p]; ok {
			d.Attendance = append(d.Attendance, attendanceRow{Pillar: v.L.T("forum.pillar." + string(p)), Count: n})
		}
	}
	d.Decisions = each(m.Decisions, func(dr store.ForumDecisionRecord) forumDecisionRow {
		return forumDecisionRow{D: dr, Subject: subjectName(ctx, db, v, dr.SubjectType, dr.SubjectID)}
	})
	v.Title = v.L.T("forum.meeting", m.Quarter, m.Year)
	return d, nil
}}).get

// subjectName names what a forum decision was about: a partner, a partner's
// plan or an idea; its number when it cannot be read.
func subjectName(ctx context.Context, db bun.IDB, v *view, typ string, id int64) string {
	switch typ {
	case partnership.SubjectPartner:
		if p, err := store.GetPartner(ctx, db, id); err == nil {
			return v.L.T("forum.subject.partner", p.Name)
		}
	case partnership.SubjectPlan:
		if pl, err := store.GetPlan(ctx, db, id); err == nil {
			if p, err := store.GetPartner(ctx, db, pl.PartnerID); err == nil {
				return v.L.T("forum.subject.plan", p.Name, pl.FiscalYear)
			}
		}
	case partnership.SubjectIdea:
		if i, err := store.GetIdea(ctx, db, id); err == nil {
			return v.L.T("forum.subject.idea", i.Title)
		}
	}
	return typ + " #" + strconv.FormatInt(id, 10)
}

// evaluationsPage lists the published quarterly evaluations, newest first.
var evaluationsPage = fourPillar(screen{nav: "evaluations", template: "evaluations", data: func(c *fiber.Ctx, v *view) (any, error) {
	return store.ListEvaluations(c.UserContext(), regionOf(c).db, 0)
}}).get

// evaluationPage shows one published evaluation as it was published: the
// quarter's realisation per priority area, each partner's plan against what
// it realised, the obligations overdue and the requests taken up.
var evaluationPage = fourPillar(screen{nav: "evaluations", template: "evaluation", data: func(c *fiber.Ctx, v *view) (any, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	rec, err := store.GetEvaluation(c.UserContext(), regionOf(c).db, id)
	if err != nil {
		return nil, err
	}
	var e partnership.Evaluation
	if err := json.Unmarshal(rec.Snapshot, &e); err != nil {
		return nil, fmt.Errorf("web: unable to read the evaluation %d: %w", id, err)
	}
	v.Title = v.L.T("evaluations.title", rec.Quarter, rec.FiscalYear)
	return struct {
		R *store.EvaluationRecord
		E partnership.Evaluation
	}{rec, e}, nil
}}).get

type awardRow struct {
	Rank    int
	Name    string
	Scores  []string
	Percent string
}

type awardsData struct {
	Cycle, Last int
	Criteria    []string
	Rows        []awardRow
}

// awardsPage shows the published award scores of a cycle (?cycle=, else the
// latest cycle with published scores in the last ten years), best first.
var awardsPage = fourPillar(screen{nav: "awards", template: "awards", data: func(c *fiber.Ctx, v *view) (any, error) {
	r := regionOf(c).tenant.Region
	asked, _ := strconv.Atoi(c.Query("cycle"))
	cycle, published, err := fourpillar.PublishedAwards(c.UserContext(), realmOf(c), asked)
	if err != nil {
		return nil, err
	}
	d := awardsData{Cycle: cycle, Last: cycle + max(r.FourPillar.AwardCycleYears, 1) - 1, Criteria: slices.Sorted(maps.Keys(r.FourPillar.AwardWeights))}
	if len(published) == 0 {
		return d, nil
	}
	shown, err := awards.all(c, published)
	if err != nil {
		return nil, err
	}
	for i, a := range shown {
		scores := each(d.Criteria, func(k string) string { return v.Num(a.Scores[k]) })
		d.Rows = append(d.Rows, awardRow{Rank: i + 1, Name: a.PartnerName, Scores: scores, Percent: a.AdjustedPercent})
	}
	return d, nil
}}).get

// sanctionsPage shows each approved partner's compliance state and every
// sanction recommended, issued, lifted or dismissed, with its reasons.
var sanctionsPage = fourPillar(screen{nav: "sanctions", template: "sanctions", data: func(c *fiber.Ctx, v *view) (any, error) {
	st, err := standings(c, nil)
	if err != nil {
		return nil, err
	}
	rows, err := fourpillar.Sanctions(c.UserContext(), realmOf(c), actorOf(c), fourpillar.SanctionQuery{})
	if err != nil {
		return nil, err
	}
	slices.Reverse(rows)
	return struct {
		Standings []store.Standing
		Sanctions []fourpillar.NamedSanction
	}{st, rows}, nil
}}).get

// moveSanctionPage issues, dismisses or lifts a sanction from the forum
// secretariat's queue (fourpillar.MoveSanction, as the API's moveSanction):
// issuing cites the region's regulation on the CSR obligation; dismissing
// and lifting need a reason.
func moveSanctionPage(to partnership.SanctionState) fiber.Handler {
	prefix := map[partnership.SanctionState]string{partnership.SanctionIssued: "issue-", partnership.SanctionDismissed: "dismiss-", partnership.SanctionLifted: "lift-"}[to]
	return movePage(prefix, "flash.sanction", to, fourpillar.MoveSanction, value("reason"))
}

// --- CSR requests and partners ---

// CSR requests residents submit and partners claim, and the directory of
// approved partners, take the same steps of package fourpillar as the
// four-pillar API (fourpillar.go).

type csrRow struct {
	Q        *partnership.CSRRequest
	Area     string
	Claim    *action
	Claimant string
}

type requestsData struct {
	Open, Claimed []csrRow
	CanSubmit     bool
}

// areaOptions are the choices of the region's priority areas.
func areaOptions(r *partnership.Region) []option {
	return each(r.PriorityAreas(), func(a partnership.PriorityArea) option { return option{Value: a.Key, Label: a.Name} })
}

// requests lists the open CSR requests — with a claim button for the
// partner who may take each up — and those claimed.
var requests = screen{nav: "requests", template: "requests", data: func(c *fiber.Ctx, v *view) (any, error) {
	b, err := fourpillar.Board(c.UserContext(), realmOf(c), actorOf(c))
	if err != nil {
		return nil, err
	}
	r := v.Region
	d := requestsData{CanSubmit: holds(c, policies.CSRRequestSubmit, r.Code)}
	for _, q := range b.Open {
		row := csrRow{Q: q.CSRRequest, Area: r.AreaName(q.Area)}
		if q.By != nil {
			claim := v.on("claim-", q.ID, "/csr/requests/%d/claim", "csr.claim", hidden("partner", strconv.FormatInt(q.By.ID, 10)))
			row.Claim = &claim
		}
		d.Open = append(d.Open, row)
	}
	d.Claimed = each(b.Claimed, func(q fourpillar.ClaimedRequest) csrRow {
		return csrRow{Q: q.CSRRequest, Area: r.AreaName(q.Area), Claimant: q.Claimant}
	})
	return d, nil
}}

// requestForm is the form of a CSR request: the ward first, then the rest.
var requestForm = wardForm("requests", "request_form", "/csr/requests/new", "hint.csr.ward")

// requestSubmitPage submits a resident's CSR request, as the API's
// submitRequest does (without documents).
var requestSubmitPage = requestForm.post("", "flash.request", func(c *fiber.Ctx, v *view, f *form) (string, error) {
	in := partnership.CSRRequestInput{Area: f.Get("area"), Ward: f.Get("ward"), Title: f.Get("title"), Description: f.Get("description")}
	in.Amount = f.money(v, "amount")
	if f.Failed() {
		return "", errFormFailed
	}
	_, _, err := fourpillar.SubmitRequest(c.UserContext(), realmOf(c), actorOf(c), fourpillar.RequestSubmission{CSRRequestInput: in})
	return "/csr/requests", err
})

// claimRequestPage claims an open request for the partner the account acts
// for, as the API's claimRequest does; of two claims one wins.
func claimRequestPage(c *fiber.Ctx) error {
	return requests.post("claim-"+c.Params("id"), "flash.claimed", func(c *fiber.Ctx, v *view, f *form) (string, error) {
		id, _ := idParam(c)
		partner, _ := strconv.ParseInt(f.Get("partner"), 10, 64)
		_, err := fourpillar.ClaimRequest(c.UserContext(), realmOf(c), actorOf(c), id, partner)
		if err != nil {
			v.Status = fiber.StatusConflict
		}
		var claimed *partnership.ClaimedError
		if errors.As(err, &claimed) {
			f.General = v.L.T("csr.claimed.already")
			return "", errFormFailed
		}
		return "/csr/requests", err
	})(c)
}

type partnerListRow struct {
	P     *partnership.Partner
	Areas []string
	Where []string
}

// partnersPage is the directory of approved partners.
var partnersPage = screen{nav: "partners", template: "partners", data: func(c *fiber.Ctx, v *view) (any, error) {
	rr := regionOf(c)
	r := rr.tenant.Region
	ps, err := fourpillar.Partners(c.UserContext(), rr.realm, actorOf(c), fourpillar.PartnerQuery{State: partnership.PartnerApproved})
	if err != nil {
		return nil, err
	}
	return each(ps, func(p *partnership.Partner) partnerListRow {
		return partnerListRow{P: p, Areas: each(p.Areas, r.AreaName), Where: each(p.Kecamatan, r.PlaceName)}
	}), nil
}}.get
