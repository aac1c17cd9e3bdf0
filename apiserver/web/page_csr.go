package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// The four-pillar pages: CSR requests residents submit and partners claim,
// and the directory of approved partners. They take the same steps of
// package fourpillar as the four-pillar API (fourpillar.go).

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

// areaName names a priority area of the region.
func areaName(r *partnership.Region, key string) string {
	if r.FourPillar != nil {
		for _, a := range r.FourPillar.PriorityAreas {
			if a.Key == key {
				return a.Name
			}
		}
	}
	return key
}

func areaOptions(r *partnership.Region) []option {
	var out []option
	if r.FourPillar != nil {
		for _, a := range r.FourPillar.PriorityAreas {
			out = append(out, option{Value: a.Key, Label: a.Name})
		}
	}
	return out
}

// requestsPage lists the open CSR requests — with a claim button for the
// partner who may take each up — and those claimed.
func requestsPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error { return showRequests(c, newView(c, o, "requests")) }
}

func showRequests(c *fiber.Ctx, v *view) error {
	rr := regionOf(c)
	ctx, realm, me, r := c.UserContext(), rr.realm, actorOf(c), rr.tenant.Region
	mine, err := fourpillar.ApprovedPartnersOf(ctx, realm, me.AccountID())
	if err != nil {
		return err
	}
	d := requestsData{CanSubmit: holds(c, policies.CSRRequestSubmit, rr.root)}
	open, err := fourpillar.Requests(ctx, realm, me, fourpillar.RequestQuery{State: partnership.RequestOpen, AllOpen: true, Limit: 200})
	if err != nil {
		return err
	}
	for _, q := range open {
		row := csrRow{Q: q, Area: areaName(r, q.Area)}
		for _, p := range mine {
			if p.WorksIn(q.Area, q.WardCode) && holds(c, policies.CSRRequestClaim, q.WardCode) {
				id := strconv.FormatInt(q.ID, 10)
				row.Claim = &action{Key: "claim-" + id, Path: "/csr/requests/" + id + "/claim", Label: v.L.T("csr.claim"),
					Fields: []field{hidden("partner", strconv.FormatInt(p.ID, 10))}}
				break
			}
		}
		d.Open = append(d.Open, row)
	}
	claimed, err := fourpillar.Requests(ctx, realm, me, fourpillar.RequestQuery{State: partnership.RequestClaimed, Limit: 200})
	if err != nil {
		return err
	}
	for i := len(claimed) - 1; i >= 0; i-- {
		q := claimed[i]
		row := csrRow{Q: q, Area: areaName(r, q.Area)}
		if p, err := store.GetPartner(ctx, realm.DB, q.ClaimedBy); err == nil {
			row.Claimant = p.Name
		}
		d.Claimed = append(d.Claimed, row)
	}
	v.Data = d
	return render(c, v, "requests")
}

// requestFormPage is the form of a CSR request: the ward first, then the rest.
func requestFormPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, o, "requests")
		r := regionOf(c).tenant.Region
		v.Data = struct {
			wardChoice
			Areas []option
		}{chooseWard(r, c.Query("ward")), areaOptions(r)}
		return render(c, v, "request_form")
	}
}

// requestSubmitPage submits a resident's CSR request, as the API's
// submitRequest does (without documents).
func requestSubmitPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r := regionOf(c).tenant.Region
		v := newView(c, o, "requests")
		f := formOf(c)
		v.Form = f
		in := partnership.CSRRequestInput{Area: f.Get("area"), Ward: f.Get("ward"), Title: f.Get("title"), Description: f.Get("description")}
		in.Amount = f.money(v, "amount")
		err := errFormFailed
		if !f.Failed() {
			_, _, err = fourpillar.SubmitRequest(c.UserContext(), realmOf(c), actorOf(c), fourpillar.RequestSubmission{CSRRequestInput: in})
		}
		if err != nil {
			if err != errFormFailed {
				if err := f.refuse(v.L, err); err != nil {
					return err
				}
			}
			v.Data = struct {
				wardChoice
				Areas []option
			}{chooseWard(r, f.Get("ward")), areaOptions(r)}
			v.Status = fiber.StatusUnprocessableEntity
			return render(c, v, "request_form")
		}
		return redirect(c, "/csr/requests", "flash.request")
	}
}

// claimRequestPage claims an open request for the partner the account acts
// for, as the API's claimRequest does; of two claims one wins.
func claimRequestPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, o, "requests")
		f := formOf(c)
		id, err := idParam(c)
		if err != nil {
			return err
		}
		f.Key = "claim-" + strconv.FormatInt(id, 10)
		v.Form = f
		partner, _ := strconv.ParseInt(f.Get("partner"), 10, 64)
		if _, err := fourpillar.ClaimRequest(c.UserContext(), realmOf(c), actorOf(c), id, partner); err != nil {
			var claimed *partnership.ClaimedError
			if errors.As(err, &claimed) {
				f.General = v.L.T("csr.claimed.already")
			} else if err := f.refuse(v.L, err); err != nil {
				return err
			}
			v.Status = fiber.StatusConflict
			return showRequests(c, v)
		}
		return redirect(c, "/csr/requests", "flash.claimed")
	}
}

type partnerListRow struct {
	P     *partnership.Partner
	Areas []string
	Where []string
}

// partnersPage is the directory of approved partners.
func partnersPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		r := rr.tenant.Region
		v := newView(c, o, "partners")
		ps, err := fourpillar.Partners(c.UserContext(), rr.realm, actorOf(c), fourpillar.PartnerQuery{State: partnership.PartnerApproved})
		if err != nil {
			return err
		}
		var rows []partnerListRow
		for _, p := range ps {
			row := partnerListRow{P: p}
			for _, a := range p.Areas {
				row.Areas = append(row.Areas, areaName(r, a))
			}
			for _, k := range p.Kecamatan {
				row.Where = append(row.Where, placeName(r, k))
			}
			rows = append(rows, row)
		}
		v.Data = rows
		return render(c, v, "partners")
	}
}

// fourPillarQueues are the four-pillar roles' queues: a company or
// university sees the open requests it may claim.
func fourPillarQueues(c *fiber.Ctx, o Options, v *view, g authz.Grant) ([]queue, error) {
	switch g.Role {
	case policies.Company, policies.University:
		sq, err := partnerSanctionQueue(c, v, g)
		if err != nil {
			return nil, err
		}
		wq, err := partnerWorkQueues(c, o, v, g)
		if err != nil {
			return nil, err
		}
		return append(append([]queue{{Title: v.L.T("work.partner"), Scope: g.Scope, Links: []link{
			{v.Base + "/csr/requests", v.L.T("nav.requests")}, {v.Base + "/partners", v.L.T("nav.partners")}}}}, wq...), sq), nil
	case policies.CSRForumSecretariat:
		sq, err := sanctionQueues(c, v, g)
		if err != nil {
			return nil, err
		}
		fq, err := forumWorkQueues(c, o, v, g)
		if err != nil {
			return nil, err
		}
		sq = append(fq, sq...)
		return append([]queue{{Title: v.L.T("work.forum"), Scope: g.Scope, Links: []link{
			{v.Base + "/partners", v.L.T("nav.partners")}, {v.Base + "/csr/requests", v.L.T("nav.requests")},
			{v.Base + "/forum", v.L.T("nav.forum")}, {v.Base + "/evaluations", v.L.T("nav.evaluations")}, {v.Base + "/awards", v.L.T("nav.awards")}}}}, sq...), nil
	}
	return nil, nil
}
