package partnership

import (
	"fmt"
	"strings"
	"time"
)

// ProposalState is where a proposal stands in the two-pillar workflow.
type ProposalState string

// The states of a proposal, from submission to evaluation.
const (
	ProposalSubmitted    ProposalState = "submitted"    // waiting for a ward Musrenbang
	ProposalFunded       ProposalState = "funded"       // committed against the institution's allocation; awaits the KPA's approval
	ProposalForwarded    ProposalState = "forwarded"    // to the kecamatan Musrenbang
	ProposalRejected     ProposalState = "rejected"     // with a reason
	ProposalSector       ProposalState = "sector"       // the kecamatan Musrenbang passed it to a sector agency
	ProposalCSR          ProposalState = "csr"          // the kecamatan Musrenbang offered it to companies as a CSR request
	ProposalApproved     ProposalState = "approved"     // the delegated budget user approved execution
	ProposalReported     ProposalState = "reported"     // the institution reported its realisation
	ProposalVerified     ProposalState = "verified"     // by the ward office
	ProposalConsolidated ProposalState = "consolidated" // by the kecamatan office
	ProposalEvaluated    ProposalState = "evaluated"    // by the regional secretariat
	ProposalReturned     ProposalState = "returned"     // a report sent back down, with a reason
	ProposalCancelled    ProposalState = "cancelled"    // its commitment released
)

// ProposalMachine is the life of a proposal. A cost change of a funded or
// approved proposal sends it back to funded: it needs the KPA's approval again.
var ProposalMachine = machine[ProposalState]{
	ProposalSubmitted:    {ProposalFunded, ProposalForwarded, ProposalRejected},
	ProposalForwarded:    {ProposalSector, ProposalCSR, ProposalRejected},
	ProposalFunded:       {ProposalApproved, ProposalCancelled, ProposalFunded},
	ProposalApproved:     {ProposalReported, ProposalCancelled, ProposalFunded},
	ProposalReported:     {ProposalVerified, ProposalReturned},
	ProposalVerified:     {ProposalConsolidated, ProposalReturned},
	ProposalConsolidated: {ProposalEvaluated, ProposalReturned},
	ProposalReturned:     {ProposalReported},
}

// Kind says whether an activity empowers or innovates, or builds physical
// infrastructure; the study found spending drifting to the latter.
type Kind string

// The kinds of activity.
const (
	Empowerment    Kind = "empowerment"
	Infrastructure Kind = "infrastructure"
)

// Proposal is an institution's proposed activity.
type Proposal struct {
	ID            int64
	Institution   string
	WardCode      string
	FiscalYear    int
	Activity      string // an activity of the institution type's scope
	Title         string
	Description   string
	Cost          Rupiah
	Beneficiaries int
	Location      string
	Kind          Kind
	State         ProposalState
	Reason        string // why it was rejected, returned or cancelled
	Agency        string // the sector agency it was passed to
	MusrenbangID  int64  // the Musrenbang that decided it last
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int // bumped by every change; a stale write is refused
}

// maxBeneficiaries bounds the people a proposal or a programme says it benefits.
const maxBeneficiaries = 10_000_000

// ProposalInput is what an institution writes in a proposal.
type ProposalInput struct {
	Institution   string `json:"institution" form:"institution"`
	FiscalYear    int    `json:"fiscalYear" form:"fiscalYear"`
	Activity      string `json:"activity" form:"activity"`
	Title         string `json:"title" form:"title"`
	Description   string `json:"description" form:"description"`
	Cost          Rupiah `json:"cost" form:"cost"`
	Beneficiaries int    `json:"beneficiaries" form:"beneficiaries"`
	Location      string `json:"location" form:"location"`
	Kind          Kind   `json:"kind" form:"kind"`
}

// Proposal validates an institution's proposal against the region's
// regulations — the activity must be in the institution type's scope — and
// makes it, submitted now.
func (r *Region) Proposal(in ProposalInput, accountID int64, now time.Time) (*Proposal, error) {
	if r.TwoPillar == nil {
		return nil, fmt.Errorf("%w: %s does not run the two-pillar model", ErrForbidden, r.Name)
	}
	inst, ok := r.Institution(in.Institution)
	if !ok {
		return nil, Invalid("institution", "%q is not an institution of %s", in.Institution, r.Name)
	}
	p := &Proposal{Institution: inst.Key, WardCode: inst.WardCode, State: ProposalSubmitted, CreatedBy: accountID, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	if err := r.fill(p, inst, in, now); err != nil {
		return nil, err
	}
	return p, nil
}

// Edit changes what a proposal says; only a proposal still waiting for its
// Musrenbang can be edited, and not its institution.
func (r *Region) Edit(p *Proposal, in ProposalInput, now time.Time) error {
	if p.State != ProposalSubmitted {
		return fmt.Errorf("%w: proposal %d is %s; only a proposal waiting for its Musrenbang can be edited", ErrConflict, p.ID, p.State)
	}
	if in.Institution != "" && in.Institution != p.Institution {
		return Invalid("institution", "a proposal stays with its institution")
	}
	inst, _ := r.Institution(p.Institution)
	if err := r.fill(p, inst, in, now); err != nil {
		return err
	}
	p.UpdatedAt = now.UTC()
	return nil
}

func (r *Region) fill(p *Proposal, inst Institution, in ProposalInput, now time.Time) error {
	typ, _ := r.InstitutionType(inst.Type)
	if !typ.Allows(in.Activity) {
		keys := make([]string, len(typ.Scope))
		for i, a := range typ.Scope {
			keys[i] = a.Key
		}
		return Invalid("activity", "%q is outside the scope of %s (%s)", in.Activity, typ.Name, strings.Join(keys, ", "))
	}
	if err := checkYear("fiscalYear", in.FiscalYear, r.year(now)); err != nil {
		return err
	}
	if err := checkText("title", in.Title, 1, 120); err != nil {
		return err
	}
	if err := checkText("description", in.Description, 1, 4000); err != nil {
		return err
	}
	if err := checkText("location", in.Location, 1, 200); err != nil {
		return err
	}
	if err := CheckAmount("cost", in.Cost, false); err != nil {
		return err
	}
	if err := checkCount("beneficiaries", in.Beneficiaries, maxBeneficiaries, "a number"); err != nil {
		return err
	}
	if in.Kind != Empowerment && in.Kind != Infrastructure {
		return Invalid("kind", "empowerment or infrastructure")
	}
	p.FiscalYear, p.Activity, p.Kind = in.FiscalYear, in.Activity, in.Kind
	p.Title, p.Description, p.Location = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description), strings.TrimSpace(in.Location)
	p.Cost, p.Beneficiaries = in.Cost, in.Beneficiaries
	return nil
}

func (p *Proposal) name() string { return fmt.Sprintf("proposal %d", p.ID) }

// Move takes a proposal to another state, checked against ProposalMachine.
// Reasons are required for rejection, return and cancellation.
func (p *Proposal) Move(to ProposalState, reason string, now time.Time) error {
	if err := ProposalMachine.Check(p.name(), p.State, to); err != nil {
		return err
	}
	switch to {
	case ProposalRejected, ProposalReturned, ProposalCancelled:
		if err := checkText("reason", reason, 1, 1000); err != nil {
			return err
		}
		p.Reason = strings.TrimSpace(reason)
	}
	p.State, p.UpdatedAt = to, now.UTC()
	return nil
}

// Committed reports whether the proposal's cost counts against its
// institution's allocation: from funding until it is cancelled.
func (s ProposalState) Committed() bool {
	switch s {
	case ProposalFunded, ProposalApproved, ProposalReported, ProposalVerified, ProposalConsolidated, ProposalEvaluated, ProposalReturned:
		return true
	}
	return false
}
