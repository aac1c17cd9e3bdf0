package partnership

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// PartnerKind is what kind of organisation a partner is.
type PartnerKind string

// The kinds of partner: companies (private, state-owned or region-owned) and universities.
const (
	PartnerCompany            PartnerKind = "company"
	PartnerStateEnterprise    PartnerKind = "state-enterprise"
	PartnerRegionalEnterprise PartnerKind = "regional-enterprise"
	PartnerUniversity         PartnerKind = "university"
)

// PartnerKinds lists the kinds of partner.
var PartnerKinds = []PartnerKind{PartnerCompany, PartnerStateEnterprise, PartnerRegionalEnterprise, PartnerUniversity}

// Stakeholder is the pillar a partner of this kind belongs to: enterprises
// owned by the state or the region are companies too.
func (k PartnerKind) Stakeholder() Stakeholder {
	if k == PartnerUniversity {
		return StakeholderUniversity
	}
	return StakeholderCompany
}

// PartnerState is where a partner's registration stands.
type PartnerState string

// The states of a partner registration.
const (
	PartnerRegistered PartnerState = "registered" // waiting for the secretariat's review
	PartnerReviewed   PartnerState = "reviewed"   // checked, and on a forum meeting's agenda
	PartnerApproved   PartnerState = "approved"   // by the forum; listed publicly
	PartnerRejected   PartnerState = "rejected"   // by the forum, with a reason
)

// PartnerMachine is the life of a registration: the secretariat reviews it
// (again, if need be, before the forum decides), the forum approves or rejects it.
var PartnerMachine = machine[PartnerState]{
	PartnerRegistered: {PartnerReviewed},
	PartnerReviewed:   {PartnerReviewed, PartnerApproved, PartnerRejected},
}

// PartnerChecklist is what the secretariat checks of a registration against
// the rules on accepting third-party contributions (in Bandung, Perda 9/2005):
// each item with what it means.
var PartnerChecklist = []struct{ Key, Check string }{
	{"legal-entity", "the partner is a registered legal entity (deed, business or university licence)"},
	{"documents-complete", "the participation letter and the proposal are complete and signed"},
	{"voluntary", "the contribution is voluntary and binds the region to nothing in return"},
	{"no-conflict-of-interest", "no licence, procurement or other decision of the region is tied to it"},
	{"priority-areas", "the proposal works in the region's priority areas"},
}

// Partner is a company or university taking part in the four-pillar model.
type Partner struct {
	ID           int64
	Kind         PartnerKind
	Name         string
	AccountID    int64    // the account that registered it and acts for it; 0 for one imported from the region's records
	Areas        []string // priority-area keys it works in
	Kecamatan    []string // kecamatan codes it works in; none means the whole region
	State        PartnerState
	RegisteredAt time.Time
	ApprovedAt   *time.Time
	Review       *PartnerReview // the secretariat's latest review
	MeetingID    int64          // the forum meeting whose agenda it is on, or that decided it
	Reason       string         // why the forum rejected it
	DecidedAt    *time.Time
	Version      int
}

// PartnerReview is the secretariat's check of a registration.
type PartnerReview struct {
	Checklist  map[string]bool `json:"checklist"`
	Notes      string          `json:"notes,omitempty"`
	Passed     bool            `json:"passed"`
	ReviewedBy int64           `json:"reviewedBy"`
	ReviewedAt time.Time       `json:"reviewedAt"`
}

// PartnerInput is what a company or university writes when it registers.
type PartnerInput struct {
	Kind      PartnerKind `json:"kind" form:"kind"`
	Name      string      `json:"name" form:"name"`
	Areas     []string    `json:"areas" form:"areas"`
	Kecamatan []string    `json:"kecamatan" form:"kecamatan"`
}

// RegisterPartner validates a registration and makes it, registered now. Its
// documents are checked by NewDocument.
func (r *Region) RegisterPartner(in PartnerInput, accountID int64, now time.Time) (*Partner, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if !slices.Contains(PartnerKinds, in.Kind) {
		return nil, Invalid("kind", "company, state-enterprise, regional-enterprise or university")
	}
	if err := checkText("name", in.Name, 2, 200); err != nil {
		return nil, err
	}
	areas, err := r.partnerAreas(in.Areas)
	if err != nil {
		return nil, err
	}
	kec, err := r.partnerKecamatan(in.Kecamatan)
	if err != nil {
		return nil, err
	}
	return &Partner{Kind: in.Kind, Name: strings.TrimSpace(in.Name), AccountID: accountID, Areas: areas, Kecamatan: kec,
		State: PartnerRegistered, RegisteredAt: now.UTC()}, nil
}

// splitList accepts a list given as repeated fields or as one comma-separated
// field, trimmed, without duplicates, sorted.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (r *Region) partnerAreas(in []string) ([]string, error) {
	areas := splitList(in)
	if len(areas) == 0 {
		return nil, Invalid("areas", "name at least one priority area (%s)", r.FourPillar.areaKeys())
	}
	for _, a := range areas {
		if err := r.checkArea("areas", a); err != nil {
			return nil, err
		}
	}
	return areas, nil
}

func (r *Region) partnerKecamatan(in []string) ([]string, error) {
	kec := splitList(in)
	for _, k := range kec {
		if r.ScopeLevel(k) != "kecamatan" {
			return nil, Invalid("kecamatan", "%q is not a kecamatan of %s", k, r.Name)
		}
	}
	if kec == nil {
		kec = []string{}
	}
	return kec, nil
}

func (p *Partner) name() string { return fmt.Sprintf("partner %d", p.ID) }

// WorksIn reports whether the partner works in a priority area and a ward:
// the area is one of its areas, and the ward lies in one of its kecamatan
// (any ward, when it lists none). An empty area is any area.
func (p *Partner) WorksIn(area, ward string) bool {
	if area != "" && !slices.Contains(p.Areas, area) {
		return false
	}
	if len(p.Kecamatan) == 0 {
		return true
	}
	for _, k := range p.Kecamatan {
		if Covers(k, ward) {
			return true
		}
	}
	return false
}

// Active reports an error unless the partner is approved by the forum.
func (p *Partner) Active() error {
	if p.State != PartnerApproved {
		return fmt.Errorf("%w: %s (%s) is %s; only a partner the forum approved can do this", ErrConflict, p.name(), p.Name, p.State)
	}
	return nil
}

// ReviewInput is the secretariat's review of a registration.
type ReviewInput struct {
	Checklist map[string]bool `json:"checklist"`
	Notes     string          `json:"notes" form:"notes"`
	Meeting   int64           `json:"meeting" form:"meeting"` // the forum meeting whose agenda it goes on
}

// ReviewPartner records the secretariat's check of a registration — every
// item of PartnerChecklist, with notes when any fails — and puts it on the
// agenda of a forum meeting that is not closed yet.
func (p *Partner) ReviewPartner(in ReviewInput, m *ForumMeeting, by int64, now time.Time) error {
	if err := PartnerMachine.Check(p.name(), p.State, PartnerReviewed); err != nil {
		return err
	}
	known := map[string]bool{}
	for _, c := range PartnerChecklist {
		known[c.Key] = true
	}
	keys := make([]string, 0, len(in.Checklist))
	for k := range in.Checklist {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			return Invalid("checklist."+k, "not an item of the checklist")
		}
	}
	passed := true
	checklist := make(map[string]bool, len(PartnerChecklist))
	for _, c := range PartnerChecklist {
		ok, given := in.Checklist[c.Key]
		if !given {
			return Invalid("checklist."+c.Key, "check whether %s", c.Check)
		}
		checklist[c.Key] = ok
		passed = passed && ok
	}
	if err := checkText("notes", in.Notes, 0, 2000); err != nil {
		return err
	}
	if !passed && strings.TrimSpace(in.Notes) == "" {
		return Invalid("notes", "say why the registration fails the checklist")
	}
	if m == nil {
		return Invalid("meeting", "name the forum meeting whose agenda it goes on")
	}
	if m.State == ForumClosed {
		return fmt.Errorf("%w: %s is closed; put the registration on a coming meeting's agenda", ErrConflict, m.name())
	}
	p.Review = &PartnerReview{Checklist: checklist, Notes: strings.TrimSpace(in.Notes), Passed: passed, ReviewedBy: by, ReviewedAt: now.UTC()}
	p.State, p.MeetingID = PartnerReviewed, m.ID
	return nil
}

// The forum's decisions on partners.
const (
	DecideApprove = "approve"
	DecideRevise  = "revise"
	DecideAdopt   = "adopt"
	DecideDecline = "decline"
)

// DecidePartner applies the forum's decision on a registration on the agenda
// of a held meeting: approve (only one that passed its review) or reject with
// a reason.
func (p *Partner) DecidePartner(m *ForumMeeting, decision, reason string, now time.Time) error {
	if err := m.Open(); err != nil {
		return err
	}
	if p.State != PartnerReviewed || p.MeetingID != m.ID {
		return fmt.Errorf("%w: %s (%s) is not on the agenda of %s", ErrConflict, p.name(), p.State, m.name())
	}
	t := now.UTC()
	switch decision {
	case DecideApprove:
		if p.Review == nil || !p.Review.Passed {
			return fmt.Errorf("%w: %s failed the secretariat's review; the forum may only reject it, or have it reviewed again", ErrConflict, p.name())
		}
		p.State, p.ApprovedAt, p.Reason = PartnerApproved, &t, ""
	case DecideReject:
		if err := checkText("reason", reason, 1, 1000); err != nil {
			return err
		}
		p.State, p.Reason = PartnerRejected, strings.TrimSpace(reason)
	default:
		return Invalid("decision", "approve or reject")
	}
	p.DecidedAt = &t
	return nil
}
