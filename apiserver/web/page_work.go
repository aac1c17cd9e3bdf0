package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/supervision"
	"pilar.id/pilar/apiserver/twopillar"
	"pilar.id/pilar/policies"
)

// The staff's work queues: one page that shows, for each role the signed-in
// account holds, what waits for it there and the form each step needs. Each
// form posts to an action below that takes the step through the domain and
// the store as the API's handler does, then comes back to the queue.

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

func workPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error { return showWork(c, o, newView(c, o, "work")) }
}

// showWork builds the queues of every grant the account holds.
func showWork(c *fiber.Ctx, o Options, v *view) error {
	rr := regionOf(c)
	var d workData
	seen := map[string]bool{}
	for _, g := range rr.principal.Grants {
		key := string(g.Role) + "@" + g.Scope
		if seen[key] {
			continue
		}
		seen[key] = true
		qs, err := queuesOf(c, o, v, g)
		if err != nil {
			return err
		}
		d.Queues = append(d.Queues, qs...)
	}
	v.Data = d
	return render(c, v, "work")
}

func queuesOf(c *fiber.Ctx, o Options, v *view, g authz.Grant) ([]queue, error) {
	switch g.Role {
	case policies.WardOffice:
		return wardQueues(c, o, v, g.Scope)
	case policies.KecamatanOffice:
		return kecamatanQueues(c, o, v, g.Scope)
	case policies.RegionalSecretariat:
		return secretariatQueues(c, v, g.Scope)
	case policies.InstitutionRW, policies.InstitutionPKK, policies.InstitutionKarangTaruna, policies.InstitutionLPM:
		return institutionQueues(c, o, v, g.Scope)
	case policies.InternalSupervisor:
		return supervisorQueues(c, o, v, g.Scope, false)
	case policies.Ombudsman:
		return supervisorQueues(c, o, v, g.Scope, true)
	case policies.RegionalAdmin:
		return []queue{{Title: v.L.T("work.admin"), Scope: g.Scope, Links: []link{
			{v.Base + "/admin/grants", v.L.T("nav.grants")}, {v.Base + "/admin/audit", v.L.T("nav.audit")}}}}, nil
	case policies.Resident:
		return []queue{{Title: v.L.T("work.resident"), Scope: g.Scope, Links: []link{
			{v.Base + "/aspirations/new", v.L.T("nav.aspiration")}, {v.Base + "/complaints/new", v.L.T("nav.complaint")}, {v.Base + "/mine", v.L.T("nav.mine")}}}}, nil
	}
	return fourPillarQueues(c, o, v, g)
}

// --- what each role's queues hold ---

func (v *view) ProposalLines(p *partnership.Proposal) []string {
	return []string{
		v.L.T("proposal.line", v.AreaName(p.Institution), v.ActivityName(p.Activity), v.L.T("kind."+string(p.Kind))),
		v.L.T("proposal.cost", v.Money(p.Cost), v.Num(p.Beneficiaries), p.Location),
	}
}

func (v *view) proposalItem(p *partnership.Proposal) workItem {
	return workItem{Title: fmt.Sprintf("#%d %s", p.ID, p.Title), State: v.stateLabel("proposal", string(p.State)), Lines: v.ProposalLines(p)}
}

func reasonField(v *view, key, label string) field {
	return v.Field(key, "reason", label, "type=textarea", "rows=2")
}

func wardQueues(c *fiber.Ctx, o Options, v *view, ward string) ([]queue, error) {
	// Proposals waiting for the Musrenbang, and the Musrenbang to run.
	q, err := proposalQueue(c, v, ward, partnership.ProposalSubmitted, "work.ward.proposals", nil)
	if err != nil {
		return nil, err
	}
	mq, err := musrenbangQueue(c, o, v, ward)
	if err != nil {
		return nil, err
	}
	// Funded activities waiting for the KPA's approval.
	aq, err := proposalQueue(c, v, ward, partnership.ProposalFunded, "work.ward.approve", func(id string) []action {
		return []action{{Key: "approve-" + id, Path: "/work/proposals/" + id + "/approve", Label: v.L.T("work.approve")}}
	})
	if err != nil {
		return nil, err
	}
	rq, err := reportQueue(c, v, ward, partnership.ReportSubmitted, "verify", "work.ward.reports")
	if err != nil {
		return nil, err
	}
	pq, err := participationQueue(c, o, v, ward)
	if err != nil {
		return nil, err
	}
	return append([]queue{q, mq, aq, rq, pq}, v.findingsToAnswer(c, ward)...), nil
}

// proposalQueue lists the proposals of an area in a state, each with the
// actions it offers (none when actions is nil).
func proposalQueue(c *fiber.Ctx, v *view, scope string, state partnership.ProposalState, title string, actions func(id string) []action) (queue, error) {
	q := queue{Title: v.L.T(title), Scope: scope, Empty: v.L.T("work.none")}
	ps, err := store.ListProposals(c.UserContext(), regionOf(c).db, store.ProposalFilter{Scope: scope, State: state, Limit: 200})
	if err != nil {
		return q, err
	}
	for _, p := range ps {
		it := v.proposalItem(p)
		if actions != nil {
			it.Actions = actions(strconv.FormatInt(p.ID, 10))
		}
		q.Items = append(q.Items, it)
	}
	return q, nil
}

// musrenbangQueue lists the Musrenbang of an area still to run, with the form
// to schedule one.
func musrenbangQueue(c *fiber.Ctx, o Options, v *view, area string) (queue, error) {
	rr := regionOf(c)
	r := rr.tenant.Region
	q := queue{Title: v.L.T("work.musrenbang"), Scope: area, Empty: v.L.T("work.none")}
	for _, st := range []partnership.MusrenbangState{partnership.MusrenbangScheduled, partnership.MusrenbangHeld} {
		ms, err := store.ListMusrenbang(c.UserContext(), rr.db, store.MusrenbangFilter{Scope: area, State: st, Limit: 100})
		if err != nil {
			return q, err
		}
		for _, m := range ms {
			q.Items = append(q.Items, workItem{
				Title: v.L.T("musrenbang.title", placeName(r, m.Area)), Href: fmt.Sprintf("%s/musrenbang/%d", v.Base, m.ID),
				State: v.stateLabel("musrenbang", string(m.State)), Lines: []string{v.When(m.ScheduledAt) + " · " + m.Place},
			})
		}
	}
	if holds(c, policies.MusrenbangSchedule, area) {
		year := o.now().In(r.Location).Year()
		years := []option{{Value: strconv.Itoa(year), Label: strconv.Itoa(year)}, {Value: strconv.Itoa(year + 1), Label: strconv.Itoa(year + 1)}}
		q.Forms = append(q.Forms, action{Key: "schedule", Path: "/musrenbang", Label: v.L.T("work.schedule"), Legend: v.L.T("work.schedule.legend"),
			Fields: []field{
				hidden("area", area),
				v.Select("schedule", "fiscalYear", "field.fiscalYear", years, "value="+strconv.Itoa(year)),
				v.Field("schedule", "scheduledAt", "field.scheduledAt", "type=datetime-local", "required", "hint=hint.scheduledAt"),
				v.Field("schedule", "place", "field.place", "required", "autocomplete=off"),
			}})
	}
	return q, nil
}

func hidden(name, value string) field { return field{Type: "hidden", Name: name, Value: value} }

// reportQueue lists the reports of an area waiting for a step, each with the
// step and the way to send it back.
func reportQueue(c *fiber.Ctx, v *view, scope string, state partnership.ReportState, step, title string) (queue, error) {
	rs, err := store.ListReports(c.UserContext(), regionOf(c).db, store.ReportFilter{Scope: scope, State: state, Limit: 200})
	q := queue{Title: v.L.T(title), Scope: scope, Empty: v.L.T("work.none")}
	if err != nil {
		return q, err
	}
	for _, rep := range rs {
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
		if step == "evaluate" {
			next.Fields = []field{v.Field(key, "evaluation", "field.evaluation", "type=textarea", "rows=3")}
		}
		back := action{Key: "return-" + id, Path: "/work/reports/" + id + "/return", Label: v.L.T("work.return"), Secondary: true,
			Fields: []field{reasonField(v, "return-"+id, "field.returnReason")}}
		it.Actions = []action{next, back}
		q.Items = append(q.Items, it)
	}
	return q, nil
}

func kecamatanQueues(c *fiber.Ctx, o Options, v *view, kec string) ([]queue, error) {
	q, err := proposalQueue(c, v, kec, partnership.ProposalForwarded, "work.kecamatan.forwarded", nil)
	if err != nil {
		return nil, err
	}
	mq, err := musrenbangQueue(c, o, v, kec)
	if err != nil {
		return nil, err
	}
	rq, err := reportQueue(c, v, kec, partnership.ReportVerified, "consolidate", "work.kecamatan.reports")
	if err != nil {
		return nil, err
	}
	qs := []queue{rq, q, mq}
	cq, err := complaintQueue(c, o, v, kec, false)
	if err != nil {
		return nil, err
	}
	return append(append(qs, cq), v.findingsToAnswer(c, kec)...), nil
}

func secretariatQueues(c *fiber.Ctx, v *view, scope string) ([]queue, error) {
	rq, err := reportQueue(c, v, scope, partnership.ReportConsolidated, "evaluate", "work.secretariat.reports")
	if err != nil {
		return nil, err
	}
	return append([]queue{rq}, v.findingsToAnswer(c, scope)...), nil
}

// institutionQueues are a community institution's: the aspirations sent to
// it, its proposals with their approval, the reports it owes, and the form
// for a new proposal.
func institutionQueues(c *fiber.Ctx, o Options, v *view, key string) ([]queue, error) {
	rr := regionOf(c)
	ctx, db, r := c.UserContext(), rr.db, rr.tenant.Region
	inst, ok := r.Institution(key)
	if !ok {
		return nil, nil
	}
	var qs []queue
	ps, err := store.ListProposals(ctx, db, store.ProposalFilter{Scope: key, Limit: 500})
	if err != nil {
		return nil, err
	}
	merge := v.mergeOptions(ps)
	// Aspirations to answer.
	aq := queue{Title: v.L.T("work.institution.aspirations"), Scope: key, Empty: v.L.T("work.none")}
	for _, st := range []partnership.AspirationState{partnership.AspirationSubmitted, partnership.AspirationAcknowledged} {
		as, err := store.ListAspirations(ctx, db, store.AspirationFilter{Scope: key, State: st, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			id := strconv.FormatInt(a.ID, 10)
			k := "respond-" + id
			states := []option{{Value: string(partnership.AspirationDeclined), Label: v.L.T("state.aspiration.declined")}}
			if a.State == partnership.AspirationSubmitted {
				states = append([]option{{Value: string(partnership.AspirationAcknowledged), Label: v.L.T("state.aspiration.acknowledged")}}, states...)
			}
			aq.Items = append(aq.Items, workItem{Title: a.Title, State: v.stateLabel("aspiration", string(a.State)),
				Lines: []string{a.Body, v.When(a.SubmittedAt)},
				Actions: []action{{Key: k, Path: "/work/aspirations/" + id + "/respond", Label: v.L.T("work.respond"), Fields: []field{
					v.Select(k, "state", "field.answer", states), reasonField(v, k, "field.declineReason")}}}})
			if len(merge) > 0 && holds(c, policies.AspirationRespond, key) {
				it := &aq.Items[len(aq.Items)-1]
				it.Actions = append(it.Actions, v.mergeAction(id, merge))
			}
		}
	}
	qs = append(qs, aq)

	// Its proposals, this year's allocation, and the reports it owes.
	year := o.now().In(r.Location).Year()
	alloc, err := store.GetAllocation(ctx, db, key, year, partnership.Rupiah(r.TwoPillar.AllocationPerInstitution))
	if err != nil {
		return nil, err
	}
	pq := queue{Title: v.L.T("work.institution.proposals", inst.Name), Scope: key, Empty: v.L.T("work.none"),
		Links: []link{}}
	pq.Items = append(pq.Items, workItem{Title: v.L.T("allocation.title", year), Lines: []string{
		v.L.T("allocation.line", v.Money(alloc.Amount), v.Money(alloc.Committed), v.Money(alloc.Remaining()))}})
	reports := queue{Title: v.L.T("work.institution.reports"), Scope: key, Empty: v.L.T("work.none")}
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
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
		years := []option{{Value: strconv.Itoa(year), Label: strconv.Itoa(year)}, {Value: strconv.Itoa(year + 1), Label: strconv.Itoa(year + 1)}}
		k := "proposal"
		pq.Forms = append(pq.Forms, action{Key: k, Path: "/work/proposals", Label: v.L.T("work.proposal.submit"), Legend: v.L.T("work.proposal.legend"),
			Fields: []field{
				hidden("institution", key),
				v.Field(k, "title", "field.title", "required"),
				v.Select(k, "activity", "field.activity", acts),
				v.Select(k, "kind", "field.kind", kinds, "hint=hint.kind"),
				v.Select(k, "fiscalYear", "field.fiscalYear", years, "value="+strconv.Itoa(year)),
				v.Field(k, "cost", "field.cost", "inputmode=numeric", "required", "hint=hint.money"),
				v.Field(k, "beneficiaries", "field.beneficiaries", "type=number", "min=0", "required"),
				v.Field(k, "location", "field.location", "required"),
				v.Field(k, "description", "field.description", "type=textarea", "rows=4", "required"),
			}})
	}
	qs = append(qs, pq, reports)
	return append(qs, v.findingsToAnswer(c, key)...), nil
}

// findingsToAnswer lists the open findings about a place, for the office or
// institution there to answer.
func (v *view) findingsToAnswer(c *fiber.Ctx, scope string) []queue {
	if !holds(c, policies.FindingRespond, scope) {
		return nil
	}
	fs, err := store.ListFindings(c.UserContext(), regionOf(c).db, store.FindingFilter{Under: []string{scope}, State: partnership.FindingOpen, Limit: 200})
	if err != nil || len(fs) == 0 {
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

// supervisorQueues are an internal supervisor's findings and the complaints
// they handle — or, for the ombudsman, the escalated complaints.
func supervisorQueues(c *fiber.Ctx, o Options, v *view, scope string, ombudsman bool) ([]queue, error) {
	cq, err := complaintQueue(c, o, v, scope, ombudsman)
	if err != nil || ombudsman {
		return []queue{cq}, err
	}
	fs, err := store.ListFindings(c.UserContext(), regionOf(c).db, store.FindingFilter{Under: []string{scope}, Limit: 200})
	if err != nil {
		return nil, err
	}
	fq := queue{Title: v.L.T("work.findings"), Scope: scope, Empty: v.L.T("work.none")}
	now := o.now()
	for i := len(fs) - 1; i >= 0; i-- {
		f := fs[i]
		if f.State == partnership.FindingClosed {
			continue
		}
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
		v.Select(k, "scope", "field.findingScope", scopeOptions(regionOf(c).tenant.Region, v), "value="+scope),
		v.Field(k, "title", "field.title", "required"),
		v.Field(k, "detail", "field.detail", "type=textarea", "rows=4", "required"),
		v.Field(k, "dueAt", "field.dueAt", "type=date", "hint=hint.dueAt"),
	}}}
	return []queue{cq, fq}, nil
}

// scopeOptions lists the region, its kecamatan and its wards.
func scopeOptions(r *partnership.Region, v *view) []option {
	out := []option{{Value: r.Code, Label: r.Name}}
	for _, k := range r.Kecamatan {
		out = append(out, option{Value: k.Code, Label: v.L.T("place.kecamatan", k.Name), Group: k.Name})
		for _, w := range k.Wards {
			out = append(out, option{Value: w.Code, Label: w.Name, Group: k.Name})
		}
	}
	return out
}

// complaintQueue lists the complaints to handle at a scope: the unresolved
// ones not with the ombudsman, or, for the ombudsman, those escalated.
func complaintQueue(c *fiber.Ctx, o Options, v *view, scope string, ombudsman bool) (queue, error) {
	q := queue{Title: v.L.T("work.complaints"), Scope: scope, Empty: v.L.T("work.none")}
	if ombudsman {
		q.Title = v.L.T("work.complaints.escalated")
	}
	cs, err := store.ListComplaints(c.UserContext(), regionOf(c).db, store.ComplaintFilter{Under: []string{scope}, Limit: 200})
	if err != nil {
		return q, err
	}
	now := o.now()
	for _, cp := range cs {
		if cp.State == partnership.ComplaintResolved || cp.Ombudsman != ombudsman {
			continue
		}
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
	return q, nil
}

// --- the actions ---

// workAction runs one step posted from the work queues: on success back to
// the queues with a flash message, on refusal the queues again with the
// failed form filled in and its reasons beside its fields.
func workAction(o Options, keyPrefix, flash string, do func(c *fiber.Ctx, v *view, f *form) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, o, "work")
		f := formOf(c)
		f.Key = keyPrefix + c.Params("id")
		v.Form = f
		if err := do(c, v, f); err != nil {
			if err != errFormFailed {
				if err := refuseAllocation(v, f, err); err != nil {
					return err
				}
			}
			v.Status = fiber.StatusUnprocessableEntity
			return showWork(c, o, v)
		}
		return redirect(c, "/work", flash)
	}
}

// parseRupiah reads an amount as people write it: "1500000", "1.500.000" or
// "Rp 1.500.000".
func parseRupiah(s string) (partnership.Rupiah, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "Rp"), "rp"))
	s = strings.NewReplacer(".", "", " ", "", "\u00a0", "").Replace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || s == "" {
		return 0, false
	}
	return partnership.Rupiah(n), true
}

func (f *form) money(v *view, name string) partnership.Rupiah {
	n, ok := parseRupiah(f.Get(name))
	if !ok {
		f.fail(name, v.L.T("error.money"))
	}
	return n
}

func (f *form) count(v *view, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
	if err != nil {
		f.fail(name, v.L.T("error.count"))
	}
	return n
}

func createProposalPage(o Options) fiber.Handler {
	return workAction(o, "proposal", "flash.proposal", func(c *fiber.Ctx, v *view, f *form) error {
		in := partnership.ProposalInput{Institution: f.Get("institution"), Activity: f.Get("activity"), Title: f.Get("title"),
			Description: f.Get("description"), Location: f.Get("location"), Kind: partnership.Kind(f.Get("kind"))}
		in.FiscalYear, _ = strconv.Atoi(f.Get("fiscalYear"))
		in.Cost = f.money(v, "cost")
		in.Beneficiaries = f.count(v, "beneficiaries")
		if f.Failed() {
			return errFormFailed
		}
		_, err := twopillar.CreateProposal(c.UserContext(), realmOf(c), actorOf(c), in)
		return err
	})
}

func approveProposalPage(o Options) fiber.Handler {
	return workAction(o, "approve-", "flash.approved", func(c *fiber.Ctx, v *view, f *form) error {
		id, _ := idParam(c)
		_, err := twopillar.ApproveExecution(c.UserContext(), realmOf(c), actorOf(c), id)
		return err
	})
}

// submitReportPage reports the realisation of an approved proposal, with its
// evidence, as the API's submitReport does.
func submitReportPage(o Options) fiber.Handler {
	return workAction(o, "report-", "flash.report", func(c *fiber.Ctx, v *view, f *form) error {
		in := twopillar.Realisation{ReportInput: partnership.ReportInput{Outputs: f.Get("outputs"), ActivityStart: f.Get("activityStart"), ActivityEnd: f.Get("activityEnd")}}
		in.Spent = f.money(v, "spent")
		in.Participants = f.count(v, "participants")
		if mf, err := c.MultipartForm(); err == nil {
			if in.Evidence, err = readUploads(mf.File["attachments"], true); err != nil {
				return err
			}
		}
		if f.Failed() {
			return errFormFailed
		}
		id, _ := idParam(c)
		_, err := twopillar.SubmitReport(c.UserContext(), realmOf(c), actorOf(c), id, in)
		return err
	})
}

func respondAspirationPage(o Options) fiber.Handler {
	return workAction(o, "respond-", "flash.answered", func(c *fiber.Ctx, v *view, f *form) error {
		id, _ := idParam(c)
		in := twopillar.Response{State: partnership.AspirationState(f.Get("state")), Reason: f.Get("reason")}
		_, err := twopillar.RespondAspiration(c.UserContext(), realmOf(c), actorOf(c), id, in)
		return err
	})
}

// reportStepPage takes a step on a report, as the API's reportStep does.
func reportStepPage(o Options, s partnership.ReportStep) fiber.Handler {
	prefix, field := "rstep-", "evaluation"
	if s == partnership.StepReturn {
		prefix, field = "return-", "reason"
	}
	return workAction(o, prefix, "flash.report."+string(s), func(c *fiber.Ctx, v *view, f *form) error {
		id, _ := idParam(c)
		_, err := twopillar.MoveReport(c.UserContext(), realmOf(c), actorOf(c), id, s, f.Get(field))
		return err
	})
}

func recordFindingPage(o Options) fiber.Handler {
	return workAction(o, "finding", "flash.finding", func(c *fiber.Ctx, v *view, f *form) error {
		_, err := supervision.RecordFinding(c.UserContext(), realmOf(c), actorOf(c),
			partnership.NewFinding{Scope: f.Get("scope"), Title: f.Get("title"), Detail: f.Get("detail"), DueAt: f.Get("dueAt")})
		return err
	})
}

// moveFindingPage answers, closes or reopens a finding, as the API does.
func moveFindingPage(o Options, to partnership.FindingState) fiber.Handler {
	prefix := "finding-"
	if to == partnership.FindingOpen {
		prefix = "reopen-"
	}
	return workAction(o, prefix, "flash.finding."+string(to), func(c *fiber.Ctx, v *view, f *form) error {
		id, _ := idParam(c)
		_, err := supervision.MoveFinding(c.UserContext(), realmOf(c), actorOf(c), id, to,
			supervision.FindingMove{Response: f.Get("response"), Reason: f.Get("reason"), DueAt: f.Get("dueAt")})
		return err
	})
}

// moveComplaintPage receives, investigates, resolves or escalates a
// complaint, as the API does.
func moveComplaintPage(o Options, to partnership.ComplaintState) fiber.Handler {
	prefix := "complaint-"
	if to == partnership.ComplaintEscalated {
		prefix = "escalate-"
	}
	return workAction(o, prefix, "flash.complaint."+string(to), func(c *fiber.Ctx, v *view, f *form) error {
		id, _ := idParam(c)
		_, err := supervision.MoveComplaint(c.UserContext(), realmOf(c), actorOf(c), id, to,
			supervision.ComplaintMove{Resolution: f.Get("resolution"), Reason: f.Get("reason")})
		return err
	})
}
