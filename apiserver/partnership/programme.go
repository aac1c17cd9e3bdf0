package partnership

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ProgrammeState is where a programme stands.
type ProgrammeState string

// The states of a programme.
const (
	ProgrammeActive    ProgrammeState = "active"
	ProgrammeCompleted ProgrammeState = "completed"
	ProgrammeCancelled ProgrammeState = "cancelled"
)

// ProgrammeMachine is the life of a programme: active until completed or cancelled.
var ProgrammeMachine = machine[ProgrammeState]{
	ProgrammeActive: {ProgrammeCompleted, ProgrammeCancelled},
}

// Where programmes come from.
const (
	FromPlan    = "plan"    // an activity of an approved CSR plan
	FromRequest = "request" // a claimed CSR request
	FromIdea    = "idea"    // an innovation idea the forum adopted
)

// Programme is work the pillars do together, followed up by a sector agency.
type Programme struct {
	ID             int64
	Source         string // plan, request or idea
	PartnerID      int64  // the partner whose plan or claim it is; 0 for an idea's
	Area           string // priority-area key
	WardCode       string // where it happens, when that is one ward
	Title          string
	SectorAgency   string // the SKPD that follows it up
	FiscalYear     int
	State          ProgrammeState
	Beneficiaries  int
	PlanActivityID int64
	RequestID      int64
	IdeaID         int64
	CreatedAt      time.Time
	Version        int
}

// ProgrammeInput makes a programme from an approved plan's activity or a
// claimed request, or changes one.
type ProgrammeInput struct {
	Source        string `json:"source"`   // plan or request
	Activity      int64  `json:"activity"` // the plan activity, for source plan
	Request       int64  `json:"request"`  // the claimed request, for source request
	Title         string `json:"title"`    // defaults to the activity's or request's
	Area          string `json:"area"`     // for a request offered without one
	SectorAgency  string `json:"sectorAgency"`
	Beneficiaries int    `json:"beneficiaries"`
}

func (in ProgrammeInput) check() error {
	if err := checkText("sectorAgency", in.SectorAgency, 1, 120); err != nil {
		return err
	}
	if err := checkText("title", in.Title, 0, 200); err != nil {
		return err
	}
	return checkCount("beneficiaries", in.Beneficiaries, maxBeneficiaries, "a number")
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return def
}

// ProgrammeFromActivity makes a programme of an activity of an approved plan
// the secretariat aligned with a priority area.
func (r *Region) ProgrammeFromActivity(plan *CSRPlan, activity int64, in ProgrammeInput, now time.Time) (*Programme, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if plan.State != PlanApproved {
		return nil, fmt.Errorf("%w: %s is %s; only an approved plan's activities become programmes", ErrConflict, plan.name(), plan.State)
	}
	a, ok := plan.Activity(activity)
	if !ok {
		return nil, Invalid("activity", "activity %d is not in %s", activity, plan.name())
	}
	if a.Alignment != Aligned && a.Alignment != Partial {
		return nil, fmt.Errorf("%w: activity %d is aligned with none of the region's priorities", ErrConflict, a.ID)
	}
	p := &Programme{Source: FromPlan, PartnerID: plan.PartnerID, Area: a.AlignedArea, Title: orDefault(in.Title, a.Title),
		SectorAgency: strings.TrimSpace(in.SectorAgency), FiscalYear: plan.FiscalYear, State: ProgrammeActive,
		Beneficiaries: in.Beneficiaries, PlanActivityID: a.ID, CreatedAt: now.UTC()}
	if r.ScopeLevel(a.Location) == "ward" {
		p.WardCode = a.Location
	}
	return p, nil
}

// ProgrammeFromRequest makes a programme of a claimed request, with its
// claimer as partner; the request becomes programmed. A request offered
// without a priority area gets the one given here.
func (r *Region) ProgrammeFromRequest(q *CSRRequest, in ProgrammeInput, now time.Time) (*Programme, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if err := RequestMachine.Check(q.name(), q.State, RequestProgrammed); err != nil {
		return nil, err
	}
	area := q.Area
	if area == "" {
		if err := r.checkArea("area", in.Area); err != nil {
			return nil, err
		}
		area = in.Area
	} else if in.Area != "" && in.Area != area {
		return nil, Invalid("area", "the request is in the area %s", area)
	}
	p := &Programme{Source: FromRequest, PartnerID: q.ClaimedBy, Area: area, WardCode: q.WardCode, Title: orDefault(in.Title, q.Title),
		SectorAgency: strings.TrimSpace(in.SectorAgency), FiscalYear: r.year(now), State: ProgrammeActive,
		Beneficiaries: in.Beneficiaries, RequestID: q.ID, CreatedAt: now.UTC()}
	q.State = RequestProgrammed
	return p, nil
}

// ProgrammeChange is what the follow-up of a programme may change.
type ProgrammeChange struct {
	SectorAgency  *string         `json:"sectorAgency,omitempty"`
	Beneficiaries *int            `json:"beneficiaries,omitempty"`
	State         *ProgrammeState `json:"state,omitempty"`
}

// Change reassigns a programme's sector agency, updates its beneficiaries,
// or completes or cancels it.
func (p *Programme) Change(in ProgrammeChange) error {
	if in.SectorAgency == nil && in.Beneficiaries == nil && in.State == nil {
		return Invalid("body", "change sectorAgency, beneficiaries or state")
	}
	if p.State != ProgrammeActive {
		return fmt.Errorf("%w: programme %d is %s and no longer changes", ErrConflict, p.ID, p.State)
	}
	if in.SectorAgency != nil {
		if err := checkText("sectorAgency", *in.SectorAgency, 1, 120); err != nil {
			return err
		}
	}
	if in.Beneficiaries != nil {
		if err := checkCount("beneficiaries", *in.Beneficiaries, maxBeneficiaries, "a number"); err != nil {
			return err
		}
	}
	if in.State != nil {
		if err := ProgrammeMachine.Check(fmt.Sprintf("programme %d", p.ID), p.State, *in.State); err != nil {
			return err
		}
	}
	if in.SectorAgency != nil {
		p.SectorAgency = strings.TrimSpace(*in.SectorAgency)
	}
	if in.Beneficiaries != nil {
		p.Beneficiaries = *in.Beneficiaries
	}
	if in.State != nil {
		p.State = *in.State
	}
	return nil
}

// ContributionKind is what a pillar brings to a programme.
type ContributionKind string

// The kinds of contribution.
const (
	ContributeFunds      ContributionKind = "funds"
	ContributeStaff      ContributionKind = "staff"
	ContributeFacilities ContributionKind = "facilities"
	ContributeResearch   ContributionKind = "research"
	ContributeLabour     ContributionKind = "labour"
	ContributeInKind     ContributionKind = "in-kind"
)

// ContributionKinds says what each pillar contributes: companies funds (and
// their staff, facilities and goods), the government staff and facilities,
// universities research, staff and facilities, communities labour and goods.
// The government's money flows through the regional budget, not through here.
var ContributionKinds = map[Stakeholder][]ContributionKind{
	StakeholderCompany:    {ContributeFunds, ContributeStaff, ContributeFacilities, ContributeInKind},
	StakeholderGovernment: {ContributeStaff, ContributeFacilities},
	StakeholderUniversity: {ContributeResearch, ContributeStaff, ContributeFacilities},
	StakeholderCommunity:  {ContributeLabour, ContributeInKind},
}

// MaxContributions bounds a programme's ledger, so that its sums cannot overflow.
const MaxContributions = 5_000

// Contribution is one entry of a programme's ledger.
type Contribution struct {
	ID          int64
	ProgrammeID int64
	Pillar      Stakeholder
	Kind        ContributionKind
	Amount      Rupiah // the funds given, or the estimated value of the rest (may be 0)
	Quantity    int    // e.g. 12 (staff), 300 (person-days)
	Unit        string // e.g. "people", "person-days", "rooms"
	Description string
	PartnerID   int64 // the company or university that gave it
	AccountID   int64 // who recorded it
	RecordedAt  time.Time
}

// ContributionInput is one contribution as recorded.
type ContributionInput struct {
	Kind        ContributionKind `json:"kind"`
	Amount      Rupiah           `json:"amount"`
	Quantity    int              `json:"quantity"`
	Unit        string           `json:"unit"`
	Description string           `json:"description"`
	Partner     int64            `json:"partner,omitempty"` // the company or university, when the account acts for several
}

// Contribute validates a contribution of a pillar to an active programme
// holding fewer than MaxContributions: funds in rupiah (more than zero), or
// another kind with its quantity and estimated value (which may be zero).
func (p *Programme) Contribute(pillar Stakeholder, in ContributionInput, partner *Partner, accountID int64, already int, now time.Time) (*Contribution, error) {
	if p.State != ProgrammeActive {
		return nil, fmt.Errorf("%w: programme %d is %s and takes no more contributions", ErrConflict, p.ID, p.State)
	}
	if already >= MaxContributions {
		return nil, fmt.Errorf("%w: programme %d already holds %d contributions", ErrConflict, p.ID, already)
	}
	kinds, ok := ContributionKinds[pillar]
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a pillar", ErrForbidden, pillar)
	}
	if !slices.Contains(kinds, in.Kind) {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = string(k)
		}
		return nil, Invalid("kind", "the %s pillar contributes %s", pillar, strings.Join(names, ", "))
	}
	if err := CheckAmount("amount", in.Amount, in.Kind != ContributeFunds); err != nil {
		return nil, err
	}
	if err := checkCount("quantity", in.Quantity, 1_000_000_000, "a number"); err != nil {
		return nil, err
	}
	if in.Kind != ContributeFunds && in.Quantity == 0 && in.Amount == 0 {
		return nil, Invalid("quantity", "say how much is given, or its estimated value")
	}
	if err := checkText("unit", in.Unit, 0, 40); err != nil {
		return nil, err
	}
	if in.Quantity > 0 && strings.TrimSpace(in.Unit) == "" {
		return nil, Invalid("unit", "required with a quantity, e.g. people, person-days, rooms")
	}
	if err := checkText("description", in.Description, 1, 1000); err != nil {
		return nil, err
	}
	c := &Contribution{ProgrammeID: p.ID, Pillar: pillar, Kind: in.Kind, Amount: in.Amount, Quantity: in.Quantity,
		Unit: strings.TrimSpace(in.Unit), Description: strings.TrimSpace(in.Description), AccountID: accountID, RecordedAt: now.UTC()}
	if pillar == StakeholderCompany || pillar == StakeholderUniversity {
		if partner == nil {
			return nil, fmt.Errorf("%w: a %s contributes as an approved partner of the region", ErrForbidden, pillar)
		}
		if err := partner.Active(); err != nil {
			return nil, err
		}
		if partner.Kind.Stakeholder() != pillar {
			return nil, fmt.Errorf("%w: partner %d is a %s, not a %s", ErrForbidden, partner.ID, partner.Kind, pillar)
		}
		c.PartnerID = partner.ID
	}
	return c, nil
}

// LedgerLine is what one pillar brought to a programme.
type LedgerLine struct {
	Funds         Rupiah `json:"funds"`         // money given
	EstimatedKind Rupiah `json:"estimatedKind"` // estimated value of staff, facilities, research, labour and goods
	Total         Rupiah `json:"total"`
	Contributions int    `json:"contributions"`
}

// Ledger sums a programme's contributions per pillar, and over all pillars,
// in whole rupiah. Every pillar appears, with zeros when it gave nothing.
func Ledger(cs []*Contribution) (map[Stakeholder]LedgerLine, LedgerLine) {
	by := make(map[Stakeholder]LedgerLine, len(Stakeholders))
	for _, s := range Stakeholders {
		by[s] = LedgerLine{}
	}
	var all LedgerLine
	for _, c := range cs {
		l := by[c.Pillar]
		if c.Kind == ContributeFunds {
			l.Funds += c.Amount
			all.Funds += c.Amount
		} else {
			l.EstimatedKind += c.Amount
			all.EstimatedKind += c.Amount
		}
		l.Total += c.Amount
		all.Total += c.Amount
		l.Contributions++
		all.Contributions++
		by[c.Pillar] = l
	}
	return by, all
}
