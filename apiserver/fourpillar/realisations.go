package fourpillar

import (
	"context"
	"fmt"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// SubmitRealisation stores a partner's realisation report on one of its
// programmes, with its evidence as uploaded (checked by the domain), and
// audits it publicly. A partner reports only on its own programme: whoever
// does not act for the programme's partner is refused, as is a report on a
// programme no partner runs.
func SubmitRealisation(ctx context.Context, r *step.Region, a step.Actor, in partnership.RealisationInput, evidence []partnership.Upload) (*partnership.Realisation, error) {
	return step.CreateAt(ctx, r, a, realisations, policies.RealisationSubmit, r.Root, func(ctx context.Context, t *step.Tx) (*partnership.Realisation, error) {
		if in.Programme <= 0 {
			return nil, partnership.Invalid("programme", "the id of the programme reported on")
		}
		p, err := named(ctx, t, store.GetProgramme, in.Programme, "programme", "programme")
		if err != nil {
			return nil, err
		}
		// The report is the programme's partner's only when the actor acts
		// for it; the domain refuses it otherwise.
		var partner int64
		if p.PartnerID != 0 {
			ok, err := store.ActsFor(ctx, t, a.AccountID(), p.PartnerID)
			if err != nil {
				return nil, err
			}
			if ok {
				partner = p.PartnerID
			}
		}
		return r.Spec.Realisation(p, partner, in, evidence, a.AccountID(), t.Now)
	})
}

// Evidence is the n-th file of a realisation report's evidence, for the
// partner that reported it and the forum secretariat only: receipts and
// photographs may show people, so the report is public and its files are
// not. Anyone else is refused.
func Evidence(ctx context.Context, r *step.Region, a step.Actor, id int64, n int) (*partnership.Document, error) {
	rz, err := store.GetRealisation(ctx, r.DB, id)
	if err != nil {
		return nil, err
	}
	allowed := secretariat(r, a)
	if !allowed {
		if allowed, err = store.ActsFor(ctx, r.DB, a.AccountID(), rz.PartnerID); err != nil {
			return nil, err
		}
	}
	if !allowed {
		return nil, fmt.Errorf("%w: the evidence of realisation %d is for its partner and the forum secretariat", partnership.ErrForbidden, id)
	}
	return store.RealisationEvidence(ctx, r.DB, id, n)
}
