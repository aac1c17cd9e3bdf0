package web

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/twopillar"
	"pilar.id/pilar/policies"
)

// More steps of the work queues, each taken through the same step of
// package twopillar as the API handler it mirrors.

// wardsUnder lists the wards of the region at or beneath a scope.
func wardsUnder(r *partnership.Region, scope string) []option {
	var out []option
	for _, k := range r.Kecamatan {
		for _, w := range k.Wards {
			if w.Code == scope || k.Code == scope || r.Code == scope {
				out = append(out, option{Value: w.Code, Label: w.Name})
			}
		}
	}
	return out
}

// participationQueue is the lurah's assessment of the participation phase
// of the wards of its scope: their latest this year, and the form for a new
// one, as the API's assessPhase takes it.
func participationQueue(c *fiber.Ctx, o Options, v *view, scope string) (queue, error) {
	rr := regionOf(c)
	r := rr.tenant.Region
	q := queue{Title: v.L.T("work.participation"), Scope: scope}
	if !holds(c, policies.ParticipationAssess, scope) {
		return q, nil
	}
	year := o.now().In(r.Location).Year()
	latest, err := store.LatestPhases(c.UserContext(), rr.db, scope, year)
	if err != nil {
		return q, err
	}
	wards := wardsUnder(r, scope)
	for _, w := range wards {
		a, ok := latest[w.Value]
		if !ok {
			continue
		}
		q.Items = append(q.Items, workItem{Title: w.Label, State: v.L.T("phase." + string(a.Phase)), Lines: []string{a.Note, v.When(a.AssessedAt)}})
	}
	phases := make([]option, len(partnership.Phases))
	for i, p := range partnership.Phases {
		phases[i] = option{Value: string(p), Label: v.L.T("phase." + string(p))}
	}
	years := []option{{Value: strconv.Itoa(year), Label: strconv.Itoa(year)}, {Value: strconv.Itoa(year - 1), Label: strconv.Itoa(year - 1)}}
	k := "phase"
	q.Forms = append(q.Forms, action{Key: k, Path: "/work/participation", Label: v.L.T("work.participation.assess"), Legend: v.L.T("work.participation.legend"),
		Fields: []field{
			v.Select(k, "ward", "field.phaseWard", wards),
			v.Select(k, "fiscalYear", "field.fiscalYear", years, "value="+strconv.Itoa(year)),
			v.Select(k, "phase", "field.phase", phases, "placeholder=field.choose"),
			v.Field(k, "note", "field.phaseNote", "type=textarea", "rows=3", "required"),
		}})
	return q, nil
}

// assessPhasePage records the lurah's assessment of a ward's participation
// phase, as the API's assessPhase does.
func assessPhasePage(o Options) fiber.Handler {
	return workAction(o, "phase", "flash.phase", func(c *fiber.Ctx, v *view, f *form) error {
		in := partnership.PhaseInput{Ward: f.Get("ward"), Phase: partnership.Phase(f.Get("phase")), Note: f.Get("note")}
		in.FiscalYear, _ = strconv.Atoi(f.Get("fiscalYear"))
		_, err := twopillar.AssessPhase(c.UserContext(), realmOf(c), actorOf(c), in)
		return err
	})
}

// executionActions are an institution's steps on its funded or approved
// activity: a change of its cost (needing the ward's approval again) and its
// cancellation with a reason, as the API's moveProposal takes them.
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

// costChangePage changes the cost of a funded or approved activity,
// committing or releasing the difference, as the API's changeCost does.
func costChangePage(o Options) fiber.Handler {
	return workAction(o, "cost-", "flash.proposal.cost", func(c *fiber.Ctx, v *view, f *form) error {
		cost := f.money(v, "cost")
		if f.Failed() {
			return errFormFailed
		}
		id, _ := idParam(c)
		_, err := twopillar.ChangeCost(c.UserContext(), realmOf(c), actorOf(c), id, cost)
		return err
	})
}

// cancelActivityPage cancels a funded or approved activity with a reason,
// releasing its allocation, as the API's cancelActivity does.
func cancelActivityPage(o Options) fiber.Handler {
	return workAction(o, "cancel-", "flash.proposal.cancel", func(c *fiber.Ctx, v *view, f *form) error {
		id, _ := idParam(c)
		_, err := twopillar.CancelActivity(c.UserContext(), realmOf(c), actorOf(c), id, f.Get("reason"))
		return err
	})
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

// mergeAspirationPage merges an aspiration into one of the institution's
// proposals, as the API's respondAspiration does with the state "merged".
func mergeAspirationPage(o Options) fiber.Handler {
	return workAction(o, "merge-", "flash.merged", func(c *fiber.Ctx, v *view, f *form) error {
		pid := formID(f, "proposal")
		if pid <= 0 {
			f.fail("proposal", v.L.T("error.choose"))
			return errFormFailed
		}
		id, _ := idParam(c)
		_, err := twopillar.RespondAspiration(c.UserContext(), realmOf(c), actorOf(c), id, twopillar.Response{State: partnership.AspirationMerged, Proposal: pid})
		return err
	})
}
