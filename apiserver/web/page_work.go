package web

import (
	"fmt"
	"strconv"
	"time"

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

// action is a small form: one step on one thing, or a new thing.
type action struct {
	Key       string
	Path      string
	Label     string
	Legend    string
	Fields    []field
	Multipart bool
	Secondary bool
}

// An input is a field of an action, made once the key of its form is known.
type input func(v *view, key string) field

// text is a control of the form, as v.Field makes it.
func text(name, label string, specs ...string) input {
	return func(v *view, k string) field { return v.Field(k, name, label, specs...) }
}

// choice is a select of the form among opts, as v.Select makes it.
func choice(name, label string, opts []option, specs ...string) input {
	return func(v *view, k string) field { return v.Select(k, name, label, opts, specs...) }
}

// hidden is a value the form sends as it is.
func hidden(name, value string) input {
	return func(*view, string) field { return field{Type: "hidden", Name: name, Value: value} }
}

// relabel is the input under the label label makes.
func relabel(in input, label func(v *view) string) input {
	return func(v *view, k string) field {
		f := in(v, k)
		f.Label = label(v)
		return f
	}
}

// reason is the reason a step asks for, labelled by label.
func reason(label string) input { return text("reason", label, "type=textarea", "rows=2") }

// choices are the options of values, each labelled by the catalog's text
// of prefix and the value.
func choices[S ~string](v *view, prefix string, values ...S) []option {
	out := make([]option, len(values))
	for i, val := range values {
		out[i] = option{Value: string(val), Label: v.L.T(prefix + string(val))}
	}
	return out
}

// yearChoice is the choice of a fiscal year among years, this one by default.
func yearChoice(name string, this int, years ...int) input {
	opts := make([]option, len(years))
	for i, y := range years {
		opts[i] = option{Value: strconv.Itoa(y), Label: strconv.Itoa(y)}
	}
	return choice(name, "field.fiscalYear", opts, "value="+strconv.Itoa(this))
}

// act is the action of a step: key names its form among the page's forms,
// it posts to path, and its button says label (a catalog key).
func (v *view) act(key, path, label string, inputs ...input) action {
	return action{Key: key, Path: path, Label: v.L.T(label), Fields: each(inputs, func(in input) field { return in(v, key) })}
}

// newWork is the action of a form for new work, its fields under a legend (a
// catalog key).
func (v *view) newWork(key, path, label, legend string, inputs ...input) action {
	return v.act(key, path, label, inputs...).under(v.L.T(legend))
}

// on is the action of a step on the thing id names: the key of its form is
// prefix and the id, and it posts to path with the id in place of %d.
func (v *view) on(prefix string, id int64, path, label string, inputs ...input) action {
	return v.act(prefix+strconv.FormatInt(id, 10), fmt.Sprintf(path, id), label, inputs...)
}

// secondary is the action as the lesser way of an item.
func (a action) secondary() action {
	a.Secondary = true
	return a
}

// under is the action with its fields in a fieldset with a legend.
func (a action) under(legend string) action {
	a.Legend = legend
	return a
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
		approve := func(p *partnership.Proposal) []action {
			return []action{v.on("approve-", p.ID, "/work/proposals/%d/approve", "work.approve")}
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

// when is the line of an item that it shows only when cond holds: else
// none, and the queue leaves an empty line out.
func when(cond bool, line string) string {
	if cond {
		return line
	}
	return ""
}

// list is an empty queue of work at a scope, saying so.
func (v *view) list(title, scope string) queue {
	return queue{Title: v.L.T(title), Scope: scope, Empty: v.L.T("work.none")}
}

// thisYear is the year now in the region.
func thisYear(c *fiber.Ctx) int {
	return realmOf(c).Clock().In(regionOf(c).tenant.Region.Location).Year()
}

// --- the two-pillar workflow's queues ---

func (v *view) ProposalLines(p *partnership.Proposal) []string {
	return []string{
		v.L.T("proposal.line", v.AreaName(p.Institution), v.Region.ActivityName(p.Activity), v.L.T("kind."+string(p.Kind))),
		v.L.T("proposal.cost", v.Money(p.Cost), v.Num(p.Beneficiaries), p.Location),
	}
}

func (v *view) proposalItem(p *partnership.Proposal) workItem {
	return workItem{Title: fmt.Sprintf("#%d %s", p.ID, p.Title), State: v.stateLabel("proposal", string(p.State)), Lines: v.ProposalLines(p)}
}

// proposalQueue lists proposals, each with the actions it offers (none when
// actions is nil).
func (v *view) proposalQueue(scope, title string, ps []*partnership.Proposal, actions func(*partnership.Proposal) []action) queue {
	q := v.list(title, scope)
	for _, p := range ps {
		it := v.proposalItem(p)
		if actions != nil {
			it.Actions = actions(p)
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
		q.Forms = append(q.Forms, v.newWork("schedule", "/musrenbang", "work.schedule", "work.schedule.legend",
			append([]input{hidden("area", area), yearChoice("fiscalYear", year, year, year+1)}, sitting...)...))
	}
	return q
}

// sitting are the fields of a meeting to schedule: when and where.
var sitting = []input{text("scheduledAt", "field.scheduledAt", "type=datetime-local", "required", "hint=hint.scheduledAt"),
	text("place", "field.place", "required", "autocomplete=off")}

// reportQueue lists the reports waiting for the grant's step, each with the
// step and the way to send it back.
func (v *view) reportQueue(scope, title string, w twopillar.Work) queue {
	q := v.list(title, scope)
	step := string(w.Step)
	var note []input
	if w.Step == partnership.StepEvaluate {
		note = []input{text("evaluation", "field.evaluation", "type=textarea", "rows=3")}
	}
	for _, rep := range w.Reports {
		it := workItem{Title: v.L.T("report.title", rep.ProposalID, v.AreaName(rep.Institution)), State: v.stateLabel("report", string(rep.State)),
			Lines: []string{
				v.L.T("report.line", v.Money(rep.Spent), v.Num(rep.Participants), v.Date(rep.ActivityStart), v.Date(rep.ActivityEnd)),
				rep.Outputs,
			}}
		it.Lines = append(it.Lines, when(rep.Late(), v.L.T("report.late")))
		it.Actions = []action{v.on("rstep-", rep.ID, "/work/reports/%d/"+step, "work.step."+step, note...),
			v.on("return-", rep.ID, "/work/reports/%d/return", "work.return", reason("field.returnReason")).secondary()}
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
	wards := each(v.Region.WardsUnder(scope), func(w partnership.Ward) option { return option{Value: w.Code, Label: w.Name} })
	for _, w := range wards {
		if a, ok := latest[w.Value]; ok {
			q.Items = append(q.Items, workItem{Title: w.Label, State: v.L.T("phase." + string(a.Phase)), Lines: []string{a.Note, v.When(a.AssessedAt)}})
		}
	}
	phases := choices(v, "phase.", partnership.Phases...)
	year := thisYear(c)
	q.Forms = append(q.Forms, v.newWork("phase", "/work/participation", "work.participation.assess", "work.participation.legend",
		choice("ward", "field.phaseWard", wards), yearChoice("fiscalYear", year, year, year-1),
		choice("phase", "field.phase", phases, "placeholder=field.choose"), text("note", "field.phaseNote", "type=textarea", "rows=3", "required")))
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
		states := choices(v, "state.aspiration.", partnership.AspirationDeclined)
		if a.State == partnership.AspirationSubmitted {
			states = choices(v, "state.aspiration.", partnership.AspirationAcknowledged, partnership.AspirationDeclined)
		}
		it := workItem{Title: a.Title, State: v.stateLabel("aspiration", string(a.State)), Lines: []string{a.Body, v.When(a.SubmittedAt)},
			Actions: []action{v.on("respond-", a.ID, "/work/aspirations/%d/respond", "work.respond", choice("state", "field.answer", states), reason("field.declineReason"))}}
		if len(merge) > 0 && holds(c, policies.AspirationRespond, key) {
			it.Actions = append(it.Actions, v.on("merge-", a.ID, "/work/aspirations/%d/merge", "work.merge",
				choice("proposal", "field.mergeProposal", merge, "placeholder=field.choose")).secondary())
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
		it.Lines = append(it.Lines, when(p.Reason != "", v.L.T("proposal.reason", p.Reason)))
		if p.State == partnership.ProposalFunded || p.State == partnership.ProposalApproved {
			it.Actions = v.executionActions(c, key, p)
		}
		pq.Items = append(pq.Items, it)
		if p.State == partnership.ProposalApproved || p.State == partnership.ProposalReturned {
			report := v.on("report-", p.ID, "/work/proposals/%d/report", "work.report.submit", text("spent", "field.spent", money...),
				text("participants", "field.participants", "type=number", "min=0", "required"), activityStart, activityEnd, outputs,
				text("attachments", "field.attachments", "type=file", "hint=hint.attachments")).under(v.L.T("work.report.legend"))
			report.Multipart = true
			reports.Items = append(reports.Items, workItem{Title: it.Title, State: it.State, Lines: it.Lines, Actions: []action{report}})
		}
	}
	// The form for a new proposal, within the type's scope.
	if holds(c, policies.ProposalCreate, key) {
		typ, _ := r.InstitutionType(inst.Type)
		acts := each(typ.Scope, func(a partnership.Activity) option { return option{Value: a.Key, Label: a.Name} })
		kinds := choices(v, "kind.", partnership.Empowerment, partnership.Infrastructure)
		pq.Forms = append(pq.Forms, v.newWork("proposal", "/work/proposals", "work.proposal.submit", "work.proposal.legend",
			hidden("institution", key), text("title", "field.title", "required"), choice("activity", "field.activity", acts),
			choice("kind", "field.kind", kinds, "hint=hint.kind"), yearChoice("fiscalYear", year, year, year+1), text("cost", "field.cost", money...),
			text("beneficiaries", "field.beneficiaries", "type=number", "min=0", "required"), text("location", "field.location", "required"),
			text("description", "field.description", "type=textarea", "rows=4", "required")))
	}
	return []queue{aq, pq, reports}
}

// money are the specs of a field of rupiah.
var money = []string{"inputmode=numeric", "required", "hint=hint.money"}

// The fields of a report on an activity: when it was, and what it made.
var (
	activityStart = text("activityStart", "field.activityStart", "type=date", "required")
	activityEnd   = text("activityEnd", "field.activityEnd", "type=date", "required")
	outputs       = text("outputs", "field.outputs", "type=textarea", "rows=3", "required")
)

// executionActions are an institution's steps on its funded or approved
// activity: a change of its cost (needing the ward's approval again) and its
// cancellation with a reason, as the API's changeCost and cancelActivity
// take them.
func (v *view) executionActions(c *fiber.Ctx, inst string, p *partnership.Proposal) []action {
	var out []action
	if holds(c, policies.ProposalEdit, inst) {
		out = append(out, v.on("cost-", p.ID, "/work/proposals/%d/cost", "work.proposal.cost",
			text("cost", "field.newCost", "inputmode=numeric", "required", "hint=hint.cost.change", "value="+strconv.FormatInt(int64(p.Cost), 10))).secondary())
	}
	if holds(c, policies.ActivityCancel, inst) {
		out = append(out, v.on("cancel-", p.ID, "/work/proposals/%d/cancel", "work.proposal.cancel", reason("field.cancelReason")).secondary())
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

// --- supervision's queues ---

// findingsToAnswer lists the open findings about a place, for the office or
// institution there to answer.
func (v *view) findingsToAnswer(scope string, fs []*partnership.Finding) []queue {
	if len(fs) == 0 {
		return nil
	}
	q := queue{Title: v.L.T("work.findings.answer"), Scope: scope}
	for _, f := range fs {
		q.Items = append(q.Items, workItem{Title: f.Title, State: v.stateLabel("finding", string(f.State)),
			Lines:   []string{f.Detail, v.L.T("finding.due", v.When(f.DueAt))},
			Actions: []action{v.on("finding-", f.ID, "/work/findings/%d/respond", "work.finding.respond", text("response", "field.response", "type=textarea", "rows=3", "required"))}})
	}
	return []queue{q}
}

// supervisorQueue is an internal supervisor's findings not closed yet, with
// the form to record one.
func (v *view) supervisorQueue(c *fiber.Ctx, scope string, fs []*partnership.Finding) queue {
	fq := v.list("work.findings", scope)
	now := realmOf(c).Clock()
	for _, f := range fs {
		it := v.dueItem("finding", f.Title, string(f.State), f.Scope, f.Detail, f.DueAt, f.Overdue(now))
		if f.State == partnership.FindingResponded {
			it.Lines = append(it.Lines, v.L.T("finding.response", f.Response))
			it.Actions = []action{v.on("finding-", f.ID, "/work/findings/%d/close", "work.finding.close"),
				v.on("reopen-", f.ID, "/work/findings/%d/reopen", "work.finding.reopen", reason("field.reopenReason")).secondary()}
		}
		fq.Items = append(fq.Items, it)
	}
	fq.Forms = []action{v.newWork("finding", "/work/findings", "work.finding.record", "work.finding.legend",
		choice("scope", "field.findingScope", placeOptions(v, true), "value="+scope), text("title", "field.title", "required"),
		text("detail", "field.detail", "type=textarea", "rows=4", "required"), text("dueAt", "field.dueAt", "type=date", "hint=hint.dueAt"))}
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

// dueItem is a finding or a complaint (of type typ) in a queue: where it is,
// what it says, when it is due, and whether it is overdue.
func (v *view) dueItem(typ, title, state, scope, text string, due time.Time, overdue bool) workItem {
	it := workItem{Title: title, State: v.stateLabel(typ, state), Lines: []string{v.AreaName(scope) + " · " + text, v.L.T(typ+".due", v.When(due))}}
	it.Lines = append(it.Lines, when(overdue, v.L.T(typ+".overdue")))
	return it
}

// complaintQueue lists the complaints to handle at a scope, each with its
// next step and, unless the ombudsman has it, the way to escalate it.
func (v *view) complaintQueue(c *fiber.Ctx, scope, title string, cs []*partnership.Complaint) queue {
	q := v.list(title, scope)
	now := realmOf(c).Clock()
	for _, cp := range cs {
		it := v.dueItem("complaint", cp.Subject, string(cp.State), cp.Scope, cp.Body, cp.DueAt, cp.Overdue(now))
		next := func(verb string, inputs ...input) {
			it.Actions = append(it.Actions, v.on("complaint-", cp.ID, "/work/complaints/%d/"+verb, "work.complaint."+verb, inputs...))
		}
		switch cp.State {
		case partnership.ComplaintFiled:
			next("receive")
		case partnership.ComplaintReceived, partnership.ComplaintEscalated:
			next("investigate")
		case partnership.ComplaintInvestigating:
			next("resolve", text("resolution", "field.resolution", "type=textarea", "rows=3", "required"))
		}
		if !cp.Ombudsman && cp.State != partnership.ComplaintFiled {
			it.Actions = append(it.Actions, v.on("escalate-", cp.ID, "/work/complaints/%d/escalate", "work.complaint.escalate", reason("field.escalateReason")).secondary())
		}
		q.Items = append(q.Items, it)
	}
	return q
}
