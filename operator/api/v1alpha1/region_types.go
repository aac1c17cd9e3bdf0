package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Pillar names a partnership model a region runs.
// +kubebuilder:validation:Enum=TwoPillar;FourPillar
type Pillar string

const (
	// TwoPillar is the government + community model, funded from the regional budget.
	TwoPillar Pillar = "TwoPillar"
	// FourPillar is the government + companies' CSR + universities + community model.
	FourPillar Pillar = "FourPillar"
)

// RegionKind says whether a region is a city or a regency.
// +kubebuilder:validation:Enum=Kota;Kabupaten
type RegionKind string

const (
	// Kota is a city; its wards are kelurahan.
	Kota RegionKind = "Kota"
	// Kabupaten is a regency; most of its wards are desa.
	Kabupaten RegionKind = "Kabupaten"
)

// RegionSpec is a region's regulations, written as data.
type RegionSpec struct {
	// Code is the official code of the kota or kabupaten, e.g. "32.73" for Kota Bandung.
	// +kubebuilder:validation:Pattern=`^[0-9]{2}\.[0-9]{2}$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="the region code is immutable"
	Code string `json:"code"`

	// Name is the region's official name, e.g. "Kota Bandung".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Name string `json:"name"`

	// Kind is Kota or Kabupaten.
	Kind RegionKind `json:"kind"`

	// TimeZone is the IANA zone dates are shown in (Asia/Jakarta, Asia/Makassar, Asia/Jayapura).
	// +optional
	// +kubebuilder:default="Asia/Jakarta"
	TimeZone string `json:"timeZone,omitempty"`

	// Languages the portal offers, the default first. Bahasa Indonesia ("id") must be among them.
	// +kubebuilder:validation:MinItems=1
	// +listType=set
	Languages []string `json:"languages"`

	// Pillars are the partnership models the region runs: one or both.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=2
	// +listType=set
	Pillars []Pillar `json:"pillars"`

	// Areas is the administrative tree: kecamatan and their kelurahan or desa.
	Areas Areas `json:"areas"`

	// InstitutionTypes are the community institutions of each ward and the activities each may propose.
	// +optional
	// +listType=map
	// +listMapKey=key
	InstitutionTypes []InstitutionType `json:"institutionTypes,omitempty"`

	// TwoPillar holds the two-pillar rules; required when the region runs that model.
	// +optional
	TwoPillar *TwoPillarSpec `json:"twoPillar,omitempty"`

	// FourPillar holds the four-pillar rules; required when the region runs that model.
	// +optional
	FourPillar *FourPillarSpec `json:"fourPillar,omitempty"`

	// LegalBasis lists the regulations in force and what each covers.
	// +optional
	LegalBasis []Regulation `json:"legalBasis,omitempty"`

	// Policy holds the region's overrides of the national baseline policy.
	// +optional
	Policy PolicySpec `json:"policy,omitempty"`

	// Database says where the operator provisions the region's own database.
	// The embedded mode ignores it.
	// +optional
	Database DatabaseSpec `json:"database,omitempty"`

	// Serving says how the region is served: by the shared API server or by a
	// Deployment of its own.
	// +optional
	Serving ServingSpec `json:"serving,omitempty"`

	// Suspend stops reconciling the region; what exists is left as it is.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ReclaimPolicy says what happens to a region's database when the Region is deleted.
// +kubebuilder:validation:Enum=Retain;Delete
type ReclaimPolicy string

// The reclaim policies.
const (
	// Retain keeps the database, the role (its login disabled) and the credentials Secret.
	Retain ReclaimPolicy = "Retain"
	// Delete drops the database and then the role.
	Delete ReclaimPolicy = "Delete"
)

// DatabaseSpec names the region's database and the server it lives on.
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.name) || (has(self.name) && self.name == oldSelf.name)",message="database name is immutable once set"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.role) || (has(self.role) && self.role == oldSelf.role)",message="database role is immutable once set"
type DatabaseSpec struct {
	// Server is the PostgreSQL server the database is provisioned on.
	// +optional
	Server ServerRef `json:"server,omitempty"`
	// Name of the database; "pilar_<region>" when empty.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z_][a-z0-9_]{0,62}$`
	// +kubebuilder:validation:XValidation:rule="!(self in ['postgres', 'template0', 'template1']) && !self.startsWith('pg_')",message="reserved database name"
	Name string `json:"name,omitempty"`
	// Role is the login role that owns the database; the database name when empty.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z_][a-z0-9_]{0,62}$`
	// +kubebuilder:validation:XValidation:rule="!(self in ['postgres']) && !self.startsWith('pg_')",message="reserved role name"
	Role string `json:"role,omitempty"`
	// ConnectionLimit bounds the role's connections on the server.
	// +optional
	// +kubebuilder:default=20
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	ConnectionLimit int32 `json:"connectionLimit,omitempty"`
	// ReclaimPolicy is Retain (the default) or Delete.
	// +optional
	// +kubebuilder:default=Retain
	ReclaimPolicy ReclaimPolicy `json:"reclaimPolicy,omitempty"`
}

// ServerRef points at a PostgreSQL server through a Secret, in the operator's
// namespace, holding its admin credentials: host, port, username, password.
type ServerRef struct {
	// SecretName of the admin credentials; the operator's default server when empty.
	// +optional
	SecretName string `json:"secretName,omitempty"`
}

// ServingMode says who serves a region.
// +kubebuilder:validation:Enum=Shared;Dedicated
type ServingMode string

// The serving modes.
const (
	// Shared: the shared API server serves the region once it is Ready.
	Shared ServingMode = "Shared"
	// Dedicated: a Deployment and Service serve this region alone.
	Dedicated ServingMode = "Dedicated"
)

// ServingSpec says how a region is served.
// +kubebuilder:validation:XValidation:rule="self.mode == 'Dedicated' || (!has(self.replicas) && !has(self.resources))",message="replicas and resources are only for the Dedicated mode"
type ServingSpec struct {
	// Mode is Shared (the default) or Dedicated.
	// +optional
	// +kubebuilder:default=Shared
	Mode ServingMode `json:"mode,omitempty"`
	// Replicas of the dedicated Deployment.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=50
	Replicas *int32 `json:"replicas,omitempty"`
	// Resources of the dedicated API server's container.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
	// Host is the region's host name, e.g. bandung.pilar.go.id.
	// +optional
	Host string `json:"host,omitempty"`
}

// Areas is the administrative tree of a region, written inline, as CSV in the
// official code format (kept in the manifest so that the same file works with
// kubectl and in the embedded mode), or both: the two are merged and a code may
// appear once.
type Areas struct {
	// Kecamatan written inline.
	// +optional
	Kecamatan []Kecamatan `json:"kecamatan,omitempty"`

	// CSV in the official code format, one area per line:
	// code,parent_code,name[,population[,rw_count]]. A header line starting with "code" is skipped.
	// +optional
	CSV string `json:"csv,omitempty"`
}

// Kecamatan is a sub-district and its wards.
type Kecamatan struct {
	// Code is the official code, e.g. "32.73.01".
	// +kubebuilder:validation:Pattern=`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$`
	Code string `json:"code"`
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// Wards are the kecamatan's kelurahan or desa.
	// +optional
	Wards []Ward `json:"wards,omitempty"`
}

// Ward is a kelurahan or a desa. Its kind follows from its code: the last four
// digits start with 1 for a kelurahan and 2 for a desa.
type Ward struct {
	// Code is the official code, e.g. "32.73.01.1001".
	// +kubebuilder:validation:Pattern=`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[12][0-9]{3}$`
	Code string `json:"code"`
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// Population is the number of residents, the base of participation rates.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Population int64 `json:"population,omitempty"`
	// RW is the number of rukun warga in the ward; each has its own RW institution.
	// +optional
	// +kubebuilder:validation:Minimum=0
	RW int32 `json:"rw,omitempty"`
}

// InstitutionType is a kind of community institution and its activity scope.
type InstitutionType struct {
	// Key names the type in data and URLs, e.g. "rw", "pkk", "karang-taruna", "lpm".
	// +kubebuilder:validation:Pattern=`^[a-z][a-z0-9-]{0,30}$`
	Key string `json:"key"`
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// PerRW is true when every RW of a ward has its own institution of this type.
	// +optional
	PerRW bool `json:"perRW,omitempty"`
	// Scope lists the activities the type may propose.
	// +kubebuilder:validation:MinItems=1
	Scope []Activity `json:"scope"`
}

// Activity is an activity type an institution may propose.
type Activity struct {
	// +kubebuilder:validation:Pattern=`^[a-z][a-z0-9-]{0,40}$`
	Key string `json:"key"`
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
}

// Level is a level of the administrative tree.
// +kubebuilder:validation:Enum=Region;Kecamatan;Ward
type Level string

// The levels of the administrative tree, from the top.
const (
	LevelRegion    Level = "Region"
	LevelKecamatan Level = "Kecamatan"
	LevelWard      Level = "Ward"
)

// TwoPillarSpec holds the rules of the government + community model.
type TwoPillarSpec struct {
	// AllocationPerInstitution is each institution's yearly allocation in whole rupiah,
	// spent in kind on activities and never paid out in cash.
	// +kubebuilder:validation:Minimum=0
	AllocationPerInstitution int64 `json:"allocationPerInstitution"`
	// BudgetUser is the level holding the budget (Pengguna Anggaran).
	// +kubebuilder:default=Kecamatan
	BudgetUser Level `json:"budgetUser,omitempty"`
	// DelegatedBudgetUser is the level the budget is delegated to (Kuasa Pengguna Anggaran).
	// +kubebuilder:default=Ward
	DelegatedBudgetUser Level `json:"delegatedBudgetUser,omitempty"`
	// Musrenbang holds the deliberation's quorum rule.
	Musrenbang MusrenbangRules `json:"musrenbang"`
	// ComplaintResponseDays is how long a complaint may wait for a response.
	// +kubebuilder:validation:Minimum=1
	ComplaintResponseDays int32 `json:"complaintResponseDays"`
	// FindingResponseDays is how long a supervisor's finding may wait for a response.
	// +optional
	// +kubebuilder:default=30
	// +kubebuilder:validation:Minimum=1
	FindingResponseDays int32 `json:"findingResponseDays,omitempty"`
	// ReportDeadlineDays is how long after an activity ends its realisation report is due.
	// +optional
	// +kubebuilder:default=30
	// +kubebuilder:validation:Minimum=1
	ReportDeadlineDays int32 `json:"reportDeadlineDays,omitempty"`
}

// AttendanceCategory is a category of Musrenbang attendee.
// +kubebuilder:validation:Enum=rt-board;rw-board;community-leader;religious-leader;women-leader;youth-leader;resident
type AttendanceCategory string

// MusrenbangRules is a region's quorum rule for a Musrenbang.
type MusrenbangRules struct {
	// MinAttendance is the least number of attendees for a quorum.
	// +kubebuilder:validation:Minimum=1
	MinAttendance int32 `json:"minAttendance"`
	// RequiredCategories must each have at least one attendee.
	// +optional
	// +listType=set
	RequiredCategories []AttendanceCategory `json:"requiredCategories,omitempty"`
}

// FourPillarSpec holds the rules of the government + companies + universities + community model.
type FourPillarSpec struct {
	// PriorityAreas are the areas CSR activities are aligned with.
	// +kubebuilder:validation:MinItems=1
	// +listType=map
	// +listMapKey=key
	PriorityAreas []PriorityArea `json:"priorityAreas"`
	// PlanDeadlineDays is how long after its board's approval a partner has to submit its CSR plan.
	// +kubebuilder:validation:Minimum=1
	PlanDeadlineDays int32 `json:"planDeadlineDays"`
	// RealisationDeadlineDays is how long after an activity its realisation report is due.
	// +kubebuilder:validation:Minimum=1
	RealisationDeadlineDays int32 `json:"realisationDeadlineDays"`
	// RequestExpiryDays is how long a CSR request stays open for a partner to claim it.
	// +kubebuilder:validation:Minimum=1
	RequestExpiryDays int32 `json:"requestExpiryDays"`
	// ForumCadenceMonths is how often the CSR forum meets.
	// +kubebuilder:validation:Minimum=1
	ForumCadenceMonths int32 `json:"forumCadenceMonths"`
	// AwardCycleYears is how often awards are given.
	// +kubebuilder:validation:Minimum=1
	AwardCycleYears int32 `json:"awardCycleYears"`
	// AwardCriteria are the award criteria and their weights in percent; the weights sum to 100.
	// +kubebuilder:validation:MinItems=1
	// +listType=map
	// +listMapKey=key
	AwardCriteria []AwardCriterion `json:"awardCriteria"`
	// SanctionLadder is the sequence of sanctions, mildest first.
	// +kubebuilder:validation:MinItems=1
	SanctionLadder []string `json:"sanctionLadder"`
}

// PriorityArea is a CSR priority area and its targets.
type PriorityArea struct {
	// +kubebuilder:validation:Pattern=`^[a-z][a-z0-9-]{0,40}$`
	Key string `json:"key"`
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
	// +kubebuilder:validation:MinItems=1
	Targets []Target `json:"targets"`
}

// Target is one target of a priority area.
type Target struct {
	// +kubebuilder:validation:Pattern=`^[a-z][a-z0-9-]{0,40}$`
	Key string `json:"key"`
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
}

// AwardCriterion is one weighted award criterion.
type AwardCriterion struct {
	// Key is one of commitment, alignment, deviation, reporting, sustainability, documents.
	// +kubebuilder:validation:Enum=commitment;alignment;deviation;reporting;sustainability;documents
	Key string `json:"key"`
	// Weight in percent.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Weight int32 `json:"weight"`
}

// RegulationKind is the legal instrument of a regulation.
// +kubebuilder:validation:Enum=Perda;Perwal;Perbup;Kepwal;Kepbup;Pergub;Permendagri
type RegulationKind string

// Prerequisite is something the study requires a region to regulate before it replicates a model.
// +kubebuilder:validation:Enum=community-institutions;procurement;partnership-model;technical-guidelines;csr-obligation;third-party-contributions;csr-forum
type Prerequisite string

// The prerequisites of each model (DESIGN.md, "Prerequisites are checked, not assumed").
const (
	PrereqCommunityInstitutions   Prerequisite = "community-institutions"
	PrereqProcurement             Prerequisite = "procurement"
	PrereqPartnershipModel        Prerequisite = "partnership-model"
	PrereqTechnicalGuidelines     Prerequisite = "technical-guidelines"
	PrereqCSRObligation           Prerequisite = "csr-obligation"
	PrereqThirdPartyContributions Prerequisite = "third-party-contributions"
	PrereqCSRForum                Prerequisite = "csr-forum"
)

// Regulation is one regulation in force.
type Regulation struct {
	Kind RegulationKind `json:"kind"`
	// Number as written in the regulation, e.g. "281" or "138/Kep.440-Bag.Pem Um".
	// +kubebuilder:validation:MinLength=1
	Number string `json:"number"`
	// +kubebuilder:validation:Minimum=1945
	// +kubebuilder:validation:Maximum=2100
	Year int32 `json:"year"`
	// +kubebuilder:validation:MinLength=1
	Title string `json:"title"`
	// Covers lists the prerequisites this regulation satisfies.
	// +optional
	// +listType=set
	Covers []Prerequisite `json:"covers,omitempty"`
}

// PolicySpec holds a region's policy overrides.
type PolicySpec struct {
	// Overrides adds or removes permissions of the national baseline, one rule a line
	// (grammar in the policies package); they may not exceed the national guardrails.
	// +optional
	Overrides string `json:"overrides,omitempty"`
}

// RegionStatus is what the operator observed and did.
type RegionStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: DatabaseReady, PolicyReady, ServingReady, PrerequisitesMet, Ready.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Database is the name of the provisioned database, Role its owner.
	// +optional
	Database string `json:"database,omitempty"`
	// +optional
	Role string `json:"role,omitempty"`
	// SecretName holds the region's database credentials, in the operator's namespace.
	// +optional
	SecretName string `json:"secretName,omitempty"`
	// PolicyConfigMap holds the rendered policy set, in the operator's namespace.
	// +optional
	PolicyConfigMap string `json:"policyConfigMap,omitempty"`
	// SchemaVersion is the newest migration applied to the database.
	// +optional
	SchemaVersion string `json:"schemaVersion,omitempty"`
	// PolicyHash is the hash of the policy set in PolicyConfigMap.
	// +optional
	PolicyHash string `json:"policyHash,omitempty"`
}

// The condition types of a Region.
const (
	ConditionDatabaseReady    = "DatabaseReady"
	ConditionPolicyReady      = "PolicyReady"
	ConditionServingReady     = "ServingReady"
	ConditionPrerequisitesMet = "PrerequisitesMet"
	ConditionReady            = "Ready"
)

// Region is one tenant of Pilar: a kota or kabupaten and its regulations.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Code",type=string,JSONPath=`.spec.code`
// +kubebuilder:printcolumn:name="Pillars",type=string,JSONPath=`.spec.pillars`
// +kubebuilder:printcolumn:name="Serving",type=string,JSONPath=`.spec.serving.mode`
// +kubebuilder:printcolumn:name="Prerequisites",type=string,JSONPath=`.status.conditions[?(@.type=="PrerequisitesMet")].status`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Region struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RegionSpec   `json:"spec"`
	Status RegionStatus `json:"status,omitempty"`
}

// RegionList is a list of Regions.
//
// +kubebuilder:object:root=true
type RegionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Region `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Region{}, &RegionList{})
}
