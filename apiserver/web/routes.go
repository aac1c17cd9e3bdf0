package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// routes declares every route of the API server with its authorization: each
// route of a region names the permission it needs and the scope it needs it at.
func routes(app *fiber.App, o Options) {
	app.Use(recover.New())
	app.Use(requestid.New())
	// Pages and JSON go out compressed to whoever accepts it: a first page
	// load fits a slow phone's connection.
	app.Use(compress.New())
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
		p := app.Group("/platform", withPlatform(o.Platform, o), authenticate)
		p.Post("/api/session", signIn)
		p.Use(checkCSRF)
		p.Delete("/api/session", signOut)
		p.Get("/api/me", signedIn, whoAmI)
		p.Get("/api/regions", require(policies.NationalRead, regionScope), nationalRegions(o.Registry))
		p.Get("/api/dashboard", require(policies.NationalRead, regionScope), nationalDashboard(o.Registry, o))
	}

	// One region, resolved from the path (or from the host, rewritten to the
	// path); who is asking is known from here on.
	r := app.Group("/r/:region", withTenant(o.Registry, o), authenticate)

	// Signing in needs no CSRF token (it starts a new session, whatever cookie
	// came along); Fiber runs middleware in the order it is registered, so this
	// route comes before the CSRF check that guards every route after it.
	r.Post("/api/session", signIn)
	r.Use(checkCSRF)
	for _, rt := range regionRoutes {
		hs := rt.handlers()
		if rt.Method == fiber.MethodGet {
			r.Head(rt.Path, hs...) // as r.Get does: Fiber answers HEAD for every GET
		}
		r.Add(rt.Method, rt.Path, hs...)
	}
	if o.Demo { // the embedded mode only: never in a cluster
		r.Get("/demo", asPage, demoScreen.get)
		r.Post("/demo", asPage, demoSignIn)
	}
}

// route is a route and what the API's document says of it (openapi.go):
// its path (within the region's, /r/:region, for the region's routes), the
// permission it needs at the scope Scope finds (the whole region's when
// nil) unless Guard decides by a rule of its own, and its handler.
type route struct {
	Method, Path string
	Page         bool // a page of the portal: errors are pages (asPage)
	SignedIn     bool // needs an account, whatever its permission
	Permission   policies.Permission
	Scope        scopeFunc
	Guard        fiber.Handler
	Handler      fiber.Handler
	Summary      string
	Request      any // a value of the body's type; nil when there is none
	Response     any // a value of the answer's type; nil for 204 or a file
	Status       int // the success status
	Tag          string
}

// handlers are what a request of the route goes through: asPage, signedIn,
// the route's authorization, then its handler.
func (rt route) handlers() []fiber.Handler {
	var hs []fiber.Handler
	if rt.Page {
		hs = append(hs, asPage)
	}
	if rt.SignedIn {
		hs = append(hs, signedIn)
	}
	switch {
	case rt.Guard != nil:
		hs = append(hs, rt.Guard)
	case rt.Permission != "" && rt.Scope != nil:
		hs = append(hs, require(rt.Permission, rt.Scope))
	case rt.Permission != "":
		hs = append(hs, require(rt.Permission, regionScope))
	}
	return append(hs, rt.Handler)
}

// regionRoutes are the routes of a region after the CSRF check, in the
// order they are matched.
var regionRoutes = []route{
	{Method: "GET", Path: "/", Page: true, Handler: regionHome, Summary: "The region's portal home (HTML).", Status: 200, Tag: "region"},
	{Method: "GET", Path: "/api/region", Handler: regionJSON, Summary: "The region's regulations in brief and its stored tree.", Response: regionSummary{}, Status: 200, Tag: "region"},

	// Accounts and sessions.
	{Method: "POST", Path: "/api/accounts", Permission: policies.AccountRegister, Handler: register, Summary: "Register a resident's account.", Request: authz.NewAccount{}, Response: authz.Account{}, Status: 201, Tag: "accounts"},
	{Method: "DELETE", Path: "/api/session", Handler: signOut, Summary: "Sign out.", Status: 204, Tag: "accounts"},
	{Method: "GET", Path: "/api/me", SignedIn: true, Handler: whoAmI, Summary: "The signed-in account, its grants and its CSRF token.", Response: me{}, Status: 200, Tag: "accounts"},
	{Method: "GET", Path: "/api/tokens", SignedIn: true, Permission: policies.TokenManage, Handler: listTokens, Summary: "Your API tokens, without their secrets.", Response: page[authz.APIToken]{}, Status: 200, Tag: "accounts"},
	{Method: "POST", Path: "/api/tokens", SignedIn: true, Permission: policies.TokenManage, Handler: createToken, Summary: "Create an API token; it is shown once.", Request: tokenIn{}, Response: newToken{}, Status: 201, Tag: "accounts"},
	{Method: "DELETE", Path: "/api/tokens/:id", SignedIn: true, Permission: policies.TokenManage, Handler: revokeToken, Summary: "Revoke one of your API tokens.", Status: 204, Tag: "accounts"},

	// Role grants at scopes, and explanations.
	{Method: "GET", Path: "/api/grants", Permission: policies.GrantRead, Handler: listGrants, Summary: "The region's role grants, a page at a time.", Response: page[authz.Grant]{}, Status: 200, Tag: "grants"},
	{Method: "POST", Path: "/api/grants", Permission: policies.GrantManage, Scope: grantScope, Handler: addGrant, Summary: "Grant a role at a scope (grant:manage at that scope).", Request: grantIn{}, Response: authz.Grant{}, Status: 201, Tag: "grants"},
	{Method: "PATCH", Path: "/api/grants/:id", Permission: policies.GrantManage, Scope: existingGrantScope, Handler: moveGrant, Summary: "Move a grant to another scope (grant:manage at both).", Request: scopeIn{}, Response: authz.Grant{}, Status: 200, Tag: "grants"},
	{Method: "DELETE", Path: "/api/grants/:id", Permission: policies.GrantManage, Scope: existingGrantScope, Handler: revokeGrant, Summary: "Revoke a grant; it stops working with the next request.", Status: 204, Tag: "grants"},
	{Method: "GET", Path: "/api/explain", Permission: policies.PolicyExplain, Handler: explain, Summary: "May account U use permission P at scope S, and which rule decided?", Response: authz.Explanation{}, Status: 200, Tag: "grants"},

	// The two-pillar workflow: aspirations, proposals, allocations, Musrenbang, execution.
	{Method: "POST", Path: "/api/aspirations", Permission: policies.AspirationSubmit, Scope: bodyInstitution, Handler: submitAspiration, Summary: "A resident's aspiration to an institution of their ward.", Request: partnership.NewAspiration{}, Response: aspirationJSON{}, Status: 201, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/aspirations/mine", SignedIn: true, Handler: listAspirations(true), Summary: "Your aspirations and what became of them.", Response: page[aspirationJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/aspirations", Permission: policies.AspirationRead, Scope: queryScope, Handler: listAspirations(false), Summary: "Aspirations within a scope.", Response: page[aspirationJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/aspirations/:id/respond", Permission: policies.AspirationRespond, Scope: aspirationScope, Handler: respondAspiration, Summary: "Acknowledge, merge into a proposal, or decline with a reason.", Request: aspirationResponse{}, Response: aspirationJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/proposals", Permission: policies.ProposalCreate, Scope: bodyInstitution, Handler: createProposal, Summary: "An institution's proposal.", Request: partnership.ProposalInput{}, Response: proposalJSON{}, Status: 201, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/proposals", Permission: policies.ProposalRead, Scope: queryScope, Handler: listProposals, Summary: "Proposals within a scope.", Response: page[proposalJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/proposals/:id", Permission: policies.ProposalRead, Scope: proposalScope, Handler: getProposal, Summary: "One proposal.", Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "PUT", Path: "/api/proposals/:id", Permission: policies.ProposalEdit, Scope: proposalScope, Handler: editProposal, Summary: "Edit a proposal still waiting for its Musrenbang.", Request: partnership.ProposalInput{}, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/proposals/:id/approve", Permission: policies.ExecutionApprove, Scope: proposalScope, Handler: approveProposal, Summary: "The delegated budget user approves execution.", Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/proposals/:id/cost", Permission: policies.ProposalEdit, Scope: proposalScope, Handler: changeCost, Summary: "Change a funded proposal's cost; it needs approval again.", Request: stepIn{}, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/proposals/:id/cancel", Permission: policies.ActivityCancel, Scope: proposalScope, Handler: cancelActivity, Summary: "Cancel a funded activity, releasing its commitment.", Request: stepIn{}, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/allocations", Permission: policies.AllocationRead, Handler: getAllocation, Summary: "An institution's allocation for a fiscal year: amount, committed, remaining.", Response: allocationJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/musrenbang", Permission: policies.MusrenbangSchedule, Scope: bodyArea, Handler: scheduleMusrenbang, Summary: "Schedule a ward or kecamatan Musrenbang.", Request: partnership.MusrenbangInput{}, Response: musrenbangJSON{}, Status: 201, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/musrenbang", Permission: policies.MusrenbangRead, Scope: queryScope, Handler: listMusrenbang, Summary: "Musrenbang within a scope.", Response: page[musrenbangJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/musrenbang/:id", Permission: policies.MusrenbangRead, Scope: musrenbangScope, Handler: getMusrenbang, Summary: "One Musrenbang with its agenda, decisions and minutes.", Response: musrenbangJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/musrenbang/:id/attendance", Permission: policies.MusrenbangAttend, Scope: musrenbangScope, Handler: recordAttendance, Summary: "Record attendance by category; opens the Musrenbang when the quorum is met.", Request: attendanceIn{}, Response: musrenbangJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/musrenbang/:id/decisions", Permission: policies.MusrenbangDecide, Scope: musrenbangScope, Handler: decide, Summary: "Decide a proposal of the agenda: fund, forward or reject (ward); sector, csr or reject (kecamatan).", Request: decisionIn{}, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/musrenbang/:id/close", Permission: policies.MusrenbangClose, Scope: musrenbangScope, Handler: closeMusrenbang, Summary: "Publish the minutes; the Musrenbang becomes immutable.", Request: minutesIn{}, Response: musrenbangJSON{}, Status: 200, Tag: "two-pillar"},

	// Realisation reports up the hierarchy.
	// The institution reports on its approved proposal, with evidence; the ward
	// office verifies, the kecamatan office consolidates, the regional
	// secretariat evaluates, each at the report's institution. Whoever may take
	// the step a report waits for may instead send it back (requirePendingStep).
	{Method: "POST", Path: "/api/proposals/:id/reports", Permission: policies.ReportSubmit, Scope: proposalScope, Handler: submitReport, Summary: "Report the realisation of an approved (or returned) proposal, with evidence (multipart: attachments; or JSON).", Request: partnership.ReportInput{}, Response: reportJSON{}, Status: 201, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/reports", Permission: policies.ReportRead, Scope: queryScope, Handler: listReports, Summary: "Realisation reports within a scope.", Response: page[reportJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/reports/:id", Permission: policies.ReportRead, Scope: reportScope, Handler: getReport, Summary: "One report, with the step it waits for.", Response: reportJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/api/reports/:id/attachments/:n", Permission: policies.ReportRead, Scope: reportScope, Handler: getAttachment, Summary: "Download the n-th evidence file of a report.", Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/reports/:id/verify", Permission: policies.ReportVerify, Scope: reportScope, Handler: reportStep(partnership.StepVerify), Summary: "The ward office verifies a report.", Response: reportJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/reports/:id/consolidate", Permission: policies.ReportConsolidate, Scope: reportScope, Handler: reportStep(partnership.StepConsolidate), Summary: "The kecamatan office consolidates a verified report.", Response: reportJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/reports/:id/evaluate", Permission: policies.ReportEvaluate, Scope: reportScope, Handler: reportStep(partnership.StepEvaluate), Summary: "The regional secretariat evaluates a consolidated report.", Request: reportStepIn{}, Response: reportJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/reports/:id/return", Permission: policies.ReportVerify, Guard: requirePendingStep, Handler: reportStep(partnership.StepReturn), Summary: "Send a report back with a reason; needs the permission of the step it waits for (report:verify, report:consolidate or report:evaluate).", Request: reportStepIn{}, Response: reportJSON{}, Status: 200, Tag: "two-pillar"},

	// Supervision: findings and complaints.
	// Findings are listed where the caller holds finding:read. Complaints are
	// read without a route-level check: each is shown to those holding
	// complaint:read at its scope, to its filer, and to everyone when public
	// (anonymous filers follow theirs by tracking code). Escalated complaints
	// are handled by ombudsman grants only, and residents escalate only their own.
	{Method: "POST", Path: "/api/findings", Permission: policies.FindingRecord, Scope: newFindingScope, Handler: recordFinding, Summary: "An internal supervisor's finding at a scope; due after the region's finding response time, or at dueAt.", Request: partnership.NewFinding{}, Response: findingJSON{}, Status: 201, Tag: "supervision"},
	{Method: "GET", Path: "/api/findings", Permission: policies.FindingRead, Guard: requireSomewhere(policies.FindingRead), Handler: listFindings, Summary: "Findings beneath the scopes where you hold finding:read; ?scope=, ?state=, ?overdue=true.", Response: page[findingJSON]{}, Status: 200, Tag: "supervision"},
	{Method: "GET", Path: "/api/findings/:id", Permission: policies.FindingRead, Scope: findingScope, Handler: getFinding, Summary: "One finding.", Response: findingJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/api/findings/:id/respond", Permission: policies.FindingRespond, Scope: findingScope, Handler: moveFinding(partnership.FindingResponded), Summary: "Answer an open finding (not by whoever recorded it).", Request: findingStepIn{}, Response: findingJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/api/findings/:id/close", Permission: policies.FindingRecord, Scope: findingScope, Handler: moveFinding(partnership.FindingClosed), Summary: "Accept the answer and close the finding (not by whoever answered it).", Response: findingJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/api/findings/:id/reopen", Permission: policies.FindingRecord, Scope: findingScope, Handler: moveFinding(partnership.FindingOpen), Summary: "Reject the answer with a reason; due again after the response time, or at dueAt.", Request: findingStepIn{}, Response: findingJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/api/complaints", Permission: policies.ComplaintFile, Scope: newComplaintScope, Handler: fileComplaint, Summary: "File a complaint about a ward or an institution; an anonymous filer gets a tracking code, once.", Request: partnership.NewComplaint{}, Response: filedComplaintJSON{}, Status: 201, Tag: "supervision"},
	{Method: "GET", Path: "/api/complaints", Handler: listComplaints, Summary: "Complaints you may read: where you hold complaint:read, your own, public ones; ?scope=, ?state=, ?overdue=, ?mine=, ?public=.", Response: page[complaintJSON]{}, Status: 200, Tag: "supervision"},
	{Method: "GET", Path: "/api/complaints/track/:code", Handler: trackComplaint, Summary: "Follow an anonymous complaint by its tracking code.", Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "GET", Path: "/api/complaints/:id", Handler: getComplaint, Summary: "One complaint, when you may read it (else 404).", Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/api/complaints/:id/receive", Permission: policies.ComplaintHandle, Guard: requireOnComplaint(policies.ComplaintHandle), Handler: moveComplaint(partnership.ComplaintReceived), Summary: "Acknowledge a filed complaint.", Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/api/complaints/:id/investigate", Permission: policies.ComplaintHandle, Guard: requireOnComplaint(policies.ComplaintHandle), Handler: moveComplaint(partnership.ComplaintInvestigating), Summary: "Investigate a received complaint, or (the ombudsman) an escalated one.", Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/api/complaints/:id/resolve", Permission: policies.ComplaintHandle, Guard: requireOnComplaint(policies.ComplaintHandle), Handler: moveComplaint(partnership.ComplaintResolved), Summary: "Resolve a complaint with a resolution; escalated ones only by the ombudsman.", Request: complaintStepIn{}, Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/api/complaints/:id/escalate", Permission: policies.ComplaintEscalate, Guard: requireOnComplaint(policies.ComplaintEscalate), Handler: moveComplaint(partnership.ComplaintEscalated), Summary: "Escalate to the ombudsman with a reason: the filer, or staff at the complaint's scope.", Request: complaintStepIn{}, Response: complaintJSON{}, Status: 200, Tag: "supervision"},

	// Participation and evaluation.
	{Method: "GET", Path: "/api/participation", Permission: policies.ParticipationRead, Scope: queryScope, Handler: getParticipation, Summary: "Participation and evaluation of an area for a fiscal year, with a recap one level beneath it and each ward's participation phase.", Response: participationJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/api/participation/phases", Permission: policies.ParticipationAssess, Scope: bodyWard, Handler: assessPhase, Summary: "Assess a ward's participation phase for a fiscal year; earlier assessments stay as history.", Request: partnership.PhaseInput{}, Response: phaseJSON{}, Status: 201, Tag: "two-pillar"},

	// The four-pillar workflow.
	// Partners register (multipart, with their participation letter and
	// proposal); the forum secretariat reviews them onto a forum meeting's
	// agenda; the forum decides at a held meeting, and approval grants the
	// company or university role for the region. Everyone sees approved
	// partners; registrations and their documents only the secretariat and
	// the partner. Partners submit their own plans only; nobody aligns or
	// approves their own. Requests are submitted and claimed at their ward.
	{Method: "POST", Path: "/api/partners", Permission: policies.PartnerRegister, Handler: registerPartner, Summary: "Register a company or university as a partner: a multipart form with kind, name, areas and kecamatan (repeated or comma-separated), and the files participationLetter and proposal (PDF, JPEG or PNG, at most 2 MiB each).", Request: partnership.PartnerInput{}, Response: partnerJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/partners", Permission: policies.PartnerRead, Handler: listPartners, Summary: "Approved partners; the forum secretariat sees every registration (?state=); ?mine=true lists yours; ?area=.", Response: page[partnerJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/partners/:id", Permission: policies.PartnerRead, Handler: getPartner, Summary: "One partner with the forum's decisions; its review and documents for the secretariat and the partner.", Response: partnerJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/partners/:id/review", Permission: policies.PartnerReview, Handler: reviewPartner, Summary: "The secretariat's check against the third-party-contribution rules (every checklist item, notes when one fails), putting the registration on a forum meeting's agenda.", Request: partnership.ReviewInput{}, Response: partnerJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/partners/:id/decision", Permission: policies.PartnerDecide, Handler: decidePartner, Summary: "The forum's decision at a held meeting: approve (grants the company or university role for the region) or reject with a reason.", Request: forumDecisionIn{}, Response: partnerJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/documents/:id", SignedIn: true, Handler: getDocument, Summary: "Download a partner's or a CSR request's document, when you may read it (else 404).", Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/forum/meetings", Permission: policies.ForumMeet, Handler: scheduleForum, Summary: "Schedule a CSR forum meeting for a quarter, on the region's cadence.", Request: partnership.ForumMeetingInput{}, Response: forumJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/forum/meetings", Permission: policies.ForumRead, Handler: listForumMeetings, Summary: "Forum meetings; ?year=, ?state=.", Response: page[forumJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/forum/meetings/:id", Permission: policies.ForumRead, Handler: getForumMeeting, Summary: "One forum meeting: attendance by pillar, agenda until closed, minuted decisions and minutes.", Response: forumJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/forum/meetings/:id/attendance", Permission: policies.ForumMeet, Handler: holdForum, Summary: "Record attendance by pillar (government, company, university, community); the forum sits with the government and another pillar.", Request: forumAttendanceIn{}, Response: forumJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/forum/meetings/:id/close", Permission: policies.ForumMeet, Handler: closeForum, Summary: "Publish the minutes; the meeting and its decisions become immutable.", Request: minutesIn{}, Response: forumJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/csr-plans", Permission: policies.CSRPlanSubmit, Handler: submitPlan, Summary: "An approved partner's annual CSR plan; flagged late when submitted after the board's approval plus the region's plan deadline.", Request: partnership.PlanInput{}, Response: planJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/csr-plans", Permission: policies.CSRPlanRead, Handler: listPlans, Summary: "CSR plans with their alignment; ?partner=, ?fiscalYear=, ?state=.", Response: page[planJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/csr-plans/:id", Permission: policies.CSRPlanRead, Handler: getPlan, Summary: "One CSR plan, its activities and its alignment score (share of financing in aligned activities, in basis points).", Response: planJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "PUT", Path: "/api/csr-plans/:id", Permission: policies.CSRPlanSubmit, Handler: revisePlan, Summary: "Submit a plan sent back for revision again, with new activities (the partner only).", Request: partnership.PlanInput{}, Response: planJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/csr-plans/:id/alignment", Permission: policies.CSRPlanAlign, Handler: alignPlan, Summary: "Align every activity with a priority area and one of its targets (aligned, partial or not-aligned); never by the plan's own partner.", Request: alignmentIn{}, Response: planJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/csr-plans/:id/decision", Permission: policies.CSRPlanApprove, Handler: decidePlan, Summary: "The forum's decision on an aligned plan at a held meeting: approve, or revise with a reason.", Request: forumDecisionIn{}, Response: planJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/csr-requests", Permission: policies.CSRRequestSubmit, Scope: newRequestScope, Handler: submitRequest, Summary: "A resident's or community's CSR request for a ward: JSON, or a multipart form with up to five documents.", Request: partnership.CSRRequestInput{}, Response: requestJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/csr-requests", Permission: policies.CSRRequestRead, Handler: listRequests, Summary: "CSR requests; ?state=open lists those not expired, and for a partner those it may claim (?claimable=false for all); ?area=, ?scope=, ?mine=true.", Response: page[requestJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/csr-requests/:id", Permission: policies.CSRRequestRead, Scope: requestScope, Handler: getRequest, Summary: "One CSR request; its documents for its submitter, the secretariat and the partners who may claim it.", Response: requestJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/csr-requests/:id/claim", Permission: policies.CSRRequestClaim, Scope: requestScope, Handler: claimRequest, Summary: "Claim an open request for your approved partner working in its area and kecamatan; of concurrent claims one wins.", Request: claimIn{}, Response: requestJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/csr-requests/:id/withdraw", Permission: policies.CSRRequestSubmit, Scope: requestScope, Handler: withdrawRequest, Summary: "Withdraw your open request.", Response: requestJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/programmes", Permission: policies.ProgrammeManage, Handler: createProgramme, Summary: "Make a programme of an approved plan's activity or a claimed request, assigned to the sector agency that follows it up.", Request: partnership.ProgrammeInput{}, Response: programmeJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/programmes", Permission: policies.ProgrammeRead, Handler: listProgrammes, Summary: "Programmes; ?partner=, ?area=, ?fiscalYear=, ?state=, ?source=.", Response: page[programmeJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/programmes/:id", Permission: policies.ProgrammeRead, Scope: programmeScope, Handler: getProgramme, Summary: "One programme with its contributions ledger summed per pillar in whole rupiah.", Response: programmeJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "PATCH", Path: "/api/programmes/:id", Permission: policies.ProgrammeManage, Scope: programmeScope, Handler: changeProgramme, Summary: "Reassign the sector agency, update the beneficiaries, complete or cancel a programme.", Request: partnership.ProgrammeChange{}, Response: programmeJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/programmes/:id/contributions", Permission: policies.ProgrammeContribute, Scope: programmeScope, Handler: contribute, Summary: "Record a contribution in your pillar: companies funds (and staff, facilities, goods), government staff and facilities, universities research and staff, communities labour and goods.", Request: partnership.ContributionInput{}, Response: contributionJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/ideas", Permission: policies.IdeaPost, Handler: postIdea, Summary: "Post an innovation idea from your pillar.", Request: partnership.IdeaInput{}, Response: ideaJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/ideas", Permission: policies.IdeaRead, Handler: listIdeas, Summary: "Innovation ideas; ?state=, ?pillar=.", Response: page[ideaJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/api/ideas/:id", Permission: policies.IdeaRead, Handler: getIdea, Summary: "One idea and what it became.", Response: ideaJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/ideas/:id/adopt", Permission: policies.IdeaAdopt, Handler: adoptIdea, Summary: "The forum adopts an idea at a held meeting into a programme or a CSR request, made at once.", Request: partnership.AdoptionInput{}, Response: ideaJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/api/ideas/:id/decline", Permission: policies.IdeaAdopt, Handler: declineIdea, Summary: "The forum declines an idea at a held meeting, with a reason.", Request: declineIn{}, Response: ideaJSON{}, Status: 200, Tag: "four-pillar"},

	// What comes of the four-pillar workflow. Partners report realisation on
	// their own programmes (checked in the handler); the reports are public,
	// their evidence only for the partner and the forum secretariat. The
	// server flags missing plans and reports on its schedule and recommends
	// sanctions by rule; the secretariat recommends too, and the forum issues
	// (citing the region's CSR-obligation regulation), dismisses and lifts
	// them. Sanctions, each partner's standing (compliance and maturity),
	// published evaluations, awards and the dashboard are public.
	{Method: "POST", Path: "/api/realisations", Permission: policies.RealisationSubmit, Handler: submitRealisation, Summary: "A partner's realisation report on one of its own programmes: JSON (evidence in base64) or a multipart form with files under evidence (PDF, JPEG or PNG, at most 2 MiB each, at most 5); flagged late after the activity's end plus the region's deadline.", Request: realisationIn{}, Response: realisationJSON{}, Status: 201, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/realisations", Permission: policies.RealisationRead, Handler: listRealisations, Summary: "Realisation reports and imported figures; ?partner=, ?programme=, ?year=, ?area=.", Response: page[realisationJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/realisations/:id", Permission: policies.RealisationRead, Handler: getRealisation, Summary: "One realisation report with its evidence's metadata.", Response: realisationJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/realisations/:id/evidence/:n", Permission: policies.RealisationRead, Handler: getEvidence, Summary: "Download the n-th evidence file, for the partner and the forum secretariat.", Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/overdue", Permission: policies.RealisationRead, Handler: listOverdue, Summary: "Plans and realisation reports the server's schedule flagged missing past their deadline; open ones unless ?all=true; ?partner=.", Response: page[overdueJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/sanctions/mine", SignedIn: true, Handler: listMySanctions, Summary: "The sanctions on the partners you act for: the partner's notice.", Response: page[sanctionJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/sanctions", Permission: policies.SanctionRead, Handler: listSanctions, Summary: "Sanctions recommended, issued, lifted and dismissed; ?partner=, ?state=.", Response: page[sanctionJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/sanctions/:id", Permission: policies.SanctionRead, Handler: getSanction, Summary: "One sanction.", Response: sanctionJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/api/sanctions", Permission: policies.SanctionIssue, Handler: recommendSanction, Summary: "The forum secretariat recommends a sanction on a company: the next step of the ladder unless a higher one is named; one open recommendation per partner.", Request: recommendIn{}, Response: sanctionJSON{}, Status: 201, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/api/sanctions/:id/issue", Permission: policies.SanctionIssue, Handler: moveSanction(partnership.SanctionIssued), Summary: "The forum issues a recommended sanction, citing the region's CSR-obligation regulation; the partner is notified.", Response: sanctionJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/api/sanctions/:id/dismiss", Permission: policies.SanctionIssue, Handler: moveSanction(partnership.SanctionDismissed), Summary: "The forum decides not to issue a recommended sanction, with a reason.", Request: resolutionIn{}, Response: sanctionJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/api/sanctions/:id/lift", Permission: policies.SanctionLift, Handler: moveSanction(partnership.SanctionLifted), Summary: "Lift an issued sanction, with a reason.", Request: resolutionIn{}, Response: sanctionJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/compliance", Permission: policies.SanctionRead, Handler: listStandings, Summary: "Every approved partner's compliance state (compliant, warned, restricted, frozen, revoked) and CSR maturity (charity, philanthropy, corporate citizen).", Response: page[standingJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/partners/:id/compliance", Permission: policies.SanctionRead, Handler: getStanding, Summary: "One partner's compliance state, the sanction that sets it, and its CSR maturity with the record it is derived from.", Response: standingJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/evaluations/preview", Permission: policies.EvaluationPublish, Handler: previewEvaluation, Summary: "The quarterly evaluation of ?year= and ?quarter= as the data stand now, unpublished.", Response: partnership.Evaluation{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/evaluations", Permission: policies.EvaluationRead, Handler: listEvaluations, Summary: "Published quarterly evaluations, newest first; ?year=.", Response: page[evaluationJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/evaluations/:id", Permission: policies.EvaluationRead, Handler: getEvaluation, Summary: "One published evaluation, exactly as it was published.", Response: evaluationJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/api/evaluations", Permission: policies.EvaluationPublish, Handler: publishEvaluation, Summary: "Publish the evaluation of a quarter that has ended, generated from the data: realisation per area, plan against realisation per partner, overdue reports, request fulfilment. Once per quarter.", Request: evaluationIn{}, Response: evaluationJSON{}, Status: 201, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/awards/:cycle", Permission: policies.AwardRead, Handler: listAwards, Summary: "The award scores of the cycle starting in that year, best first.", Response: page[awardJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/api/awards/:cycle/score", Permission: policies.AwardScore, Handler: scoreAwards, Summary: "Score every partner with a record in the cycle's years on the region's weighted criteria; scores not yet published are scored again, keeping adjustments.", Response: page[awardJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/api/awards/:cycle/publish", Permission: policies.AwardScore, Handler: publishAwards, Summary: "Publish the cycle's scores; they become final.", Response: page[awardJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/api/awards/:cycle/partners/:partner/adjust", Permission: policies.AwardAdjust, Handler: adjustAward, Summary: "The forum adjusts a partner's total by basis points, with a recorded reason.", Request: adjustIn{}, Response: awardJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/dashboard", Permission: policies.DashboardRead, Handler: getDashboard, Summary: "The public dashboard for ?year= (this year by default): per priority area the amount realised, its share to two decimals, distinct partners, requests and realised programmes, and the year's total with its distinct partners.", Response: partnership.Dashboard{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/api/dashboard.csv", Permission: policies.DashboardRead, Handler: getDashboardCSV, Summary: "The same dashboard as CSV (text/csv, a header line, the total last).", Status: 200, Tag: "csr-outcomes"},

	// The audit log: public decisions for everyone, the rest for auditors.
	{Method: "GET", Path: "/api/audit/public", Permission: policies.DecisionRead, Handler: auditEntries(true), Summary: "Published decisions from the audit log.", Response: page[audit.Entry]{}, Status: 200, Tag: "audit"},
	{Method: "GET", Path: "/api/audit", Permission: policies.AuditRead, Handler: auditEntries(false), Summary: "The audit log, for auditors.", Response: page[audit.Entry]{}, Status: 200, Tag: "audit"},
	{Method: "GET", Path: "/api/audit/verify", Permission: policies.AuditVerify, Handler: verifyAudit, Summary: "Verify the hash chain; names the first broken entry.", Response: audit.Report{}, Status: 200, Tag: "audit"},

	// The portal's pages: HTML rendered on the server over the same domain
	// and store calls as the API above, each with the authorization of the
	// API route it mirrors. asPage renders their errors as pages; a form
	// posts to its own page's path and, once accepted, redirects.
	{Method: "GET", Path: "/static/:name", Handler: staticFile, Summary: "A static file of the portal (stylesheet, script), fingerprinted with ?v=.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/signin", Page: true, Handler: signInScreen.get, Summary: "The sign-in page.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/signin", Page: true, Handler: signInSubmit, Summary: "Sign in from the page's form; redirects to ?next= or home.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/signout", Page: true, Handler: signOutSubmit, Summary: "Sign out from the menu's form; redirects home.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/register", Page: true, Permission: policies.AccountRegister, Handler: registerScreen.get, Summary: "The resident's registration page.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/register", Page: true, Permission: policies.AccountRegister, Handler: registerSubmit, Summary: "Register from the page's form and sign in.", Status: 200, Tag: "pages"},

	// Residents: aspirations, complaints (anonymous ones followed by their
	// tracking code) and their own submissions.
	{Method: "GET", Path: "/aspirations/new", Page: true, Permission: policies.AspirationSubmit, Guard: requireSomewhere(policies.AspirationSubmit), Handler: aspirationForm.get, Summary: "The aspiration form: choose the ward (?ward=), then the institution.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/aspirations/new", Page: true, Permission: policies.AspirationSubmit, Scope: lenientScope("institution"), Handler: aspirationSubmit, Summary: "Send an aspiration from the form; redirects to your submissions.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/complaints/new", Page: true, Permission: policies.ComplaintFile, Handler: complaintForm.get, Summary: "The complaint form: choose the ward (?ward=), then the rest.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/complaints/new", Page: true, Permission: policies.ComplaintFile, Scope: complaintFormScope, Handler: complaintSubmit, Summary: "File a complaint from the form, anonymously if asked or not signed in.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/complaints/filed", Page: true, Handler: complaintFiled, Summary: "The tracking code of the complaint just filed anonymously, shown once.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/complaints/track", Page: true, Handler: complaintTrack, Summary: "Follow a complaint by its tracking code (?code=).", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/mine", Page: true, SignedIn: true, Handler: mine, Summary: "Your aspirations and complaints with their state and history.", Status: 200, Tag: "pages"},

	// Musrenbang: published for everyone; run by the office of its area.
	{Method: "GET", Path: "/musrenbang", Page: true, Permission: policies.MusrenbangRead, Handler: musrenbangList, Summary: "The region's Musrenbang: scheduled, in session and published.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/musrenbang", Page: true, Permission: policies.MusrenbangSchedule, Scope: lenientScope("area"), Handler: scheduleMusrenbangPage, Summary: "Schedule a Musrenbang from the work queue's form.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/musrenbang/:id", Page: true, Permission: policies.MusrenbangRead, Scope: musrenbangScope, Handler: musrenbang.get, Summary: "One Musrenbang: attendance, agenda, decisions, minutes; the forms for each step to the office running it.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/musrenbang/:id/attendance", Page: true, Permission: policies.MusrenbangAttend, Scope: musrenbangScope, Handler: recordAttendancePage, Summary: "Record attendance by category from the form.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/musrenbang/:id/decisions", Page: true, Permission: policies.MusrenbangDecide, Scope: musrenbangScope, Handler: decidePage, Summary: "Decide one proposal of the agenda from the form.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/musrenbang/:id/close", Page: true, Permission: policies.MusrenbangClose, Scope: musrenbangScope, Handler: closeMusrenbangPage, Summary: "Publish the minutes from the form and close the Musrenbang.", Status: 200, Tag: "pages"},

	// The staff's work queues, and each step's form.
	{Method: "GET", Path: "/work", Page: true, SignedIn: true, Handler: work.get, Summary: "The work queues of every role you hold, with each step's form.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/proposals", Page: true, Permission: policies.ProposalCreate, Scope: lenientScope("institution"), Handler: createProposalPage, Summary: "An institution's proposal from its queue's form.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/proposals/:id/approve", Page: true, Permission: policies.ExecutionApprove, Scope: proposalScope, Handler: approveProposalPage, Summary: "The ward office approves a funded activity.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/proposals/:id/cost", Page: true, Permission: policies.ProposalEdit, Scope: proposalScope, Handler: costChangePage, Summary: "The institution changes the cost of its funded or approved activity (form); the ward approves it again.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/proposals/:id/cancel", Page: true, Permission: policies.ActivityCancel, Scope: proposalScope, Handler: cancelActivityPage, Summary: "The institution cancels its funded or approved activity with a reason (form), releasing its allocation.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/proposals/:id/report", Page: true, Permission: policies.ReportSubmit, Scope: proposalScope, Handler: submitReportPage, Summary: "The institution reports an approved activity, with evidence (multipart).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/aspirations/:id/respond", Page: true, Permission: policies.AspirationRespond, Scope: aspirationScope, Handler: respondAspirationPage, Summary: "An institution acknowledges or declines an aspiration.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/aspirations/:id/merge", Page: true, Permission: policies.AspirationRespond, Scope: aspirationScope, Handler: mergeAspirationPage, Summary: "An institution merges an aspiration into one of its proposals (form).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/reports/:id/verify", Page: true, Permission: policies.ReportVerify, Scope: reportScope, Handler: reportStepPage(partnership.StepVerify), Summary: "The ward office verifies a report.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/reports/:id/consolidate", Page: true, Permission: policies.ReportConsolidate, Scope: reportScope, Handler: reportStepPage(partnership.StepConsolidate), Summary: "The kecamatan office consolidates a report.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/reports/:id/evaluate", Page: true, Permission: policies.ReportEvaluate, Scope: reportScope, Handler: reportStepPage(partnership.StepEvaluate), Summary: "The regional secretariat evaluates a report.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/reports/:id/return", Page: true, Permission: policies.ReportVerify, Guard: requirePendingStep, Handler: reportStepPage(partnership.StepReturn), Summary: "Send a report back with a reason (the permission of the step it waits for).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/findings", Page: true, Permission: policies.FindingRecord, Scope: lenientScope("scope"), Handler: recordFindingPage, Summary: "Record a finding from the supervisor's form.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/findings/:id/respond", Page: true, Permission: policies.FindingRespond, Scope: findingScope, Handler: moveFindingPage(partnership.FindingResponded), Summary: "Answer a finding.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/findings/:id/close", Page: true, Permission: policies.FindingRecord, Scope: findingScope, Handler: moveFindingPage(partnership.FindingClosed), Summary: "Accept a finding's answer.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/findings/:id/reopen", Page: true, Permission: policies.FindingRecord, Scope: findingScope, Handler: moveFindingPage(partnership.FindingOpen), Summary: "Reject a finding's answer with a reason.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/complaints/:id/receive", Page: true, Permission: policies.ComplaintHandle, Guard: requireOnComplaint(policies.ComplaintHandle), Handler: moveComplaintPage(partnership.ComplaintReceived), Summary: "Receive a complaint.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/complaints/:id/investigate", Page: true, Permission: policies.ComplaintHandle, Guard: requireOnComplaint(policies.ComplaintHandle), Handler: moveComplaintPage(partnership.ComplaintInvestigating), Summary: "Investigate a complaint.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/complaints/:id/resolve", Page: true, Permission: policies.ComplaintHandle, Guard: requireOnComplaint(policies.ComplaintHandle), Handler: moveComplaintPage(partnership.ComplaintResolved), Summary: "Resolve a complaint.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/participation", Page: true, Permission: policies.ParticipationAssess, Scope: lenientScope("ward"), Handler: assessPhasePage, Summary: "The ward office assesses a ward's participation phase (form).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/complaints/:id/escalate", Page: true, Permission: policies.ComplaintEscalate, Guard: requireOnComplaint(policies.ComplaintEscalate), Handler: moveComplaintPage(partnership.ComplaintEscalated), Summary: "Escalate a complaint to the ombudsman.", Status: 200, Tag: "pages"},

	// The four-pillar model: CSR requests and their claims, the partners.
	{Method: "GET", Path: "/csr/requests", Page: true, Permission: policies.CSRRequestRead, Handler: requests.get, Summary: "Open and claimed CSR requests, with a claim button for the partner who may take each up.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/csr/requests/new", Page: true, Permission: policies.CSRRequestSubmit, Guard: requireSomewhere(policies.CSRRequestSubmit), Handler: requestForm.get, Summary: "The CSR request form: choose the ward (?ward=), then the rest.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/csr/requests/new", Page: true, Permission: policies.CSRRequestSubmit, Scope: lenientScope("ward"), Handler: requestSubmitPage, Summary: "Submit a CSR request from the form.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/csr/requests/:id/claim", Page: true, Permission: policies.CSRRequestClaim, Scope: requestScope, Handler: claimRequestPage, Summary: "Claim an open request for your approved partner.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/partners", Page: true, Permission: policies.PartnerRead, Handler: partnersPage, Summary: "The directory of approved partners.", Status: 200, Tag: "pages"},

	// The forum's public record: meetings and their decisions, evaluations,
	// awards and sanctions with each partner's compliance; the forum
	// secretariat issues, dismisses and lifts sanctions from its queue.
	{Method: "GET", Path: "/forum", Page: true, Permission: policies.ForumRead, Handler: forumListPage, Summary: "The CSR forum's meetings, the latest first.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/forum/:id", Page: true, Permission: policies.ForumRead, Handler: forumMeetingPage, Summary: "A forum meeting: attendance by pillar, its minutes and the decisions minuted there.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/evaluations", Page: true, Permission: policies.EvaluationRead, Handler: evaluationsPage, Summary: "The published quarterly evaluations.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/evaluations/:id", Page: true, Permission: policies.EvaluationRead, Handler: evaluationPage, Summary: "A published quarterly evaluation as it was published.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/awards", Page: true, Permission: policies.AwardRead, Handler: awardsPage, Summary: "The published award scores of a cycle (?cycle=, else the latest published).", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/sanctions", Page: true, Permission: policies.SanctionRead, Handler: sanctionsPage, Summary: "Each partner's compliance state and every sanction with its reasons.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/sanctions/:id/issue", Page: true, Permission: policies.SanctionIssue, Handler: moveSanctionPage(partnership.SanctionIssued), Summary: "The forum issues a recommended sanction, citing the region's CSR-obligation regulation.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/sanctions/:id/dismiss", Page: true, Permission: policies.SanctionIssue, Handler: moveSanctionPage(partnership.SanctionDismissed), Summary: "The forum dismisses a recommended sanction with a reason.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/sanctions/:id/lift", Page: true, Permission: policies.SanctionLift, Handler: moveSanctionPage(partnership.SanctionLifted), Summary: "The forum lifts a sanction in force with a reason.", Status: 200, Tag: "pages"},
	// The forum secretariat's queue: meetings, registrations and plans.
	{Method: "POST", Path: "/work/forum", Page: true, Permission: policies.ForumMeet, Handler: scheduleForumPage, Summary: "The forum secretariat schedules a forum meeting (form).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/forum/:id/hold", Page: true, Permission: policies.ForumMeet, Handler: holdForumPage, Summary: "The forum secretariat records a meeting's attendance by pillar (form).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/forum/:id/close", Page: true, Permission: policies.ForumMeet, Handler: closeForumPage, Summary: "The forum secretariat closes a meeting with its minutes (form).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/partners/:id/review", Page: true, Permission: policies.PartnerReview, Handler: reviewPartnerPage, Summary: "The forum secretariat reviews a registration onto a meeting's agenda (form).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/partners/:id/decide", Page: true, Permission: policies.PartnerDecide, Handler: decidePartnerPage, Summary: "The forum's decision on a registration at a held meeting (form).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/plans/:id/align", Page: true, Permission: policies.CSRPlanAlign, Handler: alignPlanPage, Summary: "The forum secretariat aligns a plan's activities with the priority areas (form).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/plans/:id/decide", Page: true, Permission: policies.CSRPlanApprove, Handler: decidePlanPage, Summary: "The forum's approval of a plan, or its return for revision, at a held meeting (form).", Status: 200, Tag: "pages"},
	// The company's or university's queue: its plans and realisations.
	{Method: "POST", Path: "/work/plans", Page: true, Permission: policies.CSRPlanSubmit, Handler: submitPlanPage, Summary: "A partner submits its annual CSR plan (form; empty activity rows are ignored).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/plans/:id/revise", Page: true, Permission: policies.CSRPlanSubmit, Handler: revisePlanPage, Summary: "A partner submits again, with revised activities, a plan the forum sent back (form prefilled with the plan).", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/work/realisations", Page: true, Permission: policies.RealisationSubmit, Handler: submitRealisationPage, Summary: "A partner reports a realisation of one of its programmes, evidence optional (multipart form).", Status: 200, Tag: "pages"},

	// The public dashboard, its tables as CSV.
	{Method: "GET", Path: "/dashboard", Page: true, Permission: policies.DashboardRead, Handler: dashboardPage, Summary: "The public dashboard (?year=): charts drawn in SVG, each with its table and CSV.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/dashboard/participation.csv", Page: true, Permission: policies.DashboardRead, Handler: participationCSV, Summary: "Participation per kecamatan, or per ward with ?level=ward, as CSV.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/dashboard/csr.csv", Page: true, Permission: policies.DashboardRead, Handler: csrCSV, Summary: "Four-pillar realisation per priority area of ?year= as CSV.", Status: 200, Tag: "pages"},

	// The regional admin's: grants with their explanations, the audit log.
	{Method: "GET", Path: "/admin/grants", Page: true, Permission: policies.GrantRead, Handler: grants.get, Summary: "Role grants with the explain answer (?permission=) beside each.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/admin/grants", Page: true, Permission: policies.GrantManage, Scope: lenientScope("scope"), Handler: addGrantPage, Summary: "Grant a role at a scope from the form.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/admin/grants/:id/revoke", Page: true, Permission: policies.GrantManage, Scope: existingGrantScope, Handler: revokeGrantPage, Summary: "Revoke a grant.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/admin/audit", Page: true, Permission: policies.AuditRead, Handler: auditPage, Summary: "The audit log with its verification status.", Status: 200, Tag: "pages"},
}
