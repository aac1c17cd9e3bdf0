package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

type phaseRow struct {
	bun.BaseModel `bun:"table:participation_phases"`
	ID            int64 `bun:",pk,autoincrement"`
	WardCode      string
	FiscalYear    int
	Phase         string
	Note          string
	AssessedBy    int64
	AssessedAt    time.Time
}

var phaseTable = table[phaseRow, partnership.PhaseAssessment]{row: always(toPhaseRow), read: always((*phaseRow).assessment)}

func toPhaseRow(a partnership.PhaseAssessment) *phaseRow {
	return &phaseRow{WardCode: a.WardCode, FiscalYear: a.FiscalYear, Phase: string(a.Phase), Note: a.Note, AssessedBy: a.AssessedBy, AssessedAt: a.AssessedAt.UTC()}
}

func (r *phaseRow) assessment() partnership.PhaseAssessment {
	return partnership.PhaseAssessment{ID: r.ID, WardCode: r.WardCode, FiscalYear: r.FiscalYear, Phase: partnership.Phase(r.Phase),
		Note: r.Note, AssessedBy: r.AssessedBy, AssessedAt: r.AssessedAt.UTC()}
}

// InsertPhase stores a ward's participation phase assessment and sets its id.
func InsertPhase(ctx context.Context, db bun.IDB, a *partnership.PhaseAssessment) error {
	return phaseTable.insert(ctx, db, *a, &a.ID, "insert a participation phase")
}

// LatestPhases returns, by ward code, the latest assessment of each ward
// beneath scope for a fiscal year; wards never assessed that year are absent.
func LatestPhases(ctx context.Context, db bun.IDB, scope string, year int) (map[string]partnership.PhaseAssessment, error) {
	latest := coveredBy(db.NewSelect().Table("participation_phases").ColumnExpr("MAX(id)").Where("fiscal_year = ?", year), "ward_code", scope).
		Group("ward_code")
	as, err := phaseTable.all(ctx, db, "read the participation phases under "+scope, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("id IN (?)", latest)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]partnership.PhaseAssessment, len(as))
	for _, a := range as {
		out[a.WardCode] = a
	}
	return out, nil
}

// PhaseHistory returns every assessment of a ward for a fiscal year, newest first.
func PhaseHistory(ctx context.Context, db bun.IDB, ward string, year int) ([]partnership.PhaseAssessment, error) {
	return phaseTable.all(ctx, db, "read the participation phases of "+ward, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("ward_code = ? AND fiscal_year = ?", ward, year).Order("id DESC")
	})
}

// Grouping says what participation figures are summed per.
type Grouping int

// The groupings of participation figures.
const (
	ByWard        Grouping = iota // per ward code
	ByInstitution                 // per institution key; Musrenbang attendance, held per ward, is left out
)

// ParticipationTallies sums a fiscal year's participation figures per ward
// (or per institution) beneath scope, in SQL: aspirations submitted during
// the year, attendance at the year's ward Musrenbang that were held or
// closed, the committed cost of the year's proposals by kind, the year's
// reports that were not returned (a returned report stays as history beside
// its resubmission), and the complaints filed during the year with the time
// each resolved one took. The year runs from `from` to `to` (see
// partnership.Region.FiscalYearBounds). Places with nothing to count are absent.
func ParticipationTallies(ctx context.Context, db bun.IDB, scope string, year int, from, to time.Time, by Grouping) (map[string]partnership.Tally, error) {
	from, to = from.UTC(), to.UTC()
	// The column each table is grouped by.
	aspirations, proposals, reports, complaints := "ward_code", "ward_code", "ward_code", "ward_code"
	if by == ByInstitution {
		aspirations, proposals, reports, complaints = "institution", "institution", "institution", "scope"
	}
	out := map[string]partnership.Tally{}
	tally := func(area string) partnership.Tally { return out[area] }

	var counts []struct {
		Area string
		N    int64
	}
	q := db.NewSelect().Table("aspirations").ColumnExpr("? AS area, COUNT(*) AS n", bun.Ident(aspirations)).
		Where("submitted_at >= ? AND submitted_at < ?", from, to).GroupExpr("?", bun.Ident(aspirations))
	if err := coveredBy(q, aspirations, scope).Scan(ctx, &counts); err != nil {
		return nil, fmt.Errorf("store: unable to count aspirations under %s: %w", scope, err)
	}
	for _, c := range counts {
		t := tally(c.Area)
		t.Aspirations = c.N
		out[c.Area] = t
	}

	if by == ByWard {
		// Attendance is a JSON object of counts by category, which the two
		// dialects take apart differently; a ward holds one Musrenbang a
		// year or so, so its rows are few and summed here.
		var ms []struct {
			Area       string
			Attendance string
		}
		q := db.NewSelect().Table("musrenbang").Column("area", "attendance").
			Where("level = ? AND fiscal_year = ? AND state IN (?)", partnership.LevelWard, year,
				bun.In([]partnership.MusrenbangState{partnership.MusrenbangHeld, partnership.MusrenbangClosed}))
		if err := coveredBy(q, "area", scope).Scan(ctx, &ms); err != nil {
			return nil, fmt.Errorf("store: unable to read Musrenbang attendance under %s: %w", scope, err)
		}
		for _, m := range ms {
			var att map[string]int64
			if err := json.Unmarshal([]byte(m.Attendance), &att); err != nil {
				return nil, fmt.Errorf("store: a Musrenbang of %s has unreadable attendance: %w", m.Area, err)
			}
			t := tally(m.Area)
			for _, n := range att {
				t.Attendance += n
			}
			out[m.Area] = t
		}
	}

	var costs []struct {
		Area  string
		Kind  string
		Total int64
	}
	q = db.NewSelect().Table("proposals").ColumnExpr("? AS area, kind, CAST(SUM(cost) AS BIGINT) AS total", bun.Ident(proposals)).
		Where("fiscal_year = ? AND state IN (?)", year, bun.In(partnership.CommittedStates())).
		GroupExpr("?, kind", bun.Ident(proposals))
	if err := coveredBy(q, proposals, scope).Scan(ctx, &costs); err != nil {
		return nil, fmt.Errorf("store: unable to sum committed proposals under %s: %w", scope, err)
	}
	for _, c := range costs {
		t := tally(c.Area)
		switch partnership.Kind(c.Kind) {
		case partnership.Empowerment:
			t.Empowerment += partnership.Rupiah(c.Total)
		case partnership.Infrastructure:
			t.Infrastructure += partnership.Rupiah(c.Total)
		}
		out[c.Area] = t
	}

	// Times are stored in UTC, so comparing them compares instants in both dialects.
	var rs []struct {
		Area         string
		Reports      int64
		OnTime       int64
		Spent        int64
		Participants int64
	}
	q = db.NewSelect().Table("reports").
		ColumnExpr("? AS area, COUNT(*) AS reports", bun.Ident(reports)).
		ColumnExpr("CAST(COALESCE(SUM(CASE WHEN submitted_at <= due_at THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time").
		ColumnExpr("CAST(COALESCE(SUM(spent), 0) AS BIGINT) AS spent").
		ColumnExpr("CAST(COALESCE(SUM(participants), 0) AS BIGINT) AS participants").
		Where("fiscal_year = ? AND state <> ?", year, "returned").GroupExpr("?", bun.Ident(reports))
	if err := coveredBy(q, reports, scope).Scan(ctx, &rs); err != nil {
		return nil, fmt.Errorf("store: unable to sum reports under %s: %w", scope, err)
	}
	for _, r := range rs {
		t := tally(r.Area)
		t.Reports, t.OnTime, t.Spent, t.Participants = r.Reports, r.OnTime, partnership.Rupiah(r.Spent), r.Participants
		out[r.Area] = t
	}

	// A complaint is an institution's when its scope is one: a key with a '/'.
	complaintsOf := func(q *bun.SelectQuery) *bun.SelectQuery {
		q = coveredBy(q, complaints, scope)
		if by == ByInstitution {
			q = q.Where("? LIKE '%/%'", bun.Ident(complaints))
		}
		return q
	}
	counts = counts[:0]
	q = db.NewSelect().Table("complaints").ColumnExpr("? AS area, COUNT(*) AS n", bun.Ident(complaints)).
		Where("filed_at >= ? AND filed_at < ?", from, to).GroupExpr("?", bun.Ident(complaints))
	if err := complaintsOf(q).Scan(ctx, &counts); err != nil {
		return nil, fmt.Errorf("store: unable to count complaints under %s: %w", scope, err)
	}
	for _, c := range counts {
		t := tally(c.Area)
		t.Complaints = c.N
		out[c.Area] = t
	}
	// The time between two timestamps is spelled differently in each
	// dialect; the resolved complaints' times are read and subtracted here.
	var resolved []struct {
		Area       string
		FiledAt    time.Time
		ResolvedAt time.Time
	}
	q = db.NewSelect().Table("complaints").ColumnExpr("? AS area, filed_at, resolved_at", bun.Ident(complaints)).
		Where("filed_at >= ? AND filed_at < ? AND resolved_at IS NOT NULL", from, to).OrderExpr("id")
	if err := complaintsOf(q).Scan(ctx, &resolved); err != nil {
		return nil, fmt.Errorf("store: unable to read resolved complaints under %s: %w", scope, err)
	}
	for _, r := range resolved {
		t := tally(r.Area)
		t.Resolutions = append(t.Resolutions, r.ResolvedAt.Sub(r.FiledAt))
		out[r.Area] = t
	}
	return out, nil
}
