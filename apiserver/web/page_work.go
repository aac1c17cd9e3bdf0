package web

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/supervision"
	"pilar.id/pilar/apiserver/twopillar"
	"pilar.id/pilar/policies"
)

// The staff's work queues: one page that shows, for each role the signed-in
// account holds, what waits for it there — as the application packages read
// it (twopillar.WorkOf, supervision.WorkOf, fourpillar.WorkOf) — and the
// form each step needs. Each form posts to an action (page_workforms.go,
// page_fourpillarwork.go) that takes the step the API's handler takes, then
// comes back to the queues.

// queue is one list of work: what waits, and a form for new work.
type queue struct {
	Title string
	Scope string // where the role is held
	Empty string
	Items []workItem
	Forms []action
	Links []link
}

type link struct{ Href, Label string }

type workItem struct {
	Title   string
	Href    string
	State   string
	Lines   []string
	Actions []action
}

// action is a small form: one step on one thing.
type action struct {
	Key       string
	Path      string
	Label     string
	Legend    string
	Fields    []field
	Multipart bool
	Secondary bool
}

type workData struct {
	Queues []queue
}

// work shows the queues of every grant the account holds.
var work = screen{nav: "work", template: "work", data: func(c *fiber.Ctx, v *view) (any, error) {
	var d workData
	seen := map[string]bool{}
	for _, g := range regionOf(c).principal.Grants {
		key := string(g.Role) + "@" + g.Scope
		if seen[key] {
			continue
		}
		seen[key] = true
		qs, err := queuesOf(c, v, g)
		if err != nil {
			return nil, err
		}
		d.Queues = append(d.Queues, qs...)
	}
	return d, nil
}}

// queuesOf reads what waits for a grant and shows it as the role's queues.
func queuesOf(c *fiber.Ctx, v *view, g authz.Grant) ([]queue, error) {
	ctx, realm, me, scope := c.UserContext(), realmOf(c), actorOf(c), g.Scope
	switch g.Role {
	case policies.RegionalAdmin:
		return []queue{v.links("work.admin", scope, "/admin/grants", "nav.grants", "/admin/audit", "nav.audit")}, nil
	case policies.Resident:
		return []queue{v.links("work.resident", scope, "/aspirations/new", "nav.aspiration", "/complaints/new", "nav.complaint", "/mine", "nav.mine")}, nil
	case policies.Company, policies.University, policies.CSRForumSecretariat:
		w, err := fourpillar.WorkOf(ctx, realm, me, g)
		if err != nil {
			return nil, err
		}
		if g.Role == policies.CSRForumSecretariat {
			return v.forumQueues(c, scope, w), nil
		}
		return v.partnerQueues(c, scope, w), nil
	}
	tw, err := twopillar.WorkOf(ctx, realm, me, g)
	if err != nil {
		return nil, err
	}
	sw, err := supervision.WorkOf(ctx, realm, me, g)
	if err != nil {
		return nil, err
	}
	var qs []queue
	switch g.Role {
	case policies.WardOffice:
		approve := func(id string) []action {
			return []action{{Key: "approve-" + id, Path: "/work/proposals/" + id + "/approve", Label: v.L.T("work.approve")}}
		}
		qs = []queue{v.proposalQueue(scope, "work.ward.proposals", tw.Proposals, nil), v.musrenbangQueue(c, scope, tw.Musrenbang),
			v.proposalQueue(scope, "work.ward.approve", tw.Funded, approve), v.reportQueue(scope, "work.ward.reports", tw),
			v.participationQueue(c, scope, tw.Phases)}
	case policies.KecamatanOffice:
		qs = []queue{v.reportQueue(scope, "work.kecamatan.reports", tw), v.proposalQueue(scope, "work.kecamatan.forwarded", tw.Proposals, nil),
			v.musrenbangQueue(c, scope, tw.Musrenbang), v.complaintQueue(c, scope, "work.complaints", sw.Complaints)}
	case policies.RegionalSecretariat:
		qs = []queue{v.reportQueue(scope, "work.secretariat.reports", tw)}
	case policies.InstitutionRW, policies.InstitutionPKK, policies.InstitutionKarangTaruna, policies.InstitutionLPM:
		if _, ok := regionOf(c).tenant.Region.Institution(scope); !ok {
			return nil, nil
		}
		qs = v.institutionQueues(c, scope, tw)
	case policies.InternalSupervisor:
		return []queue{v.complaintQueue(c, scope, "work.complaints", sw.Complaints), v.supervisorQueue(c, scope, sw.Findings)}, nil
	case policies.Ombudsman:
		return []queue{v.complaintQueue(c, scope, "work.complaints.escalated", sw.Complaints)}, nil
	}
	return append(qs, v.findingsToAnswer(scope, sw.ToAnswer)...), nil
}

// links is a queue of links to the pages of a role's work: pairs of a path
// and its label's catalog key.
func (v *view) links(title, scope string, pairs ...string) queue {
	q := queue{Title: v.L.T(title), Scope: scope, Links: []link{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Links = append(q.Links, link{v.Base + pairs[i], v.L.T(pairs[i+1])})
	}
	return q
}

// list is an empty queue of work at a scope, saying so.
func (v *view) list(title, scope string) queue {
	return queue{Title: v.L.T(title), Scope: scope, Empty: v.L.T("work.none")}
}

// thisYear is the year now in the region.
func thisYear(c *fiber.Ctx) int {
	return realmOf(c).Clock().In(regionOf(c).tenant.Region.Location).Year()
}

// yearOptions are the choices of a year field.
func yearOptions(years ...int) []option {
	out := make([]option, len(years))
	for i, y := range years {
		out[i] = option{Value: strconv.Itoa(y), Label: strconv.Itoa(y)}
	}
	return out
}

func hidden(name, value string) field { return field{Type: "hidden", Name: name, Value: value} }

func reasonField(v *view, key, label string) field {
	return v.Field(key, "reason", label, "type=textarea", "rows=2")
}

// --- the two-pillar workflow's queues ---

func (v *view) ProposalLines(p *partnership.Proposal) []string {
	return []string{
		v.L.T("proposal.line", v.AreaName(p.Institution), v.ActivityName(p.Activity), v.L.T("kind."+string(p.Kind))),
		v.L.T("proposal.cost", v.Money(p.Cost), v.Num(p.Beneficiaries), p.Location),
	}
}

func (v *view) proposalItem(p *partnership.Proposal) workItem {
	return workItem{Title: fmt.Sprintf("#%d %s", p.ID, p.Title), State: v.stateLabel("proposal", string(p.State)), Lines: v.ProposalLines(p)}
}

// proposalQueue lists proposals, each with the actions it offers (none when
// actions is nil).
func (v *view) proposalQueue(scope, title string, ps []*partnership.Proposal, actions func(id string) []action) queue {
	q := v.list(title, scope)
	for _, p := range ps {
		it := v.proposalItem(p)
		if actions != nil {
			it.Actions = actions(strconv.FormatInt(p.ID, 10))
		}
		q.Items = append(q.Items, it)
	}
	return q
}

// musrenbangQueue lists the Musrenbang of an area still to run, with the form
// to schedule one.
func (v *view) musrenbangQueue(c *fiber.Ctx, area string, ms []*partnership.Musrenbang) queue {
	q := v.list("work.musrenbang", area)
	for _, m := range ms {
		q.Items = append(q.Items, workItem{
			Title: v.L.T("musrenbang.title", v.AreaName(m.Area)), Href: fmt.Sprintf("%s/musrenbang/%d", v.Base, m.ID),
			State: v.stateLabel("musrenbang", string(m.State)), Lines: []string{v.When(m.ScheduledAt) + " · " + m.Place},
		})
	}
	if holds(c, policies.MusrenbangSchedule, area) {
		year := thisYear(c)
		q.Forms = append(q.Forms, action{Key: "schedule", Path: "/musrenbang", Label: v.L.T("work.schedule"), Legend: v.L.T("work.schedule.legend"),
			Fields: []field{
				hidden("area", area),
				v.Select("schedule", "fiscalYear", "field.fiscalYear", yearOptions(year, year+1), "value="+strconv.Itoa(year)),
				v.Field("schedule", "scheduledAt", "field.scheduledAt", "type=datetime-local", "required", "hint=hint.scheduledAt"),
				v.Field("schedule", "place", "field.place", "required", "autocomplete=off"),
			}})
	}
	return q
}

// reportQueue lists the reports waiting for the grant's step, each with the
// step and the way to send it back.
func (v *view) reportQueue(scope, title string, w twopillar.Work) queue {
	q := v.list(title, scope)
	step := string(w.Step)
	for _, rep := range w.Reports {
		id := strconv.FormatInt(rep.ID, 10)
		key := "rstep-" + id
		it := workItem{Title: v.L.T("report.title", rep.ProposalID, v.AreaName(rep.Institution)), State: v.stateLabel("report", string(rep.State)),
			Lines: []string{
				v.L.T("report.line", v.Money(rep.Spent), v.Num(rep.Participants), v.Date(rep.ActivityStart), v.Date(rep.ActivityEnd)),
				rep.Outputs,
			}}
		if rep.Late() {
			it.Lines = append(it.Lines, v.L.T("report.late"))
		}
		next := action{Key: key, Path: "/work/reports/" + id + "/" + step, Label: v.L.T("work.step." + step)}
		if w.Step == partnership.StepEvaluate {
			next.Fields = []field{v.Field(key, "evaluation", "field.evaluation", "type=textarea", "rows=3")}
		}
		back := action{Key: "return-" + id, Path: "/work/reports/" + id + "/return", Label: v.L.T("work.return"), Secondary: true,
			Fields: []field{reasonField(v, "return-"+id, "field.returnReason")}}
		it.Actions = []action{next, back}
		q.Items = append(q.Items, it)
	}
	return q
}

// participationQueue is the lurah's assessment of the participation phase
// of the wards of its scope: their latest this year, and the form for a new
// one, as the API's assessPhase takes it.
func (v *view) participationQueue(c *fiber.Ctx, scope string, latest map[string]partnership.PhaseAssessment) queue {
	q := queue{Title: v.L.T("work.participation"), Scope: scope}
	if !holds(c, policies.ParticipationAssess, scope) {
		return q
	}
	var wards []option
	r := regionOf(c).tenant.Region
	for _, k := range r.Kecamatan {
		for _, w := range k.Wards {
			if w.Code == scope || k.Code == scope || r.Code == scope {
				wards = append(wards, option{Value: w.Code, Label: w.Name})
			}
		}
	}
	for _, w := range wards {
		if a, ok := latest[w.Value]; ok {
			q.Items = append(q.Items, workItem{Title: w.Label, State: v.L.T("phase." + string(a.Phase)), Lines: []string{a.Note, v.When(a.AssessedAt)}})
		}
	}
	phases := make([]option, len(partnership.Phases))
	for i, p := range partnership.Phases {
		phases[i] = option{Value: string(p), Label: v.L.T("phase." + string(p))}
	}
	year, k := thisYear(c), "phase"
	q.Forms = append(q.Forms, action{Key: k, Path: "/work/participation", Label: v.L.T("work.participation.assess"), Legend: v.L.T("work.participation.legend"),
		Fields: []field{
			v.Select(k, "ward", "field.phaseWard", wards),
			v.Select(k, "fiscalYear", "field.fiscalYear", yearOptions(year, year-1), "value="+strconv.Itoa(year)),
			v.Select(k, "phase", "field.phase", phases, "placeholder=field.choose"),
			v.Field(k, "note", "field.phaseNote", "type=textarea", "rows=3", "required"),
		}})
	return q
}

// institutionQueues are a community institution's: the aspirations sent to
// it, its proposals with their approval, the reports it owes, and the form
// for a new proposal.
func (v *view) institutionQueues(c *fiber.Ctx, key string, w twopillar.Work) []queue {
	r := regionOf(c).tenant.Region
	inst, _ := r.Institution(key)
	merge := v.mergeOptions(w.Own)
	aq := v.list("work.institution.aspirations", key)
	for _, a := range w.Aspirations {
		id := strconv.FormatInt(a.ID, 10)
		k := "respond-" + id
		states := []option{{Value: string(partnership.AspirationDeclined), Label: v.L.T("state.aspiration.declined")}}
		if a.State == partnership.AspirationSubmitted {
			states = append([]option{{Value: string(partnership.AspirationAcknowledged), Label: v.L.T("state.aspiration.acknowledged")}}, states...)
		}
		it := workItem{Title: a.Title, State: v.stateLabel("aspiration", string(a.State)),
			Lines: []string{a.Body, v.When(a.SubmittedAt)},
			Actions: []action{{Key: k, Path: "/work/aspirations/" + id + "/respond", Label: v.L.T("work.respond"), Fields: []field{
				v.Select(k, "state", "field.answer", states), reasonField(v, k, "field.declineReason")}}}}
		if len(merge) > 0 && holds(c, policies.AspirationRespond, key) {
			it.Actions = append(it.Actions, v.mergeAction(id, merge))
		}
		aq.Items = append(aq.Items, it)
	}

	// Its proposals, this year's allocation, and the reports it owes.
	year, alloc := thisYear(c), w.Allocation
	pq := queue{Title: v.L.T("work.institution.proposals", inst.Name), Scope: key, Empty: v.L.T("work.none"), Links: []link{}}
	pq.Items = append(pq.Items, workItem{Title: v.L.T("allocation.title", year), Lines: []string{
		v.L.T("allocation.line", v.Money(alloc.Amount), v.Money(alloc.Committed), v.Money(alloc.Remaining()))}})
	reports := v.list("work.institution.reports", key)
	for i := len(w.Own) - 1; i >= 0; i-- {
		p := w.Own[i]
		it := v.proposalItem(p)
		if p.Reason != "" {
			it.Lines = append(it.Lines, v.L.T("proposal.reason", p.Reason))
		}
		if p.State == partnership.ProposalFunded || p.State == partnership.ProposalApproved {
			it.Actions = v.executionActions(c, key, p)
		}
		pq.Items = append(pq.Items, it)
		if p.State == partnership.ProposalApproved || p.State == partnership.ProposalReturned {
			id := strconv.FormatInt(p.ID, 10)
			k := "report-" + id
			reports.Items = append(reports.Items, workItem{Title: it.Title, State: it.State, Lines: it.Lines,
				Actions: []action{{Key: k, Path: "/work/proposals/" + id + "/report", Label: v.L.T("work.report.submit"), Multipart: true,
					Legend: v.L.T("work.report.legend"), Fields: []field{
						v.Field(k, "spent", "field.spent", "inputmode=numeric", "required", "hint=hint.money"),
						v.Field(k, "participants", "field.participants", "type=number", "min=0", "required"),
						v.Field(k, "activityStart", "field.activityStart", "type=date", "required"),
						v.Field(k, "activityEnd", "field.activityEnd", "type=date", "required"),
						v.Field(k, "outputs", "field.outputs", "type=textarea", "rows=3", "required"),
						v.Field(k, "attachments", "field.attachments", "type=file", "hint=hint.attachments"),
					}}}})
		}
	}
	// The form for a new proposal, within the type's scope.
	if holds(c, policies.ProposalCreate, key) {
		typ, _ := r.InstitutionType(inst.Type)
		var acts []option
		for _, a := range typ.Scope {
			acts = append(acts, option{Value: a.Key, Label: a.Name})
		}
		kinds := []option{{Value: string(partnership.Empowerment), Label: v.L.T("kind.empowerment")}, {Value: string(partnership.Infrastructure), Label: v.L.T("kind.infrastructure")}}
		k := "proposal"
		pq.Forms = append(pq.Forms, action{Key: k, Path: "/work/proposals", Label: v.L.T("work.proposal.submit"), Legend: v.L.T("work.proposal.legend"),
			Fields: []field{
				hidden("institution", key),
				v.Field(k, "title", "field.title", "required"),
				v.Select(k, "activity", "field.activity", acts),
				v.Select(k, "kind", "field.kind", kinds, "hint=hint.kind"),
				v.Select(k, "fiscalYear", "field.fiscalYear", yearOptions(year, year+1), "value="+strconv.Itoa(year)),
				v.Field(k, "cost", "field.cost", "inputmode=numeric", "required", "hint=hint.money"),
				v.Field(k, "beneficiaries", "field.beneficiaries", "type=number", "min=0", "required"),
				v.Field(k, "location", "field.location", "required"),
				v.Field(k, "description", "field.description", "type=textarea", "rows=4", "required"),
			}})
	}
	return []queue{aq, pq, reports}
}

// executionActions are an institution's steps on its funded or approved
// activity: a change of its cost (needing the ward's approval again) and its
// cancellation with a reason, as the API's changeCost and cancelActivity
// take them.
func (v *view) executionActions(c *fiber.Ctx, inst string, p *partnership.Proposal) []action {
	id := strconv.FormatInt(p.ID, 10)
	var out []action
	if holds(c, policies.ProposalEdit, inst) {
		k := "cost-" + id
		out = append(out, action{Key: k, Path: "/work/proposals/" + id + "/cost", Label: v.L.T("work.proposal.cost"), Secondary: true,
			Fields: []field{v.Field(k, "cost", "field.newCost", "inputmode=numeric", "required", "hint=hint.cost.change", "value="+strconv.FormatInt(int64(p.Cost), 10))}})
	}
	if holds(c, policies.ActivityCancel, inst) {
		k := "cancel-" + id
		out = append(out, action{Key: k, Path: "/work/proposals/" + id + "/cancel", Label: v.L.T("work.proposal.cancel"), Secondary: true,
			Fields: []field{reasonField(v, k, "field.cancelReason")}})
	}
	return out
}

// mergeOptions are the institution's proposals an aspiration may be merged
// into: all but those rejected or cancelled, newest first.
func (v *view) mergeOptions(ps []*partnership.Proposal) []option {
	var out []option
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if p.State == partnership.ProposalRejected || p.State == partnership.ProposalCancelled {
			continue
		}
		out = append(out, option{Value: strconv.FormatInt(p.ID, 10), Label: fmt.Sprintf("#%d %s (%s)", p.ID, p.Title, v.stateLabel("proposal", string(p.State)))})
	}
	return out
}

// mergeAction is the form merging an aspiration into one of the proposals.
func (v *view) mergeAction(id string, proposals []option) action {
	k := "merge-" + id
	return action{Key: k, Path: "/work/aspirations/" + id + "/merge", Label: v.L.T("work.merge"), Secondary: true,
		Fields: []field{v.Select(k, "proposal", "field.mergeProposal", proposals, "placeholder=field.choose")}}
}

// --- supervision's queues ---

// findingsToAnswer lists the open findings about a place, for the office or
// institution there to answer.
func (v *view) findingsToAnswer(scope string, fs []*partnership.Finding) []queue {
	if len(fs) == 0 {
		return nil
	}
	q := queue{Title: v.L.T("work.findings.answer"), Scope: scope}
	for _, f := range fs {
		id := strconv.FormatInt(f.ID, 10)
		k := "finding-" + id
		q.Items = append(q.Items, workItem{Title: f.Title, State: v.stateLabel("finding", string(f.State)),
			Lines: []string{f.Detail, v.L.T("finding.due", v.When(f.DueAt))},
			Actions: []action{{Key: k, Path: "/work/findings/" + id + "/respond", Label: v.L.T("work.finding.respond"), Fields: []field{
				v.Field(k, "response", "field.response", "type=textarea", "rows=3", "required")}}}})
	}
	return []queue{q}
}

// supervisorQueue is an internal supervisor's findings not closed yet, with
// the form to record one.
func (v *view) supervisorQueue(c *fiber.Ctx, scope string, fs []*partnership.Finding) queue {
	fq := v.list("work.findings", scope)
	now := realmOf(c).Clock()
	for _, f := range fs {
		id := strconv.FormatInt(f.ID, 10)
		k := "finding-" + id
		it := workItem{Title: f.Title, State: v.stateLabel("finding", string(f.State)),
			Lines: []string{v.AreaName(f.Scope) + " · " + f.Detail, v.L.T("finding.due", v.When(f.DueAt))}}
		if f.Overdue(now) {
			it.Lines = append(it.Lines, v.L.T("finding.overdue"))
		}
		if f.State == partnership.FindingResponded {
			it.Lines = append(it.Lines, v.L.T("finding.response", f.Response))
			it.Actions = []action{
				{Key: k, Path: "/work/findings/" + id + "/close", Label: v.L.T("work.finding.close")},
				{Key: "reopen-" + id, Path: "/work/findings/" + id + "/reopen", Label: v.L.T("work.finding.reopen"), Secondary: true,
					Fields: []field{reasonField(v, "reopen-"+id, "field.reopenReason")}},
			}
		}
		fq.Items = append(fq.Items, it)
	}
	k := "finding"
	fq.Forms = []action{{Key: k, Path: "/work/findings", Label: v.L.T("work.finding.record"), Legend: v.L.T("work.finding.legend"), Fields: []field{
		v.Select(k, "scope", "field.findingScope", placeOptions(v, true), "value="+scope),
		v.Field(k, "title", "field.title", "required"),
		v.Field(k, "detail", "field.detail", "type=textarea", "rows=4", "required"),
		v.Field(k, "dueAt", "field.dueAt", "type=date", "hint=hint.dueAt"),
	}}}
	return fq
}

// placeOptions lists the region's kecamatan and their wards, and first the
// region itself when asked.
func placeOptions(v *view, region bool) []option {
	r := v.Region
	var out []option
	if region {
		out = append(out, option{Value: r.Code, Label: r.Name})
	}
	for _, k := range r.Kecamatan {
		out = append(out, option{Value: k.Code, Label: v.L.T("place.kecamatan", k.Name), Group: k.Name})
		for _, w := range k.Wards {
			out = append(out, option{Value: w.Code, Label: w.Name, Group: k.Name})
		}
	}
	return out
}

// complaintQueue lists the complaints to handle at a scope, each with its
// next step and, unless the ombudsman has it, the way to escalate it.
func (v *view) complaintQueue(c *fiber.Ctx, scope, title string, cs []*partnership.Complaint) queue {
	q := v.list(title, scope)
	now := realmOf(c).Clock()
	for _, cp := range cs {
		id := strconv.FormatInt(cp.ID, 10)
		k := "complaint-" + id
		it := workItem{Title: cp.Subject, State: v.stateLabel("complaint", string(cp.State)),
			Lines: []string{v.AreaName(cp.Scope) + " · " + cp.Body, v.L.T("complaint.due", v.When(cp.DueAt))}}
		if cp.Overdue(now) {
			it.Lines = append(it.Lines, v.L.T("complaint.overdue"))
		}
		path := "/work/complaints/" + id + "/"
		switch cp.State {
		case partnership.ComplaintFiled:
			it.Actions = append(it.Actions, action{Key: k, Path: path + "receive", Label: v.L.T("work.complaint.receive")})
		case partnership.ComplaintReceived, partnership.ComplaintEscalated:
			it.Actions = append(it.Actions, action{Key: k, Path: path + "investigate", Label: v.L.T("work.complaint.investigate")})
		case partnership.ComplaintInvestigating:
			it.Actions = append(it.Actions, action{Key: k, Path: path + "resolve", Label: v.L.T("work.complaint.resolve"),
				Fields: []field{v.Field(k, "resolution", "field.resolution", "type=textarea", "rows=3", "required")}})
		}
		if !cp.Ombudsman && cp.State != partnership.ComplaintFiled {
			ek := "escalate-" + id
			it.Actions = append(it.Actions, action{Key: ek, Path: path + "escalate", Label: v.L.T("work.complaint.escalate"), Secondary: true,
				Fields: []field{v.Field(ek, "reason", "field.escalateReason", "type=textarea", "rows=2")}})
		}
		q.Items = append(q.Items, it)
	}
	return q
}
