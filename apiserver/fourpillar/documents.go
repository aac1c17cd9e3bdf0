package fourpillar

import (
	"context"
	"fmt"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
)

// document checks one uploaded file of a step's input: required, a PDF,
// JPEG or PNG by its bytes, at most partnership.MaxDocumentSize.
func document(field, purpose string, u *partnership.Upload, t *step.Tx) (*partnership.Document, error) {
	if u == nil {
		return nil, partnership.Invalid(field, "required: send a multipart form with the file (PDF, JPEG or PNG, at most 2 MiB)")
	}
	if u.Size > partnership.MaxDocumentSize {
		return nil, partnership.Invalid(field, "the file is %d bytes; at most %d (2 MiB) are accepted", u.Size, partnership.MaxDocumentSize)
	}
	return partnership.NewDocument(field, purpose, u.Name, u.Data, t.Now)
}

// supporting checks the supporting documents of a step's input, if any.
func supporting(field string, us []partnership.Upload, t *step.Tx) ([]*partnership.Document, error) {
	if len(us) > partnership.MaxDocuments {
		return nil, partnership.Invalid(field, "at most %d documents", partnership.MaxDocuments)
	}
	var out []*partnership.Document
	for i := range us {
		d, err := document(fmt.Sprintf("%s.%d", field, i), partnership.PurposeSupporting, &us[i], t)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Document is a stored document for those who may read it: a partner's for
// the partner and the forum secretariat; a CSR request's for whoever
// submitted it, the secretariat, and the partners who may claim or claimed
// it. Anyone else is told it does not exist.
func Document(ctx context.Context, r *step.Region, a step.Actor, id int64) (*partnership.Document, error) {
	d, err := store.GetDocument(ctx, r.DB, id)
	if err != nil {
		return nil, err
	}
	allowed := secretariat(r, a)
	switch d.OwnerType {
	case "partner":
		if p, err := store.GetPartner(ctx, r.DB, d.OwnerID); err == nil && a.Is(p.AccountID) {
			allowed = true
		}
	case "csr-request":
		if q, err := store.GetRequest(ctx, r.DB, d.OwnerID); err == nil && !allowed {
			if allowed, err = MayReadRequestDocuments(ctx, r, a, q); err != nil {
				return nil, err
			}
		}
	}
	if !allowed {
		return nil, fmt.Errorf("%w: no document %d", partnership.ErrNotFound, id)
	}
	return d, nil
}

// MayReadRequestDocuments reports whether the actor may see a CSR request's
// documents: whoever submitted it, the forum secretariat, and the approved
// partners who may claim it or claimed it.
func MayReadRequestDocuments(ctx context.Context, r *step.Region, a step.Actor, q *partnership.CSRRequest) (bool, error) {
	if a.Is(q.AccountID) || secretariat(r, a) {
		return true, nil
	}
	ps, err := ApprovedPartnersOf(ctx, r, a.AccountID())
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.ID == q.ClaimedBy || q.State == partnership.RequestOpen && p.WorksIn(q.Area, q.WardCode) {
			return true, nil
		}
	}
	return false, nil
}
