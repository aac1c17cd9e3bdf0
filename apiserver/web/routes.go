package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

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
		p.Post("/api/session", signIn(o))
		p.Use(checkCSRF)
		p.Delete("/api/session", signOut)
		p.Get("/api/me", signedIn, whoAmI)
		p.Get("/api/regions", require(policies.NationalRead, regionScope), nationalRegions(o.Registry))
		p.Get("/api/dashboard", require(policies.NationalRead, regionScope), nationalDashboard(o.Registry, o))
	}

	// One region, resolved from the path (or from the host, rewritten to the
	// path); who is asking is known from here on.
	r := app.Group("/r/:region", withTenant(o.Registry, o), authenticate)
	region := regionScope

	// Signing in needs no CSRF token (it starts a new session, whatever cookie
	// came along); Fiber runs middleware in the order it is registered, so this
	// route comes before the CSRF check that guards every route after it.
	r.Post("/api/session", signIn(o))
	r.Use(checkCSRF)

	r.Get("/", asPage, regionHome)
	r.Get("/api/region", regionJSON)

	// Accounts and sessions.
	r.Post("/api/accounts", require(policies.AccountRegister, region), register)
	r.Delete("/api/session", signOut)
	r.Get("/api/me", signedIn, whoAmI)
	r.Get("/api/tokens", signedIn, require(policies.TokenManage, region), listTokens)
	r.Post("/api/tokens", signedIn, require(policies.TokenManage, region), createToken)
	r.Delete("/api/tokens/:id", signedIn, require(policies.TokenManage, region), revokeToken)

	// Role grants at scopes, and explanations.
	r.Get("/api/grants", require(policies.GrantRead, region), listGrants)
	r.Post("/api/grants", require(policies.GrantManage, grantScope), addGrant)
	r.Patch("/api/grants/:id", require(policies.GrantManage, existingGrantScope), moveGrant)
	r.Delete("/api/grants/:id", require(policies.GrantManage, existingGrantScope), revokeGrant)
	r.Get("/api/explain", require(policies.PolicyExplain, region), explain)

	// The two-pillar workflow: aspirations, proposals, allocations, Musrenbang, execution.
	r.Post("/api/aspirations", require(policies.AspirationSubmit, bodyInstitution), submitAspiration)
	r.Get("/api/aspirations/mine", signedIn, listAspirations(true))
	r.Get("/api/aspirations", require(policies.AspirationRead, queryScope), listAspirations(false))
	r.Post("/api/aspirations/:id/respond", require(policies.AspirationRespond, aspirationScope), respondAspiration)
	r.Post("/api/proposals", require(policies.ProposalCreate, bodyInstitution), createProposal)
	r.Get("/api/proposals", require(policies.ProposalRead, queryScope), listProposals)
	r.Get("/api/proposals/:id", require(policies.ProposalRead, proposalScope), getProposal)
	r.Put("/api/proposals/:id", require(policies.ProposalEdit, proposalScope), editProposal)
	r.Post("/api/proposals/:id/approve", require(policies.ExecutionApprove, proposalScope), approveProposal)
	r.Post("/api/proposals/:id/cost", require(policies.ProposalEdit, proposalScope), changeCost)
	r.Post("/api/proposals/:id/cancel", require(policies.ActivityCancel, proposalScope), cancelActivity)
	r.Get("/api/allocations", require(policies.AllocationRead, region), getAllocation)
	r.Post("/api/musrenbang", require(policies.MusrenbangSchedule, bodyArea), scheduleMusrenbang)
	r.Get("/api/musrenbang", require(policies.MusrenbangRead, queryScope), listMusrenbang)
	r.Get("/api/musrenbang/:id", require(policies.MusrenbangRead, musrenbangScope), getMusrenbang)
	r.Post("/api/musrenbang/:id/attendance", require(policies.MusrenbangAttend, musrenbangScope), recordAttendance)
	r.Post("/api/musrenbang/:id/decisions", require(policies.MusrenbangDecide, musrenbangScope), decide)
	r.Post("/api/musrenbang/:id/close", require(policies.MusrenbangClose, musrenbangScope), closeMusrenbang)

	// Realisation reports up the hierarchy.
	// The institution reports on its approved proposal, with evidence; the ward
	// office verifies, the kecamatan office consolidates, the regional
	// secretariat evaluates, each at the report's institution. Whoever may take
	// the step a report waits for may instead send it back (requirePendingStep).
	r.Post("/api/proposals/:id/reports", require(policies.ReportSubmit, proposalScope), submitReport)
	r.Get("/api/reports", require(policies.ReportRead, queryScope), listReports)
	r.Get("/api/reports/:id", require(policies.ReportRead, reportScope), getReport)
	r.Get("/api/reports/:id/attachments/:n", require(policies.ReportRead, reportScope), getAttachment)
	r.Post("/api/reports/:id/verify", require(policies.ReportVerify, reportScope), reportStep(partnership.StepVerify))
	r.Post("/api/reports/:id/consolidate", require(policies.ReportConsolidate, reportScope), reportStep(partnership.StepConsolidate))
	r.Post("/api/reports/:id/evaluate", require(policies.ReportEvaluate, reportScope), reportStep(partnership.StepEvaluate))
	r.Post("/api/reports/:id/return", requirePendingStep, reportStep(partnership.StepReturn))

	// Supervision: findings and complaints.
	// Findings are listed where the caller holds finding:read. Complaints are
	// read without a route-level check: each is shown to those holding
	// complaint:read at its scope, to its filer, and to everyone when public
	// (anonymous filers follow theirs by tracking code). Escalated complaints
	// are handled by ombudsman grants only, and residents escalate only their own.
	r.Post("/api/findings", require(policies.FindingRecord, newFindingScope), recordFinding)
	r.Get("/api/findings", requireSomewhere(policies.FindingRead), listFindings)
	r.Get("/api/findings/:id", require(policies.FindingRead, findingScope), getFinding)
	r.Post("/api/findings/:id/respond", require(policies.FindingRespond, findingScope), moveFinding(partnership.FindingResponded))
	r.Post("/api/findings/:id/close", require(policies.FindingRecord, findingScope), moveFinding(partnership.FindingClosed))
	r.Post("/api/findings/:id/reopen", require(policies.FindingRecord, findingScope), moveFinding(partnership.FindingOpen))
	r.Post("/api/complaints", require(policies.ComplaintFile, newComplaintScope), fileComplaint)
	r.Get("/api/complaints", listComplaints)
	r.Get("/api/complaints/track/:code", trackComplaint)
	r.Get("/api/complaints/:id", getComplaint)
	r.Post("/api/complaints/:id/receive", requireOnComplaint(policies.ComplaintHandle), moveComplaint(partnership.ComplaintReceived))
	r.Post("/api/complaints/:id/investigate", requireOnComplaint(policies.ComplaintHandle), moveComplaint(partnership.ComplaintInvestigating))
	r.Post("/api/complaints/:id/resolve", requireOnComplaint(policies.ComplaintHandle), moveComplaint(partnership.ComplaintResolved))
	r.Post("/api/complaints/:id/escalate", requireOnComplaint(policies.ComplaintEscalate), moveComplaint(partnership.ComplaintEscalated))

	// Participation and evaluation.
	r.Get("/api/participation", require(policies.ParticipationRead, queryScope), getParticipation)
	r.Post("/api/participation/phases", require(policies.ParticipationAssess, bodyWard), assessPhase)

	// The four-pillar workflow.
	// Partners register (multipart, with their participation letter and
	// proposal); the forum secretariat reviews them onto a forum meeting's
	// agenda; the forum decides at a held meeting, and approval grants the
	// company or university role for the region. Everyone sees approved
	// partners; registrations and their documents only the secretariat and
	// the partner. Partners submit their own plans only; nobody aligns or
	// approves their own. Requests are submitted and claimed at their ward.
	r.Post("/api/partners", require(policies.PartnerRegister, region), registerPartner)
	r.Get("/api/partners", require(policies.PartnerRead, region), listPartners)
	r.Get("/api/partners/:id", require(policies.PartnerRead, region), getPartner)
	r.Post("/api/partners/:id/review", require(policies.PartnerReview, region), reviewPartner)
	r.Post("/api/partners/:id/decision", require(policies.PartnerDecide, region), decidePartner)
	r.Get("/api/documents/:id", signedIn, getDocument)
	r.Post("/api/forum/meetings", require(policies.ForumMeet, region), scheduleForum)
	r.Get("/api/forum/meetings", require(policies.ForumRead, region), listForumMeetings)
	r.Get("/api/forum/meetings/:id", require(policies.ForumRead, region), getForumMeeting)
	r.Post("/api/forum/meetings/:id/attendance", require(policies.ForumMeet, region), holdForum)
	r.Post("/api/forum/meetings/:id/close", require(policies.ForumMeet, region), closeForum)
	r.Post("/api/csr-plans", require(policies.CSRPlanSubmit, region), submitPlan)
	r.Get("/api/csr-plans", require(policies.CSRPlanRead, region), listPlans)
	r.Get("/api/csr-plans/:id", require(policies.CSRPlanRead, region), getPlan)
	r.Put("/api/csr-plans/:id", require(policies.CSRPlanSubmit, region), revisePlan)
	r.Post("/api/csr-plans/:id/alignment", require(policies.CSRPlanAlign, region), alignPlan)
	r.Post("/api/csr-plans/:id/decision", require(policies.CSRPlanApprove, region), decidePlan)
	r.Post("/api/csr-requests", require(policies.CSRRequestSubmit, newRequestScope), submitRequest)
	r.Get("/api/csr-requests", require(policies.CSRRequestRead, region), listRequests)
	r.Get("/api/csr-requests/:id", require(policies.CSRRequestRead, requestScope), getRequest)
	r.Post("/api/csr-requests/:id/claim", require(policies.CSRRequestClaim, requestScope), claimRequest)
	r.Post("/api/csr-requests/:id/withdraw", require(policies.CSRRequestSubmit, requestScope), withdrawRequest)
	r.Post("/api/programmes", require(policies.ProgrammeManage, region), createProgramme)
	r.Get("/api/programmes", require(policies.ProgrammeRead, region), listProgrammes)
	r.Get("/api/programmes/:id", require(policies.ProgrammeRead, programmeScope), getProgramme)
	r.Patch("/api/programmes/:id", require(policies.ProgrammeManage, programmeScope), changeProgramme)
	r.Post("/api/programmes/:id/contributions", require(policies.ProgrammeContribute, programmeScope), contribute)
	r.Post("/api/ideas", require(policies.IdeaPost, region), postIdea)
	r.Get("/api/ideas", require(policies.IdeaRead, region), listIdeas)
	r.Get("/api/ideas/:id", require(policies.IdeaRead, region), getIdea)
	r.Post("/api/ideas/:id/adopt", require(policies.IdeaAdopt, region), adoptIdea)
	r.Post("/api/ideas/:id/decline", require(policies.IdeaAdopt, region), declineIdea)

	// What comes of the four-pillar workflow. Partners report realisation on
	// their own programmes (checked in the handler); the reports are public,
	// their evidence only for the partner and the forum secretariat. The
	// server flags missing plans and reports on its schedule and recommends
	// sanctions by rule; the secretariat recommends too, and the forum issues
	// (citing the region's CSR-obligation regulation), dismisses and lifts
	// them. Sanctions, each partner's standing (compliance and maturity),
	// published evaluations, awards and the dashboard are public.
	r.Post("/api/realisations", require(policies.RealisationSubmit, region), submitRealisation)
	r.Get("/api/realisations", require(policies.RealisationRead, region), listRealisations)
	r.Get("/api/realisations/:id", require(policies.RealisationRead, region), getRealisation)
	r.Get("/api/realisations/:id/evidence/:n", require(policies.RealisationRead, region), getEvidence)
	r.Get("/api/overdue", require(policies.RealisationRead, region), listOverdue)
	r.Get("/api/sanctions/mine", signedIn, listMySanctions)
	r.Get("/api/sanctions", require(policies.SanctionRead, region), listSanctions)
	r.Get("/api/sanctions/:id", require(policies.SanctionRead, region), getSanction)
	r.Post("/api/sanctions", require(policies.SanctionIssue, region), recommendSanction)
	r.Post("/api/sanctions/:id/issue", require(policies.SanctionIssue, region), moveSanction(partnership.SanctionIssued))
	r.Post("/api/sanctions/:id/dismiss", require(policies.SanctionIssue, region), moveSanction(partnership.SanctionDismissed))
	r.Post("/api/sanctions/:id/lift", require(policies.SanctionLift, region), moveSanction(partnership.SanctionLifted))
	r.Get("/api/compliance", require(policies.SanctionRead, region), listStandings)
	r.Get("/api/partners/:id/compliance", require(policies.SanctionRead, region), getStanding)
	r.Get("/api/evaluations/preview", require(policies.EvaluationPublish, region), previewEvaluation)
	r.Get("/api/evaluations", require(policies.EvaluationRead, region), listEvaluations)
	r.Get("/api/evaluations/:id", require(policies.EvaluationRead, region), getEvaluation)
	r.Post("/api/evaluations", require(policies.EvaluationPublish, region), publishEvaluation)
	r.Get("/api/awards/:cycle", require(policies.AwardRead, region), listAwards)
	r.Post("/api/awards/:cycle/score", require(policies.AwardScore, region), scoreAwards)
	r.Post("/api/awards/:cycle/publish", require(policies.AwardScore, region), publishAwards)
	r.Post("/api/awards/:cycle/partners/:partner/adjust", require(policies.AwardAdjust, region), adjustAward)
	r.Get("/api/dashboard", require(policies.DashboardRead, region), getDashboard)
	r.Get("/api/dashboard.csv", require(policies.DashboardRead, region), getDashboardCSV)

	// The audit log: public decisions for everyone, the rest for auditors.
	r.Get("/api/audit/public", require(policies.DecisionRead, region), auditEntries(true))
	r.Get("/api/audit", require(policies.AuditRead, region), auditEntries(false))
	r.Get("/api/audit/verify", require(policies.AuditVerify, region), verifyAudit)

	// The portal's pages: HTML rendered on the server over the same domain
	// and store calls as the API above, each with the authorization of the
	// API route it mirrors. asPage renders their errors as pages; a form
	// posts to its own page's path and, once accepted, redirects.
	r.Get("/static/:name", staticFile)
	r.Get("/signin", asPage, signInScreen.get)
	r.Post("/signin", asPage, signInSubmit(o))
	r.Post("/signout", asPage, signOutSubmit)
	r.Get("/register", asPage, require(policies.AccountRegister, region), registerScreen.get)
	r.Post("/register", asPage, require(policies.AccountRegister, region), registerSubmit)
	if o.Demo { // the embedded mode only: never in a cluster
		r.Get("/demo", asPage, demoScreen.get)
		r.Post("/demo", asPage, demoSignIn)
	}

	// Residents: aspirations, complaints (anonymous ones followed by their
	// tracking code) and their own submissions.
	r.Get("/aspirations/new", asPage, requireSomewhere(policies.AspirationSubmit), aspirationForm.get)
	r.Post("/aspirations/new", asPage, require(policies.AspirationSubmit, lenientScope("institution")), aspirationSubmit)
	r.Get("/complaints/new", asPage, require(policies.ComplaintFile, region), complaintForm.get)
	r.Post("/complaints/new", asPage, require(policies.ComplaintFile, complaintFormScope), complaintSubmit)
	r.Get("/complaints/filed", asPage, complaintFiled)
	r.Get("/complaints/track", asPage, complaintTrack)
	r.Get("/mine", asPage, signedIn, mine)

	// Musrenbang: published for everyone; run by the office of its area.
	r.Get("/musrenbang", asPage, require(policies.MusrenbangRead, region), musrenbangList)
	r.Post("/musrenbang", asPage, require(policies.MusrenbangSchedule, lenientScope("area")), scheduleMusrenbangPage)
	r.Get("/musrenbang/:id", asPage, require(policies.MusrenbangRead, musrenbangScope), musrenbang.get)
	r.Post("/musrenbang/:id/attendance", asPage, require(policies.MusrenbangAttend, musrenbangScope), recordAttendancePage)
	r.Post("/musrenbang/:id/decisions", asPage, require(policies.MusrenbangDecide, musrenbangScope), decidePage)
	r.Post("/musrenbang/:id/close", asPage, require(policies.MusrenbangClose, musrenbangScope), closeMusrenbangPage)

	// The staff's work queues, and each step's form.
	r.Get("/work", asPage, signedIn, work.get)
	r.Post("/work/proposals", asPage, require(policies.ProposalCreate, lenientScope("institution")), createProposalPage)
	r.Post("/work/proposals/:id/approve", asPage, require(policies.ExecutionApprove, proposalScope), approveProposalPage)
	r.Post("/work/proposals/:id/cost", asPage, require(policies.ProposalEdit, proposalScope), costChangePage)
	r.Post("/work/proposals/:id/cancel", asPage, require(policies.ActivityCancel, proposalScope), cancelActivityPage)
	r.Post("/work/proposals/:id/report", asPage, require(policies.ReportSubmit, proposalScope), submitReportPage)
	r.Post("/work/aspirations/:id/respond", asPage, require(policies.AspirationRespond, aspirationScope), respondAspirationPage)
	r.Post("/work/aspirations/:id/merge", asPage, require(policies.AspirationRespond, aspirationScope), mergeAspirationPage)
	r.Post("/work/reports/:id/verify", asPage, require(policies.ReportVerify, reportScope), reportStepPage(partnership.StepVerify))
	r.Post("/work/reports/:id/consolidate", asPage, require(policies.ReportConsolidate, reportScope), reportStepPage(partnership.StepConsolidate))
	r.Post("/work/reports/:id/evaluate", asPage, require(policies.ReportEvaluate, reportScope), reportStepPage(partnership.StepEvaluate))
	r.Post("/work/reports/:id/return", asPage, requirePendingStep, reportStepPage(partnership.StepReturn))
	r.Post("/work/findings", asPage, require(policies.FindingRecord, lenientScope("scope")), recordFindingPage)
	r.Post("/work/findings/:id/respond", asPage, require(policies.FindingRespond, findingScope), moveFindingPage(partnership.FindingResponded))
	r.Post("/work/findings/:id/close", asPage, require(policies.FindingRecord, findingScope), moveFindingPage(partnership.FindingClosed))
	r.Post("/work/findings/:id/reopen", asPage, require(policies.FindingRecord, findingScope), moveFindingPage(partnership.FindingOpen))
	r.Post("/work/complaints/:id/receive", asPage, requireOnComplaint(policies.ComplaintHandle), moveComplaintPage(partnership.ComplaintReceived))
	r.Post("/work/complaints/:id/investigate", asPage, requireOnComplaint(policies.ComplaintHandle), moveComplaintPage(partnership.ComplaintInvestigating))
	r.Post("/work/complaints/:id/resolve", asPage, requireOnComplaint(policies.ComplaintHandle), moveComplaintPage(partnership.ComplaintResolved))
	r.Post("/work/participation", asPage, require(policies.ParticipationAssess, lenientScope("ward")), assessPhasePage)
	r.Post("/work/complaints/:id/escalate", asPage, requireOnComplaint(policies.ComplaintEscalate), moveComplaintPage(partnership.ComplaintEscalated))

	// The four-pillar model: CSR requests and their claims, the partners.
	r.Get("/csr/requests", asPage, require(policies.CSRRequestRead, region), requests.get)
	r.Get("/csr/requests/new", asPage, requireSomewhere(policies.CSRRequestSubmit), requestForm.get)
	r.Post("/csr/requests/new", asPage, require(policies.CSRRequestSubmit, lenientScope("ward")), requestSubmitPage)
	r.Post("/csr/requests/:id/claim", asPage, require(policies.CSRRequestClaim, requestScope), claimRequestPage)
	r.Get("/partners", asPage, require(policies.PartnerRead, region), partnersPage)

	// The forum's public record: meetings and their decisions, evaluations,
	// awards and sanctions with each partner's compliance; the forum
	// secretariat issues, dismisses and lifts sanctions from its queue.
	r.Get("/forum", asPage, require(policies.ForumRead, region), forumListPage)
	r.Get("/forum/:id", asPage, require(policies.ForumRead, region), forumMeetingPage)
	r.Get("/evaluations", asPage, require(policies.EvaluationRead, region), evaluationsPage)
	r.Get("/evaluations/:id", asPage, require(policies.EvaluationRead, region), evaluationPage)
	r.Get("/awards", asPage, require(policies.AwardRead, region), awardsPage)
	r.Get("/sanctions", asPage, require(policies.SanctionRead, region), sanctionsPage)
	r.Post("/work/sanctions/:id/issue", asPage, require(policies.SanctionIssue, region), moveSanctionPage(partnership.SanctionIssued))
	r.Post("/work/sanctions/:id/dismiss", asPage, require(policies.SanctionIssue, region), moveSanctionPage(partnership.SanctionDismissed))
	r.Post("/work/sanctions/:id/lift", asPage, require(policies.SanctionLift, region), moveSanctionPage(partnership.SanctionLifted))
	// The forum secretariat's queue: meetings, registrations and plans.
	r.Post("/work/forum", asPage, require(policies.ForumMeet, region), scheduleForumPage)
	r.Post("/work/forum/:id/hold", asPage, require(policies.ForumMeet, region), holdForumPage)
	r.Post("/work/forum/:id/close", asPage, require(policies.ForumMeet, region), closeForumPage)
	r.Post("/work/partners/:id/review", asPage, require(policies.PartnerReview, region), reviewPartnerPage)
	r.Post("/work/partners/:id/decide", asPage, require(policies.PartnerDecide, region), decidePartnerPage)
	r.Post("/work/plans/:id/align", asPage, require(policies.CSRPlanAlign, region), alignPlanPage)
	r.Post("/work/plans/:id/decide", asPage, require(policies.CSRPlanApprove, region), decidePlanPage)
	// The company's or university's queue: its plans and realisations.
	r.Post("/work/plans", asPage, require(policies.CSRPlanSubmit, region), submitPlanPage)
	r.Post("/work/plans/:id/revise", asPage, require(policies.CSRPlanSubmit, region), revisePlanPage)
	r.Post("/work/realisations", asPage, require(policies.RealisationSubmit, region), submitRealisationPage)

	// The public dashboard, its tables as CSV.
	r.Get("/dashboard", asPage, require(policies.DashboardRead, region), dashboardPage)
	r.Get("/dashboard/participation.csv", asPage, require(policies.DashboardRead, region), participationCSV)
	r.Get("/dashboard/csr.csv", asPage, require(policies.DashboardRead, region), csrCSV)

	// The regional admin's: grants with their explanations, the audit log.
	r.Get("/admin/grants", asPage, require(policies.GrantRead, region), grants.get)
	r.Post("/admin/grants", asPage, require(policies.GrantManage, lenientScope("scope")), addGrantPage)
	r.Post("/admin/grants/:id/revoke", asPage, require(policies.GrantManage, existingGrantScope), revokeGrantPage)
	r.Get("/admin/audit", asPage, require(policies.AuditRead, region), auditPage)
}
