package fourpillar

import (
	"context"
	"errors"
	"fmt"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// RequestFromProposal makes the CSR request a two-pillar proposal becomes
// when a kecamatan Musrenbang decides "csr", inside that decision's step and
// audited beside it (the entry cites the musrenbang:decide that allowed
// it). The decision may name the request's priority area; without one,
// partners of every area in its kecamatan may claim it.
func RequestFromProposal(ctx context.Context, t *step.Tx, p *partnership.Proposal, area string) (*partnership.CSRRequest, error) {
	q, err := t.Region.Spec.CSRRequestFromProposal(p, area, t.Now)
	if err != nil {
		return nil, err
	}
	return q, requests.Add(ctx, t, policies.CSRRequestSubmit, q)
}

// RequestSubmission is a resident's or community's CSR request as sent,
// with its supporting documents as uploaded (at most five).
type RequestSubmission struct {
	partnership.CSRRequestInput
	Documents []partnership.Upload
}

// SubmitRequest takes a resident's or community's CSR request for a ward,
// at that ward: a resident's when the role that allowed it is the
// resident's, else the community's. It may name an approved partner it
// prefers; its documents are checked by their bytes and stored with it. A
// request naming no place of the region is asked about at the region's
// scope; the domain refuses one whose place is not a ward.
func SubmitRequest(ctx context.Context, r *step.Region, a step.Actor, in RequestSubmission) (*partnership.CSRRequest, []*partnership.Document, error) {
	scope := r.Root
	if r.Spec.ScopeLevel(in.Ward) != "" {
		scope = in.Ward
	}
	var docs []*partnership.Document
	q, err := step.CreateAt(ctx, r, a, documented(requests, &docs), policies.CSRRequestSubmit, scope, func(ctx context.Context, t *step.Tx) (*partnership.CSRRequest, error) {
		source := partnership.SourceCommunity
		if t.Decision().Role == policies.Resident {
			source = partnership.SourceResident
		}
		var err error
		if docs, err = supporting("documents", in.Documents, t); err != nil {
			return nil, err
		}
		var preferred *partnership.Partner
		if in.PreferredPartner != 0 {
			if preferred, err = store.GetPartner(ctx, t, in.PreferredPartner); err != nil && !errors.Is(err, partnership.ErrNotFound) {
				return nil, err
			}
		}
		return r.Spec.NewCSRRequest(in.CSRRequestInput, source, a.AccountID(), preferred, t.Now)
	})
	if err != nil {
		return nil, nil, err
	}
	return q, docs, nil
}

// ClaimRequest takes an open request for the actor's approved partner (the
// one named, or their only one) working in its area and kecamatan, at the
// request's ward. Of concurrent claims exactly one wins; the others are
// refused with a partnership.ClaimedError naming the winner.
func ClaimRequest(ctx context.Context, r *step.Region, a step.Actor, id, partner int64) (*partnership.CSRRequest, error) {
	var p *partnership.Partner
	claimed := requests.Telling(func(_ *partnership.CSRRequest, rec *step.Record) { rec.After["partnerName"] = p.Name })
	claimed.Update = step.Versioned(store.ClaimRequest)
	return step.Change(ctx, r, a, claimed, id, policies.CSRRequestClaim, func(ctx context.Context, t *step.Tx, q *partnership.CSRRequest) error {
		var err error
		if p, err = actingPartner(ctx, t, partner, ""); err != nil {
			return err
		}
		return q.Claim(p, t.Now)
	})
}

// WithdrawRequest takes back an open request; only whoever submitted it
// may, with csr-request:submit at its ward.
func WithdrawRequest(ctx context.Context, r *step.Region, a step.Actor, id int64) (*partnership.CSRRequest, error) {
	return step.Change(ctx, r, a, requests, id, policies.CSRRequestSubmit, func(_ context.Context, _ *step.Tx, q *partnership.CSRRequest) error {
		return q.Withdraw(a.AccountID())
	})
}

// RequestQuery narrows the list of CSR requests.
type RequestQuery struct {
	State partnership.RequestState
	Area  string
	// Scope keeps the requests of the wards it covers.
	Scope string
	// Mine lists the asker's own requests.
	Mine bool
	// AllOpen lists, with State open, every open request; else one acting
	// for approved partners lists those its partners may claim.
	AllOpen bool
	After   int64
	Limit   int
}

// Requests lists CSR requests. Open ones are those not expired yet; for
// someone acting for approved partners, only those the partners may claim
// unless AllOpen. Listing one's own needs signing in.
func Requests(ctx context.Context, r *step.Region, a step.Actor, in RequestQuery) ([]*partnership.CSRRequest, error) {
	f := store.RequestFilter{State: in.State, Area: in.Area, Scope: in.Scope, AfterID: in.After, Limit: in.Limit}
	if in.Mine {
		if f.AccountID = a.AccountID(); f.AccountID == 0 {
			return nil, fmt.Errorf("%w: sign in to list your requests", partnership.ErrUnauthenticated)
		}
	}
	if f.State == partnership.RequestOpen {
		f.OpenAt = r.Clock()
		if !in.AllOpen {
			var err error
			if f.ClaimableBy, err = ApprovedPartnersOf(ctx, r, a.AccountID()); err != nil {
				return nil, err
			}
		}
	}
	return store.ListRequests(ctx, r.DB, f)
}

// Request is one CSR request, with its documents for those who may read
// them (MayReadRequestDocuments); nil documents for anyone else.
func Request(ctx context.Context, r *step.Region, a step.Actor, id int64) (*partnership.CSRRequest, []*partnership.Document, error) {
	q, err := store.GetRequest(ctx, r.DB, id)
	if err != nil {
		return nil, nil, err
	}
	ok, err := MayReadRequestDocuments(ctx, r, a, q)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return q, nil, nil
	}
	ds, err := store.Documents(ctx, r.DB, "csr-request", q.ID)
	if err != nil {
		return nil, nil, err
	}
	return q, ds, nil
}
