package fourpillar

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
)

// The kinds of stored object the four-pillar steps make and change, and
// what the audit log keeps of each.

// partners is how the steps keep partners: each is the region's and
// concerns the account that registered it; the forum's decisions on it are
// public, the registration in the works is not.
var partners = step.Kind[*partnership.Partner]{
	Name: "partner", Get: store.GetPartner, Insert: store.InsertPartner, Update: step.Versioned(store.UpdatePartner),
	Facts: func(p *partnership.Partner) step.Facts {
		return step.Facts{ID: p.ID, Public: p.State == partnership.PartnerApproved || p.State == partnership.PartnerRejected, Owner: p.AccountID}
	},
	Image: partnerImage,
}

// partnerImage is what the audit log keeps of a partner before and after a change.
func partnerImage(p *partnership.Partner) map[string]any {
	return map[string]any{"kind": p.Kind, "name": p.Name, "areas": p.Areas, "kecamatan": p.Kecamatan, "state": p.State, "meeting": p.MeetingID,
		"reason": p.Reason, "version": p.Version}
}

// meetings is how the steps keep forum meetings: each is the whole
// region's, everyone reads what happens to it, and the audit log keeps its
// state — and what each step records of it.
var meetings = step.Kind[*partnership.ForumMeeting]{
	Name: "forum-meeting", Get: store.GetForumMeeting, Insert: store.InsertForumMeeting, Update: step.Versioned(store.UpdateForumMeeting),
	Facts: func(m *partnership.ForumMeeting) step.Facts { return step.Facts{ID: m.ID, Public: true} },
	Image: func(m *partnership.ForumMeeting) map[string]any { return map[string]any{"state": m.State} },
}

// plans is how the steps keep CSR plans: each is the whole region's, and
// everyone reads what happens to it. A plan concerns its partner's account,
// which the steps read: the forum's steps on it tell the audit log so.
var plans = step.Kind[*partnership.CSRPlan]{
	Name: "csr-plan", Get: store.GetPlan, Insert: store.InsertPlan, Update: step.Versioned(store.UpdatePlan),
	Facts: func(p *partnership.CSRPlan) step.Facts { return step.Facts{ID: p.ID, Public: true} },
	Image: planImage,
}

// planImage is what the audit log keeps of a plan before and after a change.
func planImage(p *partnership.CSRPlan) map[string]any {
	s := p.Score()
	return map[string]any{"partner": p.PartnerID, "fiscalYear": p.FiscalYear, "state": p.State, "late": p.Late, "dueAt": p.DueAt,
		"activities": len(p.Activities), "financing": s.Total, "aligned": s.Aligned, "reason": p.Reason, "version": p.Version}
}

// requests is how the steps keep CSR requests: each belongs to its ward,
// everyone reads what happens to it, and it concerns whoever submitted it.
var requests = step.Kind[*partnership.CSRRequest]{
	Name: "csr-request", Get: store.GetRequest, Insert: store.InsertRequest, Update: step.Versioned(store.UpdateRequest),
	Facts: func(q *partnership.CSRRequest) step.Facts {
		return step.Facts{ID: q.ID, Scope: q.WardCode, Public: true, Owner: q.AccountID}
	},
	Image: requestImage,
}

// requestImage is what the audit log keeps of a CSR request before and after a change.
func requestImage(q *partnership.CSRRequest) map[string]any {
	return map[string]any{"source": q.Source, "proposal": q.ProposalID, "area": q.Area, "ward": q.WardCode, "amount": q.Amount,
		"state": q.State, "claimedBy": q.ClaimedBy, "expiresAt": q.ExpiresAt, "version": q.Version}
}

// programmes is how the steps keep programmes: each belongs to its ward (the
// region, for one without), and everyone reads what happens to it.
var programmes = step.Kind[*partnership.Programme]{
	Name: "programme", Get: store.GetProgramme, Insert: store.InsertProgramme, Update: step.Versioned(store.UpdateProgramme),
	Facts: func(p *partnership.Programme) step.Facts {
		return step.Facts{ID: p.ID, Scope: p.WardCode, Public: true}
	},
	Image: programmeImage,
}

// programmeImage is what the audit log keeps of a programme before and after a change.
func programmeImage(p *partnership.Programme) map[string]any {
	return map[string]any{"source": p.Source, "partner": p.PartnerID, "area": p.Area, "ward": p.WardCode, "sectorAgency": p.SectorAgency,
		"fiscalYear": p.FiscalYear, "state": p.State, "beneficiaries": p.Beneficiaries, "version": p.Version}
}

// ideas is how the steps keep innovation ideas: each is the whole region's,
// everyone reads what happens to it, and it concerns whoever posted it.
var ideas = step.Kind[*partnership.Idea]{
	Name: "idea", Get: store.GetIdea, Insert: store.InsertIdea, Update: step.Versioned(store.UpdateIdea),
	Facts: func(i *partnership.Idea) step.Facts { return step.Facts{ID: i.ID, Public: true, Owner: i.AccountID} },
	Image: ideaImage,
}

// ideaImage is what the audit log keeps of an idea before and after a change.
func ideaImage(i *partnership.Idea) map[string]any {
	return map[string]any{"pillar": i.Pillar, "title": i.Title, "state": i.State, "adoptedIntoType": i.AdoptedIntoType,
		"adoptedIntoId": i.AdoptedIntoID, "reason": i.Reason, "meeting": i.MeetingID, "version": i.Version}
}

// realisations is how SubmitRealisation keeps realisation reports: each
// belongs to its programme's ward, and everyone reads it.
var realisations = step.Kind[*partnership.Realisation]{
	Name: "realisation", Insert: store.InsertRealisation,
	Facts: func(rz *partnership.Realisation) step.Facts {
		return step.Facts{ID: rz.ID, Scope: rz.WardCode, Public: true}
	},
	Image: realisationImage,
}

// realisationImage is what the audit log keeps of a realisation report.
func realisationImage(r *partnership.Realisation) map[string]any {
	return map[string]any{"partner": r.PartnerID, "programme": r.ProgrammeID, "fiscalYear": r.FiscalYear, "area": r.Area,
		"amount": r.Amount, "dueAt": r.DueAt, "late": r.Late, "evidence": len(r.Evidence)}
}

// sanctions is how the steps keep sanctions: each is the whole region's, and
// everyone reads what happens to it. A sanction concerns its partner's
// account, which the steps read and tell the audit log of.
var sanctions = step.Kind[*partnership.Sanction]{
	Name: "sanction", Get: store.GetSanction, Insert: store.InsertSanction, Update: step.Versioned(store.UpdateSanction),
	Facts: func(s *partnership.Sanction) step.Facts { return step.Facts{ID: s.ID, Public: true} },
	Image: sanctionImage,
}

// sanctionImage is what the audit log keeps of a sanction before and after a change.
func sanctionImage(s *partnership.Sanction) map[string]any {
	return map[string]any{"partner": s.PartnerID, "step": s.Step, "state": s.State, "legalBasis": s.LegalBasis, "resolution": s.Resolution, "version": s.Version}
}

// documented is k for a step that stores documents with the object it
// makes: once the object is stored, so are *docs, as its, and its audit
// entry adds what the audit log keeps of them — no content, only names,
// sizes and hashes.
func documented[T any](k step.Kind[T], docs *[]*partnership.Document) step.Kind[T] {
	var images []map[string]any
	insert := k.Insert
	k.Insert = func(ctx context.Context, db bun.IDB, x T) error {
		if err := insert(ctx, db, x); err != nil {
			return err
		}
		for _, d := range *docs {
			d.OwnerType, d.OwnerID = k.Name, k.Facts(x).ID
			if err := store.InsertDocument(ctx, db, d); err != nil {
				return err
			}
			images = append(images, map[string]any{"id": d.ID, "purpose": d.Purpose, "name": d.Name, "size": d.Size, "sha256": d.SHA256})
		}
		return nil
	}
	return k.Telling(func(_ T, rec *step.Record) { rec.After["documents"] = images })
}

// named reads, with get, the object of another kind that a step's input
// names by id in field: one that does not exist is invalid input, not a
// missing page.
func named[T any](ctx context.Context, db bun.IDB, get func(context.Context, bun.IDB, int64) (T, error), id int64, field, what string) (T, error) {
	x, err := get(ctx, db, id)
	if errors.Is(err, partnership.ErrNotFound) {
		return x, partnership.Invalid(field, "no %s %d", what, id)
	}
	return x, err
}
