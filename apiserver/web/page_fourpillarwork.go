package web

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// The four-pillar model's work queues — what fourpillar.WorkOf reads — and
// their actions, each taking the same step of package fourpillar as the
// API's handler. First the CSR forum secretariat's: registrations to review
// and to decide, the plans to align and to decide, the forum's meetings to
// schedule, hold and close, and the sanctions to issue, dismiss or lift;
// then the partners'.

// forumQueues are the secretariat's queues of the forum's work.
func (v *view) forumQueues(c *fiber.Ctx, scope string, w fourpillar.Work) []queue {
	qs := []queue{v.links("work.forum", scope, "/partners", "nav.partners", "/csr/requests", "nav.requests",
		"/forum", "nav.forum", "/evaluations", "nav.evaluations", "/awards", "nav.awards")}
	if v.FourPillar() {
		var open, held []option
		for _, m := range w.Meetings {
			o := option{Value: strconv.FormatInt(m.ID, 10), Label: v.L.T("forum.meeting", m.Quarter, m.Year) + " · " + v.When(m.ScheduledAt)}
			switch m.State {
			case partnership.ForumScheduled:
				open = append(open, o)
			case partnership.ForumHeld:
				open, held = append(open, o), append(held, o)
			}
		}
		qs = append(qs, v.registrationQueue(c, scope, w.Registrations, open, held), v.planQueue(c, scope, w.Plans, held),
			v.forumMeetingQueue(c, scope, w.Meetings))
	}
	return append(qs, v.sanctionQueue(c, scope, w.Sanctions))
}

// forumMeetingQueue lists the meetings not closed yet, each with its next
// step, and the form to schedule one.
func (v *view) forumMeetingQueue(c *fiber.Ctx, scope string, ms []*partnership.ForumMeeting) queue {
	q := v.list("work.forum.meetings", scope)
	may := holds(c, policies.ForumMeet, scope)
	for _, m := range ms {
		if m.State == partnership.ForumClosed {
			continue
		}
		it := workItem{Title: v.L.T("forum.meeting", m.Quarter, m.Year), Href: fmt.Sprintf("%s/forum/%d", v.Base, m.ID),
			State: v.stateLabel("forum", string(m.State)), Lines: []string{v.When(m.ScheduledAt) + " · " + m.Place}}
		if may {
			switch m.State {
			case partnership.ForumScheduled:
				att := each(forumPillars, func(p partnership.Stakeholder) input {
					return relabel(text("attendance."+string(p), "field.attendance.pillar", "type=number", "min=0", "inputmode=numeric"),
						func(v *view) string { return v.L.T("field.attendance.pillar", v.L.T("forum.pillar."+string(p))) })
				})
				it.Actions = append(it.Actions, v.on("hold-", m.ID, "/work/forum/%d/hold", "work.forum.hold", att...).under(v.L.T("work.forum.hold.legend")))
			case partnership.ForumHeld:
				it.Actions = append(it.Actions, v.on("fclose-", m.ID, "/work/forum/%d/close", "work.forum.close", text("minutes", "field.minutes", "type=textarea", "rows=4", "required")))
			}
		}
		q.Items = append(q.Items, it)
	}
	if may {
		now := realmOf(c).Clock().In(v.Region.Location)
		quarters := each([]int{1, 2, 3, 4}, func(i int) option { return option{Value: strconv.Itoa(i), Label: v.L.T("field.quarter.n", i)} })
		quarter := strconv.Itoa((int(now.Month())-1)/3 + 1)
		q.Forms = append(q.Forms, v.newWork("forum", "/work/forum", "work.forum.schedule", "work.forum.schedule.legend",
			append([]input{yearChoice("year", now.Year(), now.Year(), now.Year()+1), choice("quarter", "field.quarter", quarters, "value="+quarter)}, sitting...)...))
	}
	return q
}

// forumDecision is the form of the forum's decision at one of the held
// meetings: approve, or the other way with its reason.
func (v *view) forumDecision(prefix string, id int64, path, legend string, held []option, meeting, other, why string) action {
	return v.on(prefix, id, path, "work.forum.decide", choice("meeting", "field.meeting.held", held, "placeholder=field.meeting.choose", "value="+meeting),
		choice("decision", "field.decision", choices(v, "work.decide.", partnership.DecideApprove, other)), reason(why)).under(v.L.T(legend))
}

// registrationQueue lists the registrations to review, with the checklist,
// and those on an agenda, to decide at a held meeting.
func (v *view) registrationQueue(c *fiber.Ctx, scope string, ps []*partnership.Partner, open, held []option) queue {
	r := v.Region
	q := v.list("work.forum.registrations", scope)
	for _, p := range ps {
		it := workItem{Title: p.Name, State: v.stateLabel("partner", string(p.State)),
			Lines: []string{v.L.T("kind.partner."+string(p.Kind)) + " · " + strings.Join(each(p.Areas, r.AreaName), ", "), v.When(p.RegisteredAt)}}
		if actorOf(c).Is(p.AccountID) { // nobody reviews or decides on their own registration
			q.Items = append(q.Items, it)
			continue
		}
		switch p.State {
		case partnership.PartnerRegistered:
			if holds(c, policies.PartnerReview, scope) {
				var fs []input
				for _, item := range partnership.PartnerChecklist {
					fs = append(fs, text("checklist."+item.Key, "checklist."+item.Key, "type=checkbox"))
				}
				fs = append(fs, text("notes", "field.notes", "type=textarea", "rows=3", "hint=hint.review.notes"),
					choice("meeting", "field.meeting", open, "placeholder=field.meeting.choose"))
				it.Actions = append(it.Actions, v.on("review-", p.ID, "/work/partners/%d/review", "work.forum.review", fs...).under(v.L.T("work.forum.review.legend")))
			}
		case partnership.PartnerReviewed:
			if p.Review != nil {
				key := "work.forum.review.failed"
				if p.Review.Passed {
					key = "work.forum.review.passed"
				}
				it.Lines = append(it.Lines, v.L.T(key), p.Review.Notes) // no line for no notes
			}
			if holds(c, policies.PartnerDecide, scope) {
				it.Actions = append(it.Actions, v.forumDecision("pdecide-", p.ID, "/work/partners/%d/decide", "work.forum.decide.legend", held,
					strconv.FormatInt(p.MeetingID, 10), partnership.DecideReject, "field.rejectReason"))
			}
		}
		q.Items = append(q.Items, it)
	}
	return q
}

// planQueue lists the plans to align, each activity with the region's
// priority areas and targets to choose from, and the aligned plans for the
// forum to approve or send back at a held meeting. A plan's own partner —
// or one whose partner cannot be read — gets no form.
func (v *view) planQueue(c *fiber.Ctx, scope string, ps []fourpillar.PlanWork, held []option) queue {
	r := v.Region
	q := v.list("work.forum.plans", scope)
	var targets []option
	for _, a := range r.PriorityAreas() {
		for _, t := range a.Targets {
			targets = append(targets, option{Value: t.Key, Label: t.Name, Group: a.Name})
		}
	}
	alignments := choices(v, "alignment.", partnership.Aligned, partnership.Partial, partnership.NotAligned)
	for _, pl := range ps {
		name, own := fmt.Sprintf("%s #%d", partnership.SubjectPlan, pl.ID), true
		if pl.Partner != nil {
			name, own = v.L.T("forum.subject.plan", pl.Partner.Name, pl.FiscalYear), actorOf(c).Is(pl.Partner.AccountID)
		}
		s := pl.Score()
		it := v.planItem(pl.CSRPlan, name)
		it.Lines = append(it.Lines, when(pl.Late, v.L.T("plan.late")))
		switch pl.State {
		case partnership.PlanSubmitted:
			var fs []input
			for i, a := range pl.Activities {
				it.Lines = append(it.Lines, v.L.T("plan.activity", i+1, a.Title, r.AreaName(a.Area), a.Target, v.Money(a.Financing)))
				pre := fmt.Sprintf("activities.%d.", i)
				fs = append(fs, relabel(choice(pre+"alignment", "field.alignment", alignments), func(v *view) string { return v.L.T("field.alignment.n", i+1) }),
					choice(pre+"area", "field.alignedArea", areaOptions(r), "placeholder=field.none", "value="+a.Area),
					choice(pre+"target", "field.alignedTarget", targets, "placeholder=field.none"))
			}
			if !own && holds(c, policies.CSRPlanAlign, scope) {
				it.Actions = append(it.Actions, v.on("align-", pl.ID, "/work/plans/%d/align", "work.forum.align", fs...).under(v.L.T("work.forum.align.legend")))
			}
		case partnership.PlanAligned:
			it.Lines = append(it.Lines, v.L.T("plan.score", s.Share.String()))
			for i, a := range pl.Activities {
				it.Lines = append(it.Lines, v.L.T("plan.aligned", i+1, a.Title, r.AreaName(a.AlignedArea), v.L.T("alignment."+string(a.Alignment))))
			}
			if !own && holds(c, policies.CSRPlanApprove, scope) {
				it.Actions = append(it.Actions, v.forumDecision("plandecide-", pl.ID, "/work/plans/%d/decide", "work.forum.plan.legend", held,
					"", partnership.DecideRevise, "field.reviseReason"))
			}
		}
		q.Items = append(q.Items, it)
	}
	return q
}

// planItem is a plan in a queue, named title: how many activities, their
// financing, and when the partner's board approved it.
func (v *view) planItem(pl *partnership.CSRPlan, title string) workItem {
	return workItem{Title: title, State: v.stateLabel("plan", string(pl.State)),
		Lines: []string{v.L.T("plan.line", v.Num(len(pl.Activities)), v.Money(pl.Score().Total), v.Date(pl.BoardApprovedAt))}}
}

// sanctionQueue is the forum secretariat's sanctions: those recommended to
// issue (citing the region's regulation) or dismiss, those in force to lift.
func (v *view) sanctionQueue(c *fiber.Ctx, scope string, ss []fourpillar.NamedSanction) queue {
	basis, basisErr := v.Region.SanctionLegalBasis()
	q := v.list("work.sanctions", scope)
	q.Links = []link{{v.Base + "/sanctions", v.L.T("nav.sanctions")}}
	for _, s := range ss {
		it := sanctionItem(v, s)
		if s.State == partnership.SanctionRecommended {
			if basisErr == nil {
				it.Lines = append(it.Lines, v.L.T("sanctions.basis", basis))
				it.Actions = append(it.Actions, v.on("issue-", s.ID, "/work/sanctions/%d/issue", "work.sanction.issue"))
			}
			it.Actions = append(it.Actions, v.on("dismiss-", s.ID, "/work/sanctions/%d/dismiss", "work.sanction.dismiss", reason("field.resolution")).secondary())
		} else {
			it.Lines = append(it.Lines, v.L.T("sanctions.basis", s.LegalBasis))
			it.Actions = append(it.Actions, v.on("lift-", s.ID, "/work/sanctions/%d/lift", "work.sanction.lift", reason("field.resolution")))
		}
		q.Items = append(q.Items, it)
	}
	return q
}

// sanctionItem is a sanction in a work queue: on whom, which step, its
// state and why it was recommended.
func sanctionItem(v *view, s fourpillar.NamedSanction) workItem {
	return workItem{Title: v.L.T("sanctions.item", s.PartnerName, v.Named("sanctions.step.", s.Step)), State: v.stateLabel("sanction", string(s.State)),
		Lines: []string{v.L.T("sanctions.reason", s.Reason)}}
}

// formID reads a number the form names (a meeting, a partner); 0 when none.
func formID(f *form, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(f.Get(name)), 10, 64)
	return n
}

// scheduleForumPage schedules a forum meeting (fourpillar.ScheduleForum).
var scheduleForumPage = newPage("forum", "flash.forum.scheduled", fourpillar.ScheduleForum, func(v *view, f *form) partnership.ForumMeetingInput {
	in := partnership.ForumMeetingInput{Place: f.Get("place"), ScheduledAt: f.datetime(v, "scheduledAt", v.Region.Location)}
	in.Year, _ = strconv.Atoi(f.Get("year"))
	in.Quarter, _ = strconv.Atoi(f.Get("quarter"))
	if strings.TrimSpace(in.Place) == "" {
		f.fail("place", v.L.T("error.required"))
	}
	return in
})

// holdForumPage records a meeting's attendance by pillar
// (fourpillar.HoldForum); a pillar left empty did not attend.
var holdForumPage = takePage("hold-", "flash.forum.held", fourpillar.HoldForum, func(v *view, f *form) map[partnership.Stakeholder]int {
	att := map[partnership.Stakeholder]int{}
	for _, p := range forumPillars {
		name := "attendance." + string(p)
		if strings.TrimSpace(f.Get(name)) == "" {
			continue
		}
		att[p] = f.count(v, name)
	}
	return att
})

// closeForumPage publishes a meeting's minutes (fourpillar.CloseForum).
var closeForumPage = takePage("fclose-", "flash.forum.closed", fourpillar.CloseForum, value("minutes"))

// reviewPartnerPage records the secretariat's checklist of a registration
// and puts it on a meeting's agenda (fourpillar.ReviewPartner). An item left
// unchecked is one the registration fails.
var reviewPartnerPage = takePage("review-", "flash.partner.reviewed", fourpillar.ReviewPartner, func(v *view, f *form) partnership.ReviewInput {
	in := partnership.ReviewInput{Checklist: map[string]bool{}, Notes: f.Get("notes"), Meeting: formID(f, "meeting")}
	for _, item := range partnership.PartnerChecklist {
		in.Checklist[item.Key] = f.Bool("checklist." + item.Key)
	}
	if in.Meeting == 0 {
		f.fail("meeting", v.L.T("error.choose"))
	}
	return in
})

// forumDecisionPage records the forum's decision at a held meeting, as
// decide takes it: approval, or the other decision, which needs a reason.
func forumDecisionPage[T any](prefix, flash, other string, decide func(context.Context, *step.Region, step.Actor, int64, fourpillar.ForumDecision) (T, error)) fiber.Handler {
	return takePage(prefix, flash, decide, func(v *view, f *form) fourpillar.ForumDecision {
		in := fourpillar.ForumDecision{Meeting: formID(f, "meeting"), Decision: f.Get("decision"), Reason: f.Get("reason")}
		if in.Decision == other && strings.TrimSpace(in.Reason) == "" {
			f.fail("reason", v.L.T("error.required"))
		}
		return in
	})
}

var (
	// decidePartnerPage decides on a registration (fourpillar.DecidePartner):
	// approval grants the partner's role.
	decidePartnerPage = forumDecisionPage("pdecide-", "flash.partner.decided", partnership.DecideReject, fourpillar.DecidePartner)
	// decidePlanPage approves an aligned plan, or asks for its revision
	// (fourpillar.DecidePlan).
	decidePlanPage = forumDecisionPage("plandecide-", "flash.plan.decided", partnership.DecideRevise, fourpillar.DecidePlan)
)

// alignPlanPage records the alignment of every activity of a plan
// (fourpillar.AlignPlan); the form's rows are the plan's activities in order.
var alignPlanPage = workOn("align-", "flash.plan.aligned", func(c *fiber.Ctx, v *view, f *form, id int64) error {
	plan, err := store.GetPlan(c.UserContext(), realmOf(c).DB, id)
	if err != nil {
		return err
	}
	in := make([]partnership.AlignmentInput, len(plan.Activities))
	for i, a := range plan.Activities {
		pre := fmt.Sprintf("activities.%d.", i)
		in[i] = partnership.AlignmentInput{Activity: a.ID, Area: f.Get(pre + "area"), Target: f.Get(pre + "target"),
			Alignment: partnership.Alignment(f.Get(pre + "alignment"))}
		if in[i].Alignment == partnership.NotAligned {
			in[i].Area, in[i].Target = "", ""
		}
	}
	_, err = fourpillar.AlignPlan(c.UserContext(), realmOf(c), actorOf(c), id, in)
	return err
})

// --- the partners' work ---

// The company's or university's work queues: its annual CSR plans, with the
// form to submit one, and its programmes, with the form to report a
// realisation. The actions take the same steps as the API's submitPlan and
// revisePlan (fourpillar.go) and submitRealisation (csroutcomes.go).

// planRows is how many activity rows the plan form offers; empty rows are
// ignored.
const planRows = 3

// partnerQueues are a company's or university's queues: the pages of its
// work, the plans and realisations of the partners it acts for (where the
// region runs the four-pillar model), and the sanctions on them.
func (v *view) partnerQueues(c *fiber.Ctx, scope string, w fourpillar.Work) []queue {
	qs := []queue{v.links("work.partner", scope, "/csr/requests", "nav.requests", "/partners", "nav.partners")}
	if len(w.Partners) > 0 {
		qs = append(qs, v.partnerWork(c, scope, w.Partners)...)
	}
	nq := queue{Title: v.L.T("work.partner.sanctions"), Scope: scope, Empty: v.L.T("work.sanctions.none")}
	for _, s := range w.Notices {
		it := sanctionItem(v, s)
		it.Lines = append(it.Lines, when(s.LegalBasis != "", v.L.T("sanctions.basis", s.LegalBasis)))
		it.Lines = append(it.Lines, when(s.Resolution != "", v.L.T("sanctions.resolution", s.Resolution)))
		nq.Items = append(nq.Items, it)
	}
	return append(qs, nq)
}

// partnerWork are the queues of the partners' plans, with the form to submit
// one, and of their realisations, with the form to report one.
func (v *view) partnerWork(c *fiber.Ctx, scope string, partners []fourpillar.PartnerWork) []queue {
	r := v.Region
	var partnerOpts, programmes []option
	pq := v.list("work.partner.plans", scope)
	rq := queue{Title: v.L.T("work.partner.realisations"), Scope: scope, Empty: v.L.T("work.partner.programmes.none")}
	for _, p := range partners {
		partnerOpts = append(partnerOpts, option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
		for _, pl := range p.Plans {
			it := v.planItem(pl, v.L.T("forum.subject.plan", p.Name, pl.FiscalYear))
			it.Lines = append(it.Lines, when(pl.Reason != "", v.L.T("sanctions.reason", pl.Reason)))
			if pl.State == partnership.PlanRevision && holds(c, policies.CSRPlanSubmit, scope) {
				it.Actions = append(it.Actions, revisePlanAction(v, pl))
			}
			pq.Items = append(pq.Items, it)
		}
		for _, pr := range p.Programmes {
			programmes = append(programmes, option{Value: strconv.FormatInt(pr.ID, 10),
				Label: fmt.Sprintf("#%d %s · %s · %d", pr.ID, pr.Title, r.AreaName(pr.Area), pr.FiscalYear)})
		}
	}
	for _, p := range partners {
		for _, rz := range p.Realisations {
			it := workItem{Title: v.L.T("realisation.title", rz.ProgrammeID, v.Money(rz.Amount)),
				Lines: []string{v.Date(rz.ActivityStart) + " – " + v.Date(rz.ActivityEnd), rz.Outputs}}
			it.Lines = append(it.Lines, when(rz.Late, v.L.T("report.late")))
			rq.Items = append(rq.Items, it)
		}
	}
	if holds(c, policies.CSRPlanSubmit, scope) {
		year := thisYear(c)
		partner := hidden("partner", partnerOpts[0].Value)
		if len(partners) > 1 {
			partner = choice("partner", "field.partner", partnerOpts)
		}
		pq.Forms = append(pq.Forms, v.newWork("plan", "/work/plans", "work.plan.submit", "work.plan.legend", append([]input{partner, yearChoice("fiscalYear", year, year-1, year),
			text("boardApprovedAt", "field.boardApprovedAt", "type=date", "required", "hint=hint.boardApprovedAt")}, planActivityFields(v, nil)...)...))
	}
	if len(programmes) > 0 && holds(c, policies.RealisationSubmit, scope) {
		realisation := v.newWork("realisation", "/work/realisations", "work.realisation.submit", "work.realisation.legend",
			choice("programme", "field.programme", programmes, "placeholder=field.choose"), activityStart, activityEnd, text("amount", "field.amount", money...),
			text("sourceOfFunds", "field.sourceOfFunds", "required"), outputs, text("targetsReached", "field.targetsReached", "type=textarea", "rows=2", "required"),
			text("evidence", "field.attachments", "type=file", "hint=hint.attachments"))
		realisation.Multipart = true
		rq.Forms = append(rq.Forms, realisation)
	}
	return []queue{pq, rq}
}

// submitPlanPage submits an approved partner's annual plan
// (fourpillar.SubmitPlan); the form's empty activity rows are left out, and a
// refusal of an activity is shown beside the row it came from.
var submitPlanPage = workAction("plan", "flash.plan.submitted", func(c *fiber.Ctx, v *view, f *form) error {
	in := partnership.PlanInput{Partner: formID(f, "partner")}
	in.FiscalYear, _ = strconv.Atoi(f.Get("fiscalYear"))
	in.BoardApprovedAt = f.date(v, "boardApprovedAt", v.Region.Location)
	var rows []int // the form's row of each activity
	in.Activities, rows = planActivitiesOf(v, f)
	if f.Failed() {
		return errFormFailed
	}
	_, err := fourpillar.SubmitPlan(c.UserContext(), realmOf(c), actorOf(c), in)
	return byRow(err, rows)
})

// submitRealisationPage reports the realisation of one of the partner's
// programmes, with optional evidence, as the API's submitRealisation does.
var submitRealisationPage = workAction("realisation", "flash.realisation", func(c *fiber.Ctx, v *view, f *form) error {
	in := partnership.RealisationInput{Programme: formID(f, "programme"), ActivityStart: f.Get("activityStart"), ActivityEnd: f.Get("activityEnd"),
		SourceOfFunds: f.Get("sourceOfFunds"), Outputs: f.Get("outputs"), TargetsReached: f.Get("targetsReached")}
	if in.Programme <= 0 {
		f.fail("programme", v.L.T("error.choose"))
	}
	in.Amount = f.money(v, "amount")
	var files []partnership.Upload
	if mf, err := c.MultipartForm(); err == nil {
		if files, err = readUploads(mf.File["evidence"], true); err != nil {
			return err
		}
	}
	if f.Failed() {
		return errFormFailed
	}
	_, err := fourpillar.SubmitRealisation(c.UserContext(), realmOf(c), actorOf(c), in, files)
	return err
})

// planActivityFields are the plan form's activity rows: planRows of them,
// or one for each activity of a plan given, prefilled with it.
func planActivityFields(v *view, acts []partnership.PlanActivity) []input {
	r, places := v.Region, placeOptions(v, false)
	var fs []input
	for i := range max(planRows, len(acts)) {
		row := func(in input, label string) input {
			return relabel(in, func(v *view) string { return v.L.T("field.plan.row", i+1, v.L.T(label)) })
		}
		pre := fmt.Sprintf("activities.%d.", i)
		pf := make([]string, 6) // what a given activity prefills, by name
		if i < len(acts) {
			a := acts[i]
			pf = []string{"value=" + a.Title, "value=" + a.Location, "value=" + a.Area, "value=" + a.Target, "value=" + a.Goal,
				"value=" + strconv.FormatInt(int64(a.Financing), 10)}
		}
		fs = append(fs,
			row(text(pre+"title", "field.title", pf[0]), "field.title"),
			row(choice(pre+"location", "field.location", places, "placeholder=field.choose", pf[1]), "field.location"),
			row(choice(pre+"area", "field.area", areaOptions(r), "placeholder=field.choose", pf[2]), "field.area"),
			row(text(pre+"target", "field.target", pf[3]), "field.target"),
			row(text(pre+"goal", "field.goal", "type=textarea", "rows=2", pf[4]), "field.goal"),
			row(text(pre+"financing", "field.financing", "inputmode=numeric", "hint=hint.money", pf[5]), "field.financing"))
	}
	return fs
}

// planActivitiesOf reads the activity rows of a plan form, leaving out the
// empty ones, with the form's row of each activity.
func planActivitiesOf(v *view, f *form) (acts []partnership.ActivityInput, rows []int) {
	for i := range partnership.MaxPlanActivities {
		pre := fmt.Sprintf("activities.%d.", i)
		a := partnership.ActivityInput{Title: f.Get(pre + "title"), Location: f.Get(pre + "location"), Area: f.Get(pre + "area"),
			Target: f.Get(pre + "target"), Goal: f.Get(pre + "goal")}
		money := strings.TrimSpace(f.Get(pre + "financing"))
		if strings.TrimSpace(a.Title+a.Location+a.Area+a.Target+a.Goal) == "" && money == "" {
			continue
		}
		if money == "" {
			f.fail(pre+"financing", v.L.T("error.required"))
		} else {
			a.Financing = f.money(v, pre+"financing")
		}
		acts = append(acts, a)
		rows = append(rows, i)
	}
	if len(acts) == 0 {
		f.fail("activities.0.title", v.L.T("error.plan.activity"))
	}
	return acts, rows
}

// byRow names a refused activity, named by its place among those sent, by
// its row of the form.
func byRow(err error, rows []int) error {
	var fe *partnership.FieldError
	if errors.As(err, &fe) && strings.HasPrefix(fe.Field, "activities.") {
		parts := strings.SplitN(fe.Field, ".", 3)
		if n, aerr := strconv.Atoi(parts[1]); aerr == nil && n < len(rows) && len(parts) == 3 {
			return partnership.Invalid(fmt.Sprintf("activities.%d.%s", rows[n], parts[2]), "%s", fe.Reason)
		}
	}
	return err
}

// revisePlanAction is the form revising a plan the forum sent back: the
// plan form's activity rows, prefilled with the plan's. A plan keeps its
// partner, fiscal year and board approval (the domain's RevisePlan changes
// only its activities), so those are not asked again.
func revisePlanAction(v *view, pl *partnership.CSRPlan) action {
	return v.on("revise-", pl.ID, "/work/plans/%d/revise", "work.plan.revise", append([]input{hidden("fiscalYear", strconv.Itoa(pl.FiscalYear))},
		planActivityFields(v, pl.Activities)...)...).under(v.L.T("work.plan.revise.legend"))
}

// revisePlanPage submits a plan the forum sent back again, with its
// activities as the form now has them (fourpillar.RevisePlan).
var revisePlanPage = workOn("revise-", "flash.plan.revised", func(c *fiber.Ctx, v *view, f *form, id int64) error {
	var in partnership.PlanInput
	in.FiscalYear, _ = strconv.Atoi(f.Get("fiscalYear"))
	var rows []int
	in.Activities, rows = planActivitiesOf(v, f)
	if f.Failed() {
		return errFormFailed
	}
	_, err := fourpillar.RevisePlan(c.UserContext(), realmOf(c), actorOf(c), id, in)
	return byRow(err, rows)
})
