package partnership

import (
	"fmt"
	"strings"
	"time"
)

// ForumState is where a meeting of the CSR forum stands.
type ForumState string

// The states of a forum meeting. A closed one is published and immutable.
const (
	ForumScheduled ForumState = "scheduled"
	ForumHeld      ForumState = "held"
	ForumClosed    ForumState = "closed"
)

// ForumMachine is the life of a forum meeting: scheduled, held with its
// attendance by pillar, closed with its minutes. Nothing leaves closed.
var ForumMachine = machine[ForumState]{
	ForumScheduled: {ForumHeld},
	ForumHeld:      {ForumClosed},
}

// ForumMeeting is one meeting of the CSR forum, on the region's cadence.
type ForumMeeting struct {
	ID          int64
	Year        int
	Quarter     int // 1 to 4
	ScheduledAt time.Time
	Place       string
	State       ForumState
	Attendance  map[Stakeholder]int // by pillar; counts only, no names
	Minutes     string
	ClosedAt    *time.Time
	Version     int
}

// ForumMeetingInput schedules a forum meeting.
type ForumMeetingInput struct {
	Year        int       `json:"year" form:"year"`
	Quarter     int       `json:"quarter" form:"quarter"`
	ScheduledAt time.Time `json:"scheduledAt" form:"scheduledAt"`
	Place       string    `json:"place" form:"place"`
}

// MeetingsPerQuarter is how many forum meetings the region's cadence allows
// in one quarter: one for a quarterly (or slower) cadence, three for a monthly one.
func (f *FourPillarRules) MeetingsPerQuarter() int {
	if f == nil || f.ForumCadenceMonths <= 0 || f.ForumCadenceMonths >= 3 {
		return 1
	}
	return 3 / f.ForumCadenceMonths
}

// cadenceQuarter reports whether the cadence has a meeting in the quarter: a
// half-yearly forum meets in quarters 1 and 3, a yearly one in quarter 1.
func (f *FourPillarRules) cadenceQuarter(q int) bool {
	c := 3
	if f != nil && f.ForumCadenceMonths > 3 {
		c = f.ForumCadenceMonths
	}
	return ((q-1)*3)%c == 0
}

// ScheduleForum validates and makes a forum meeting for a quarter. already is
// the number of meetings scheduled for that quarter before this one.
func (r *Region) ScheduleForum(in ForumMeetingInput, already int, now time.Time) (*ForumMeeting, error) {
	if err := r.runsFourPillar(); err != nil {
		return nil, err
	}
	if err := checkYear("year", in.Year, r.year(now)); err != nil {
		return nil, err
	}
	if in.Quarter < 1 || in.Quarter > 4 {
		return nil, Invalid("quarter", "a quarter from 1 to 4")
	}
	if !r.FourPillar.cadenceQuarter(in.Quarter) {
		return nil, Invalid("quarter", "the forum of %s meets every %d months; quarter %d has no meeting", r.Name, r.FourPillar.ForumCadenceMonths, in.Quarter)
	}
	if in.ScheduledAt.IsZero() {
		return nil, Invalid("scheduledAt", "required, as an RFC 3339 time")
	}
	start, _ := r.fiscalYearBounds(in.Year)
	qStart, qEnd := start.AddDate(0, 3*(in.Quarter-1), 0), start.AddDate(0, 3*in.Quarter, 0)
	if in.ScheduledAt.Before(qStart) || !in.ScheduledAt.Before(qEnd) {
		return nil, Invalid("scheduledAt", "must fall in quarter %d of %d (%s to %s)", in.Quarter, in.Year, qStart.Format(time.DateOnly), qEnd.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	if in.ScheduledAt.Before(now.Add(-24 * time.Hour)) {
		return nil, Invalid("scheduledAt", "is in the past")
	}
	if err := checkText("place", in.Place, 1, 200); err != nil {
		return nil, err
	}
	if n := r.FourPillar.MeetingsPerQuarter(); already >= n {
		return nil, fmt.Errorf("%w: quarter %d of %d already has %d forum meeting(s); the cadence allows %d", ErrConflict, in.Quarter, in.Year, already, n)
	}
	return &ForumMeeting{Year: in.Year, Quarter: in.Quarter, ScheduledAt: in.ScheduledAt.UTC(), Place: strings.TrimSpace(in.Place),
		State: ForumScheduled, Attendance: map[Stakeholder]int{}}, nil
}

func (m *ForumMeeting) name() string { return fmt.Sprintf("forum meeting %d", m.ID) }

// HoldForum records the attendance by pillar and opens the meeting for
// decisions; it may be recorded again while the meeting is held. The forum
// sits when the government attends with at least one other pillar.
func (m *ForumMeeting) HoldForum(attendance map[Stakeholder]int) error {
	err := holdMeeting(ForumMachine, m.name(), m.State, ForumHeld, attendance, Stakeholder.Known,
		"not a pillar (government, company, university, community)", 10_000)
	if err != nil {
		return err
	}
	pillars := 0
	for _, n := range attendance {
		if n > 0 {
			pillars++
		}
	}
	if attendance[StakeholderGovernment] < 1 || pillars < 2 {
		return fmt.Errorf("%w: the forum sits only when the government and at least one other pillar attend", ErrConflict)
	}
	clean := make(map[Stakeholder]int, len(Stakeholders))
	for _, s := range Stakeholders {
		clean[s] = attendance[s]
	}
	m.Attendance, m.State = clean, ForumHeld
	return nil
}

// Open reports an error unless the forum may decide: the meeting is held.
func (m *ForumMeeting) Open() error { return openMeeting(m.name(), m.State, ForumHeld, ForumClosed) }

// Close publishes the minutes and makes the meeting immutable; every partner
// registration put on its agenda must have been decided.
func (m *ForumMeeting) Close(minutes string, undecided int, now time.Time) error {
	if err := closeMeeting(ForumMachine, m.name(), m.State, ForumClosed, "partner registrations", undecided, minutes); err != nil {
		return err
	}
	t := now.UTC()
	m.Minutes, m.State, m.ClosedAt = strings.TrimSpace(minutes), ForumClosed, &t
	return nil
}

// The subjects the forum decides on.
const (
	SubjectPartner = "partner"
	SubjectPlan    = "plan"
	SubjectIdea    = "idea"
)

// ForumDecision is one minuted decision of the forum.
type ForumDecision struct {
	ID          int64
	MeetingID   int64
	SubjectType string // partner, plan or idea
	SubjectID   int64
	Decision    string // approve, reject, revise, adopt, decline
	Reason      string
	DecidedBy   int64
	DecidedAt   time.Time
}
