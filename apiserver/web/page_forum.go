package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
)

// The four-pillar model's public record: the forum's meetings with their
// minuted decisions, the published quarterly evaluations, the published
// award scores and the sanctions with each partner's compliance. They read
// what the API's handlers read (fourpillar.go, csroutcomes.go); the forum
// secretariat's sanction steps at the end are fourpillar.MoveSanction, as
// the API's moveSanction.

// fourPillarOnly refuses the pages of the four-pillar model in a region that
// does not run it.
func fourPillarOnly(c *fiber.Ctx) error {
	r := regionOf(c).tenant.Region
	if !r.Runs(partnership.FourPillar) {
		return fmt.Errorf("%w: %s does not run the four-pillar model", partnership.ErrNotFound, r.Name)
	}
	return nil
}

// forumListPage lists the forum's meetings, the latest first.
func forumListPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := fourPillarOnly(c); err != nil {
			return err
		}
		v := newView(c, o, "forum")
		ms, err := store.ListForumMeetings(c.UserContext(), regionOf(c).db, store.ForumFilter{Limit: 500})
		if err != nil {
			return err
		}
		slices.Reverse(ms)
		v.Data = ms
		return render(c, v, "forum_list")
	}
}

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
func forumMeetingPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := fourPillarOnly(c); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		ctx, db := c.UserContext(), regionOf(c).db
		m, err := store.GetForumMeeting(ctx, db, id)
		if err != nil {
			return err
		}
		v := newView(c, o, "forum")
		d := forumMeetingData{M: m}
		for _, p := range forumPillars {
			if n, ok := m.Attendance[p]; ok {
				d.Attendance = append(d.Attendance, attendanceRow{Pillar: v.L.T("forum.pillar." + string(p)), Count: n})
			}
		}
		ds, err := store.ForumDecisions(ctx, db, m.ID, "", 0)
		if err != nil {
			return err
		}
		for _, dr := range ds {
			d.Decisions = append(d.Decisions, forumDecisionRow{D: dr, Subject: subjectName(ctx, db, v, dr.SubjectType, dr.SubjectID)})
		}
		v.Title = v.L.T("forum.meeting", m.Quarter, m.Year)
		v.Data = d
		return render(c, v, "forum_meeting")
	}
}

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

// DecisionLabel names a forum decision in the reader's language.
func (v *view) DecisionLabel(d string) string {
	if k := "forum.decision." + d; v.L.Has(k) {
		return v.L.T(k)
	}
	return d
}

// evaluationsPage lists the published quarterly evaluations, newest first.
func evaluationsPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := fourPillarOnly(c); err != nil {
			return err
		}
		v := newView(c, o, "evaluations")
		es, err := store.ListEvaluations(c.UserContext(), regionOf(c).db, 0)
		if err != nil {
			return err
		}
		v.Data = es
		return render(c, v, "evaluations")
	}
}

// evaluationPage shows one published evaluation as it was published: the
// quarter's realisation per priority area, each partner's plan against what
// it realised, the obligations overdue and the requests taken up.
func evaluationPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := fourPillarOnly(c); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		rec, err := store.GetEvaluation(c.UserContext(), regionOf(c).db, id)
		if err != nil {
			return err
		}
		var e partnership.Evaluation
		if err := json.Unmarshal(rec.Snapshot, &e); err != nil {
			return fmt.Errorf("web: unable to read the evaluation %d: %w", id, err)
		}
		v := newView(c, o, "evaluations")
		v.Title = v.L.T("evaluations.title", rec.Quarter, rec.FiscalYear)
		v.Data = struct {
			R *store.EvaluationRecord
			E partnership.Evaluation
		}{rec, e}
		return render(c, v, "evaluation")
	}
}

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
func awardsPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := fourPillarOnly(c); err != nil {
			return err
		}
		rr := regionOf(c)
		ctx, db, r := c.UserContext(), rr.db, rr.tenant.Region
		v := newView(c, o, "awards")
		current := o.now().In(r.Location).Year()
		cycles := []int{}
		if n, err := strconv.Atoi(c.Query("cycle")); err == nil && n >= 2000 && n <= current {
			cycles = append(cycles, n)
		} else {
			for y := current; y > current-10; y-- {
				cycles = append(cycles, y)
			}
		}
		d := awardsData{Cycle: cycles[0]}
		d.Criteria = slices.Sorted(maps.Keys(r.FourPillar.AwardWeights))
		for _, cy := range cycles {
			as, err := store.Awards(ctx, db, cy)
			if err != nil {
				return err
			}
			var published []*partnership.Award
			for _, a := range as {
				if a.State == partnership.AwardPublished {
					published = append(published, a)
				}
			}
			if len(published) == 0 {
				continue
			}
			rows, err := named(c, published, awardPartner, func(a *partnership.Award, name string) awardRow {
				row := awardRow{Name: name, Percent: partnership.Percent(a.Adjusted())}
				for _, k := range d.Criteria {
					row.Scores = append(row.Scores, v.Num(a.Scores[k]))
				}
				return row
			})
			if err != nil {
				return err
			}
			for i := range rows {
				rows[i].Rank = i + 1
			}
			d.Cycle, d.Rows = cy, rows
			break
		}
		d.Last = d.Cycle + max(r.FourPillar.AwardCycleYears, 1) - 1
		v.Data = d
		return render(c, v, "awards")
	}
}

// CriterionName names an award criterion: from the catalog when it has one.
func (v *view) CriterionName(k string) string {
	if key := "awards.criterion." + k; v.L.Has(key) {
		return v.L.T(key)
	}
	return k
}

// StepName names a step of the sanction ladder: from the catalog when it
// has one, else the region's key.
func (v *view) StepName(k string) string {
	if key := "sanctions.step." + k; v.L.Has(key) {
		return v.L.T(key)
	}
	return k
}

// sanctionsPage shows each approved partner's compliance state and every
// sanction recommended, issued, lifted or dismissed, with its reasons.
func sanctionsPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := fourPillarOnly(c); err != nil {
			return err
		}
		t, db := tenantOf(c)
		v := newView(c, o, "sanctions")
		st, err := store.Standings(c.UserContext(), db, t.Region, nil)
		if err != nil {
			return err
		}
		rows, err := fourpillar.Sanctions(c.UserContext(), realmOf(c), actorOf(c), fourpillar.SanctionQuery{})
		if err != nil {
			return err
		}
		slices.Reverse(rows)
		v.Data = struct {
			Standings []store.Standing
			Sanctions []fourpillar.NamedSanction
		}{st, rows}
		return render(c, v, "sanctions")
	}
}

// --- the work queues of sanctions ---

// sanctionQueues are the forum secretariat's sanctions: those recommended to
// issue (citing the region's regulation) or dismiss, those in force to lift.
func sanctionQueues(c *fiber.Ctx, v *view, g authz.Grant) ([]queue, error) {
	rows, err := fourpillar.Sanctions(c.UserContext(), realmOf(c), actorOf(c), fourpillar.SanctionQuery{})
	if err != nil {
		return nil, err
	}
	basis, basisErr := regionOf(c).tenant.Region.SanctionLegalBasis()
	q := queue{Title: v.L.T("work.sanctions"), Scope: g.Scope, Empty: v.L.T("work.none"),
		Links: []link{{v.Base + "/sanctions", v.L.T("nav.sanctions")}}}
	for _, r := range rows {
		id := strconv.FormatInt(r.ID, 10)
		it := sanctionItem(v, r)
		switch r.State {
		case partnership.SanctionRecommended:
			if basisErr == nil {
				it.Lines = append(it.Lines, v.L.T("sanctions.basis", basis))
				it.Actions = append(it.Actions, action{Key: "issue-" + id, Path: "/work/sanctions/" + id + "/issue", Label: v.L.T("work.sanction.issue")})
			}
			it.Actions = append(it.Actions, action{Key: "dismiss-" + id, Path: "/work/sanctions/" + id + "/dismiss", Label: v.L.T("work.sanction.dismiss"), Secondary: true,
				Fields: []field{reasonField(v, "dismiss-"+id, "field.resolution")}})
		case partnership.SanctionIssued:
			it.Lines = append(it.Lines, v.L.T("sanctions.basis", r.LegalBasis))
			it.Actions = append(it.Actions, action{Key: "lift-" + id, Path: "/work/sanctions/" + id + "/lift", Label: v.L.T("work.sanction.lift"),
				Fields: []field{reasonField(v, "lift-"+id, "field.resolution")}})
		default:
			continue
		}
		q.Items = append(q.Items, it)
	}
	return []queue{q}, nil
}

// partnerSanctionQueue lists the sanctions and notices of the partners the
// account acts for.
func partnerSanctionQueue(c *fiber.Ctx, v *view, g authz.Grant) (queue, error) {
	q := queue{Title: v.L.T("work.partner.sanctions"), Scope: g.Scope, Empty: v.L.T("work.sanctions.none")}
	rows, err := fourpillar.Sanctions(c.UserContext(), realmOf(c), actorOf(c), fourpillar.SanctionQuery{Mine: true})
	if err != nil {
		return q, err
	}
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		it := sanctionItem(v, r)
		if r.LegalBasis != "" {
			it.Lines = append(it.Lines, v.L.T("sanctions.basis", r.LegalBasis))
		}
		if r.Resolution != "" {
			it.Lines = append(it.Lines, v.L.T("sanctions.resolution", r.Resolution))
		}
		q.Items = append(q.Items, it)
	}
	return q, nil
}

// sanctionItem is a sanction in a work queue: on whom, which step, its
// state and why it was recommended.
func sanctionItem(v *view, r fourpillar.NamedSanction) workItem {
	return workItem{Title: v.L.T("sanctions.item", r.PartnerName, v.StepName(r.Step)), State: v.stateLabel("sanction", string(r.State)),
		Lines: []string{v.L.T("sanctions.reason", r.Reason)}}
}

// moveSanctionPage issues, dismisses or lifts a sanction from the forum
// secretariat's queue (fourpillar.MoveSanction, as the API's moveSanction):
// issuing cites the region's regulation on the CSR obligation; dismissing
// and lifting need a reason.
func moveSanctionPage(o Options, to partnership.SanctionState) fiber.Handler {
	prefix := map[partnership.SanctionState]string{partnership.SanctionIssued: "issue-", partnership.SanctionDismissed: "dismiss-", partnership.SanctionLifted: "lift-"}[to]
	return workAction(o, prefix, "flash.sanction."+string(to), func(c *fiber.Ctx, v *view, f *form) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		_, err = fourpillar.MoveSanction(c.UserContext(), realmOf(c), actorOf(c), id, to, f.Get("reason"))
		return err
	})
}
