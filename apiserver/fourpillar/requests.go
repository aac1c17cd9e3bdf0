package fourpillar

import (
	"context"
	"strconv"

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
	if err := store.InsertRequest(ctx, t, q); err != nil {
		return nil, err
	}
	t.Audit(step.Record{Action: policies.CSRRequestSubmit, ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10),
		After: requestImage(q), Public: true, Scope: q.WardCode})
	return q, nil
}

// requestImage is what the audit log keeps of a CSR request before and after a change.
func requestImage(q *partnership.CSRRequest) map[string]any {
	return map[string]any{"source": q.Source, "proposal": q.ProposalID, "area": q.Area, "ward": q.WardCode, "amount": q.Amount,
		"state": q.State, "claimedBy": q.ClaimedBy, "expiresAt": q.ExpiresAt, "version": q.Version}
}
