package partnership

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CSR outcomes are steps 5 and 7 of the four-pillar workflow: what partners
// report they realised, the deadlines they are held to, the sanctions the
// region's ladder provides when plans or reports are missing, the awards of
// each cycle and each partner's CSR maturity. The study found that the
// sanctions of Bandung's regulation were never applied and that companies
// acted only as donors; these rules make both visible.
//
// Nothing here reads a database: the store gathers the facts (a programme,
// a partner's sanctions, the figures of a cycle) and the functions below
// decide.

// Limits of the texts of realisations, sanctions and awards, in characters.
const (
	csrMaxOutputs = 4000 // outputs and targets reached
	csrMaxSource  = 200  // source of funds
	csrMaxReason  = 2000 // reasons of sanctions and adjustments
)

// SystemActor is who acts when the server acts on its own schedule: it
// stands in the audit log where an account id would.
const SystemActor = "system"

// Realisation is a partner's realisation report on an activity of one of its
// programmes, or a historical figure imported without a programme.
type Realisation struct {
	ID          int64
	PartnerID   int64
	ProgrammeID int64 // 0 for a historical figure
	FiscalYear  int
	Area        string // a priority area of the region
	WardCode    string // "" when the activity covered no single ward
	// ActivityStart and ActivityEnd are dates: the start of the day in the
	// region's time zone, in UTC.
	ActivityStart  time.Time
	ActivityEnd    time.Time
	DueAt          time.Time // fixed when submitted: ActivityEnd's day plus the region's deadline
	SubmittedAt    time.Time
	SubmittedBy    int64 // 0 for imported figures
	Amount         Rupiah
	SourceOfFunds  string
	Outputs        string
	TargetsReached string
	Late           bool
	// Historical marks figures imported from before the platform: they count
	// in the dashboard but were never reported through it.
	Historical bool
	Evidence   []Attachment
}

// RealisationInput is what a partner writes in a realisation report.
type RealisationInput struct {
	Programme      int64  `json:"programme" form:"programme"`
	Ward           string `json:"ward,omitempty" form:"ward"` // where, when the programme names no ward
	ActivityStart  string `json:"activityStart" form:"activityStart"`
	ActivityEnd    string `json:"activityEnd" form:"activityEnd"`
	Amount         Rupiah `json:"amount" form:"amount"`
	SourceOfFunds  string `json:"sourceOfFunds" form:"sourceOfFunds"`
	Outputs        string `json:"outputs" form:"outputs"`
	TargetsReached string `json:"targetsReached" form:"targetsReached"`
}

// RealisationDue is when the report on an activity that ended on the given
// date is due: the end of that day plus the region's realisation deadline.
func (r *Region) RealisationDue(activityEnd time.Time) time.Time {
	var deadline time.Duration
	if r.FourPillar != nil {
		deadline = r.FourPillar.RealisationDeadline
	}
	return activityEnd.Add(reportEndOfDay + deadline).UTC()
}

// ProgrammeRealisationDue is when a programme of a fiscal year must have
// been reported on at the latest. Programmes carry no activity dates of
// their own, so the last activity is taken to end with the fiscal year:
// the report is due the region's realisation deadline after the year ends.
func (r *Region) ProgrammeRealisationDue(fiscalYear int) time.Time {
	_, next := r.FiscalYearBounds(fiscalYear)
	return r.RealisationDue(next.Add(-24 * time.Hour))
}

// PlanDue is when an approved partner's CSR plan for a fiscal year is due:
// the region's plan deadline after the partner was approved or after the
// year began, whichever is later.
func (r *Region) PlanDue(fiscalYear int, approvedAt time.Time) time.Time {
	start, _ := r.FiscalYearBounds(fiscalYear)
	var deadline time.Duration
	if r.FourPillar != nil {
		deadline = r.FourPillar.PlanDeadline
	}
	return maxTime(start, approvedAt.UTC()).Add(deadline)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Realisation validates a partner's realisation report on one of its own
// programmes and makes it, submitted now with its evidence. The area and
// fiscal year are the programme's; the ward is the programme's, or one the
// partner names when the programme covers no single ward. The report is due
// the region's deadline after the activity ended, and is marked late when it
// comes after that.
func (r *Region) Realisation(p *Programme, partnerID int64, in RealisationInput, files []Upload, by int64, now time.Time) (*Realisation, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if p.PartnerID == 0 || p.PartnerID != partnerID {
		return nil, fmt.Errorf("%w: programme %d is not one of your programmes; partners report on their own programmes only", ErrForbidden, p.ID)
	}
	if p.State == ProgrammeCancelled {
		return nil, fmt.Errorf("%w: programme %d is %s; there is nothing to report on", ErrConflict, p.ID, p.State)
	}
	ward := p.WardCode
	switch in.Ward = strings.TrimSpace(in.Ward); {
	case in.Ward == "":
	case ward != "" && in.Ward != ward:
		return nil, Invalid("ward", "programme %d is in ward %s", p.ID, ward)
	case r.ScopeLevel(in.Ward) != "ward":
		return nil, Invalid("ward", "%q is not a ward of %s", in.Ward, r.Name)
	default:
		ward = in.Ward
	}
	if err := CheckAmount("amount", in.Amount, true); err != nil {
		return nil, err
	}
	if err := checkText("sourceOfFunds", in.SourceOfFunds, 1, csrMaxSource); err != nil {
		return nil, err
	}
	if err := checkText("outputs", in.Outputs, 1, csrMaxOutputs); err != nil {
		return nil, err
	}
	if err := checkText("targetsReached", in.TargetsReached, 1, csrMaxOutputs); err != nil {
		return nil, err
	}
	// The activity runs within the programme's fiscal year or the year after:
	// it may run over the turn of the year.
	start, end, err := r.activityDates(in.ActivityStart, in.ActivityEnd, now, func(start, end time.Time) error {
		if y := start.Year(); y < p.FiscalYear || y > p.FiscalYear+1 {
			return Invalid("activityStart", "in %d; programme %d is of fiscal year %d", y, p.ID, p.FiscalYear)
		}
		if y := end.Year(); y > p.FiscalYear+1 {
			return Invalid("activityEnd", "in %d; programme %d is of fiscal year %d", y, p.ID, p.FiscalYear)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	evidence, err := CheckUploads(files, now)
	var fe *FieldError
	if errors.As(err, &fe) {
		return nil, Invalid("evidence", "%s", fe.Reason)
	}
	if err != nil {
		return nil, err
	}
	rz := &Realisation{
		PartnerID: partnerID, ProgrammeID: p.ID, FiscalYear: p.FiscalYear, Area: p.Area, WardCode: ward,
		ActivityStart: start, ActivityEnd: end, DueAt: r.RealisationDue(end), SubmittedAt: now, SubmittedBy: by,
		Amount: in.Amount, SourceOfFunds: strings.TrimSpace(in.SourceOfFunds), Outputs: strings.TrimSpace(in.Outputs),
		TargetsReached: strings.TrimSpace(in.TargetsReached), Evidence: evidence,
	}
	rz.Late = rz.SubmittedAt.After(rz.DueAt)
	return rz, nil
}

// --- sanctions ---

// SanctionState is where a sanction stands.
type SanctionState string

// The states of a sanction.
const (
	SanctionRecommended SanctionState = "recommended" // by rule or by the forum secretariat; the forum decides
	SanctionIssued      SanctionState = "issued"      // by the forum, citing its legal basis; the partner is notified
	SanctionLifted      SanctionState = "lifted"      // with a reason
	SanctionDismissed   SanctionState = "dismissed"   // the forum decided not to issue it, with a reason
)

// SanctionMachine is the life of a sanction: a recommendation is issued or
// dismissed; an issued sanction is lifted. Lifted and dismissed are final.
var SanctionMachine = machine[SanctionState]{
	SanctionRecommended: {SanctionIssued, SanctionDismissed},
	SanctionIssued:      {SanctionLifted},
}

// Sanction is a step of the region's sanction ladder recommended for, or
// issued on, a partner.
type Sanction struct {
	ID        int64
	PartnerID int64
	Step      string // a step of the region's ladder
	Reason    string // why it was recommended
	// LegalBasis cites the regulation the sanction is issued under, e.g.
	// "Perda 13/2012"; set when it is issued.
	LegalBasis    string
	State         SanctionState
	RecommendedBy string // SystemActor, or the account id of the forum secretariat
	RecommendedAt time.Time
	IssuedAt      time.Time // zero until issued
	IssuedBy      int64
	NotifiedAt    time.Time // when the partner was notified; zero until issued
	LiftedAt      time.Time // zero until lifted
	DismissedAt   time.Time // zero until dismissed
	Resolution    string    // why it was lifted or dismissed
	Version       int
}

// InForce reports whether the sanction binds the partner: issued and not lifted.
func (s *Sanction) InForce() bool { return s.State == SanctionIssued }

// Open reports whether the sanction still awaits the forum's decision.
func (s *Sanction) Open() bool { return s.State == SanctionRecommended }

// SanctionLegalBasis cites the region's regulation on companies' CSR
// obligation, the legal basis of every sanction of its ladder (Bandung:
// Perda 13/2012, whose Article 5 is the ladder). A region without one
// cannot issue sanctions.
func (r *Region) SanctionLegalBasis() (string, error) {
	for _, g := range r.LegalBasis {
		if slices.Contains(g.Covers, "csr-obligation") {
			return g.Cite(), nil
		}
	}
	return "", fmt.Errorf("%w: %s has no regulation on companies' CSR obligation in force to issue a sanction under", ErrConflict, r.Name)
}

// ladderIndex is the position of a step on the region's ladder, or -1.
func (r *Region) ladderIndex(step string) int {
	if r.FourPillar == nil {
		return -1
	}
	return slices.Index(r.FourPillar.SanctionLadder, step)
}

// highestInForce is the ladder position of the partner's highest sanction in
// force and that sanction, or -1 and nil when none is.
func (r *Region) highestInForce(sanctions []Sanction) (int, *Sanction) {
	best, at := -1, -1
	for i := range sanctions {
		if !sanctions[i].InForce() {
			continue
		}
		if k := r.ladderIndex(sanctions[i].Step); k > best {
			best, at = k, i
		}
	}
	if at < 0 {
		return -1, nil
	}
	return best, &sanctions[at]
}

// NextSanctionStep is the step of the ladder above the partner's highest
// sanction in force — the first step when none is — or "" when the partner
// already stands at the top.
func (r *Region) NextSanctionStep(sanctions []Sanction) string {
	if r.FourPillar == nil {
		return ""
	}
	k, _ := r.highestInForce(sanctions)
	if k+1 >= len(r.FourPillar.SanctionLadder) {
		return ""
	}
	return r.FourPillar.SanctionLadder[k+1]
}

// RecommendSanction recommends a sanction on a partner, given all of the
// partner's sanctions so far. The step defaults to the next of the ladder;
// a step named must be on the ladder above the partner's highest sanction in
// force. A partner has at most one open recommendation: a second is refused.
func (r *Region) RecommendSanction(partnerID int64, sanctions []Sanction, step, reason, by string, now time.Time) (*Sanction, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	for i := range sanctions {
		if sanctions[i].Open() {
			return nil, fmt.Errorf("%w: partner %d already has an open recommendation (sanction %d, %s) for the forum to decide", ErrConflict, partnerID, sanctions[i].ID, sanctions[i].Step)
		}
	}
	next := r.NextSanctionStep(sanctions)
	if next == "" {
		return nil, fmt.Errorf("%w: partner %d already stands at the top of the sanction ladder", ErrConflict, partnerID)
	}
	step = strings.TrimSpace(step)
	if step == "" {
		step = next
	}
	if r.ladderIndex(step) < 0 {
		return nil, Invalid("step", "%q is not on the sanction ladder of %s (%s)", step, r.Name, strings.Join(r.FourPillar.SanctionLadder, ", "))
	}
	if r.ladderIndex(step) < r.ladderIndex(next) {
		return nil, Invalid("step", "%s is not above the sanction partner %d is already under; the next step is %s", step, partnerID, next)
	}
	if err := checkText("reason", reason, 1, csrMaxReason); err != nil {
		return nil, err
	}
	return &Sanction{PartnerID: partnerID, Step: step, Reason: strings.TrimSpace(reason), State: SanctionRecommended,
		RecommendedBy: by, RecommendedAt: now.UTC().Truncate(time.Microsecond)}, nil
}

// Move takes a sanction to another state, checked against SanctionMachine.
// Issuing needs the legal basis it is issued under and notifies the partner
// at once (the notice stands in the partner's view of its sanctions);
// lifting and dismissing need a reason.
func (s *Sanction) Move(to SanctionState, reason, legalBasis string, by int64, now time.Time) error {
	if err := SanctionMachine.Check(fmt.Sprintf("sanction %d", s.ID), s.State, to); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	switch to {
	case SanctionIssued:
		if strings.TrimSpace(legalBasis) == "" {
			return Invalid("legalBasis", "a sanction is issued citing the regulation it rests on")
		}
		s.LegalBasis, s.IssuedAt, s.IssuedBy, s.NotifiedAt = strings.TrimSpace(legalBasis), now, by, now
	case SanctionLifted, SanctionDismissed:
		if err := checkText("reason", reason, 1, csrMaxReason); err != nil {
			return err
		}
		s.Resolution = strings.TrimSpace(reason)
		if to == SanctionLifted {
			s.LiftedAt = now
		} else {
			s.DismissedAt = now
		}
	}
	s.State = to
	return nil
}

// Compliance is a partner's standing under the sanction ladder, shown publicly.
type Compliance string

// The compliance states, mildest first.
const (
	Compliant  Compliance = "compliant"
	Warned     Compliance = "warned"
	Restricted Compliance = "restricted"
	Frozen     Compliance = "frozen"
	Revoked    Compliance = "revoked"
)

// ComplianceOf is a partner's compliance state and the sanction that sets it:
// its highest sanction in force, by position on the region's ladder. The
// first step warns, the second restricts, the last revokes and every step
// between freezes (Bandung's ladder: written warning, business restriction,
// facility freeze, revocation). A partner with none in force is compliant.
func (r *Region) ComplianceOf(sanctions []Sanction) (Compliance, *Sanction) {
	k, s := r.highestInForce(sanctions)
	if s == nil || r.FourPillar == nil {
		return Compliant, nil
	}
	switch n := len(r.FourPillar.SanctionLadder); {
	case k == n-1:
		return Revoked, s
	case k == 0:
		return Warned, s
	case k == 1:
		return Restricted, s
	default:
		return Frozen, s
	}
}

// --- awards ---

// The award criteria, each scored 0 to 100.
const (
	CriterionCommitment     = "commitment"     // number and value of programmes, against the most any partner reached
	CriterionAlignment      = "alignment"      // share of plan financing aligned with a priority area
	CriterionDeviation      = "deviation"      // how close realisation came to plan
	CriterionReporting      = "reporting"      // share of realisation reports on time
	CriterionSustainability = "sustainability" // plans in consecutive years: a multi-year roadmap
	CriterionDocuments      = "documents"      // share of realisation reports with evidence
)

// AwardCriteria lists the criteria in the order they are shown.
var AwardCriteria = []string{CriterionCommitment, CriterionAlignment, CriterionDeviation, CriterionReporting, CriterionSustainability, CriterionDocuments}

// MaxAwardTotal is the most a weighted total can be, in basis points: every
// criterion at 100 with weights summing to 100 percent.
const MaxAwardTotal = 10_000

// AwardState is where a partner's award score stands.
type AwardState string

// The states of an award score.
const (
	AwardScored    AwardState = "scored"    // computed; the forum may adjust it or score again
	AwardPublished AwardState = "published" // final and public
)

// AwardMachine is the life of an award score: scored again (new figures or
// an adjustment) until it is published, which is final.
var AwardMachine = machine[AwardState]{
	AwardScored: {AwardScored, AwardPublished},
}

// AwardAdjustment is a change the forum made to a computed total, with its reason.
type AwardAdjustment struct {
	Delta  int64     `json:"delta"` // basis points, either way
	Reason string    `json:"reason"`
	By     int64     `json:"by"`
	At     time.Time `json:"at"`
}

// Award is a partner's score for an award cycle.
type Award struct {
	ID          int64
	Cycle       int // the first year of the cycle
	PartnerID   int64
	Scores      map[string]int64 // criterion → 0..100
	Total       int64            // Σ score × weight: basis points of the best possible, before adjustments
	Adjustments []AwardAdjustment
	State       AwardState
	ScoredAt    time.Time
	PublishedAt time.Time // zero until published
	Version     int
}

// Adjusted is the total with the forum's adjustments.
func (a *Award) Adjusted() int64 {
	t := a.Total
	for _, d := range a.Adjustments {
		t += d.Delta
	}
	return t
}

// AwardRecord is what a partner did in an award cycle's years, as the store
// counts it.
type AwardRecord struct {
	PartnerID        int64
	Programmes       int64  // programmes the partner ran
	ProgrammeValue   Rupiah // realised on those programmes
	PlanFinancing    Rupiah // financing of its plans' activities
	AlignedFinancing Rupiah // of which aligned with a priority area
	Realised         Rupiah // everything it realised, with or without a programme
	Reports          int64  // realisation reports it filed (imported figures excluded)
	OnTime           int64  // of which on time
	Missing          int64  // reports overdue and never filed
	WithEvidence     int64  // reports with at least one evidence document
	PlanYears        []int  // years with a submitted plan
}

// AwardYears is the span of the award cycle starting in the given year: its
// first and last year. A cycle can be scored once it has begun, and for no
// year before 2000.
func (r *Region) AwardYears(start int, now time.Time) (first, last int, err error) {
	if err := r.runsFourPillar(); err != nil {
		return 0, 0, err
	}
	current := r.year(now)
	if start < 2000 || start > current {
		return 0, 0, Invalid("cycle", "the first year of a cycle that has begun: from 2000 to %d", current)
	}
	return start, start + max(r.FourPillar.AwardCycleYears, 1) - 1, nil
}

// ScoreAwards scores every partner's record for the award cycle starting in
// the given year. Each criterion is scored 0 to 100 by rule, integers rounded
// half up:
//
//   - commitment: 50 × programmes ÷ the most programmes any partner ran,
//     plus 50 × their realised value ÷ the highest value any partner reached;
//   - alignment: 100 × aligned plan financing ÷ plan financing;
//   - deviation: 100 − 100 × |realised − planned| ÷ planned, not below 0;
//   - reporting: 100 × reports on time ÷ (reports filed + reports missing);
//   - sustainability: 100 × the longest run of consecutive years with a plan
//     in the cycle ÷ the cycle's years;
//   - documents: 100 × reports with evidence ÷ reports filed.
//
// A criterion with nothing to measure (no plan, no report) scores 0. The
// total weighs each score with the region's award weights in percent, so
// that it is in basis points of the best possible (10000).
func (r *Region) ScoreAwards(start int, records []AwardRecord, now time.Time) ([]*Award, error) {
	first, last, err := r.AwardYears(start, now)
	if err != nil {
		return nil, err
	}
	var maxN, maxV int64
	for _, rec := range records {
		maxN, maxV = max(maxN, rec.Programmes), max(maxV, int64(rec.ProgrammeValue))
	}
	now = now.UTC().Truncate(time.Microsecond)
	out := make([]*Award, 0, len(records))
	for _, rec := range records {
		s := map[string]int64{
			CriterionCommitment:     ratio(rec.Programmes, maxN, 50) + ratio(int64(rec.ProgrammeValue), maxV, 50),
			CriterionAlignment:      ratio(int64(rec.AlignedFinancing), int64(rec.PlanFinancing), 100),
			CriterionDeviation:      deviationScore(rec.PlanFinancing, rec.Realised),
			CriterionReporting:      ratio(rec.OnTime, rec.Reports+rec.Missing, 100),
			CriterionSustainability: ratio(int64(min(longestRun(rec.PlanYears, first, last), last-first+1)), int64(last-first+1), 100),
			CriterionDocuments:      ratio(rec.WithEvidence, rec.Reports, 100),
		}
		for k, v := range s {
			s[k] = min(max(v, 0), 100)
		}
		a := &Award{Cycle: start, PartnerID: rec.PartnerID, Scores: s, State: AwardScored, ScoredAt: now}
		for c, w := range r.FourPillar.AwardWeights {
			a.Total += s[c] * int64(w)
		}
		out = append(out, a)
	}
	return out, nil
}

// ratio is part × scale ÷ whole rounded half up, or 0 when whole is nothing.
func ratio(part, whole, scale int64) int64 {
	v, _ := roundedRatio(part, whole, scale)
	return v
}

func deviationScore(planned, realised Rupiah) int64 {
	if planned <= 0 {
		return 0
	}
	diff := int64(realised - planned)
	if diff < 0 {
		diff = -diff
	}
	return 100 - min(ratio(diff, int64(planned), 100), 100)
}

// longestRun is the longest run of consecutive years among those given that
// fall between first and last.
func longestRun(years []int, first, last int) int {
	ys := slices.Clone(years)
	slices.Sort(ys)
	ys = slices.Compact(ys)
	best, run, prev := 0, 0, 0
	for _, y := range ys {
		if y < first || y > last {
			continue
		}
		if run > 0 && y == prev+1 {
			run++
		} else {
			run = 1
		}
		prev, best = y, max(best, run)
	}
	return best
}

func (a *Award) name() string {
	return fmt.Sprintf("the award of partner %d for cycle %d", a.PartnerID, a.Cycle)
}

// Rescore takes newly computed scores for a partner whose award is still
// being scored; the forum's adjustments stay.
func (a *Award) Rescore(fresh *Award) error {
	if err := AwardMachine.Check(a.name(), a.State, AwardScored); err != nil {
		return err
	}
	a.Scores, a.Total, a.ScoredAt = fresh.Scores, fresh.Total, fresh.ScoredAt
	if a.Adjusted() < 0 || a.Adjusted() > MaxAwardTotal {
		return fmt.Errorf("%w: with its adjustments the total of partner %d would be %d basis points, outside 0 to %d", ErrConflict, a.PartnerID, a.Adjusted(), MaxAwardTotal)
	}
	return nil
}

// Adjust records the forum's change to a partner's total, in basis points,
// with its reason. The adjusted total stays between 0 and 10000; a published
// award is final.
func (a *Award) Adjust(delta int64, reason string, by int64, now time.Time) error {
	if err := AwardMachine.Check(a.name(), a.State, AwardScored); err != nil {
		return err
	}
	if delta == 0 || delta < -MaxAwardTotal || delta > MaxAwardTotal {
		return Invalid("delta", "basis points to add or take away, from -10000 to 10000, not 0")
	}
	if t := a.Adjusted() + delta; t < 0 || t > MaxAwardTotal {
		return Invalid("delta", "the adjusted total would be %d basis points; it stays from 0 to %d", t, MaxAwardTotal)
	}
	if err := checkText("reason", reason, 1, csrMaxReason); err != nil {
		return err
	}
	a.Adjustments = append(a.Adjustments, AwardAdjustment{Delta: delta, Reason: strings.TrimSpace(reason), By: by, At: now.UTC().Truncate(time.Microsecond)})
	return nil
}

// Publish makes the award final and public.
func (a *Award) Publish(now time.Time) error {
	if err := AwardMachine.Check(a.name(), a.State, AwardPublished); err != nil {
		return err
	}
	a.State, a.PublishedAt = AwardPublished, now.UTC().Truncate(time.Microsecond)
	return nil
}

// --- maturity ---

// Maturity is how far a partner's CSR has come, derived from its record.
type Maturity string

// The stages of CSR maturity the study names.
const (
	MaturityNone     Maturity = "none"              // nothing planned or realised yet
	Charity          Maturity = "charity"           // one-off, incidental giving: realisations without a plan
	Philanthropy     Maturity = "philanthropy"      // planned, but not sustained
	CorporateCitizen Maturity = "corporate-citizen" // multi-year, addressing root causes
)

// MaturityRecord is the years in which a partner planned and realised CSR.
type MaturityRecord struct {
	PlanYears        []int // years with a submitted plan
	AlignedPlanYears []int // years whose plan has at least one activity aligned with a priority area
	RealisationYears []int // years with at least one realisation
}

// MaturityOf derives a partner's CSR maturity from its record:
//
//   - corporate citizen: in at least three consecutive years, a plan with
//     activities aligned with the region's priority areas and realisations —
//     a sustained, multi-year commitment to the region's own priorities;
//   - philanthropy: at least one plan, but not three such years in a row —
//     planned giving that is not sustained;
//   - charity: realisations without any plan — one-off, incidental giving
//     (imported historical figures count here: they came with no plan);
//   - none: neither a plan nor a realisation.
func MaturityOf(rec MaturityRecord) Maturity {
	realised := map[int]bool{}
	for _, y := range rec.RealisationYears {
		realised[y] = true
	}
	var sustained []int
	for _, y := range rec.AlignedPlanYears {
		if realised[y] && slices.Contains(rec.PlanYears, y) {
			sustained = append(sustained, y)
		}
	}
	switch {
	case longestRun(sustained, 0, 1<<30) >= 3:
		return CorporateCitizen
	case len(rec.PlanYears) > 0:
		return Philanthropy
	case len(rec.RealisationYears) > 0:
		return Charity
	}
	return MaturityNone
}
