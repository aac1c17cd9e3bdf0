package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

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

// requests lists the open CSR requests — with a claim button for the
// partner who may take each up — and those claimed.
var requests = screen{nav: "requests", template: "requests", data: func(c *fiber.Ctx, v *view) (any, error) {
	rr := regionOf(c)
	ctx, realm, me, r := c.UserContext(), rr.realm, actorOf(c), rr.tenant.Region
	mine, err := fourpillar.ApprovedPartnersOf(ctx, realm, me.AccountID())
	if err != nil {
		return nil, err
	}
	d := requestsData{CanSubmit: holds(c, policies.CSRRequestSubmit, rr.root)}
	open, err := fourpillar.Requests(ctx, realm, me, fourpillar.RequestQuery{State: partnership.RequestOpen, AllOpen: true, Limit: 200})
	if err != nil {
		return nil, err
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
		return nil, err
	}
	for i := len(claimed) - 1; i >= 0; i-- {
		q := claimed[i]
		row := csrRow{Q: q, Area: areaName(r, q.Area)}
		if p, err := store.GetPartner(ctx, realm.DB, q.ClaimedBy); err == nil {
			row.Claimant = p.Name
		}
		d.Claimed = append(d.Claimed, row)
	}
	return d, nil
}}

// requestForm is the form of a CSR request: the ward first, then the rest.
var requestForm = wardForm("requests", "request_form")

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
	return rows, nil
}}.get
