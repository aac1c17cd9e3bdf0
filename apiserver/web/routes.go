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

	// The audit log: public decisions for everyone, the rest for auditors.
	r.Get("/api/audit/public", require(policies.DecisionRead, region), auditEntries(true))
	r.Get("/api/audit", require(policies.AuditRead, region), auditEntries(false))
	r.Get("/api/audit/verify", require(policies.AuditVerify, region), verifyAudit)
}
