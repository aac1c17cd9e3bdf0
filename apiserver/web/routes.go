package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"pilar.id/pilar/policies"
)

// routes declares every route of the API server with its authorization: each
// route of a region names the permission it needs and the scope it needs it at.
func routes(app *fiber.App, o Options) {
	app.Use(recover.New())
	app.Use(requestid.New())
	app.Use(logRequests(o.Log))
	if o.BaseDomain != "" {
		app.Use(hostRegions(o.BaseDomain))
	}

	// Platform: no region, no authorization.
	app.Get("/healthz", healthz)
	app.Get("/readyz", readyz(o.Registry))
	app.Get("/api/openapi.json", serveOpenAPI)
	if o.PathRegions {
		app.Get("/", platformIndex(o.Registry))
	}

	// The platform of the national agencies: its own accounts, no region.
	if o.Platform != nil {
		p := app.Group("/platform", withPlatform(o.Platform), authenticate(o))
		p.Post("/api/session", signIn(o))
		p.Use(checkCSRF)
		p.Delete("/api/session", signOut(o))
		p.Get("/api/me", signedIn, whoAmI)
		p.Get("/api/regions", require(policies.NationalRead, regionScope), nationalRegions(o.Registry))
	}

	// One region, resolved from the path (or from the host, rewritten to the
	// path); who is asking is known from here on.
	r := app.Group("/r/:region", withTenant(o.Registry), authenticate(o))
	region := regionScope

	// Signing in needs no CSRF token (it starts a new session, whatever cookie
	// came along); Fiber runs middleware in the order it is registered, so this
	// route comes before the CSRF check that guards every route after it.
	r.Post("/api/session", signIn(o))
	r.Use(checkCSRF)

	r.Get("/", regionHome)
	r.Get("/api/region", regionJSON)

	// Accounts and sessions.
	r.Post("/api/accounts", require(policies.AccountRegister, region), register(o))
	r.Delete("/api/session", signOut(o))
	r.Get("/api/me", signedIn, whoAmI)
	r.Get("/api/tokens", signedIn, require(policies.TokenManage, region), listTokens)
	r.Post("/api/tokens", signedIn, require(policies.TokenManage, region), createToken(o))
	r.Delete("/api/tokens/:id", signedIn, require(policies.TokenManage, region), revokeToken(o))

	// Role grants at scopes, and explanations.
	r.Get("/api/grants", require(policies.GrantRead, region), listGrants)
	r.Post("/api/grants", require(policies.GrantManage, grantScope), addGrant(o))
	r.Patch("/api/grants/:id", require(policies.GrantManage, existingGrantScope), moveGrant)
	r.Delete("/api/grants/:id", require(policies.GrantManage, existingGrantScope), revokeGrant)
	r.Get("/api/explain", require(policies.PolicyExplain, region), explain)

	// The two-pillar workflow: aspirations, proposals, allocations, Musrenbang, execution.
	r.Post("/api/aspirations", require(policies.AspirationSubmit, bodyInstitution), submitAspiration(o))
	r.Get("/api/aspirations/mine", signedIn, listAspirations(true))
	r.Get("/api/aspirations", require(policies.AspirationRead, queryScope), listAspirations(false))
	r.Post("/api/aspirations/:id/respond", require(policies.AspirationRespond, aspirationScope), respondAspiration(o))
	r.Post("/api/proposals", require(policies.ProposalCreate, bodyInstitution), createProposal(o))
	r.Get("/api/proposals", require(policies.ProposalRead, queryScope), listProposals)
	r.Get("/api/proposals/:id", require(policies.ProposalRead, proposalScope), getProposal)
	r.Put("/api/proposals/:id", require(policies.ProposalEdit, proposalScope), editProposal(o))
	r.Post("/api/proposals/:id/approve", require(policies.ExecutionApprove, proposalScope), moveProposal(o, policies.ExecutionApprove, "approve"))
	r.Post("/api/proposals/:id/cost", require(policies.ProposalEdit, proposalScope), moveProposal(o, policies.ProposalEdit, "cost"))
	r.Post("/api/proposals/:id/cancel", require(policies.ActivityCancel, proposalScope), moveProposal(o, policies.ActivityCancel, "cancel"))
	r.Get("/api/allocations", require(policies.AllocationRead, region), getAllocation)
	r.Post("/api/musrenbang", require(policies.MusrenbangSchedule, bodyArea), scheduleMusrenbang(o))
	r.Get("/api/musrenbang", require(policies.MusrenbangRead, queryScope), listMusrenbang)
	r.Get("/api/musrenbang/:id", require(policies.MusrenbangRead, musrenbangScope), getMusrenbang)
	r.Post("/api/musrenbang/:id/attendance", require(policies.MusrenbangAttend, musrenbangScope), recordAttendance)
	r.Post("/api/musrenbang/:id/decisions", require(policies.MusrenbangDecide, musrenbangScope), decide(o))
	r.Post("/api/musrenbang/:id/close", require(policies.MusrenbangClose, musrenbangScope), closeMusrenbang(o))

	// Realisation reports up the hierarchy.
	// The institution reports on its approved proposal, with evidence; the ward
	// office verifies, the kecamatan office consolidates, the regional
	// secretariat evaluates, each at the report's institution. Whoever may take
	// the step a report waits for may instead send it back (requirePendingStep).
	r.Post("/api/proposals/:id/reports", require(policies.ReportSubmit, proposalScope), submitReport(o))
	r.Get("/api/reports", require(policies.ReportRead, queryScope), listReports)
	r.Get("/api/reports/:id", require(policies.ReportRead, reportScope), getReport)
	r.Get("/api/reports/:id/attachments/:n", require(policies.ReportRead, reportScope), getAttachment)
	r.Post("/api/reports/:id/verify", require(policies.ReportVerify, reportScope), verifyReport(o))
	r.Post("/api/reports/:id/consolidate", require(policies.ReportConsolidate, reportScope), consolidateReport(o))
	r.Post("/api/reports/:id/evaluate", require(policies.ReportEvaluate, reportScope), evaluateReport(o))
	r.Post("/api/reports/:id/return", requirePendingStep, returnReport(o))

	// Supervision: findings and complaints.
	// Findings are listed where the caller holds finding:read. Complaints are
	// read without a route-level check: each is shown to those holding
	// complaint:read at its scope, to its filer, and to everyone when public
	// (anonymous filers follow theirs by tracking code). Escalated complaints
	// are handled by ombudsman grants only, and residents escalate only their own.
	r.Post("/api/findings", require(policies.FindingRecord, newFindingScope), recordFinding(o))
	r.Get("/api/findings", requireSomewhere(policies.FindingRead), listFindings(o))
	r.Get("/api/findings/:id", require(policies.FindingRead, findingScope), getFinding(o))
	r.Post("/api/findings/:id/respond", require(policies.FindingRespond, findingScope), respondFinding(o))
	r.Post("/api/findings/:id/close", require(policies.FindingRecord, findingScope), closeFinding(o))
	r.Post("/api/findings/:id/reopen", require(policies.FindingRecord, findingScope), reopenFinding(o))
	r.Post("/api/complaints", require(policies.ComplaintFile, newComplaintScope), fileComplaint(o))
	r.Get("/api/complaints", listComplaints(o))
	r.Get("/api/complaints/track/:code", trackComplaint(o))
	r.Get("/api/complaints/:id", getComplaint(o))
	r.Post("/api/complaints/:id/receive", requireOnComplaint(policies.ComplaintHandle), receiveComplaint(o))
	r.Post("/api/complaints/:id/investigate", requireOnComplaint(policies.ComplaintHandle), investigateComplaint(o))
	r.Post("/api/complaints/:id/resolve", requireOnComplaint(policies.ComplaintHandle), resolveComplaint(o))
	r.Post("/api/complaints/:id/escalate", requireOnComplaint(policies.ComplaintEscalate), escalateComplaint(o))

	// Participation and evaluation.
	r.Get("/api/participation", require(policies.ParticipationRead, queryScope), getParticipation(o))
	r.Post("/api/participation/phases", require(policies.ParticipationAssess, bodyWard), assessPhase(o))

	// The audit log: public decisions for everyone, the rest for auditors.
	r.Get("/api/audit/public", require(policies.DecisionRead, region), auditEntries(true))
	r.Get("/api/audit", require(policies.AuditRead, region), auditEntries(false))
	r.Get("/api/audit/verify", require(policies.AuditVerify, region), verifyAudit)
}
