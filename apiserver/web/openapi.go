package web

import (
	_ "embed"
	"slices"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/openapi"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// The OpenAPI 3 document of the API is generated (by package openapi) from
// the operations below and checked in as openapi.json, which the server serves at
// /api/openapi.json. A test fails when a route of the application has no
// operation here, when an operation has no route, and when openapi.json is
// not what this table generates (run the web tests with -update to rewrite it).

// operation documents one route.
type operation struct {
	Method, Path string // as registered with Fiber, e.g. /r/:region/api/proposals/:id
	Summary      string
	Permission   policies.Permission // checked at the object's scope; "" when none is needed
	SignedIn     bool                // needs an account even without a permission
	Request      any                 // a value of the body's type; nil when there is none
	Response     any                 // a value of the answer's type; nil for 204 or a file
	Status       int                 // the success status
	Tag          string
}

type errorBody = apiError

//go:embed openapi.json
var openAPIJSON []byte

// operations documents every route of routes.go.
var operations = []operation{
	{Method: "GET", Path: "/healthz", Summary: "Liveness: the process serves requests.", Response: map[string]string{}, Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/readyz", Summary: "Readiness, with each region's database state.", Response: map[string]any{}, Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/", Summary: "The embedded mode's list of regions (HTML).", Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/api/openapi.json", Summary: "This document.", Status: 200, Tag: "platform"},

	{Method: "POST", Path: "/platform/api/session", Summary: "Sign a national admin in.", Request: credentials{}, Response: me{}, Status: 201, Tag: "platform"},
	{Method: "DELETE", Path: "/platform/api/session", Summary: "Sign out.", Status: 204, Tag: "platform"},
	{Method: "GET", Path: "/platform/api/me", Summary: "The signed-in national admin.", SignedIn: true, Response: me{}, Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/platform/api/regions", Summary: "Every region with its database state and prerequisite gaps.", Permission: policies.NationalRead, Response: page[regionStatus]{}, Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/platform/api/dashboard", Summary: "The national aggregate of the regions' public CSR dashboards for ?year=: per-area sums, each region's totals, and distinct partners as a sum of the regions' counts (see note).", Permission: policies.NationalRead, Response: nationalDashboardJSON{}, Status: 200, Tag: "platform"},

	{Method: "GET", Path: "/r/:region/", Summary: "The region's portal home (HTML).", Status: 200, Tag: "region"},
	{Method: "GET", Path: "/r/:region/api/region", Summary: "The region's regulations in brief and its stored tree.", Response: regionSummary{}, Status: 200, Tag: "region"},

	{Method: "POST", Path: "/r/:region/api/accounts", Summary: "Register a resident's account.", Permission: policies.AccountRegister, Request: authz.NewAccount{}, Response: authz.Account{}, Status: 201, Tag: "accounts"},
	{Method: "POST", Path: "/r/:region/api/session", Summary: "Sign in; sets the session cookie and returns its CSRF token.", Request: credentials{}, Response: me{}, Status: 201, Tag: "accounts"},
	{Method: "DELETE", Path: "/r/:region/api/session", Summary: "Sign out.", Status: 204, Tag: "accounts"},
	{Method: "GET", Path: "/r/:region/api/me", Summary: "The signed-in account, its grants and its CSRF token.", SignedIn: true, Response: me{}, Status: 200, Tag: "accounts"},
	{Method: "GET", Path: "/r/:region/api/tokens", Summary: "Your API tokens, without their secrets.", Permission: policies.TokenManage, SignedIn: true, Response: page[authz.APIToken]{}, Status: 200, Tag: "accounts"},
	{Method: "POST", Path: "/r/:region/api/tokens", Summary: "Create an API token; it is shown once.", Permission: policies.TokenManage, SignedIn: true, Request: tokenIn{}, Response: newToken{}, Status: 201, Tag: "accounts"},
	{Method: "DELETE", Path: "/r/:region/api/tokens/:id", Summary: "Revoke one of your API tokens.", Permission: policies.TokenManage, SignedIn: true, Status: 204, Tag: "accounts"},

	{Method: "GET", Path: "/r/:region/api/grants", Summary: "The region's role grants, a page at a time.", Permission: policies.GrantRead, Response: page[authz.Grant]{}, Status: 200, Tag: "grants"},
	{Method: "POST", Path: "/r/:region/api/grants", Summary: "Grant a role at a scope (grant:manage at that scope).", Permission: policies.GrantManage, Request: grantIn{}, Response: authz.Grant{}, Status: 201, Tag: "grants"},
	{Method: "PATCH", Path: "/r/:region/api/grants/:id", Summary: "Move a grant to another scope (grant:manage at both).", Permission: policies.GrantManage, Request: scopeIn{}, Response: authz.Grant{}, Status: 200, Tag: "grants"},
	{Method: "DELETE", Path: "/r/:region/api/grants/:id", Summary: "Revoke a grant; it stops working with the next request.", Permission: policies.GrantManage, Status: 204, Tag: "grants"},
	{Method: "GET", Path: "/r/:region/api/explain", Summary: "May account U use permission P at scope S, and which rule decided?", Permission: policies.PolicyExplain, Response: authz.Explanation{}, Status: 200, Tag: "grants"},

	{Method: "POST", Path: "/r/:region/api/aspirations", Summary: "A resident's aspiration to an institution of their ward.", Permission: policies.AspirationSubmit, Request: partnership.NewAspiration{}, Response: aspirationJSON{}, Status: 201, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/aspirations/mine", Summary: "Your aspirations and what became of them.", SignedIn: true, Response: page[aspirationJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/aspirations", Summary: "Aspirations within a scope.", Permission: policies.AspirationRead, Response: page[aspirationJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/aspirations/:id/respond", Summary: "Acknowledge, merge into a proposal, or decline with a reason.", Permission: policies.AspirationRespond, Request: aspirationResponse{}, Response: aspirationJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/proposals", Summary: "An institution's proposal.", Permission: policies.ProposalCreate, Request: partnership.ProposalInput{}, Response: proposalJSON{}, Status: 201, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/proposals", Summary: "Proposals within a scope.", Permission: policies.ProposalRead, Response: page[proposalJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/proposals/:id", Summary: "One proposal.", Permission: policies.ProposalRead, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "PUT", Path: "/r/:region/api/proposals/:id", Summary: "Edit a proposal still waiting for its Musrenbang.", Permission: policies.ProposalEdit, Request: partnership.ProposalInput{}, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/proposals/:id/approve", Summary: "The delegated budget user approves execution.", Permission: policies.ExecutionApprove, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/proposals/:id/cost", Summary: "Change a funded proposal's cost; it needs approval again.", Permission: policies.ProposalEdit, Request: stepIn{}, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/proposals/:id/cancel", Summary: "Cancel a funded activity, releasing its commitment.", Permission: policies.ActivityCancel, Request: stepIn{}, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/allocations", Summary: "An institution's allocation for a fiscal year: amount, committed, remaining.", Permission: policies.AllocationRead, Response: allocationJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/musrenbang", Summary: "Schedule a ward or kecamatan Musrenbang.", Permission: policies.MusrenbangSchedule, Request: partnership.MusrenbangInput{}, Response: musrenbangJSON{}, Status: 201, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/musrenbang", Summary: "Musrenbang within a scope.", Permission: policies.MusrenbangRead, Response: page[musrenbangJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/musrenbang/:id", Summary: "One Musrenbang with its agenda, decisions and minutes.", Permission: policies.MusrenbangRead, Response: musrenbangJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/musrenbang/:id/attendance", Summary: "Record attendance by category; opens the Musrenbang when the quorum is met.", Permission: policies.MusrenbangAttend, Request: attendanceIn{}, Response: musrenbangJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/musrenbang/:id/decisions", Summary: "Decide a proposal of the agenda: fund, forward or reject (ward); sector, csr or reject (kecamatan).", Permission: policies.MusrenbangDecide, Request: decisionIn{}, Response: proposalJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/musrenbang/:id/close", Summary: "Publish the minutes; the Musrenbang becomes immutable.", Permission: policies.MusrenbangClose, Request: minutesIn{}, Response: musrenbangJSON{}, Status: 200, Tag: "two-pillar"},

	{Method: "POST", Path: "/r/:region/api/proposals/:id/reports", Summary: "Report the realisation of an approved (or returned) proposal, with evidence (multipart: attachments; or JSON).", Permission: policies.ReportSubmit, Request: partnership.ReportInput{}, Response: reportJSON{}, Status: 201, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/reports", Summary: "Realisation reports within a scope.", Permission: policies.ReportRead, Response: page[reportJSON]{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/reports/:id", Summary: "One report, with the step it waits for.", Permission: policies.ReportRead, Response: reportJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "GET", Path: "/r/:region/api/reports/:id/attachments/:n", Summary: "Download the n-th evidence file of a report.", Permission: policies.ReportRead, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/reports/:id/verify", Summary: "The ward office verifies a report.", Permission: policies.ReportVerify, Response: reportJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/reports/:id/consolidate", Summary: "The kecamatan office consolidates a verified report.", Permission: policies.ReportConsolidate, Response: reportJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/reports/:id/evaluate", Summary: "The regional secretariat evaluates a consolidated report.", Permission: policies.ReportEvaluate, Request: reportStepIn{}, Response: reportJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/reports/:id/return", Summary: "Send a report back with a reason; needs the permission of the step it waits for (report:verify, report:consolidate or report:evaluate).", Permission: policies.ReportVerify, Request: reportStepIn{}, Response: reportJSON{}, Status: 200, Tag: "two-pillar"},

	{Method: "GET", Path: "/r/:region/api/participation", Summary: "Participation and evaluation of an area for a fiscal year, with a recap one level beneath it and each ward's participation phase.", Permission: policies.ParticipationRead, Response: participationJSON{}, Status: 200, Tag: "two-pillar"},
	{Method: "POST", Path: "/r/:region/api/participation/phases", Summary: "Assess a ward's participation phase for a fiscal year; earlier assessments stay as history.", Permission: policies.ParticipationAssess, Request: partnership.PhaseInput{}, Response: phaseJSON{}, Status: 201, Tag: "two-pillar"},

	{Method: "POST", Path: "/r/:region/api/findings", Summary: "An internal supervisor's finding at a scope; due after the region's finding response time, or at dueAt.", Permission: policies.FindingRecord, Request: partnership.NewFinding{}, Response: findingJSON{}, Status: 201, Tag: "supervision"},
	{Method: "GET", Path: "/r/:region/api/findings", Summary: "Findings beneath the scopes where you hold finding:read; ?scope=, ?state=, ?overdue=true.", Permission: policies.FindingRead, Response: page[findingJSON]{}, Status: 200, Tag: "supervision"},
	{Method: "GET", Path: "/r/:region/api/findings/:id", Summary: "One finding.", Permission: policies.FindingRead, Response: findingJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/r/:region/api/findings/:id/respond", Summary: "Answer an open finding (not by whoever recorded it).", Permission: policies.FindingRespond, Request: findingStepIn{}, Response: findingJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/r/:region/api/findings/:id/close", Summary: "Accept the answer and close the finding (not by whoever answered it).", Permission: policies.FindingRecord, Response: findingJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/r/:region/api/findings/:id/reopen", Summary: "Reject the answer with a reason; due again after the response time, or at dueAt.", Permission: policies.FindingRecord, Request: findingStepIn{}, Response: findingJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/r/:region/api/complaints", Summary: "File a complaint about a ward or an institution; an anonymous filer gets a tracking code, once.", Permission: policies.ComplaintFile, Request: partnership.NewComplaint{}, Response: filedComplaintJSON{}, Status: 201, Tag: "supervision"},
	{Method: "GET", Path: "/r/:region/api/complaints", Summary: "Complaints you may read: where you hold complaint:read, your own, public ones; ?scope=, ?state=, ?overdue=, ?mine=, ?public=.", Response: page[complaintJSON]{}, Status: 200, Tag: "supervision"},
	{Method: "GET", Path: "/r/:region/api/complaints/track/:code", Summary: "Follow an anonymous complaint by its tracking code.", Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "GET", Path: "/r/:region/api/complaints/:id", Summary: "One complaint, when you may read it (else 404).", Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/r/:region/api/complaints/:id/receive", Summary: "Acknowledge a filed complaint.", Permission: policies.ComplaintHandle, Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/r/:region/api/complaints/:id/investigate", Summary: "Investigate a received complaint, or (the ombudsman) an escalated one.", Permission: policies.ComplaintHandle, Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/r/:region/api/complaints/:id/resolve", Summary: "Resolve a complaint with a resolution; escalated ones only by the ombudsman.", Permission: policies.ComplaintHandle, Request: complaintStepIn{}, Response: complaintJSON{}, Status: 200, Tag: "supervision"},
	{Method: "POST", Path: "/r/:region/api/complaints/:id/escalate", Summary: "Escalate to the ombudsman with a reason: the filer, or staff at the complaint's scope.", Permission: policies.ComplaintEscalate, Request: complaintStepIn{}, Response: complaintJSON{}, Status: 200, Tag: "supervision"},

	{Method: "POST", Path: "/r/:region/api/partners", Summary: "Register a company or university as a partner: a multipart form with kind, name, areas and kecamatan (repeated or comma-separated), and the files participationLetter and proposal (PDF, JPEG or PNG, at most 2 MiB each).", Permission: policies.PartnerRegister, Request: partnership.PartnerInput{}, Response: partnerJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/partners", Summary: "Approved partners; the forum secretariat sees every registration (?state=); ?mine=true lists yours; ?area=.", Permission: policies.PartnerRead, Response: page[partnerJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/partners/:id", Summary: "One partner with the forum's decisions; its review and documents for the secretariat and the partner.", Permission: policies.PartnerRead, Response: partnerJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/partners/:id/review", Summary: "The secretariat's check against the third-party-contribution rules (every checklist item, notes when one fails), putting the registration on a forum meeting's agenda.", Permission: policies.PartnerReview, Request: partnership.ReviewInput{}, Response: partnerJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/partners/:id/decision", Summary: "The forum's decision at a held meeting: approve (grants the company or university role for the region) or reject with a reason.", Permission: policies.PartnerDecide, Request: forumDecisionIn{}, Response: partnerJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/documents/:id", Summary: "Download a partner's or a CSR request's document, when you may read it (else 404).", SignedIn: true, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/forum/meetings", Summary: "Schedule a CSR forum meeting for a quarter, on the region's cadence.", Permission: policies.ForumMeet, Request: partnership.ForumMeetingInput{}, Response: forumJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/forum/meetings", Summary: "Forum meetings; ?year=, ?state=.", Permission: policies.ForumRead, Response: page[forumJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/forum/meetings/:id", Summary: "One forum meeting: attendance by pillar, agenda until closed, minuted decisions and minutes.", Permission: policies.ForumRead, Response: forumJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/forum/meetings/:id/attendance", Summary: "Record attendance by pillar (government, company, university, community); the forum sits with the government and another pillar.", Permission: policies.ForumMeet, Request: forumAttendanceIn{}, Response: forumJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/forum/meetings/:id/close", Summary: "Publish the minutes; the meeting and its decisions become immutable.", Permission: policies.ForumMeet, Request: minutesIn{}, Response: forumJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/csr-plans", Summary: "An approved partner's annual CSR plan; flagged late when submitted after the board's approval plus the region's plan deadline.", Permission: policies.CSRPlanSubmit, Request: partnership.PlanInput{}, Response: planJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/csr-plans", Summary: "CSR plans with their alignment; ?partner=, ?fiscalYear=, ?state=.", Permission: policies.CSRPlanRead, Response: page[planJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/csr-plans/:id", Summary: "One CSR plan, its activities and its alignment score (share of financing in aligned activities, in basis points).", Permission: policies.CSRPlanRead, Response: planJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "PUT", Path: "/r/:region/api/csr-plans/:id", Summary: "Submit a plan sent back for revision again, with new activities (the partner only).", Permission: policies.CSRPlanSubmit, Request: partnership.PlanInput{}, Response: planJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/csr-plans/:id/alignment", Summary: "Align every activity with a priority area and one of its targets (aligned, partial or not-aligned); never by the plan's own partner.", Permission: policies.CSRPlanAlign, Request: alignmentIn{}, Response: planJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/csr-plans/:id/decision", Summary: "The forum's decision on an aligned plan at a held meeting: approve, or revise with a reason.", Permission: policies.CSRPlanApprove, Request: forumDecisionIn{}, Response: planJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/csr-requests", Summary: "A resident's or community's CSR request for a ward: JSON, or a multipart form with up to five documents.", Permission: policies.CSRRequestSubmit, Request: partnership.CSRRequestInput{}, Response: requestJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/csr-requests", Summary: "CSR requests; ?state=open lists those not expired, and for a partner those it may claim (?claimable=false for all); ?area=, ?scope=, ?mine=true.", Permission: policies.CSRRequestRead, Response: page[requestJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/csr-requests/:id", Summary: "One CSR request; its documents for its submitter, the secretariat and the partners who may claim it.", Permission: policies.CSRRequestRead, Response: requestJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/csr-requests/:id/claim", Summary: "Claim an open request for your approved partner working in its area and kecamatan; of concurrent claims one wins.", Permission: policies.CSRRequestClaim, Request: claimIn{}, Response: requestJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/csr-requests/:id/withdraw", Summary: "Withdraw your open request.", Permission: policies.CSRRequestSubmit, Response: requestJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/programmes", Summary: "Make a programme of an approved plan's activity or a claimed request, assigned to the sector agency that follows it up.", Permission: policies.ProgrammeManage, Request: partnership.ProgrammeInput{}, Response: programmeJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/programmes", Summary: "Programmes; ?partner=, ?area=, ?fiscalYear=, ?state=, ?source=.", Permission: policies.ProgrammeRead, Response: page[programmeJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/programmes/:id", Summary: "One programme with its contributions ledger summed per pillar in whole rupiah.", Permission: policies.ProgrammeRead, Response: programmeJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "PATCH", Path: "/r/:region/api/programmes/:id", Summary: "Reassign the sector agency, update the beneficiaries, complete or cancel a programme.", Permission: policies.ProgrammeManage, Request: partnership.ProgrammeChange{}, Response: programmeJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/programmes/:id/contributions", Summary: "Record a contribution in your pillar: companies funds (and staff, facilities, goods), government staff and facilities, universities research and staff, communities labour and goods.", Permission: policies.ProgrammeContribute, Request: partnership.ContributionInput{}, Response: contributionJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/ideas", Summary: "Post an innovation idea from your pillar.", Permission: policies.IdeaPost, Request: partnership.IdeaInput{}, Response: ideaJSON{}, Status: 201, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/ideas", Summary: "Innovation ideas; ?state=, ?pillar=.", Permission: policies.IdeaRead, Response: page[ideaJSON]{}, Status: 200, Tag: "four-pillar"},
	{Method: "GET", Path: "/r/:region/api/ideas/:id", Summary: "One idea and what it became.", Permission: policies.IdeaRead, Response: ideaJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/ideas/:id/adopt", Summary: "The forum adopts an idea at a held meeting into a programme or a CSR request, made at once.", Permission: policies.IdeaAdopt, Request: partnership.AdoptionInput{}, Response: ideaJSON{}, Status: 200, Tag: "four-pillar"},
	{Method: "POST", Path: "/r/:region/api/ideas/:id/decline", Summary: "The forum declines an idea at a held meeting, with a reason.", Permission: policies.IdeaAdopt, Request: declineIn{}, Response: ideaJSON{}, Status: 200, Tag: "four-pillar"},

	{Method: "POST", Path: "/r/:region/api/realisations", Summary: "A partner's realisation report on one of its own programmes: JSON (evidence in base64) or a multipart form with files under evidence (PDF, JPEG or PNG, at most 2 MiB each, at most 5); flagged late after the activity's end plus the region's deadline.", Permission: policies.RealisationSubmit, Request: realisationIn{}, Response: realisationJSON{}, Status: 201, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/realisations", Summary: "Realisation reports and imported figures; ?partner=, ?programme=, ?year=, ?area=.", Permission: policies.RealisationRead, Response: page[realisationJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/realisations/:id", Summary: "One realisation report with its evidence's metadata.", Permission: policies.RealisationRead, Response: realisationJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/realisations/:id/evidence/:n", Summary: "Download the n-th evidence file, for the partner and the forum secretariat.", Permission: policies.RealisationRead, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/overdue", Summary: "Plans and realisation reports the server's schedule flagged missing past their deadline; open ones unless ?all=true; ?partner=.", Permission: policies.RealisationRead, Response: page[overdueJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/sanctions/mine", Summary: "The sanctions on the partners you act for: the partner's notice.", SignedIn: true, Response: page[sanctionJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/sanctions", Summary: "Sanctions recommended, issued, lifted and dismissed; ?partner=, ?state=.", Permission: policies.SanctionRead, Response: page[sanctionJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/sanctions/:id", Summary: "One sanction.", Permission: policies.SanctionRead, Response: sanctionJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/r/:region/api/sanctions", Summary: "The forum secretariat recommends a sanction on a company: the next step of the ladder unless a higher one is named; one open recommendation per partner.", Permission: policies.SanctionIssue, Request: recommendIn{}, Response: sanctionJSON{}, Status: 201, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/r/:region/api/sanctions/:id/issue", Summary: "The forum issues a recommended sanction, citing the region's CSR-obligation regulation; the partner is notified.", Permission: policies.SanctionIssue, Response: sanctionJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/r/:region/api/sanctions/:id/dismiss", Summary: "The forum decides not to issue a recommended sanction, with a reason.", Permission: policies.SanctionIssue, Request: resolutionIn{}, Response: sanctionJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/r/:region/api/sanctions/:id/lift", Summary: "Lift an issued sanction, with a reason.", Permission: policies.SanctionLift, Request: resolutionIn{}, Response: sanctionJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/compliance", Summary: "Every approved partner's compliance state (compliant, warned, restricted, frozen, revoked) and CSR maturity (charity, philanthropy, corporate citizen).", Permission: policies.SanctionRead, Response: page[standingJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/partners/:id/compliance", Summary: "One partner's compliance state, the sanction that sets it, and its CSR maturity with the record it is derived from.", Permission: policies.SanctionRead, Response: standingJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/evaluations/preview", Summary: "The quarterly evaluation of ?year= and ?quarter= as the data stand now, unpublished.", Permission: policies.EvaluationPublish, Response: partnership.Evaluation{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/evaluations", Summary: "Published quarterly evaluations, newest first; ?year=.", Permission: policies.EvaluationRead, Response: page[evaluationJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/evaluations/:id", Summary: "One published evaluation, exactly as it was published.", Permission: policies.EvaluationRead, Response: evaluationJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/r/:region/api/evaluations", Summary: "Publish the evaluation of a quarter that has ended, generated from the data: realisation per area, plan against realisation per partner, overdue reports, request fulfilment. Once per quarter.", Permission: policies.EvaluationPublish, Request: evaluationIn{}, Response: evaluationJSON{}, Status: 201, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/awards/:cycle", Summary: "The award scores of the cycle starting in that year, best first.", Permission: policies.AwardRead, Response: page[awardJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/r/:region/api/awards/:cycle/score", Summary: "Score every partner with a record in the cycle's years on the region's weighted criteria; scores not yet published are scored again, keeping adjustments.", Permission: policies.AwardScore, Response: page[awardJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/r/:region/api/awards/:cycle/publish", Summary: "Publish the cycle's scores; they become final.", Permission: policies.AwardScore, Response: page[awardJSON]{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "POST", Path: "/r/:region/api/awards/:cycle/partners/:partner/adjust", Summary: "The forum adjusts a partner's total by basis points, with a recorded reason.", Permission: policies.AwardAdjust, Request: adjustIn{}, Response: awardJSON{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/dashboard", Summary: "The public dashboard for ?year= (this year by default): per priority area the amount realised, its share to two decimals, distinct partners, requests and realised programmes, and the year's total with its distinct partners.", Permission: policies.DashboardRead, Response: partnership.Dashboard{}, Status: 200, Tag: "csr-outcomes"},
	{Method: "GET", Path: "/r/:region/api/dashboard.csv", Summary: "The same dashboard as CSV (text/csv, a header line, the total last).", Permission: policies.DashboardRead, Status: 200, Tag: "csr-outcomes"},

	{Method: "GET", Path: "/r/:region/api/audit/public", Summary: "Published decisions from the audit log.", Permission: policies.DecisionRead, Response: page[audit.Entry]{}, Status: 200, Tag: "audit"},
	{Method: "GET", Path: "/r/:region/api/audit", Summary: "The audit log, for auditors.", Permission: policies.AuditRead, Response: page[audit.Entry]{}, Status: 200, Tag: "audit"},
	{Method: "GET", Path: "/r/:region/api/audit/verify", Summary: "Verify the hash chain; names the first broken entry.", Permission: policies.AuditVerify, Response: audit.Report{}, Status: 200, Tag: "audit"},

	// The portal's pages (HTML); a form's POST answers with a redirect once accepted.
	{Method: "GET", Path: "/r/:region/static/:name", Summary: "A static file of the portal (stylesheet, script), fingerprinted with ?v=.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/signin", Summary: "The sign-in page.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/signin", Summary: "Sign in from the page's form; redirects to ?next= or home.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/signout", Summary: "Sign out from the menu's form; redirects home.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/register", Summary: "The resident's registration page.", Permission: policies.AccountRegister, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/register", Summary: "Register from the page's form and sign in.", Permission: policies.AccountRegister, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/aspirations/new", Summary: "The aspiration form: choose the ward (?ward=), then the institution.", Permission: policies.AspirationSubmit, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/aspirations/new", Summary: "Send an aspiration from the form; redirects to your submissions.", Permission: policies.AspirationSubmit, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/complaints/new", Summary: "The complaint form: choose the ward (?ward=), then the rest.", Permission: policies.ComplaintFile, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/complaints/new", Summary: "File a complaint from the form, anonymously if asked or not signed in.", Permission: policies.ComplaintFile, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/complaints/filed", Summary: "The tracking code of the complaint just filed anonymously, shown once.", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/complaints/track", Summary: "Follow a complaint by its tracking code (?code=).", Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/mine", Summary: "Your aspirations and complaints with their state and history.", SignedIn: true, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/musrenbang", Summary: "The region's Musrenbang: scheduled, in session and published.", Permission: policies.MusrenbangRead, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/musrenbang", Summary: "Schedule a Musrenbang from the work queue's form.", Permission: policies.MusrenbangSchedule, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/musrenbang/:id", Summary: "One Musrenbang: attendance, agenda, decisions, minutes; the forms for each step to the office running it.", Permission: policies.MusrenbangRead, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/musrenbang/:id/attendance", Summary: "Record attendance by category from the form.", Permission: policies.MusrenbangAttend, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/musrenbang/:id/decisions", Summary: "Decide one proposal of the agenda from the form.", Permission: policies.MusrenbangDecide, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/musrenbang/:id/close", Summary: "Publish the minutes from the form and close the Musrenbang.", Permission: policies.MusrenbangClose, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/work", Summary: "The work queues of every role you hold, with each step's form.", SignedIn: true, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/proposals", Summary: "An institution's proposal from its queue's form.", Permission: policies.ProposalCreate, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/proposals/:id/approve", Summary: "The ward office approves a funded activity.", Permission: policies.ExecutionApprove, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/proposals/:id/cost", Summary: "The institution changes the cost of its funded or approved activity (form); the ward approves it again.", Permission: policies.ProposalEdit, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/proposals/:id/cancel", Summary: "The institution cancels its funded or approved activity with a reason (form), releasing its allocation.", Permission: policies.ActivityCancel, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/proposals/:id/report", Summary: "The institution reports an approved activity, with evidence (multipart).", Permission: policies.ReportSubmit, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/aspirations/:id/respond", Summary: "An institution acknowledges or declines an aspiration.", Permission: policies.AspirationRespond, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/aspirations/:id/merge", Summary: "An institution merges an aspiration into one of its proposals (form).", Permission: policies.AspirationRespond, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/reports/:id/verify", Summary: "The ward office verifies a report.", Permission: policies.ReportVerify, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/reports/:id/consolidate", Summary: "The kecamatan office consolidates a report.", Permission: policies.ReportConsolidate, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/reports/:id/evaluate", Summary: "The regional secretariat evaluates a report.", Permission: policies.ReportEvaluate, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/reports/:id/return", Summary: "Send a report back with a reason (the permission of the step it waits for).", Permission: policies.ReportVerify, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/findings", Summary: "Record a finding from the supervisor's form.", Permission: policies.FindingRecord, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/findings/:id/respond", Summary: "Answer a finding.", Permission: policies.FindingRespond, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/findings/:id/close", Summary: "Accept a finding's answer.", Permission: policies.FindingRecord, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/findings/:id/reopen", Summary: "Reject a finding's answer with a reason.", Permission: policies.FindingRecord, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/complaints/:id/receive", Summary: "Receive a complaint.", Permission: policies.ComplaintHandle, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/complaints/:id/investigate", Summary: "Investigate a complaint.", Permission: policies.ComplaintHandle, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/complaints/:id/resolve", Summary: "Resolve a complaint.", Permission: policies.ComplaintHandle, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/participation", Summary: "The ward office assesses a ward's participation phase (form).", Permission: policies.ParticipationAssess, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/complaints/:id/escalate", Summary: "Escalate a complaint to the ombudsman.", Permission: policies.ComplaintEscalate, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/csr/requests", Summary: "Open and claimed CSR requests, with a claim button for the partner who may take each up.", Permission: policies.CSRRequestRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/csr/requests/new", Summary: "The CSR request form: choose the ward (?ward=), then the rest.", Permission: policies.CSRRequestSubmit, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/csr/requests/new", Summary: "Submit a CSR request from the form.", Permission: policies.CSRRequestSubmit, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/csr/requests/:id/claim", Summary: "Claim an open request for your approved partner.", Permission: policies.CSRRequestClaim, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/partners", Summary: "The directory of approved partners.", Permission: policies.PartnerRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/forum", Summary: "The CSR forum's meetings, the latest first.", Permission: policies.ForumRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/forum/:id", Summary: "A forum meeting: attendance by pillar, its minutes and the decisions minuted there.", Permission: policies.ForumRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/evaluations", Summary: "The published quarterly evaluations.", Permission: policies.EvaluationRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/evaluations/:id", Summary: "A published quarterly evaluation as it was published.", Permission: policies.EvaluationRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/awards", Summary: "The published award scores of a cycle (?cycle=, else the latest published).", Permission: policies.AwardRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/sanctions", Summary: "Each partner's compliance state and every sanction with its reasons.", Permission: policies.SanctionRead, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/sanctions/:id/issue", Summary: "The forum issues a recommended sanction, citing the region's CSR-obligation regulation.", Permission: policies.SanctionIssue, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/sanctions/:id/dismiss", Summary: "The forum dismisses a recommended sanction with a reason.", Permission: policies.SanctionIssue, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/sanctions/:id/lift", Summary: "The forum lifts a sanction in force with a reason.", Permission: policies.SanctionLift, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/forum", Summary: "The forum secretariat schedules a forum meeting (form).", Permission: policies.ForumMeet, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/forum/:id/hold", Summary: "The forum secretariat records a meeting's attendance by pillar (form).", Permission: policies.ForumMeet, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/forum/:id/close", Summary: "The forum secretariat closes a meeting with its minutes (form).", Permission: policies.ForumMeet, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/partners/:id/review", Summary: "The forum secretariat reviews a registration onto a meeting's agenda (form).", Permission: policies.PartnerReview, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/partners/:id/decide", Summary: "The forum's decision on a registration at a held meeting (form).", Permission: policies.PartnerDecide, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/plans/:id/align", Summary: "The forum secretariat aligns a plan's activities with the priority areas (form).", Permission: policies.CSRPlanAlign, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/plans/:id/decide", Summary: "The forum's approval of a plan, or its return for revision, at a held meeting (form).", Permission: policies.CSRPlanApprove, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/plans", Summary: "A partner submits its annual CSR plan (form; empty activity rows are ignored).", Permission: policies.CSRPlanSubmit, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/plans/:id/revise", Summary: "A partner submits again, with revised activities, a plan the forum sent back (form prefilled with the plan).", Permission: policies.CSRPlanSubmit, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/work/realisations", Summary: "A partner reports a realisation of one of its programmes, evidence optional (multipart form).", Permission: policies.RealisationSubmit, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/dashboard", Summary: "The public dashboard (?year=): charts drawn in SVG, each with its table and CSV.", Permission: policies.DashboardRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/dashboard/participation.csv", Summary: "Participation per kecamatan, or per ward with ?level=ward, as CSV.", Permission: policies.DashboardRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/dashboard/csr.csv", Summary: "Four-pillar realisation per priority area of ?year= as CSV.", Permission: policies.DashboardRead, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/admin/grants", Summary: "Role grants with the explain answer (?permission=) beside each.", Permission: policies.GrantRead, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/admin/grants", Summary: "Grant a role at a scope from the form.", Permission: policies.GrantManage, Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/admin/grants/:id/revoke", Summary: "Revoke a grant.", Permission: policies.GrantManage, Status: 200, Tag: "pages"},
	{Method: "GET", Path: "/r/:region/admin/audit", Summary: "The audit log with its verification status.", Permission: policies.AuditRead, Status: 200, Tag: "pages"},
}

// demoOperations document the routes of the embedded mode's demo sign-in,
// served only with Options.Demo: apart from operations, which must match the
// routes every mode serves.
var demoOperations = []operation{
	{Method: "GET", Path: "/r/:region/demo", Summary: "The embedded mode's demo roles (HTML); not served in the cluster mode.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/demo", Summary: "Sign in as the demo account of a role, made on first use (embedded mode only).", Status: 200, Tag: "pages"},
}

// openAPIDocument generates the document from the operations.
func openAPIDocument() ([]byte, error) {
	spec := openapi.Spec{
		Title: "Pilar", Version: "v1alpha1",
		Description: "Each region's two-pillar and four-pillar workflows, under the region's own policy. Every route names the permission it needs (x-permission), checked at the scope of the object it acts on.",
		Error:       errorBody{},
		Security: map[string]any{
			"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "Browser session; state changes also need the X-CSRF-Token header."},
			"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "An API token (pilar_...)."},
		},
	}
	for _, op := range append(slices.Clone(operations), demoOperations...) {
		spec.Operations = append(spec.Operations, openapi.Operation{Method: op.Method, Path: op.Path, Summary: op.Summary, Permission: string(op.Permission),
			SignedIn: op.SignedIn, Request: op.Request, Response: op.Response, Status: op.Status, Tag: op.Tag})
	}
	return spec.Document()
}

// serveOpenAPI serves the checked-in document.
func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIJSON)
}
