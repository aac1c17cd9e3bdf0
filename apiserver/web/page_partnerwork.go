package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

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
		if s.LegalBasis != "" {
			it.Lines = append(it.Lines, v.L.T("sanctions.basis", s.LegalBasis))
		}
		if s.Resolution != "" {
			it.Lines = append(it.Lines, v.L.T("sanctions.resolution", s.Resolution))
		}
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
			s := pl.Score()
			it := workItem{Title: v.L.T("forum.subject.plan", p.Name, pl.FiscalYear), State: v.stateLabel("plan", string(pl.State)),
				Lines: []string{v.L.T("plan.line", v.Num(len(pl.Activities)), v.Money(s.Total), v.Date(pl.BoardApprovedAt))}}
			if pl.Reason != "" {
				it.Lines = append(it.Lines, v.L.T("sanctions.reason", pl.Reason))
			}
			if pl.State == partnership.PlanRevision && holds(c, policies.CSRPlanSubmit, scope) {
				it.Actions = append(it.Actions, revisePlanAction(v, pl))
			}
			pq.Items = append(pq.Items, it)
		}
		for _, pr := range p.Programmes {
			programmes = append(programmes, option{Value: strconv.FormatInt(pr.ID, 10),
				Label: fmt.Sprintf("#%d %s · %s · %d", pr.ID, pr.Title, areaName(r, pr.Area), pr.FiscalYear)})
		}
	}
	for _, p := range partners {
		for _, rz := range p.Realisations {
			it := workItem{Title: v.L.T("realisation.title", rz.ProgrammeID, v.Money(rz.Amount)),
				Lines: []string{v.Date(rz.ActivityStart) + " – " + v.Date(rz.ActivityEnd), rz.Outputs}}
			if rz.Late {
				it.Lines = append(it.Lines, v.L.T("report.late"))
			}
			rq.Items = append(rq.Items, it)
		}
	}
	if holds(c, policies.CSRPlanSubmit, scope) {
		year, k := thisYear(c), "plan"
		partner := hidden("partner", partnerOpts[0].Value)
		if len(partners) > 1 {
			partner = v.Select(k, "partner", "field.partner", partnerOpts)
		}
		fs := []field{partner,
			v.Select(k, "fiscalYear", "field.fiscalYear", yearOptions(year-1, year), "value="+strconv.Itoa(year)),
			v.Field(k, "boardApprovedAt", "field.boardApprovedAt", "type=date", "required", "hint=hint.boardApprovedAt"),
		}
		fs = append(fs, planActivityFields(v, k, nil)...)
		pq.Forms = append(pq.Forms, action{Key: k, Path: "/work/plans", Label: v.L.T("work.plan.submit"), Legend: v.L.T("work.plan.legend"), Fields: fs})
	}
	if len(programmes) > 0 && holds(c, policies.RealisationSubmit, scope) {
		k := "realisation"
		rq.Forms = append(rq.Forms, action{Key: k, Path: "/work/realisations", Label: v.L.T("work.realisation.submit"), Legend: v.L.T("work.realisation.legend"), Multipart: true,
			Fields: []field{
				v.Select(k, "programme", "field.programme", programmes, "placeholder=field.choose"),
				v.Field(k, "activityStart", "field.activityStart", "type=date", "required"),
				v.Field(k, "activityEnd", "field.activityEnd", "type=date", "required"),
				v.Field(k, "amount", "field.amount", "inputmode=numeric", "required", "hint=hint.money"),
				v.Field(k, "sourceOfFunds", "field.sourceOfFunds", "required"),
				v.Field(k, "outputs", "field.outputs", "type=textarea", "rows=3", "required"),
				v.Field(k, "targetsReached", "field.targetsReached", "type=textarea", "rows=2", "required"),
				v.Field(k, "evidence", "field.attachments", "type=file", "hint=hint.attachments"),
			}})
	}
	return []queue{pq, rq}
}

// submitPlanPage submits an approved partner's annual plan
// (fourpillar.SubmitPlan); the form's empty activity rows are left out, and a
// refusal of an activity is shown beside the row it came from.
var submitPlanPage = workAction("plan", "flash.plan.submitted", func(c *fiber.Ctx, v *view, f *form) error {
	in := partnership.PlanInput{Partner: formID(f, "partner")}
	in.FiscalYear, _ = strconv.Atoi(f.Get("fiscalYear"))
	in.BoardApprovedAt = boardApprovedAt(v, f, regionOf(c).tenant.Region)
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
func planActivityFields(v *view, k string, acts []partnership.PlanActivity) []field {
	r, places := v.Region, placeOptions(v, false)
	row := func(f field, i int, label string) field {
		f.Label = v.L.T("field.plan.row", i+1, v.L.T(label))
		return f
	}
	var fs []field
	for i := range max(planRows, len(acts)) {
		pre := fmt.Sprintf("activities.%d.", i)
		var pf []string // what a given activity prefills, by name
		if i < len(acts) {
			a := acts[i]
			pf = []string{"value=" + a.Title, "value=" + a.Location, "value=" + a.Area, "value=" + a.Target, "value=" + a.Goal,
				"value=" + strconv.FormatInt(int64(a.Financing), 10)}
		} else {
			pf = make([]string, 6)
		}
		fs = append(fs,
			row(v.Field(k, pre+"title", "field.title", pf[0]), i, "field.title"),
			row(v.Select(k, pre+"location", "field.location", places, "placeholder=field.choose", pf[1]), i, "field.location"),
			row(v.Select(k, pre+"area", "field.area", areaOptions(r), "placeholder=field.choose", pf[2]), i, "field.area"),
			row(v.Field(k, pre+"target", "field.target", pf[3]), i, "field.target"),
			row(v.Field(k, pre+"goal", "field.goal", "type=textarea", "rows=2", pf[4]), i, "field.goal"),
			row(v.Field(k, pre+"financing", "field.financing", "inputmode=numeric", "hint=hint.money", pf[5]), i, "field.financing"))
	}
	return fs
}

// boardApprovedAt reads the date of the board's approval of a plan.
func boardApprovedAt(v *view, f *form, r *partnership.Region) time.Time {
	s := strings.TrimSpace(f.Get("boardApprovedAt"))
	if s == "" {
		f.fail("boardApprovedAt", v.L.T("error.required"))
		return time.Time{}
	}
	t, err := time.ParseInLocation(time.DateOnly, s, r.Location)
	if err != nil {
		f.fail("boardApprovedAt", v.L.T("error.date"))
	}
	return t
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
	id := strconv.FormatInt(pl.ID, 10)
	k := "revise-" + id
	fs := append([]field{hidden("fiscalYear", strconv.Itoa(pl.FiscalYear))}, planActivityFields(v, k, pl.Activities)...)
	return action{Key: k, Path: "/work/plans/" + id + "/revise", Label: v.L.T("work.plan.revise"), Legend: v.L.T("work.plan.revise.legend"), Fields: fs}
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
