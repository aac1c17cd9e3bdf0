package partnership

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// MusrenbangState is where a development-planning deliberation stands.
type MusrenbangState string

// The states of a Musrenbang. A closed one is published and immutable.
const (
	MusrenbangScheduled MusrenbangState = "scheduled"
	MusrenbangHeld      MusrenbangState = "held"
	MusrenbangClosed    MusrenbangState = "closed"
	MusrenbangCancelled MusrenbangState = "cancelled"
)

// MusrenbangMachine is the life of a Musrenbang: scheduled, held with a
// quorum, closed with its minutes. Nothing leaves closed.
var MusrenbangMachine = machine[MusrenbangState]{
	MusrenbangScheduled: {MusrenbangHeld, MusrenbangCancelled},
	MusrenbangHeld:      {MusrenbangClosed},
}

// The levels a Musrenbang is held at.
const (
	LevelWard      = "ward"
	LevelKecamatan = "kecamatan"
)

// AttendanceCategories are the categories attendance is recorded by.
var AttendanceCategories = []string{"rt-board", "rw-board", "community-leader", "religious-leader", "women-leader", "youth-leader", "resident"}

// Musrenbang is a deliberation of a ward, or of a kecamatan on what its wards forwarded.
type Musrenbang struct {
	ID          int64
	Level       string // ward or kecamatan
	Area        string // the ward's or the kecamatan's code
	FiscalYear  int
	ScheduledAt time.Time
	Place       string
	State       MusrenbangState
	Attendance  map[string]int // by category; counts only, no names
	Minutes     string
	ClosedAt    *time.Time
	Version     int
}

// MusrenbangInput schedules a Musrenbang.
type MusrenbangInput struct {
	Level       string    `json:"level" form:"level"`
	Area        string    `json:"area" form:"area"`
	FiscalYear  int       `json:"fiscalYear" form:"fiscalYear"`
	ScheduledAt time.Time `json:"scheduledAt" form:"scheduledAt"`
	Place       string    `json:"place" form:"place"`
}

// ScheduleMusrenbang validates and makes a Musrenbang for a ward or a kecamatan.
func (r *Region) ScheduleMusrenbang(in MusrenbangInput, now time.Time) (*Musrenbang, error) {
	if r.TwoPillar == nil {
		return nil, fmt.Errorf("%w: %s does not run the two-pillar model", ErrForbidden, r.Name)
	}
	switch in.Level {
	case LevelWard, LevelKecamatan:
	default:
		return nil, Invalid("level", "ward or kecamatan")
	}
	if r.ScopeLevel(in.Area) != in.Level {
		return nil, Invalid("area", "%q is not a %s of %s", in.Area, in.Level, r.Name)
	}
	if err := checkYear("fiscalYear", in.FiscalYear, r.year(now)); err != nil {
		return nil, err
	}
	if in.ScheduledAt.IsZero() {
		return nil, Invalid("scheduledAt", "required, as an RFC 3339 time")
	}
	if in.ScheduledAt.Before(now.Add(-24 * time.Hour)) {
		return nil, Invalid("scheduledAt", "is in the past")
	}
	if in.ScheduledAt.After(now.AddDate(2, 0, 0)) {
		return nil, Invalid("scheduledAt", "is more than two years away")
	}
	if err := checkText("place", in.Place, 1, 200); err != nil {
		return nil, err
	}
	return &Musrenbang{Level: in.Level, Area: in.Area, FiscalYear: in.FiscalYear, ScheduledAt: in.ScheduledAt.UTC(),
		Place: strings.TrimSpace(in.Place), State: MusrenbangScheduled, Attendance: map[string]int{}}, nil
}

// Quorum checks attendance against the region's rule: enough attendees in
// all, and at least one of each required category.
func (r *Region) Quorum(attendance map[string]int) error {
	total := 0
	for _, n := range attendance {
		total += n
	}
	var missing []string
	for _, c := range r.TwoPillar.RequiredCategories {
		if attendance[c] < 1 {
			missing = append(missing, c)
		}
	}
	if total < r.TwoPillar.MinAttendance || len(missing) > 0 {
		msg := fmt.Sprintf("no quorum: %d attended, %d needed", total, r.TwoPillar.MinAttendance)
		if len(missing) > 0 {
			msg += "; nobody attended as " + strings.Join(missing, ", ")
		}
		return fmt.Errorf("%w: %s", ErrConflict, msg)
	}
	return nil
}

// Hold records the attendance, by category, and opens the Musrenbang for
// decisions; it may be recorded again while the Musrenbang is held.
func (r *Region) Hold(m *Musrenbang, attendance map[string]int) error {
	known := func(c string) bool { return slices.Contains(AttendanceCategories, c) }
	notKnown := "not an attendance category (" + strings.Join(AttendanceCategories, ", ") + ")"
	if err := holdMeeting(MusrenbangMachine, m.name(), m.State, MusrenbangHeld, attendance, known, notKnown, 100_000); err != nil {
		return err
	}
	if err := r.Quorum(attendance); err != nil {
		return err
	}
	m.Attendance, m.State = attendance, MusrenbangHeld
	return nil
}

func (m *Musrenbang) name() string { return fmt.Sprintf("Musrenbang %d", m.ID) }

// Open reports an error unless decisions may be taken: the Musrenbang is held.
func (m *Musrenbang) Open() error {
	return openMeeting(m.name(), m.State, MusrenbangHeld, MusrenbangClosed)
}

// OnAgenda reports whether a proposal is for this Musrenbang to decide: at a
// ward, the ward's proposals waiting for it; at a kecamatan, those its wards forwarded.
func (m *Musrenbang) OnAgenda(p *Proposal) bool {
	if p.FiscalYear != m.FiscalYear {
		return false
	}
	if m.Level == LevelWard {
		return p.State == ProposalSubmitted && p.WardCode == m.Area
	}
	return p.State == ProposalForwarded && Covers(m.Area, p.WardCode)
}

// The decisions a Musrenbang takes on a proposal.
const (
	DecideFund    = "fund"
	DecideForward = "forward"
	DecideReject  = "reject"
	DecideSector  = "sector"
	DecideCSR     = "csr"
)

// Decision is one Musrenbang decision on one proposal.
type Decision struct {
	Decision string `json:"decision" form:"decision"`
	Reason   string `json:"reason" form:"reason"`
	Agency   string `json:"agency" form:"agency"` // the sector agency, for "sector"
}

// Decide applies a decision to a proposal on the agenda. Funding is only
// checked here; the store commits it against the allocation.
func (r *Region) Decide(m *Musrenbang, p *Proposal, d Decision, now time.Time) error {
	if err := m.Open(); err != nil {
		return err
	}
	if !m.OnAgenda(p) {
		return fmt.Errorf("%w: proposal %d (%s, %s, %d) is not on the agenda of %s", ErrConflict, p.ID, p.WardCode, p.State, p.FiscalYear, m.name())
	}
	var to ProposalState
	switch {
	case d.Decision == DecideReject:
		to = ProposalRejected
	case m.Level == LevelWard && d.Decision == DecideFund:
		to = ProposalFunded
	case m.Level == LevelWard && d.Decision == DecideForward:
		to = ProposalForwarded
	case m.Level == LevelKecamatan && d.Decision == DecideSector:
		if err := checkText("agency", d.Agency, 1, 120); err != nil {
			return err
		}
		to = ProposalSector
		p.Agency = strings.TrimSpace(d.Agency)
	case m.Level == LevelKecamatan && d.Decision == DecideCSR:
		if !r.Runs(FourPillar) {
			return Invalid("decision", "%s does not run the four-pillar model; no CSR request can be made", r.Name)
		}
		to = ProposalCSR
	case m.Level == LevelWard:
		return Invalid("decision", "a ward Musrenbang decides fund, forward or reject")
	default:
		return Invalid("decision", "a kecamatan Musrenbang decides sector, csr or reject")
	}
	if err := p.Move(to, d.Reason, now); err != nil {
		return err
	}
	p.MusrenbangID = m.ID
	return nil
}

// Close publishes the minutes and makes the Musrenbang immutable; every
// proposal on its agenda must have been decided.
func (m *Musrenbang) Close(minutes string, undecided int, now time.Time) error {
	if err := closeMeeting(MusrenbangMachine, m.name(), m.State, MusrenbangClosed, "proposals", undecided, minutes); err != nil {
		return err
	}
	t := now.UTC()
	m.Minutes, m.State, m.ClosedAt = strings.TrimSpace(minutes), MusrenbangClosed, &t
	return nil
}

// holdMeeting refuses to record attendance at a meeting the machine does not
// let be held (a held one may record it again), or attendance by anything
// known does not accept (notKnown says what it should be) or of a count
// outside 0 to max. It looks at the attendance in order, so that the first
// refusal is always the same.
func holdMeeting[S, K ~string](m machine[S], name string, state, held S, attendance map[K]int, known func(K) bool, notKnown string, max int) error {
	if state != held {
		if err := m.Check(name, state, held); err != nil {
			return err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(attendance)) {
		if !known(k) {
			return Invalid("attendance."+string(k), "%s", notKnown)
		}
		if err := checkCount("attendance."+string(k), attendance[k], max, "a count"); err != nil {
			return err
		}
	}
	return nil
}

// openMeeting reports an error unless a meeting of the forum or of a
// Musrenbang may decide: it is held.
func openMeeting[S ~string](name string, state, held, closed S) error {
	switch state {
	case held:
		return nil
	case closed:
		return fmt.Errorf("%w: %s is closed and its decisions are final", ErrConflict, name)
	}
	return fmt.Errorf("%w: %s is %s; record its attendance first", ErrConflict, name, state)
}

// closeMeeting refuses to close a meeting the machine does not let close,
// whose agenda still holds undecided items (what they are), or without
// minutes.
func closeMeeting[S ~string](m machine[S], name string, state, closed S, what string, undecided int, minutes string) error {
	if err := m.Check(name, state, closed); err != nil {
		return err
	}
	if undecided > 0 {
		return fmt.Errorf("%w: %d %s on the agenda of %s are still undecided", ErrConflict, undecided, what, name)
	}
	return checkText("minutes", minutes, 1, 20_000)
}
