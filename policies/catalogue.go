package policies

import (
	"fmt"
	"slices"
)

// A Role is a named set of duties a user holds at a scope: the whole region, a
// kecamatan, a kelurahan/desa or an institution. The catalogue of roles is closed:
// only the constants below are roles, and every other name is an error wherever a
// policy names it.
type Role string

// Regional roles, in catalogue order. A region's policy set may name only these.
const (
	RegionalSecretariat     Role = "regional-secretariat"
	HeadOfRegion            Role = "head-of-region"
	RegionalAdmin           Role = "regional-admin"
	KecamatanOffice         Role = "kecamatan-office"
	WardOffice              Role = "ward-office"
	InstitutionRW           Role = "institution-rw"
	InstitutionPKK          Role = "institution-pkk"
	InstitutionKarangTaruna Role = "institution-karang-taruna"
	InstitutionLPM          Role = "institution-lpm"
	ForumRW                 Role = "forum-rw"
	ForumPKK                Role = "forum-pkk"
	ForumKarangTaruna       Role = "forum-karang-taruna"
	ForumLPM                Role = "forum-lpm"
	Resident                Role = "resident"
	InternalSupervisor      Role = "internal-supervisor"
	Ombudsman               Role = "ombudsman"
	CSRForumSecretariat     Role = "csr-forum-secretariat"
	SectorAgency            Role = "sector-agency"
	Company                 Role = "company"
	University              Role = "university"
	Public                  Role = "public"
	// System is the API server itself acting on its own: its schedule and
	// the administrative commands its operator runs. No account holds it and
	// it cannot be granted, but a region's policy names it like any other
	// role, so each region decides what the server may do there. Guardrails
	// name it where it may hold a permission ("any" leaves it out), and the
	// platform policy names it for the national-admin command.
	System Role = "system"
)

// NationalAdmin is the platform role. It stands outside every region: its
// permissions live in the platform policy (see Platform) and never in a region's set.
const NationalAdmin Role = "national-admin"

// Info describes one role or permission of the catalogue.
type Info[K Role | Permission] struct {
	Name K
	// Description says in one English sentence who holds the role, or what
	// the permission lets its holder do.
	Description string
	// Platform is true for the roles and permissions outside any single region.
	Platform bool
}

// RoleInfo describes one role of the catalogue.
type RoleInfo = Info[Role]

var roleCatalogue = []RoleInfo{
	{RegionalSecretariat, "The regional secretariat (Setda): sponsor of the two-pillar model and evaluator of its reports.", false},
	{HeadOfRegion, "The mayor or regent (wali kota or bupati), who follows the programmes and their evaluations.", false},
	{RegionalAdmin, "The region's administrators, who configure it, manage role grants and verify the audit log.", false},
	{KecamatanOffice, "The kecamatan office and its camat: champion, budget user (PA) and host of the kecamatan Musrenbang.", false},
	{WardOffice, "The kelurahan or desa office and its lurah or kepala desa: champion, facilitator and delegated budget user (KPA).", false},
	{InstitutionRW, "The board of a Rukun Warga (RW), a community institution of the ward.", false},
	{InstitutionPKK, "The board of the ward's PKK (family welfare movement).", false},
	{InstitutionKarangTaruna, "The board of the ward's Karang Taruna (youth organisation).", false},
	{InstitutionLPM, "The board of the ward's LPM (community empowerment board).", false},
	{ForumRW, "The kecamatan or city forum of RW boards.", false},
	{ForumPKK, "The kecamatan or city PKK organisation.", false},
	{ForumKarangTaruna, "The kecamatan or city Karang Taruna organisation.", false},
	{ForumLPM, "The kecamatan or city forum of LPM boards.", false},
	{Resident, "A registered resident of the region.", false},
	{InternalSupervisor, "An internal supervisor: the inspectorate or a direct superior who records findings.", false},
	{Ombudsman, "The ombudsman, who handles escalated complaints.", false},
	{CSRForumSecretariat, "The secretariat of the CSR forum (Forum TJSL), which records the forum's decisions.", false},
	{SectorAgency, "A sector agency (SKPD/OPD) that follows up programmes in its sector.", false},
	{Company, "A company taking part in the four-pillar model with its CSR (TJSL) funds.", false},
	{University, "A university taking part in the four-pillar model as an institution.", false},
	{Public, "Anyone, signed in or not; the API server gives every request this role at region scope.", false},
	{System, "The API server itself: its schedule and the administrative commands its operator runs. No account holds it.", false},
	{NationalAdmin, "A national agency's administrator, who onboards regions and reads national aggregates.", true},
}

// A Permission names one action on one kind of object, as "resource:action". The
// catalogue of permissions is closed, like the catalogue of roles.
type Permission string

// Regional permissions, in catalogue order.
const (
	AspirationSubmit  Permission = "aspiration:submit"
	AspirationRead    Permission = "aspiration:read"
	AspirationRespond Permission = "aspiration:respond"

	ProposalCreate Permission = "proposal:create"
	ProposalEdit   Permission = "proposal:edit"
	ProposalRead   Permission = "proposal:read"

	MusrenbangSchedule Permission = "musrenbang:schedule"
	MusrenbangAttend   Permission = "musrenbang:attend"
	MusrenbangDecide   Permission = "musrenbang:decide"
	MusrenbangClose    Permission = "musrenbang:close"
	MusrenbangRead     Permission = "musrenbang:read"
	MusrenbangReopen   Permission = "musrenbang:reopen"

	AllocationRead         Permission = "allocation:read"
	AllocationDisburseCash Permission = "allocation:disburse-cash"

	ExecutionApprove Permission = "execution:approve"
	ActivityCancel   Permission = "activity:cancel"

	ReportSubmit      Permission = "report:submit"
	ReportVerify      Permission = "report:verify"
	ReportConsolidate Permission = "report:consolidate"
	ReportEvaluate    Permission = "report:evaluate"
	ReportRead        Permission = "report:read"

	FindingRecord  Permission = "finding:record"
	FindingRespond Permission = "finding:respond"
	FindingRead    Permission = "finding:read"

	ComplaintFile     Permission = "complaint:file"
	ComplaintRead     Permission = "complaint:read"
	ComplaintHandle   Permission = "complaint:handle"
	ComplaintEscalate Permission = "complaint:escalate"

	ParticipationRead   Permission = "participation:read"
	ParticipationAssess Permission = "participation:assess"

	PartnerRegister Permission = "partner:register"
	PartnerReview   Permission = "partner:review"
	PartnerDecide   Permission = "partner:decide"
	PartnerRead     Permission = "partner:read"

	CSRPlanSubmit  Permission = "csr-plan:submit"
	CSRPlanAlign   Permission = "csr-plan:align"
	CSRPlanApprove Permission = "csr-plan:approve"
	CSRPlanRead    Permission = "csr-plan:read"

	CSRRequestSubmit Permission = "csr-request:submit"
	CSRRequestClaim  Permission = "csr-request:claim"
	CSRRequestRead   Permission = "csr-request:read"
	CSRRequestExpire Permission = "csr-request:expire"

	ProgrammeManage     Permission = "programme:manage"
	ProgrammeContribute Permission = "programme:contribute"
	ProgrammeRead       Permission = "programme:read"

	IdeaPost  Permission = "idea:post"
	IdeaAdopt Permission = "idea:adopt"
	IdeaRead  Permission = "idea:read"

	RealisationSubmit Permission = "realisation:submit"
	RealisationRead   Permission = "realisation:read"
	OverdueFlag       Permission = "overdue:flag"

	ForumMeet Permission = "forum:meet"
	ForumRead Permission = "forum:read"

	EvaluationPublish Permission = "evaluation:publish"
	EvaluationRead    Permission = "evaluation:read"

	AwardScore  Permission = "award:score"
	AwardAdjust Permission = "award:adjust"
	AwardRead   Permission = "award:read"

	SanctionIssue Permission = "sanction:issue"
	SanctionLift  Permission = "sanction:lift"
	SanctionRead  Permission = "sanction:read"

	SanctionRecommend Permission = "sanction:recommend"

	DashboardRead Permission = "dashboard:read"

	AccountRegister Permission = "account:register"
	TokenManage     Permission = "token:manage"

	GrantRead   Permission = "grant:read"
	GrantManage Permission = "grant:manage"

	PolicyExplain Permission = "policy:explain"

	DecisionRead Permission = "decision:read"
	AuditRead    Permission = "audit:read"
	AuditVerify  Permission = "audit:verify"
	AuditErase   Permission = "audit:erase"

	RegionConfigure Permission = "region:configure"
)

// Platform permissions, held only through the platform policy.
const (
	RegionOnboard Permission = "region:onboard"
	NationalRead  Permission = "national:read"

	NationalAdminGrant Permission = "national-admin:grant"
)

// PermissionInfo describes one permission of the catalogue.
type PermissionInfo = Info[Permission]

var permissionCatalogue = []PermissionInfo{
	{AspirationSubmit, "Send an aspiration to a community institution of one's ward.", false},
	{AspirationRead, "Read aspirations and the institutions' answers to them.", false},
	{AspirationRespond, "Answer an aspiration sent to one's institution, or take it up in a proposal.", false},

	{ProposalCreate, "Turn aspirations into a proposal within the institution's activity scope.", false},
	{ProposalEdit, "Change a proposal until a Musrenbang decides on it.", false},
	{ProposalRead, "Read proposals and the decisions taken on them.", false},

	{MusrenbangSchedule, "Schedule a Musrenbang and set its agenda.", false},
	{MusrenbangAttend, "Record Musrenbang attendance by category, against which quorum is checked.", false},
	{MusrenbangDecide, "Decide each proposal on a Musrenbang's agenda: fund it, forward it or reject it with a reason.", false},
	{MusrenbangClose, "Publish a Musrenbang's minutes and close it, which makes it immutable.", false},
	{MusrenbangRead, "Read Musrenbang agendas, attendance, decisions and minutes.", false},
	{MusrenbangReopen, "Reopen or edit a closed Musrenbang; no role may ever hold it, because closed minutes are immutable.", false},

	{AllocationRead, "Read each institution's allocation per fiscal year, with what is committed and what remains.", false},
	{AllocationDisburseCash, "Pay an allocation out in cash; no role may ever hold it, because allocations are spent in kind.", false},

	{ExecutionApprove, "Approve, as budget user, the execution of a funded activity or a change of its cost.", false},
	{ActivityCancel, "Cancel a funded activity, which releases its allocation.", false},

	{ReportSubmit, "Submit an activity report.", false},
	{ReportVerify, "Verify the reports of the ward's institutions (the lurah's step).", false},
	{ReportConsolidate, "Consolidate the verified reports of a kecamatan (the camat's step).", false},
	{ReportEvaluate, "Evaluate consolidated reports and the programme (the regional secretariat's step).", false},
	{ReportRead, "Read activity reports with their verification, consolidation and evaluation.", false},

	{FindingRecord, "Record a supervision finding that needs a response.", false},
	{FindingRespond, "Respond to a finding about one's own unit.", false},
	{FindingRead, "Read supervision findings and the responses to them.", false},

	{ComplaintFile, "File a complaint, anonymously if the filer wishes.", false},
	{ComplaintRead, "Read complaints and how they are being handled.", false},
	{ComplaintHandle, "Receive, investigate and resolve a complaint.", false},
	{ComplaintEscalate, "Escalate a complaint that was not resolved in time.", false},

	{ParticipationRead, "Read participation figures and phases per institution, ward and kecamatan.", false},
	{ParticipationAssess, "Record a ward's participation phase and the kecamatan's participation recap.", false},

	{PartnerRegister, "Register as a CSR partner with a participation letter and a proposal.", false},
	{PartnerReview, "Check a partner registration against the third-party-contribution rules.", false},
	{PartnerDecide, "Record the forum's decision to approve or refuse a partner registration.", false},
	{PartnerRead, "Read the list of approved partners.", false},

	{CSRPlanSubmit, "Submit a partner's annual CSR plan.", false},
	{CSRPlanAlign, "Align each activity of a CSR plan with a priority area and target.", false},
	{CSRPlanApprove, "Approve a CSR plan or send it back for revision.", false},
	{CSRPlanRead, "Read CSR plans and their alignment.", false},

	{CSRRequestSubmit, "Submit a CSR request for an area and ward.", false},
	{CSRRequestClaim, "Claim an open CSR request as a partner.", false},
	{CSRRequestRead, "Read CSR requests and who claimed them.", false},
	{CSRRequestExpire, "Close a CSR request nobody claimed before its expiry; the server's schedule does it.", false},

	{ProgrammeManage, "Follow up a programme as its responsible sector agency.", false},
	{ProgrammeContribute, "Record a contribution to a programme: funds, staff, facilities, research, labour or in-kind support.", false},
	{ProgrammeRead, "Read programmes and their contributions.", false},

	{IdeaPost, "Post an innovation idea.", false},
	{IdeaAdopt, "Adopt an innovation idea on the forum's behalf.", false},
	{IdeaRead, "Read innovation ideas.", false},

	{RealisationSubmit, "Submit a partner's realisation report for an activity.", false},
	{RealisationRead, "Read realisation reports.", false},
	{OverdueFlag, "Flag a CSR plan or realisation report missing past its deadline; the server's schedule does it.", false},

	{ForumMeet, "Convene a CSR forum meeting and record its attendance by pillar and its decisions.", false},
	{ForumRead, "Read CSR forum meetings and their minutes.", false},

	{EvaluationPublish, "Publish the forum's quarterly evaluation.", false},
	{EvaluationRead, "Read published evaluations.", false},

	{AwardScore, "Score partners for the award cycle.", false},
	{AwardAdjust, "Adjust a partner's award score with a recorded reason.", false},
	{AwardRead, "Read award scores and results.", false},

	{SanctionIssue, "Issue a sanction on the ladder, citing its legal basis.", false},
	{SanctionLift, "Lift a sanction.", false},
	{SanctionRead, "Read sanctions issued and lifted.", false},
	{SanctionRecommend, "Recommend, by rule, the next sanction of the ladder for a partner's missed obligations; the server's schedule does it.", false},

	{DashboardRead, "Read the region's public dashboard.", false},

	{AccountRegister, "Register a resident's account in the region.", false},
	{TokenManage, "Create, list and revoke one's own API tokens for machine clients.", false},

	{GrantRead, "Read who holds which role at which scope.", false},
	{GrantManage, "Grant and revoke roles at scopes.", false},

	{PolicyExplain, "Read the region's policy set and the explanation of any decision.", false},

	{DecisionRead, "Read the public part of the audit log: published decisions.", false},
	{AuditRead, "Read the audit log.", false},
	{AuditVerify, "Verify the audit log's hash chain.", false},
	{AuditErase, "Remove or rewrite audit entries; no role may ever hold it, because the audit log is append-only.", false},

	{RegionConfigure, "Change the region's configuration: areas, institutions, regulation parameters.", false},

	{RegionOnboard, "Onboard a new region onto the platform.", true},
	{NationalRead, "Read national aggregates and every region's prerequisite gaps.", true},
	{NationalAdminGrant, "Make an account of the platform a national admin; the national-admin command does it.", true},
}

// knownRoles and knownPermissions are the two catalogues by name.
var (
	knownRoles       = newCatalogue("role", ErrUnknownRole, roleCatalogue)
	knownPermissions = newCatalogue("permission", ErrUnknownPermission, permissionCatalogue)
)

// A catalogue is the closed list of roles or of permissions, by name.
type catalogue[K Role | Permission] struct {
	what    string // "role" or "permission", for messages
	unknown error  // the error category of a name the catalogue lacks
	names   []K    // in catalogue order
	entries map[K]entry
}

// entry is what the catalogue says of one name.
type entry struct {
	place       int // in the catalogue, which is also the canonical order of rules
	description string
	platform    bool
}

func newCatalogue[K Role | Permission](what string, unknown error, list []Info[K]) catalogue[K] {
	c := catalogue[K]{what: what, unknown: unknown, entries: make(map[K]entry, len(list))}
	for i, v := range list {
		c.names = append(c.names, v.Name)
		c.entries[v.Name] = entry{place: i, description: v.Description, platform: v.Platform}
	}
	return c
}

// unknownName is the error for a name the catalogue lacks.
func (c catalogue[K]) unknownName(name string) error {
	return &reason{fmt.Sprintf("unknown %s %q", c.what, name), c.unknown}
}

// known returns the name as one of the catalogue's.
func (c catalogue[K]) known(name string) (K, error) {
	if _, ok := c.entries[K(name)]; !ok {
		return "", c.unknownName(name)
	}
	return K(name), nil
}

// parse is known for the package's callers: the error says it comes from here.
func (c catalogue[K]) parse(name string) (K, error) {
	k, err := c.known(name)
	if err != nil {
		return "", fmt.Errorf("policies: %w", err)
	}
	return k, nil
}

// regional checks that name is one a region's policy may name.
func (c catalogue[K]) regional(name string) (K, error) {
	k, err := c.known(name)
	if err == nil && c.entries[k].platform {
		err = &reason{fmt.Sprintf("%s is a platform %s and cannot appear in a region's policy", k, c.what), ErrGuardrail}
	}
	return k, err
}

// ofPlatform checks that name is one the platform policy may name.
func (c catalogue[K]) ofPlatform(name string) (K, error) {
	k, err := c.known(name)
	if err == nil && !c.entries[k].platform {
		err = &reason{fmt.Sprintf("%s is a regional %s and cannot appear in the platform policy", k, c.what), ErrGuardrail}
	}
	return k, err
}

// regionalNames lists the names a region's policy set may name, in catalogue order.
func (c catalogue[K]) regionalNames() []K {
	var out []K
	for _, k := range c.names {
		if !c.entries[k].platform {
			out = append(out, k)
		}
	}
	return out
}

// Roles returns the whole role catalogue, regional roles first, in catalogue order.
func Roles() []RoleInfo { return slices.Clone(roleCatalogue) }

// Permissions returns the whole permission catalogue, regional permissions first,
// in catalogue order.
func Permissions() []PermissionInfo { return slices.Clone(permissionCatalogue) }

// RegionalRoles returns the roles a region's policy set may name, in catalogue order.
func RegionalRoles() []Role { return knownRoles.regionalNames() }

// RegionalPermissions returns the permissions a region's policy set may name, in
// catalogue order.
func RegionalPermissions() []Permission { return knownPermissions.regionalNames() }

// Known reports whether r is in the catalogue.
func (r Role) Known() bool { _, ok := knownRoles.entries[r]; return ok }

// Platform reports whether r is a platform role, outside any single region.
func (r Role) Platform() bool { return knownRoles.entries[r].platform }

// Description returns the catalogue's description of r, or "" for an unknown role.
func (r Role) Description() string { return knownRoles.entries[r].description }

// Known reports whether p is in the catalogue.
func (p Permission) Known() bool { _, ok := knownPermissions.entries[p]; return ok }

// Platform reports whether p is a platform permission, outside any single region.
func (p Permission) Platform() bool { return knownPermissions.entries[p].platform }

// Description returns the catalogue's description of p, or "" for an unknown permission.
func (p Permission) Description() string { return knownPermissions.entries[p].description }

// ParseRole returns the catalogue role named name. The error wraps ErrUnknownRole
// when there is none.
func ParseRole(name string) (Role, error) { return knownRoles.parse(name) }

// ParsePermission returns the catalogue permission named name. The error wraps
// ErrUnknownPermission when there is none.
func ParsePermission(name string) (Permission, error) { return knownPermissions.parse(name) }

// platformRole checks that name is a platform role, or the system, which acts
// on the platform too: the national-admin command.
func platformRole(name string) (Role, error) {
	if Role(name) == System {
		return System, nil
	}
	return knownRoles.ofPlatform(name)
}
