package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/twopillar"
)

// Participation and evaluation over HTTP: the indicators of an area for a
// fiscal year with a recap one level beneath it, and the facilitators'
// assessments of each ward's participation phase.

// shareJSON is a share in basis points and as a percentage; null when undefined.
type shareJSON struct {
	BasisPoints int64  `json:"basisPoints"`
	Percent     string `json:"percent"`
}

func shareOut(b partnership.BasisPoints) *shareJSON {
	if !b.Defined {
		return nil
	}
	return &shareJSON{BasisPoints: b.Value, Percent: b.String()}
}

// perMilleOut is a rate per 1,000 residents; null when the area has no residents on record.
func perMilleOut(p partnership.PerMille) *int64 {
	if !p.Defined {
		return nil
	}
	return &p.Value
}

type participationFiguresJSON struct {
	Population           int64  `json:"population"`
	Aspirations          int64  `json:"aspirations"`
	AspirationsPerMille  *int64 `json:"aspirationsPerMille"`
	Attendance           int64  `json:"attendance"`
	AttendancePerMille   *int64 `json:"attendancePerMille"`
	Participants         int64  `json:"participants"`
	ParticipantsPerMille *int64 `json:"participantsPerMille"`
}

type spendingJSON struct {
	Empowerment      partnership.Rupiah `json:"empowerment"`
	Infrastructure   partnership.Rupiah `json:"infrastructure"`
	EmpowermentShare *shareJSON         `json:"empowermentShare"`
}

type absorptionJSON struct {
	Institutions int64              `json:"institutions"`
	Allocation   partnership.Rupiah `json:"allocation"`
	Spent        partnership.Rupiah `json:"spent"`
	Share        *shareJSON         `json:"share"`
}

type reportingJSON struct {
	Reports int64      `json:"reports"`
	OnTime  int64      `json:"onTime"`
	Share   *shareJSON `json:"share"`
}

type complaintFiguresJSON struct {
	Filed                 int64  `json:"filed"`
	Resolved              int64  `json:"resolved"`
	MedianResolutionHours *int64 `json:"medianResolutionHours"`
}

type indicatorsJSON struct {
	Participation participationFiguresJSON `json:"participation"`
	Spending      spendingJSON             `json:"spending"`
	Absorption    absorptionJSON           `json:"absorption"`
	Reporting     reportingJSON            `json:"reporting"`
	Complaints    complaintFiguresJSON     `json:"complaints"`
}

type phaseJSON struct {
	ID         int64             `json:"id"`
	Ward       string            `json:"ward"`
	FiscalYear int               `json:"fiscalYear"`
	Phase      partnership.Phase `json:"phase"`
	Note       string            `json:"note"`
	AssessedBy int64             `json:"assessedBy"`
	AssessedAt time.Time         `json:"assessedAt"`
}

func phaseOut(a *partnership.PhaseAssessment) phaseJSON {
	return phaseJSON{ID: a.ID, Ward: a.WardCode, FiscalYear: a.FiscalYear, Phase: a.Phase, Note: a.Note, AssessedBy: a.AssessedBy, AssessedAt: a.AssessedAt}
}

// areaJSON is one area's indicators beside its phase: a ward's latest
// assessment (null when never assessed that year), or for a kecamatan or
// the region how many wards stand at each phase ("unassessed" for those
// never assessed).
type areaJSON struct {
	Scope      string           `json:"scope"`
	Level      string           `json:"level"`
	Name       string           `json:"name"`
	Indicators indicatorsJSON   `json:"indicators"`
	Phase      *phaseJSON       `json:"phase,omitempty"`
	Phases     map[string]int64 `json:"phases,omitempty"`
}

func areaOut(e partnership.AreaEvaluation) areaJSON {
	in := e.Indicators
	out := areaJSON{Scope: e.Scope, Level: e.Level, Name: e.Name, Indicators: indicatorsJSON{
		Participation: participationFiguresJSON{
			Population: in.Population, Aspirations: in.Aspirations, AspirationsPerMille: perMilleOut(in.AspirationRate),
			Attendance: in.Attendance, AttendancePerMille: perMilleOut(in.AttendanceRate),
			Participants: in.Participants, ParticipantsPerMille: perMilleOut(in.ParticipantRate),
		},
		Spending:   spendingJSON{Empowerment: in.Empowerment, Infrastructure: in.Infrastructure, EmpowermentShare: shareOut(in.EmpowermentShare)},
		Absorption: absorptionJSON{Institutions: in.Institutions, Allocation: in.Allocation, Spent: in.Spent, Share: shareOut(in.Absorption)},
		Reporting:  reportingJSON{Reports: in.Reports, OnTime: in.OnTime, Share: shareOut(in.OnTimeShare)},
		Complaints: complaintFiguresJSON{Filed: in.Complaints, Resolved: in.Resolved},
	}}
	if in.MedianResolution.Defined {
		h := in.MedianResolution.Value
		out.Indicators.Complaints.MedianResolutionHours = &h
	}
	if e.Phase != nil {
		p := phaseOut(e.Phase)
		out.Phase = &p
	}
	if e.Phases != nil {
		out.Phases = map[string]int64{}
		for p, n := range e.Phases {
			key := string(p)
			if p == "" {
				key = "unassessed"
			}
			out.Phases[key] = n
		}
	}
	return out
}

// participationJSON is an area's evaluation, one row per area beneath it,
// and for a ward the history of its phase assessments that year, newest first.
type participationJSON struct {
	FiscalYear int `json:"fiscalYear"`
	areaJSON
	Rows    []areaJSON  `json:"rows"`
	History []phaseJSON `json:"history,omitempty"`
}

// getParticipation evaluates the area the scope names for a fiscal year (the
// current one by default), with a recap one level beneath it.
func getParticipation(c *fiber.Ctx) error {
	scope, err := queryScope(c)
	if err != nil {
		return err
	}
	year := 0
	if y := c.Query("fiscalYear"); y != "" {
		if year, err = strconv.Atoi(y); err != nil {
			return partnership.Invalid("fiscalYear", "a year")
		}
	}
	e, err := twopillar.Participation(c.UserContext(), realmOf(c), scope, year)
	if err != nil {
		return err
	}
	return c.JSON(participationJSON{FiscalYear: e.FiscalYear, areaJSON: areaOut(e.Area), Rows: each(e.Rows, areaOut),
		History: each(e.History, func(a partnership.PhaseAssessment) phaseJSON { return phaseOut(&a) })})
}

// bodyWard is the ward named in the body: a participation phase is assessed there.
func bodyWard(c *fiber.Ctx) (string, error) {
	var in struct {
		Ward string `json:"ward" form:"ward"`
	}
	if err := parseBody(c, &in); err != nil {
		return "", err
	}
	if regionOf(c).tenant.Region.ScopeLevel(in.Ward) != "ward" {
		return "", partnership.Invalid("ward", "%q is not a ward of %s", in.Ward, regionOf(c).tenant.Region.Name)
	}
	return in.Ward, nil
}

// assessPhase records a facilitator's assessment of a ward's participation
// phase; earlier assessments stay as history, and the audit log publishes it.
var assessPhase = takeNew(twopillar.AssessPhase, phaseOut)
