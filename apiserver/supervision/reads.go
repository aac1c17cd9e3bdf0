package supervision

import (
	"context"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// Work is what of supervision waits for one grant at its scope: what the
// grant's work queue lists, and what a digest of the day counts.
type Work struct {
	// ToAnswer are the open findings about the scope, for the office or
	// institution there that may answer them.
	ToAnswer []*partnership.Finding
	// Findings are an internal supervisor's findings not closed yet, the
	// newest first.
	Findings []*partnership.Finding
	// Complaints are the unresolved complaints to handle: for the kecamatan
	// office and the internal supervisor those not with the ombudsman, for
	// the ombudsman those escalated to it.
	Complaints []*partnership.Complaint
}

// WorkOf reads what waits for the actor's grant g.
func WorkOf(ctx context.Context, r *step.Region, a step.Actor, g authz.Grant) (Work, error) {
	var w Work
	var err error
	under := []string{g.Scope}
	switch g.Role {
	case policies.WardOffice, policies.KecamatanOffice, policies.RegionalSecretariat,
		policies.InstitutionRW, policies.InstitutionPKK, policies.InstitutionKarangTaruna, policies.InstitutionLPM:
		if r.May(a, policies.FindingRespond, g.Scope) {
			w.ToAnswer, err = store.ListFindings(ctx, r.DB, store.FindingFilter{Under: under, State: partnership.FindingOpen, Limit: 200})
		}
	case policies.InternalSupervisor:
		var fs []*partnership.Finding
		fs, err = store.ListFindings(ctx, r.DB, store.FindingFilter{Under: under, Limit: 200})
		for i := len(fs) - 1; i >= 0; i-- {
			if fs[i].State != partnership.FindingClosed {
				w.Findings = append(w.Findings, fs[i])
			}
		}
	}
	if err != nil {
		return Work{}, err
	}
	if g.Role == policies.KecamatanOffice || g.Role == policies.InternalSupervisor || g.Role == policies.Ombudsman {
		cs, err := store.ListComplaints(ctx, r.DB, store.ComplaintFilter{Under: under, Limit: 200})
		if err != nil {
			return Work{}, err
		}
		for _, cp := range cs {
			if cp.State != partnership.ComplaintResolved && cp.Ombudsman == (g.Role == policies.Ombudsman) {
				w.Complaints = append(w.Complaints, cp)
			}
		}
	}
	return w, nil
}
