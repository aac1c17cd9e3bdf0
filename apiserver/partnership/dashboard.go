package partnership

import (
	"fmt"
	"slices"
	"time"
)

// The public dashboard is step 8 of the four-pillar workflow: per year and
// priority area, the amount realised, its share of the year, the partners
// that realised it, the requests residents submitted and the programmes
// realised. The forum's quarterly evaluation (step 6) is built from the same
// figures for a quarter, with each partner's plan against its realisation,
// the reports overdue and how many requests were taken up.
//
// Shares are basis points computed with integer arithmetic and rounded half
// up (see Share), shown as percentages with two decimals: no float ever
// touches money. Partners are counted distinct: a company realising in three
// areas counts once in the year's total, which is therefore not the sum of
// the rows.

// AreaFacts are what the store counts for one priority area of a period, or
// for the whole period.
type AreaFacts struct {
	Area       string
	Amount     Rupiah
	Partners   int64 // distinct partners that realised
	Requests   int64 // CSR requests submitted
	Programmes int64 // distinct programmes with a realisation
}

// DashboardRow is one line of the dashboard: a priority area, or the total.
type DashboardRow struct {
	Area             string `json:"area"`
	Name             string `json:"name"`
	Amount           Rupiah `json:"amount"`
	Share            string `json:"share"`            // percent of the period's total, two decimals: "47.92"
	ShareBasisPoints int64  `json:"shareBasisPoints"` // the same in hundredths of a percent: 4792
	Partners         int64  `json:"partners"`
	Requests         int64  `json:"requests"`
	Programmes       int64  `json:"programmes"`
}

// Dashboard is a region's public figures for a year.
type Dashboard struct {
	Year  int            `json:"year"`
	Areas []DashboardRow `json:"areas"`
	Total DashboardRow   `json:"total"`
}

// TotalArea is the area key of a dashboard's total row.
const TotalArea = "total"

// Percent formats basis points as a percentage with two decimals and no
// sign of percent: 4792 is "47.92", -1250 is "-12.50".
func Percent(bp int64) string {
	sign := ""
	if bp < 0 {
		bp, sign = -bp, "-"
	}
	return fmt.Sprintf("%s%d.%02d", sign, bp/100, bp%100)
}

// CheckDashboardYear refuses a year the dashboard cannot show: before 2000
// or after the current year in the region's time zone — or any year, in a
// region that does not run the four-pillar model.
func (r *Region) CheckDashboardYear(year int, now time.Time) error {
	if err := r.runsFourPillar(); err != nil {
		return err
	}
	current := r.year(now)
	if year < 2000 || year > current {
		return Invalid("year", "a year from 2000 to %d", current)
	}
	return nil
}

// Dashboard lays out the figures of a year: one row per priority area of the
// region in the region's order (an area with nothing realised shows zeros),
// then any area no longer among the region's priorities that still has
// figures, then the total. Each row's share is of the total's amount.
func (r *Region) Dashboard(year int, areas []AreaFacts, total AreaFacts) Dashboard {
	return Dashboard{Year: year, Areas: r.areaRows(areas, total), Total: totalRow(total)}
}

func (r *Region) areaRows(areas []AreaFacts, total AreaFacts) []DashboardRow {
	byArea := map[string]AreaFacts{}
	for _, a := range areas {
		byArea[a.Area] = a
	}
	var rows []DashboardRow
	seen := map[string]bool{}
	if r.FourPillar != nil {
		for _, p := range r.FourPillar.PriorityAreas {
			rows = append(rows, row(byArea[p.Key], p.Key, p.Name, total.Amount))
			seen[p.Key] = true
		}
	}
	var rest []string
	for k := range byArea {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		rows = append(rows, row(byArea[k], k, k, total.Amount))
	}
	return rows
}

func row(f AreaFacts, key, name string, whole Rupiah) DashboardRow {
	bp := ratio(int64(f.Amount), int64(whole), 10_000)
	return DashboardRow{Area: key, Name: name, Amount: f.Amount, Share: Percent(bp), ShareBasisPoints: bp,
		Partners: f.Partners, Requests: f.Requests, Programmes: f.Programmes}
}

func totalRow(total AreaFacts) DashboardRow {
	return row(total, TotalArea, "Total", total.Amount)
}

// --- the quarterly evaluation ---

// QuarterBounds is when a quarter of a year starts and when the next starts,
// in UTC, the quarters being those of the region's calendar year.
func (r *Region) QuarterBounds(year, quarter int) (from, to time.Time) {
	loc := r.location()
	m := time.Month(3*(quarter-1) + 1)
	return time.Date(year, m, 1, 0, 0, 0, 0, loc).UTC(), time.Date(year, m+3, 1, 0, 0, 0, 0, loc).UTC()
}

// CheckQuarter refuses a quarter that cannot be evaluated: not 1 to 4, of a
// year before 2000, or — when it is to be published — not over yet. A
// published evaluation is a record of a quarter that has ended.
func (r *Region) CheckQuarter(year, quarter int, now time.Time, ended bool) error {
	if err := r.CheckDashboardYear(year, now); err != nil {
		return err
	}
	if quarter < 1 || quarter > 4 {
		return Invalid("quarter", "1, 2, 3 or 4")
	}
	if _, to := r.QuarterBounds(year, quarter); ended && now.Before(to) {
		return Invalid("quarter", "Q%d %d ends on %s; evaluate it once it is over", quarter, year, to.In(r.location()).Format(time.DateOnly))
	}
	return nil
}

// PartnerDeviation is a partner's plan against what it realised.
type PartnerDeviation struct {
	Partner  int64  `json:"partner"`
	Name     string `json:"name"`
	Planned  Rupiah `json:"planned"`  // financing of the year's plan
	Realised Rupiah `json:"realised"` // realised in the year up to the quarter's end
	// DeviationBasisPoints is (realised − planned) ÷ planned: negative when
	// the partner realised less than it planned. Nil without a plan.
	DeviationBasisPoints *int64 `json:"deviationBasisPoints"`
	Deviation            string `json:"deviation"` // the same as a percentage, "-12.50", or "n/a"
}

// OverdueItem is an obligation flagged as missing past its deadline.
type OverdueItem struct {
	Kind       string    `json:"kind"`   // "realisation" (of a programme) or "plan"
	Object     int64     `json:"object"` // the programme, or for a plan the partner
	Partner    int64     `json:"partner"`
	Name       string    `json:"name"` // the partner's
	FiscalYear int       `json:"fiscalYear"`
	DueAt      time.Time `json:"dueAt"`
}

// RequestFulfilment is how many of the requests submitted were taken up:
// claimed by a partner or made a programme.
type RequestFulfilment struct {
	Submitted        int64  `json:"submitted"`
	Fulfilled        int64  `json:"fulfilled"`
	ShareBasisPoints int64  `json:"shareBasisPoints"`
	Share            string `json:"share"`
}

// Evaluation is the forum's quarterly evaluation, generated from the data.
type Evaluation struct {
	Year    int       `json:"year"`
	Quarter int       `json:"quarter"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"` // exclusive
	// Areas is the quarter's realisation per priority area, with its total.
	Areas      []DashboardRow     `json:"areas"`
	Total      DashboardRow       `json:"total"`
	Deviations []PartnerDeviation `json:"deviations"`
	Overdue    []OverdueItem      `json:"overdue"`
	Requests   RequestFulfilment  `json:"requests"`
}

// Evaluate builds the evaluation of a quarter: the quarter's realisation per
// area; each partner's plan for the year against what it realised in the
// year up to the quarter's end (a plan is annual, so the year to date is what
// it is measured against); the obligations overdue at the quarter's end; and
// the requests of the year to date that were taken up.
func (r *Region) Evaluate(year, quarter int, areas []AreaFacts, total AreaFacts, deviations []PartnerDeviation, overdue []OverdueItem, submitted, fulfilled int64) Evaluation {
	from, to := r.QuarterBounds(year, quarter)
	e := Evaluation{Year: year, Quarter: quarter, From: from, To: to, Areas: r.areaRows(areas, total), Total: totalRow(total),
		Deviations: make([]PartnerDeviation, len(deviations)), Overdue: overdue}
	if e.Overdue == nil {
		e.Overdue = []OverdueItem{}
	}
	for i, d := range deviations {
		d.Deviation = "n/a"
		d.DeviationBasisPoints = nil
		if d.Planned > 0 {
			diff := int64(d.Realised - d.Planned)
			bp := ratio(abs(diff), int64(d.Planned), 10_000)
			if diff < 0 {
				bp = -bp
			}
			d.DeviationBasisPoints, d.Deviation = &bp, Percent(bp)
		}
		e.Deviations[i] = d
	}
	bp := ratio(fulfilled, submitted, 10_000)
	e.Requests = RequestFulfilment{Submitted: submitted, Fulfilled: fulfilled, ShareBasisPoints: bp, Share: Percent(bp)}
	return e
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// --- the national aggregate ---

// RegionDashboard is one region's public dashboard, as the national
// aggregate receives it: figures only, nothing about any person.
type RegionDashboard struct {
	Slug      string
	Name      string
	Dashboard Dashboard
}

// NationalRegion is one region's line of the national aggregate.
type NationalRegion struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	Amount     Rupiah `json:"amount"`
	Partners   int64  `json:"partners"` // distinct within the region
	Requests   int64  `json:"requests"`
	Programmes int64  `json:"programmes"`
}

// NationalRow is one priority area of the national aggregate, summed over the
// regions that have it.
type NationalRow struct {
	Area             string `json:"area"`
	Name             string `json:"name"`
	Amount           Rupiah `json:"amount"`
	Share            string `json:"share"`
	ShareBasisPoints int64  `json:"shareBasisPoints"`
	// PartnersSumOfRegions adds up each region's distinct partners: a
	// company active in two regions is counted twice, so this is not a
	// count of distinct partners.
	PartnersSumOfRegions int64 `json:"partnersSumOfRegions"`
	Requests             int64 `json:"requests"`
	Programmes           int64 `json:"programmes"`
	Regions              int   `json:"regions"` // regions with this priority area
}

// NationalDashboard sums the public dashboards of several regions for a year.
type NationalDashboard struct {
	Year    int              `json:"year"`
	Regions []NationalRegion `json:"regions"`
	Areas   []NationalRow    `json:"areas"`
	Total   NationalRow      `json:"total"`
	Note    string           `json:"note"`
}

// NationalPartnersNote says why partners are not counted distinct nationally.
const NationalPartnersNote = "Partners are counted distinct within each region. Regions keep their data apart and share no identities, " +
	"so a partner active in several regions cannot be recognised across them: partnersSumOfRegions adds up the regions' distinct counts " +
	"and overstates the number of distinct partners whenever one works in more than one region."

// SumDashboards adds up the public figures of regions for a year: per
// priority area key the amounts, requests and programmes, and the regions'
// distinct partner counts as a sum of regions (see NationalPartnersNote).
// Shares are recomputed from the summed amounts. Areas appear in the order
// the regions first name them.
func SumDashboards(year int, regions []RegionDashboard) NationalDashboard {
	n := NationalDashboard{Year: year, Regions: []NationalRegion{}, Areas: []NationalRow{}, Note: NationalPartnersNote,
		Total: NationalRow{Area: TotalArea, Name: "Total"}}
	index := map[string]int{}
	for _, rd := range regions {
		t := rd.Dashboard.Total
		n.Regions = append(n.Regions, NationalRegion{Slug: rd.Slug, Name: rd.Name, Amount: t.Amount, Partners: t.Partners, Requests: t.Requests, Programmes: t.Programmes})
		n.Total.Amount += t.Amount
		n.Total.PartnersSumOfRegions += t.Partners
		n.Total.Requests += t.Requests
		n.Total.Programmes += t.Programmes
		n.Total.Regions++
		for _, a := range rd.Dashboard.Areas {
			i, ok := index[a.Area]
			if !ok {
				i = len(n.Areas)
				index[a.Area] = i
				n.Areas = append(n.Areas, NationalRow{Area: a.Area, Name: a.Name})
			}
			row := &n.Areas[i]
			row.Amount += a.Amount
			row.PartnersSumOfRegions += a.Partners
			row.Requests += a.Requests
			row.Programmes += a.Programmes
			row.Regions++
		}
	}
	for i := range n.Areas {
		bp := ratio(int64(n.Areas[i].Amount), int64(n.Total.Amount), 10_000)
		n.Areas[i].ShareBasisPoints, n.Areas[i].Share = bp, Percent(bp)
	}
	bp := ratio(int64(n.Total.Amount), int64(n.Total.Amount), 10_000)
	n.Total.ShareBasisPoints, n.Total.Share = bp, Percent(bp)
	return n
}
