package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// The CSR forum secretariat's work queues: registrations to review and to
// decide, the forum's meetings to schedule, hold and close, and the plans to
// align and to decide. Each form posts to an action below that takes the
// same step of package fourpillar as the API's handler (fourpillar.go).

// forumWorkQueues are the secretariat's queues of the forum's work.
func forumWorkQueues(c *fiber.Ctx, o Options, v *view, g authz.Grant) ([]queue, error) {
	rr := regionOf(c)
	ctx, db, r := c.UserContext(), rr.db, rr.tenant.Region
	if !r.Runs(partnership.FourPillar) {
		return nil, nil
	}
	ms, err := store.ListForumMeetings(ctx, db, store.ForumFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	var open, held []option
	for _, m := range ms {
		label := v.L.T("forum.meeting", m.Quarter, m.Year) + " · " + v.When(m.ScheduledAt)
		switch m.State {
		case partnership.ForumScheduled:
			open = append(open, option{Value: strconv.FormatInt(m.ID, 10), Label: label})
		case partnership.ForumHeld:
			open = append(open, option{Value: strconv.FormatInt(m.ID, 10), Label: label})
			held = append(held, option{Value: strconv.FormatInt(m.ID, 10), Label: label})
		}
	}

	mq, err := forumMeetingQueue(c, o, v, g, ms)
	if err != nil {
		return nil, err
	}
	pq, err := registrationQueue(c, v, g, open, held)
	if err != nil {
		return nil, err
	}
	lq, err := planQueue(c, v, g, held)
	if err != nil {
		return nil, err
	}
	return []queue{pq, lq, mq}, nil
}

// forumMeetingQueue lists the meetings not closed yet, each with its next
// step, and the form to schedule one.
func forumMeetingQueue(c *fiber.Ctx, o Options, v *view, g authz.Grant, ms []*partnership.ForumMeeting) (queue, error) {
	r := regionOf(c).tenant.Region
	q := queue{Title: v.L.T("work.forum.meetings"), Scope: g.Scope, Empty: v.L.T("work.none")}
	may := holds(c, policies.ForumMeet, g.Scope)
	for _, m := range ms {
		if m.State == partnership.ForumClosed {
			continue
		}
		id := strconv.FormatInt(m.ID, 10)
		it := workItem{Title: v.L.T("forum.meeting", m.Quarter, m.Year), Href: v.Base + "/forum/" + id,
			State: v.stateLabel("forum", string(m.State)), Lines: []string{v.When(m.ScheduledAt) + " · " + m.Place}}
		if may {
			switch m.State {
			case partnership.ForumScheduled:
				k := "hold-" + id
				fs := []field{}
				for _, p := range forumPillars {
					fd := v.Field(k, "attendance."+string(p), "field.attendance.pillar", "type=number", "min=0", "inputmode=numeric")
					fd.Label = v.L.T("field.attendance.pillar", v.L.T("forum.pillar."+string(p)))
					fs = append(fs, fd)
				}
				it.Actions = append(it.Actions, action{Key: k, Path: "/work/forum/" + id + "/hold", Label: v.L.T("work.forum.hold"),
					Legend: v.L.T("work.forum.hold.legend"), Fields: fs})
			case partnership.ForumHeld:
				k := "fclose-" + id
				it.Actions = append(it.Actions, action{Key: k, Path: "/work/forum/" + id + "/close", Label: v.L.T("work.forum.close"),
					Fields: []field{v.Field(k, "minutes", "field.minutes", "type=textarea", "rows=4", "required")}})
			}
		}
		q.Items = append(q.Items, it)
	}
	if may {
		year := o.now().In(r.Location).Year()
		years := []option{{Value: strconv.Itoa(year), Label: strconv.Itoa(year)}, {Value: strconv.Itoa(year + 1), Label: strconv.Itoa(year + 1)}}
		var quarters []option
		for i := 1; i <= 4; i++ {
			quarters = append(quarters, option{Value: strconv.Itoa(i), Label: v.L.T("field.quarter.n", i)})
		}
		quarter := strconv.Itoa((int(o.now().In(r.Location).Month())-1)/3 + 1)
		k := "forum"
		q.Forms = append(q.Forms, action{Key: k, Path: "/work/forum", Label: v.L.T("work.forum.schedule"), Legend: v.L.T("work.forum.schedule.legend"),
			Fields: []field{
				v.Select(k, "year", "field.fiscalYear", years, "value="+strconv.Itoa(year)),
				v.Select(k, "quarter", "field.quarter", quarters, "value="+quarter),
				v.Field(k, "scheduledAt", "field.scheduledAt", "type=datetime-local", "required", "hint=hint.scheduledAt"),
				v.Field(k, "place", "field.place", "required", "autocomplete=off"),
			}})
	}
	return q, nil
}

// registrationQueue lists the registrations to review, with the checklist,
// and those on an agenda, to decide at a held meeting.
func registrationQueue(c *fiber.Ctx, v *view, g authz.Grant, open, held []option) (queue, error) {
	rr := regionOf(c)
	ctx, db, r := c.UserContext(), rr.db, rr.tenant.Region
	q := queue{Title: v.L.T("work.forum.registrations"), Scope: g.Scope, Empty: v.L.T("work.none")}
	for _, st := range []partnership.PartnerState{partnership.PartnerRegistered, partnership.PartnerReviewed} {
		ps, err := store.ListPartners(ctx, db, store.PartnerFilter{State: st, Limit: 200})
		if err != nil {
			return q, err
		}
		for _, p := range ps {
			id := strconv.FormatInt(p.ID, 10)
			var areas []string
			for _, a := range p.Areas {
				areas = append(areas, areaName(r, a))
			}
			it := workItem{Title: p.Name, State: v.stateLabel("partner", string(p.State)),
				Lines: []string{v.L.T("kind.partner."+string(p.Kind)) + " · " + strings.Join(areas, ", "), v.When(p.RegisteredAt)}}
			if actorOf(c).Is(p.AccountID) { // nobody reviews or decides on their own registration
				q.Items = append(q.Items, it)
				continue
			}
			switch p.State {
			case partnership.PartnerRegistered:
				if holds(c, policies.PartnerReview, g.Scope) {
					k := "review-" + id
					var fs []field
					for _, item := range partnership.PartnerChecklist {
						fs = append(fs, v.Field(k, "checklist."+item.Key, "checklist."+item.Key, "type=checkbox"))
					}
					fs = append(fs,
						v.Field(k, "notes", "field.notes", "type=textarea", "rows=3", "hint=hint.review.notes"),
						v.Select(k, "meeting", "field.meeting", open, "placeholder=field.meeting.choose"))
					it.Actions = append(it.Actions, action{Key: k, Path: "/work/partners/" + id + "/review", Label: v.L.T("work.forum.review"),
						Legend: v.L.T("work.forum.review.legend"), Fields: fs})
				}
			case partnership.PartnerReviewed:
				if p.Review != nil {
					key := "work.forum.review.passed"
					if !p.Review.Passed {
						key = "work.forum.review.failed"
					}
					it.Lines = append(it.Lines, v.L.T(key))
					if p.Review.Notes != "" {
						it.Lines = append(it.Lines, p.Review.Notes)
					}
				}
				if holds(c, policies.PartnerDecide, g.Scope) {
					k := "pdecide-" + id
					decisions := []option{{Value: partnership.DecideApprove, Label: v.L.T("work.decide.approve")}, {Value: partnership.DecideReject, Label: v.L.T("work.decide.reject")}}
					it.Actions = append(it.Actions, action{Key: k, Path: "/work/partners/" + id + "/decide", Label: v.L.T("work.forum.decide"),
						Legend: v.L.T("work.forum.decide.legend"), Fields: []field{
							v.Select(k, "meeting", "field.meeting.held", held, "placeholder=field.meeting.choose", "value="+strconv.FormatInt(p.MeetingID, 10)),
							v.Select(k, "decision", "field.decision", decisions),
							reasonField(v, k, "field.rejectReason"),
						}})
				}
			}
			q.Items = append(q.Items, it)
		}
	}
	return q, nil
}

// planQueue lists the plans to align, each activity with the region's
// priority areas and targets to choose from, and the aligned plans for the
// forum to approve or send back at a held meeting.
func planQueue(c *fiber.Ctx, v *view, g authz.Grant, held []option) (queue, error) {
	rr := regionOf(c)
	ctx, db, r := c.UserContext(), rr.db, rr.tenant.Region
	q := queue{Title: v.L.T("work.forum.plans"), Scope: g.Scope, Empty: v.L.T("work.none")}
	var targets []option
	for _, a := range r.FourPillar.PriorityAreas {
		for _, t := range a.Targets {
			targets = append(targets, option{Value: t.Key, Label: t.Name, Group: a.Name})
		}
	}
	alignments := []option{{Value: string(partnership.Aligned), Label: v.L.T("alignment.aligned")}, {Value: string(partnership.Partial), Label: v.L.T("alignment.partial")},
		{Value: string(partnership.NotAligned), Label: v.L.T("alignment.not-aligned")}}
	for _, st := range []partnership.PlanState{partnership.PlanSubmitted, partnership.PlanAligned} {
		ps, err := store.ListPlans(ctx, db, store.PlanFilter{State: st, Limit: 200})
		if err != nil {
			return q, err
		}
		for _, pl := range ps {
			id := strconv.FormatInt(pl.ID, 10)
			name := subjectName(ctx, db, v, partnership.SubjectPlan, pl.ID)
			s := pl.Score()
			it := workItem{Title: name, State: v.stateLabel("plan", string(pl.State)),
				Lines: []string{v.L.T("plan.line", v.Num(len(pl.Activities)), v.Money(s.Total), v.Date(pl.BoardApprovedAt))}}
			if pl.Late {
				it.Lines = append(it.Lines, v.L.T("plan.late"))
			}
			_, refused := fourpillar.NotOwnPlan(ctx, db, actorOf(c), pl)
			own := refused != nil // no form for the plan's own partner, nor when its partner cannot be read
			switch pl.State {
			case partnership.PlanSubmitted:
				var fs []field
				for i, a := range pl.Activities {
					it.Lines = append(it.Lines, v.L.T("plan.activity", i+1, a.Title, areaName(r, a.Area), a.Target, v.Money(a.Financing)))
					k, pre := "align-"+id, fmt.Sprintf("activities.%d.", i)
					fa := v.Select(k, pre+"alignment", "field.alignment", alignments)
					fa.Label = v.L.T("field.alignment.n", i+1)
					fs = append(fs, fa,
						v.Select(k, pre+"area", "field.alignedArea", areaOptions(r), "placeholder=field.none", "value="+a.Area),
						v.Select(k, pre+"target", "field.alignedTarget", targets, "placeholder=field.none"))
				}
				if !own && holds(c, policies.CSRPlanAlign, g.Scope) {
					it.Actions = append(it.Actions, action{Key: "align-" + id, Path: "/work/plans/" + id + "/align", Label: v.L.T("work.forum.align"),
						Legend: v.L.T("work.forum.align.legend"), Fields: fs})
				}
			case partnership.PlanAligned:
				it.Lines = append(it.Lines, v.L.T("plan.score", s.Share.String()))
				for i, a := range pl.Activities {
					it.Lines = append(it.Lines, v.L.T("plan.aligned", i+1, a.Title, areaName(r, a.AlignedArea), v.L.T("alignment."+string(a.Alignment))))
				}
				if !own && holds(c, policies.CSRPlanApprove, g.Scope) {
					k := "plandecide-" + id
					decisions := []option{{Value: partnership.DecideApprove, Label: v.L.T("work.decide.approve")}, {Value: partnership.DecideRevise, Label: v.L.T("work.decide.revise")}}
					it.Actions = append(it.Actions, action{Key: k, Path: "/work/plans/" + id + "/decide", Label: v.L.T("work.forum.decide"),
						Legend: v.L.T("work.forum.plan.legend"), Fields: []field{
							v.Select(k, "meeting", "field.meeting.held", held, "placeholder=field.meeting.choose"),
							v.Select(k, "decision", "field.decision", decisions),
							reasonField(v, k, "field.reviseReason"),
						}})
				}
			}
			q.Items = append(q.Items, it)
		}
	}
	return q, nil
}

// formID reads a number the form names (a meeting, a partner); 0 when none.
func formID(f *form, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(f.Get(name)), 10, 64)
	return n
}

// scheduleForumPage schedules a forum meeting (fourpillar.ScheduleForum).
func scheduleForumPage(o Options) fiber.Handler {
	return workAction(o, "forum", "flash.forum.scheduled", func(c *fiber.Ctx, v *view, f *form) error {
		r := regionOf(c).tenant.Region
		in := partnership.ForumMeetingInput{Place: f.Get("place")}
		in.Year, _ = strconv.Atoi(f.Get("year"))
		in.Quarter, _ = strconv.Atoi(f.Get("quarter"))
		if s := f.Get("scheduledAt"); s == "" {
			f.fail("scheduledAt", v.L.T("error.required"))
		} else if t, err := time.ParseInLocation("2006-01-02T15:04", s, r.Location); err != nil {
			f.fail("scheduledAt", v.L.T("error.datetime"))
		} else {
			in.ScheduledAt = t
		}
		if strings.TrimSpace(in.Place) == "" {
			f.fail("place", v.L.T("error.required"))
		}
		if f.Failed() {
			return errFormFailed
		}
		_, err := fourpillar.ScheduleForum(c.UserContext(), realmOf(c), actorOf(c), in)
		return err
	})
}

// holdForumPage records a meeting's attendance by pillar
// (fourpillar.HoldForum); a pillar left empty did not attend.
func holdForumPage(o Options) fiber.Handler {
	return workAction(o, "hold-", "flash.forum.held", func(c *fiber.Ctx, v *view, f *form) error {
		att := map[partnership.Stakeholder]int{}
		for _, p := range forumPillars {
			name := "attendance." + string(p)
			if strings.TrimSpace(f.Get(name)) == "" {
				continue
			}
			att[p] = f.count(v, name)
		}
		if f.Failed() {
			return errFormFailed
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		_, err = fourpillar.HoldForum(c.UserContext(), realmOf(c), actorOf(c), id, att)
		return err
	})
}

// closeForumPage publishes a meeting's minutes (fourpillar.CloseForum).
func closeForumPage(o Options) fiber.Handler {
	return workAction(o, "fclose-", "flash.forum.closed", func(c *fiber.Ctx, v *view, f *form) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		_, err = fourpillar.CloseForum(c.UserContext(), realmOf(c), actorOf(c), id, f.Get("minutes"))
		return err
	})
}

// reviewPartnerPage records the secretariat's checklist of a registration
// and puts it on a meeting's agenda (fourpillar.ReviewPartner). An item left
// unchecked is one the registration fails.
func reviewPartnerPage(o Options) fiber.Handler {
	return workAction(o, "review-", "flash.partner.reviewed", func(c *fiber.Ctx, v *view, f *form) error {
		in := partnership.ReviewInput{Checklist: map[string]bool{}, Notes: f.Get("notes"), Meeting: formID(f, "meeting")}
		for _, item := range partnership.PartnerChecklist {
			in.Checklist[item.Key] = f.Bool("checklist." + item.Key)
		}
		if in.Meeting == 0 {
			f.fail("meeting", v.L.T("error.choose"))
			return errFormFailed
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		_, err = fourpillar.ReviewPartner(c.UserContext(), realmOf(c), actorOf(c), id, in)
		return err
	})
}

// decidePartnerPage records the forum's decision on a registration at a held
// meeting (fourpillar.DecidePartner): approval grants the partner's role.
func decidePartnerPage(o Options) fiber.Handler {
	return workAction(o, "pdecide-", "flash.partner.decided", func(c *fiber.Ctx, v *view, f *form) error {
		in := fourpillar.ForumDecision{Meeting: formID(f, "meeting"), Decision: f.Get("decision"), Reason: f.Get("reason")}
		if in.Decision == partnership.DecideReject && strings.TrimSpace(in.Reason) == "" {
			f.fail("reason", v.L.T("error.required"))
			return errFormFailed
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		_, err = fourpillar.DecidePartner(c.UserContext(), realmOf(c), actorOf(c), id, in)
		return err
	})
}

// alignPlanPage records the alignment of every activity of a plan
// (fourpillar.AlignPlan); the form's rows are the plan's activities in order.
func alignPlanPage(o Options) fiber.Handler {
	return workAction(o, "align-", "flash.plan.aligned", func(c *fiber.Ctx, v *view, f *form) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
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
}

// decidePlanPage records the forum's approval of an aligned plan, or its
// request for revision with a reason, at a held meeting (fourpillar.DecidePlan).
func decidePlanPage(o Options) fiber.Handler {
	return workAction(o, "plandecide-", "flash.plan.decided", func(c *fiber.Ctx, v *view, f *form) error {
		in := fourpillar.ForumDecision{Meeting: formID(f, "meeting"), Decision: f.Get("decision"), Reason: f.Get("reason")}
		if in.Decision == partnership.DecideRevise && strings.TrimSpace(in.Reason) == "" {
			f.fail("reason", v.L.T("error.required"))
			return errFormFailed
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		_, err = fourpillar.DecidePlan(c.UserContext(), realmOf(c), actorOf(c), id, in)
		return err
	})
}
