package partnership

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Participation is step 7 of the two-pillar workflow: participation is
// measured per institution and ward and recapped per kecamatan, and the
// programme is evaluated on more than budget absorption — the study found
// that measuring absorption alone drove spending to physical
// infrastructure. Everything here is computed from plain figures that the
// store sums per ward (or per institution) for a fiscal year; nothing here
// reads a database.
//
// Every rate and share is an integer computed with integer arithmetic and
// rounded half up, never a float: rates of residents per 1,000 (per mille),
// shares in basis points (hundredths of a percent, 10000 being the whole).
// A rate of no residents, a share of nothing or the median of no times is
// undefined rather than zero, and says so.
//
// An institution is measured in its ward: it counts its ward's population,
// and its ward's Musrenbang attendance, the deliberation it took part in.

// A figure is an integer that may be undefined: a share of nothing, a rate
// of no residents, the median of no times. Defined is false then.
type figure struct {
	Value   int64
	Defined bool
}

// format formats a defined figure with the verb f, an undefined one as "n/a".
func (x figure) format(f string) string {
	if !x.Defined {
		return "n/a"
	}
	return fmt.Sprintf(f, x.Value)
}

// BasisPoints is a share in hundredths of a percent: 6000 is 60.00%.
// Defined is false when the whole it is a share of is zero.
type BasisPoints figure

// String formats the share as a percentage with two decimals, e.g.
// "12.34%", or "n/a" when it is undefined.
func (b BasisPoints) String() string {
	if !b.Defined {
		return "n/a"
	}
	v, sign := b.Value, ""
	if v < 0 {
		v, sign = -v, "-"
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, v/100, v%100)
}

// PerMille is a count per 1,000 residents. Defined is false when the area
// has no residents on record.
type PerMille figure

// String formats the rate, e.g. "12‰", or "n/a" when it is undefined.
func (p PerMille) String() string { return figure(p).format("%d‰") }

// Hours is a time in whole hours. Defined is false when there was nothing to measure.
type Hours figure

// String formats the time, e.g. "26 h", or "n/a" when it is undefined.
func (h Hours) String() string { return figure(h).format("%d h") }

// roundedRatio is part×scale/whole rounded half up, exactly: in big
// integers, so that no sum of money can overflow on the way. It is
// undefined when whole is not positive or part is negative.
func roundedRatio(part, whole, scale int64) (int64, bool) {
	if whole <= 0 || part < 0 {
		return 0, false
	}
	// ⌊(2·part·scale + whole) / (2·whole)⌋ is part·scale/whole rounded half up.
	n := new(big.Int).Mul(big.NewInt(part), big.NewInt(2*scale))
	n.Add(n, big.NewInt(whole))
	n.Quo(n, new(big.Int).Mul(big.NewInt(whole), big.NewInt(2)))
	if !n.IsInt64() {
		return 0, false
	}
	return n.Int64(), true
}

// Share is part of whole in basis points, rounded half up; undefined when
// whole is zero. A part larger than the whole gives more than 10000.
func Share(part, whole int64) BasisPoints {
	v, ok := roundedRatio(part, whole, 10_000)
	return BasisPoints{Value: v, Defined: ok}
}

// Rate is count per 1,000 of population, rounded half up; undefined when
// the population is zero.
func Rate(count, population int64) PerMille {
	v, ok := roundedRatio(count, population, 1_000)
	return PerMille{Value: v, Defined: ok}
}

// MedianHours is the median of the durations in whole hours, rounded half
// up; of an even number of durations, the mean of the middle two. A negative
// duration counts as zero. It is undefined when there are none.
func MedianHours(ds []time.Duration) Hours {
	if len(ds) == 0 {
		return Hours{}
	}
	s := make([]time.Duration, len(ds))
	for i, d := range ds {
		s[i] = max(d, 0)
	}
	slices.Sort(s)
	mid := len(s) / 2
	// Twice the median, to stay in integers for an even count.
	twice := 2 * int64(s[mid])
	if len(s)%2 == 0 {
		twice = int64(s[mid-1]) + int64(s[mid])
	}
	h, _ := roundedRatio(twice, 2*int64(time.Hour), 1)
	return Hours{Value: h, Defined: true}
}

// Tally is what the store counts for one ward or one institution in a
// fiscal year. Tallies add up: an area's tally is the sum of its wards'.
type Tally struct {
	Aspirations  int64  // submitted during the fiscal year
	Attendance   int64  // at the ward Musrenbang of the year that were held or closed
	Participants int64  // in reported activities (reports not returned)
	Empowerment  Rupiah // committed cost of empowerment and innovation proposals
	// Infrastructure is the committed cost of physical infrastructure proposals.
	Infrastructure Rupiah
	Spent          Rupiah // realised, as reported (reports not returned)
	Reports        int64  // submitted and not returned
	OnTime         int64  // of those, submitted by their due date
	Complaints     int64  // filed during the fiscal year
	// Resolutions are how long each complaint filed during the year that has
	// been resolved took, from filing to resolution.
	Resolutions []time.Duration
}

// Add adds another tally to this one.
func (t *Tally) Add(u Tally) {
	t.Aspirations += u.Aspirations
	t.Attendance += u.Attendance
	t.Participants += u.Participants
	t.Empowerment += u.Empowerment
	t.Infrastructure += u.Infrastructure
	t.Spent += u.Spent
	t.Reports += u.Reports
	t.OnTime += u.OnTime
	t.Complaints += u.Complaints
	t.Resolutions = append(t.Resolutions, u.Resolutions...)
}

// Indicators evaluate an area in a fiscal year: participation against its
// population, what its money went to, how much of its allocation was
// realised, how punctually it reported and how it answered complaints.
type Indicators struct {
	Population      int64
	Aspirations     int64
	AspirationRate  PerMille
	Attendance      int64
	AttendanceRate  PerMille
	Participants    int64
	ParticipantRate PerMille

	Empowerment      Rupiah
	Infrastructure   Rupiah
	EmpowermentShare BasisPoints // of the committed cost of both kinds

	Institutions int64
	Allocation   Rupiah // institutions × the allocation per institution
	Spent        Rupiah
	Absorption   BasisPoints // spent of the allocation

	Reports     int64
	OnTime      int64
	OnTimeShare BasisPoints // of the reports submitted

	Complaints       int64
	Resolved         int64
	MedianResolution Hours
}

// Evaluate computes the indicators of an area from its tally, its
// population, its number of institutions and the allocation each receives.
func Evaluate(t Tally, population, institutions int64, perInstitution Rupiah) Indicators {
	allocation := Rupiah(institutions) * perInstitution
	return Indicators{
		Population:       population,
		Aspirations:      t.Aspirations,
		AspirationRate:   Rate(t.Aspirations, population),
		Attendance:       t.Attendance,
		AttendanceRate:   Rate(t.Attendance, population),
		Participants:     t.Participants,
		ParticipantRate:  Rate(t.Participants, population),
		Empowerment:      t.Empowerment,
		Infrastructure:   t.Infrastructure,
		EmpowermentShare: Share(int64(t.Empowerment), int64(t.Empowerment+t.Infrastructure)),
		Institutions:     institutions,
		Allocation:       allocation,
		Spent:            t.Spent,
		Absorption:       Share(int64(t.Spent), int64(allocation)),
		Reports:          t.Reports,
		OnTime:           t.OnTime,
		OnTimeShare:      Share(t.OnTime, t.Reports),
		Complaints:       t.Complaints,
		Resolved:         int64(len(t.Resolutions)),
		MedianResolution: MedianHours(t.Resolutions),
	}
}

// Phase is how far a ward's community takes part, as its facilitator
// assesses it: from ignoring the programme, through being informed,
// consulted and collaborating, to identifying problems and initiating
// solutions itself.
type Phase string

// The participation phases, lowest first.
const (
	PhaseIgnoring      Phase = "ignoring"
	PhaseInforming     Phase = "informing"
	PhaseConsulting    Phase = "consulting"
	PhaseCollaborating Phase = "collaborating"
	PhaseInitiating    Phase = "initiating"
)

// Phases lists the participation phases, lowest first.
var Phases = []Phase{PhaseIgnoring, PhaseInforming, PhaseConsulting, PhaseCollaborating, PhaseInitiating}

// Known reports whether the phase is one of Phases.
func (p Phase) Known() bool { return slices.Contains(Phases, p) }

// PhaseAssessment is a facilitator's assessment of a ward's participation
// phase in a fiscal year. Assessments are kept as history; the latest counts.
type PhaseAssessment struct {
	ID         int64
	WardCode   string
	FiscalYear int
	Phase      Phase
	Note       string
	AssessedBy int64
	AssessedAt time.Time
}

// PhaseInput is what a facilitator records.
type PhaseInput struct {
	Ward       string `json:"ward" form:"ward"`
	FiscalYear int    `json:"fiscalYear" form:"fiscalYear"`
	Phase      Phase  `json:"phase" form:"phase"`
	Note       string `json:"note" form:"note"`
}

// ReadableYears is how many fiscal years back participation can be read.
const ReadableYears = 10

// CheckReadableYear refuses a fiscal year outside the years participation
// can be read for: the last ReadableYears and the next, in the region's
// time zone.
func (r *Region) CheckReadableYear(year int, now time.Time) error {
	current := r.year(now)
	if year < current-ReadableYears || year > current+1 {
		return Invalid("fiscalYear", "a year from %d to %d", current-ReadableYears, current+1)
	}
	return nil
}

// AssessPhase validates a facilitator's assessment and makes it, assessed
// now. A ward is assessed for the current fiscal year or, while that year's
// evaluation is still under way, the previous one; a note saying why is
// required.
func (r *Region) AssessPhase(in PhaseInput, by int64, now time.Time) (*PhaseAssessment, error) {
	if r.ScopeLevel(in.Ward) != "ward" {
		return nil, Invalid("ward", "%q is not a ward of %s", in.Ward, r.Name)
	}
	if err := checkYear("fiscalYear", in.FiscalYear, r.year(now)-1); err != nil {
		return nil, err
	}
	if !in.Phase.Known() {
		names := make([]string, len(Phases))
		for i, p := range Phases {
			names[i] = string(p)
		}
		return nil, Invalid("phase", "one of %s", strings.Join(names, ", "))
	}
	if err := checkText("note", in.Note, 1, 2000); err != nil {
		return nil, err
	}
	return &PhaseAssessment{WardCode: in.Ward, FiscalYear: in.FiscalYear, Phase: in.Phase, Note: strings.TrimSpace(in.Note),
		AssessedBy: by, AssessedAt: now.UTC()}, nil
}

// FiscalYearBounds is when a fiscal year starts and when the next starts,
// in UTC: Indonesia's fiscal year is the calendar year, in the region's
// time zone.
func (r *Region) FiscalYearBounds(year int) (from, to time.Time) {
	from, to = r.fiscalYearBounds(year)
	return from.UTC(), to.UTC()
}

// CommittedStates lists the proposal states whose cost counts against an
// allocation (see ProposalState.Committed), for queries.
func CommittedStates() []ProposalState {
	var out []ProposalState
	for _, s := range ProposalMachine.States() {
		if s.Committed() {
			out = append(out, s)
		}
	}
	return out
}

// AreaEvaluation is one area's indicators for a fiscal year, beside its
// participation phase: a ward's latest assessment, or for a kecamatan or
// the region how many of its wards stand at each phase.
type AreaEvaluation struct {
	Scope string
	Level string // region, kecamatan, ward or institution
	Name  string
	Indicators
	Phase  *PhaseAssessment // a ward's latest assessment; nil when none, and for other levels
	Phases map[Phase]int64  // kecamatan and region: wards by latest phase, "" for those never assessed
}

// Participation evaluates an area of the region and, beneath it, each area
// one level down: each kecamatan of the region, each ward of a kecamatan,
// each institution of a ward (an institution has nothing beneath it). The
// tallies are by ward code and, for a ward or an institution, by
// institution key; a missing tally counts as zero. Phases holds the latest
// assessment of each ward.
func (r *Region) Participation(scope string, wards, institutions map[string]Tally, phases map[string]PhaseAssessment) (AreaEvaluation, []AreaEvaluation, error) {
	if r.TwoPillar == nil {
		return AreaEvaluation{}, nil, fmt.Errorf("%w: %s does not run the two-pillar model", ErrForbidden, r.Name)
	}
	per := Rupiah(r.TwoPillar.AllocationPerInstitution)
	perWard := map[string][]Institution{}
	for _, in := range r.Institutions() {
		perWard[in.WardCode] = append(perWard[in.WardCode], in)
	}
	ward := func(w Ward) AreaEvaluation {
		e := AreaEvaluation{Scope: w.Code, Level: "ward", Name: w.Name,
			Indicators: Evaluate(wards[w.Code], w.Population, int64(len(perWard[w.Code])), per)}
		if a, ok := phases[w.Code]; ok {
			e.Phase = &a
		}
		return e
	}
	institution := func(w Ward, in Institution) AreaEvaluation {
		t := institutions[in.Key]
		t.Attendance = wards[w.Code].Attendance
		return AreaEvaluation{Scope: in.Key, Level: "institution", Name: in.Name, Indicators: Evaluate(t, w.Population, 1, per)}
	}
	// group sums wards into a kecamatan or the region.
	group := func(scope, level, name string, ws []Ward) AreaEvaluation {
		var t Tally
		var population, insts int64
		counts := map[Phase]int64{}
		for _, w := range ws {
			t.Add(wards[w.Code])
			population += w.Population
			insts += int64(len(perWard[w.Code]))
			counts[phases[w.Code].Phase]++
		}
		return AreaEvaluation{Scope: scope, Level: level, Name: name, Indicators: Evaluate(t, population, insts, per), Phases: counts}
	}

	var all []Ward
	for _, k := range r.Kecamatan {
		all = append(all, k.Wards...)
	}
	if scope == r.Code {
		rows := make([]AreaEvaluation, 0, len(r.Kecamatan))
		for _, k := range r.Kecamatan {
			rows = append(rows, group(k.Code, "kecamatan", k.Name, k.Wards))
		}
		return group(r.Code, "region", r.Name, all), rows, nil
	}
	for _, k := range r.Kecamatan {
		if k.Code == scope {
			rows := make([]AreaEvaluation, 0, len(k.Wards))
			for _, w := range k.Wards {
				rows = append(rows, ward(w))
			}
			return group(k.Code, "kecamatan", k.Name, k.Wards), rows, nil
		}
		for _, w := range k.Wards {
			if w.Code == scope {
				rows := make([]AreaEvaluation, 0, len(perWard[w.Code]))
				for _, in := range perWard[w.Code] {
					rows = append(rows, institution(w, in))
				}
				return ward(w), rows, nil
			}
			for _, in := range perWard[w.Code] {
				if in.Key == scope {
					return institution(w, in), nil, nil
				}
			}
		}
	}
	return AreaEvaluation{}, nil, Invalid("scope", "%q is not a place of %s", scope, r.Name)
}
