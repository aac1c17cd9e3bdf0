package partnership

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PlanState is where a partner's annual CSR plan stands.
type PlanState string

// The states of a CSR plan.
const (
	PlanSubmitted PlanState = "submitted" // waiting for the secretariat's alignment
	PlanAligned   PlanState = "aligned"   // every activity aligned; waiting for the forum
	PlanApproved  PlanState = "approved"  // by the forum; its activities may become programmes
	PlanRevision  PlanState = "revision"  // sent back by the forum, with a reason
)

// PlanMachine is the life of a CSR plan: the secretariat aligns it (and may
// correct the alignment until the forum decides), the forum approves it or
// sends it back, and a plan sent back is submitted again.
var PlanMachine = machine[PlanState]{
	PlanSubmitted: {PlanAligned},
	PlanAligned:   {PlanAligned, PlanApproved, PlanRevision},
	PlanRevision:  {PlanSubmitted},
}

// Alignment is how well one activity of a plan matches the region's priorities.
type Alignment string

// The degrees of alignment.
const (
	Aligned    Alignment = "aligned"     // with a priority area and one of its targets
	Partial    Alignment = "partial"     // with a priority area, loosely with the target
	NotAligned Alignment = "not-aligned" // with none of the region's priorities
)

// CSRPlan is a partner's annual CSR plan.
type CSRPlan struct {
	ID              int64
	PartnerID       int64
	FiscalYear      int
	BoardApprovedAt time.Time // when the partner's board approved it
	SubmittedAt     time.Time
	DueAt           time.Time // the board's approval plus the region's plan deadline
	Late            bool      // submitted after DueAt: accepted, and flagged
	State           PlanState
	Reason          string // why the forum asked for a revision
	MeetingID       int64  // the forum meeting that decided it last
	DecidedAt       *time.Time
	Activities      []PlanActivity
	Version         int
}

// PlanActivity is one activity of a plan: what, where, for whom, to what end
// and with how much money, and the secretariat's alignment of it.
type PlanActivity struct {
	ID            int64
	PlanID        int64
	Title         string
	Location      string // a kecamatan or ward code
	Area          string // the priority area the partner puts it in
	Target        string // whom it serves, in the partner's words
	Goal          string
	Financing     Rupiah
	AlignedArea   string
	AlignedTarget string
	Alignment     Alignment // "" until aligned
}

// PlanInput is what a partner writes in its plan.
type PlanInput struct {
	Partner         int64           `json:"partner"` // the partner, when the account acts for several
	FiscalYear      int             `json:"fiscalYear"`
	BoardApprovedAt time.Time       `json:"boardApprovedAt"`
	Activities      []ActivityInput `json:"activities"`
}

// ActivityInput is one activity of a plan as the partner writes it.
type ActivityInput struct {
	Title     string `json:"title"`
	Location  string `json:"location"`
	Area      string `json:"area"`
	Target    string `json:"target"`
	Goal      string `json:"goal"`
	Financing Rupiah `json:"financing"`
}

// MaxPlanActivities bounds a plan's activities, and so the sum of their financing.
const MaxPlanActivities = 100

// SubmitPlan validates an approved partner's plan and makes it, submitted
// now. The board's approval must lie within the fiscal year and not in the
// future; a plan submitted after the region's deadline is accepted and flagged late.
func (r *Region) SubmitPlan(p *Partner, in PlanInput, now time.Time) (*CSRPlan, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if err := p.Active(); err != nil {
		return nil, err
	}
	if err := checkYear("fiscalYear", in.FiscalYear, r.year(now)-1); err != nil {
		return nil, err
	}
	if in.BoardApprovedAt.IsZero() {
		return nil, Invalid("boardApprovedAt", "required: when the partner's board approved the plan, as an RFC 3339 time")
	}
	start, end := r.fiscalYearBounds(in.FiscalYear)
	if in.BoardApprovedAt.After(now) {
		return nil, Invalid("boardApprovedAt", "is in the future")
	}
	if in.BoardApprovedAt.Before(start) || !in.BoardApprovedAt.Before(end) {
		return nil, Invalid("boardApprovedAt", "must fall in the fiscal year %d", in.FiscalYear)
	}
	plan := &CSRPlan{PartnerID: p.ID, FiscalYear: in.FiscalYear, BoardApprovedAt: in.BoardApprovedAt.UTC(), State: PlanSubmitted}
	if err := r.fillPlan(plan, in, now); err != nil {
		return nil, err
	}
	plan.DueAt = plan.BoardApprovedAt.Add(r.FourPillar.PlanDeadline)
	plan.Late = plan.SubmittedAt.After(plan.DueAt)
	return plan, nil
}

// RevisePlan submits a plan the forum sent back again, with new activities.
// Its board approval, deadline and lateness stay those of the first submission.
func (r *Region) RevisePlan(plan *CSRPlan, p *Partner, in PlanInput, now time.Time) error {
	if err := p.Active(); err != nil {
		return err
	}
	if err := PlanMachine.Check(plan.name(), plan.State, PlanSubmitted); err != nil {
		return err
	}
	if in.FiscalYear != 0 && in.FiscalYear != plan.FiscalYear {
		return Invalid("fiscalYear", "a plan stays with its fiscal year (%d)", plan.FiscalYear)
	}
	if err := r.fillPlan(plan, in, now); err != nil {
		return err
	}
	plan.State = PlanSubmitted
	return nil
}

func (r *Region) fillPlan(plan *CSRPlan, in PlanInput, now time.Time) error {
	if len(in.Activities) == 0 {
		return Invalid("activities", "a plan has at least one activity")
	}
	if len(in.Activities) > MaxPlanActivities {
		return Invalid("activities", "at most %d activities", MaxPlanActivities)
	}
	acts := make([]PlanActivity, len(in.Activities))
	for i, a := range in.Activities {
		f := fmt.Sprintf("activities.%d.", i)
		if err := checkText(f+"title", a.Title, 1, 200); err != nil {
			return err
		}
		switch r.ScopeLevel(a.Location) {
		case "kecamatan", "ward":
		default:
			return Invalid(f+"location", "%q is not a kecamatan or ward of %s", a.Location, r.Name)
		}
		if err := r.checkArea(f+"area", a.Area); err != nil {
			return err
		}
		if err := checkText(f+"target", a.Target, 1, 500); err != nil {
			return err
		}
		if err := checkText(f+"goal", a.Goal, 1, 2000); err != nil {
			return err
		}
		if err := CheckAmount(f+"financing", a.Financing, false); err != nil {
			return err
		}
		acts[i] = PlanActivity{PlanID: plan.ID, Title: strings.TrimSpace(a.Title), Location: a.Location, Area: a.Area,
			Target: strings.TrimSpace(a.Target), Goal: strings.TrimSpace(a.Goal), Financing: a.Financing}
	}
	plan.Activities, plan.SubmittedAt, plan.Reason = acts, now.UTC(), ""
	return nil
}

func (plan *CSRPlan) name() string { return fmt.Sprintf("CSR plan %d", plan.ID) }

// AlignmentInput is the secretariat's alignment of one activity.
type AlignmentInput struct {
	Activity  int64     `json:"activity"`
	Area      string    `json:"area"`
	Target    string    `json:"target"`
	Alignment Alignment `json:"alignment"`
}

// AlignPlan records the secretariat's alignment of every activity of a plan
// with a priority area and one of its targets (none, for an activity aligned
// with nothing).
func (r *Region) AlignPlan(plan *CSRPlan, in []AlignmentInput) error {
	if err := PlanMachine.Check(plan.name(), plan.State, PlanAligned); err != nil {
		return err
	}
	byID := map[int64]AlignmentInput{}
	for i, a := range in {
		f := fmt.Sprintf("activities.%d.", i)
		if !slices.ContainsFunc(plan.Activities, func(x PlanActivity) bool { return x.ID == a.Activity }) {
			return Invalid(f+"activity", "activity %d is not in %s", a.Activity, plan.name())
		}
		if _, dup := byID[a.Activity]; dup {
			return Invalid(f+"activity", "activity %d is aligned twice", a.Activity)
		}
		switch a.Alignment {
		case Aligned, Partial:
			area, ok := r.FourPillar.PriorityArea(a.Area)
			if !ok {
				return Invalid(f+"area", "%q is not a priority area of %s (%s)", a.Area, r.Name, r.FourPillar.areaKeys())
			}
			if !area.HasTarget(a.Target) {
				return Invalid(f+"target", "%q is not a target of the priority area %s", a.Target, area.Key)
			}
		case NotAligned:
			if a.Area != "" || a.Target != "" {
				return Invalid(f+"area", "an activity aligned with nothing names no area or target")
			}
		default:
			return Invalid(f+"alignment", "aligned, partial or not-aligned")
		}
		byID[a.Activity] = a
	}
	for _, x := range plan.Activities {
		if _, ok := byID[x.ID]; !ok {
			return Invalid("activities", "activity %d (%s) is not aligned; align every activity of the plan", x.ID, x.Title)
		}
	}
	for i := range plan.Activities {
		a := byID[plan.Activities[i].ID]
		plan.Activities[i].AlignedArea, plan.Activities[i].AlignedTarget, plan.Activities[i].Alignment = a.Area, a.Target, a.Alignment
	}
	plan.State = PlanAligned
	return nil
}

// AlignmentScore is how well a plan aligns: its financing by degree of
// alignment, and the share of the whole in aligned activities.
type AlignmentScore struct {
	Aligned    Rupiah      `json:"aligned"`
	Partial    Rupiah      `json:"partial"`
	NotAligned Rupiah      `json:"notAligned"`
	Unaligned  Rupiah      `json:"unaligned"` // not aligned yet
	Total      Rupiah      `json:"total"`
	Share      BasisPoints `json:"-"`
}

// Score sums the plan's financing by alignment; Share is the aligned part of
// the total in basis points, in integers. Activities are few and each at
// most MaxAmount, so the sums cannot overflow.
func (plan *CSRPlan) Score() AlignmentScore {
	var s AlignmentScore
	for _, a := range plan.Activities {
		switch a.Alignment {
		case Aligned:
			s.Aligned += a.Financing
		case Partial:
			s.Partial += a.Financing
		case NotAligned:
			s.NotAligned += a.Financing
		default:
			s.Unaligned += a.Financing
		}
		s.Total += a.Financing
	}
	s.Share = Share(int64(s.Aligned), int64(s.Total))
	return s
}

// DecidePlan applies the forum's decision on an aligned plan at a held
// meeting: approve, or send it back for revision with a reason.
func (plan *CSRPlan) DecidePlan(m *ForumMeeting, decision, reason string, now time.Time) error {
	if err := m.Open(); err != nil {
		return err
	}
	var to PlanState
	switch decision {
	case DecideApprove:
		to = PlanApproved
	case DecideRevise:
		to = PlanRevision
		if err := checkText("reason", reason, 1, 1000); err != nil {
			return err
		}
	default:
		return Invalid("decision", "approve or revise")
	}
	if plan.State != PlanAligned {
		return fmt.Errorf("%w: %s is %s; the forum decides aligned plans", ErrConflict, plan.name(), plan.State)
	}
	if err := PlanMachine.Check(plan.name(), plan.State, to); err != nil {
		return err
	}
	t := now.UTC()
	plan.State, plan.MeetingID, plan.DecidedAt = to, m.ID, &t
	if to == PlanRevision {
		plan.Reason = strings.TrimSpace(reason)
	}
	return nil
}

// Activity finds one of the plan's activities.
func (plan *CSRPlan) Activity(id int64) (*PlanActivity, bool) {
	for i := range plan.Activities {
		if plan.Activities[i].ID == id {
			return &plan.Activities[i], true
		}
	}
	return nil, false
}
