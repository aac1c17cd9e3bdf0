package accounts

import (
	"context"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/policies"
)

// CreateAdmin creates a realm's administrator: in a region, an account
// holding regional-admin for the whole region; on the platform (a realm
// without a Spec), one holding national-admin. It is how a region gets its
// first admin, which no one in the region could grant: the operator of the
// server runs it as a command, a system actor the realm's policy must allow
// (grant:manage in a region, national-admin:grant on the platform).
func CreateAdmin(ctx context.Context, r *step.Region, a step.Actor, in authz.NewAccount) (*authz.Account, error) {
	role, perm := policies.RegionalAdmin, policies.GrantManage
	if r.Spec == nil {
		role, perm = policies.NationalAdmin, policies.NationalAdminGrant
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	return createHolding(ctx, r, a, perm, role, nil, in, holdingImage)
}

// VerifyAudit walks the realm's audit log and recomputes its chain, for
// those the realm's policy lets verify it (audit:verify): auditors over the
// API and the portal, the operator with the verify-audit command.
func VerifyAudit(ctx context.Context, r *step.Region, a step.Actor) (audit.Report, error) {
	if _, err := r.Must(a, policies.AuditVerify, r.Root); err != nil {
		return audit.Report{}, err
	}
	return audit.Verify(ctx, r.DB)
}
