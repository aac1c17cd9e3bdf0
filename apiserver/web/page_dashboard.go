package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/twopillar"
)

// The public dashboard: every figure as a chart drawn on the server in SVG
// (no chart library in the browser), as an HTML table beside it, and as CSV.

type participationView struct {
	twopillar.Dashboard
	ChartKec   template.HTML
	ChartWards template.HTML
}

type csrView struct {
	Dashboard partnership.Dashboard
	Chart     template.HTML
}

type dashboardData struct {
	Year          int
	Years         []option
	Participation *participationView
	CSR           *csrView
}

// dashboardYear is the year the dashboard shows: ?year=, else the current one.
func dashboardYear(c *fiber.Ctx) (int, error) {
	q := &query{c: c}
	year := q.yearOr("year", thisYear(c))
	if q.err != nil {
		return 0, q.err
	}
	return year, regionOf(c).tenant.Region.CheckReadableYear(year, realmOf(c).Clock())
}

// dashboardPage draws the participation per kecamatan and per ward
// (twopillar.DashboardOf) and the CSR realisation per priority area
// (fourpillar.Dashboard) of a year.
var dashboardPage = screen{nav: "dashboard", template: "dashboard", data: func(c *fiber.Ctx, v *view) (any, error) {
	realm, r := realmOf(c), regionOf(c).tenant.Region
	year, err := dashboardYear(c)
	if err != nil {
		return nil, err
	}
	d := dashboardData{Year: year}
	current := thisYear(c)
	for y := current; y >= current-5; y-- {
		d.Years = append(d.Years, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == year})
	}
	if r.TwoPillar != nil {
		pd, err := twopillar.DashboardOf(c.UserContext(), realm, year)
		if err != nil {
			return nil, err
		}
		rates := func(es []partnership.AreaEvaluation) []bar {
			return each(es, func(e partnership.AreaEvaluation) bar {
				return bar{Label: e.Name, Value: e.Indicators.AspirationRate.Value, Second: e.Indicators.AttendanceRate.Value}
			})
		}
		var wards []partnership.AreaEvaluation
		for _, g := range pd.Wards {
			wards = append(wards, g.Rows...)
		}
		d.Participation = &participationView{Dashboard: pd,
			ChartKec: barChart(v, "chart-kec", v.L.T("dashboard.chart.kecamatan", year), v.L.T("dashboard.chart.desc"), rates(pd.Kecamatan),
				v.L.T("dashboard.aspirationRate"), v.L.T("dashboard.attendanceRate")),
			ChartWards: barChart(v, "chart-wards", v.L.T("dashboard.chart.wards", year), v.L.T("dashboard.chart.desc"), rates(wards),
				v.L.T("dashboard.aspirationRate"), v.L.T("dashboard.attendanceRate"))}
	}
	if r.Runs(partnership.FourPillar) && r.CheckDashboardYear(year, realm.Clock()) == nil {
		db, err := fourpillar.Dashboard(c.UserContext(), realm, year)
		if err != nil {
			return nil, err
		}
		bars := each(db.Areas, func(a partnership.DashboardRow) bar { return bar{Label: a.Name, Value: int64(a.Amount), Money: true} })
		d.CSR = &csrView{Dashboard: db, Chart: barChart(v, "chart-csr", v.L.T("dashboard.chart.csr", year), v.L.T("dashboard.chart.desc"), bars, v.L.T("dashboard.amount"), "")}
	}
	return d, nil
}}.get

// Rate formats a rate per 1,000 residents, or a dash when undefined.
func (v *view) Rate(p partnership.PerMille) string {
	if !p.Defined {
		return "–"
	}
	return v.L.Number(p.Value)
}

// Share formats a share, or a dash when undefined.
func (v *view) Share(b partnership.BasisPoints) string {
	if !b.Defined {
		return "–"
	}
	return v.L.Percent(b.Value)
}

// PhaseOf names the participation phase of a ward's evaluation.
func (v *view) PhaseOf(e partnership.AreaEvaluation) string {
	if e.Phase == nil {
		return v.L.T("phase.unassessed")
	}
	return v.L.T("phase." + string(e.Phase.Phase))
}

// --- CSV ---

func sendCSV(c *fiber.Ctx, name string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("web: unable to write CSV: %w", err)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(buf.Bytes())
}

// participationCSV is the participation table as CSV, per kecamatan or (with
// ?level=ward) per ward; headers in the reader's language.
func participationCSV(c *fiber.Ctx) error {
	v := newView(c, "dashboard")
	year, err := dashboardYear(c)
	if err != nil {
		return err
	}
	pd, err := twopillar.DashboardOf(c.UserContext(), realmOf(c), year)
	if err != nil {
		return err
	}
	header := []string{v.L.T("dashboard.code"), v.L.T("dashboard.area"), v.L.T("dashboard.population"), v.L.T("dashboard.aspirations"),
		v.L.T("dashboard.aspirationRate"), v.L.T("dashboard.attendance"), v.L.T("dashboard.attendanceRate"), v.L.T("dashboard.participants"),
		v.L.T("dashboard.empowermentShare")}
	line := func(e partnership.AreaEvaluation) []string {
		in := e.Indicators
		return []string{e.Scope, e.Name, strconv.FormatInt(in.Population, 10), strconv.FormatInt(in.Aspirations, 10), perMilleCSV(in.AspirationRate),
			strconv.FormatInt(in.Attendance, 10), perMilleCSV(in.AttendanceRate), strconv.FormatInt(in.Participants, 10), shareCSV(in.EmpowermentShare)}
	}
	if c.Query("level") != "ward" {
		return sendCSV(c, fmt.Sprintf("participation-kecamatan-%d.csv", year), append([][]string{header}, each(pd.Kecamatan, line)...))
	}
	rows := [][]string{append(append([]string{v.L.T("dashboard.kecamatan")}, header...), v.L.T("dashboard.phase"))}
	for _, g := range pd.Wards {
		for _, w := range g.Rows {
			phase := ""
			if w.Phase != nil {
				phase = string(w.Phase.Phase)
			}
			rows = append(rows, append(append([]string{g.Kecamatan}, line(w)...), phase))
		}
	}
	return sendCSV(c, fmt.Sprintf("participation-wards-%d.csv", year), rows)
}

func perMilleCSV(p partnership.PerMille) string {
	if !p.Defined {
		return ""
	}
	return strconv.FormatInt(p.Value, 10)
}

func shareCSV(b partnership.BasisPoints) string {
	if !b.Defined {
		return ""
	}
	return partnership.Percent(b.Value)
}

// csrCSV is the four-pillar realisation per priority area of a year as CSV,
// the API's dashboard.csv with headers in the reader's language.
func csrCSV(c *fiber.Ctx) error {
	v := newView(c, "dashboard")
	year, err := csrDashboardYear(c)
	if err != nil {
		return err
	}
	if err := fourPillarOnly(c); err != nil {
		return err
	}
	return dashboardCSV(c, fmt.Sprintf("csr-realisation-%d.csv", year), year, []string{v.L.T("dashboard.year"), v.L.T("dashboard.areaKey"),
		v.L.T("dashboard.priorityArea"), v.L.T("dashboard.amountRp"), v.L.T("dashboard.sharePercent"), v.L.T("dashboard.partners"),
		v.L.T("dashboard.requests"), v.L.T("dashboard.programmes")})
}

// --- SVG charts ---

// bar is one row of a bar chart, with an optional second series.
type bar struct {
	Label  string
	Value  int64
	Second int64
	Money  bool
}

// barChart draws a horizontal bar chart as inline SVG: one row per bar, a
// second, lighter bar under the first when a second series is named. Its
// numbers are in the table beside it; the title and description say so.
func barChart(v *view, id, title, desc string, bars []bar, series, second string) template.HTML {
	const width, labelW, valueW, rowH = 640, 190, 120, 30
	barW := width - labelW - valueW
	rowHeight := rowH
	if second != "" {
		rowHeight = rowH + 14
	}
	legendH := 28
	height := legendH + len(bars)*rowHeight + 8
	var maxV int64 = 1
	for _, b := range bars {
		maxV = max(maxV, b.Value, b.Second)
	}
	format := func(b bar, n int64) string {
		if b.Money {
			return v.L.Rupiah(n)
		}
		return v.L.Number(n)
	}
	esc := template.HTMLEscapeString
	var s bytes.Buffer
	fmt.Fprintf(&s, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, width, height, id, id)
	fmt.Fprintf(&s, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	fmt.Fprintf(&s, `<rect x="0" y="6" width="14" height="14" fill="#0b57a4"/><text x="20" y="18" font-size="14" fill="#1a1a1a">%s</text>`, esc(series))
	if second != "" {
		fmt.Fprintf(&s, `<rect x="320" y="6" width="14" height="14" fill="#7a4fa0"/><text x="340" y="18" font-size="14" fill="#1a1a1a">%s</text>`, esc(second))
	}
	for i, b := range bars {
		y := legendH + i*rowHeight
		w := int(b.Value * int64(barW) / maxV)
		label := b.Label
		if len([]rune(label)) > 24 {
			label = string([]rune(label)[:23]) + "…"
		}
		fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="14" text-anchor="end" fill="#1a1a1a">%s</text>`, labelW-8, y+16, esc(label))
		fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%d" height="18" fill="#0b57a4"/>`, labelW, y+3, max(w, 1))
		fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="13" fill="#1a1a1a">%s</text>`, labelW+max(w, 1)+6, y+16, esc(format(b, b.Value)))
		if second != "" {
			w2 := int(b.Second * int64(barW) / maxV)
			fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%d" height="10" fill="#7a4fa0"/>`, labelW, y+23, max(w2, 1))
			fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="11" fill="#1a1a1a">%s</text>`, labelW+max(w2, 1)+6, y+32, esc(format(b, b.Second)))
		}
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}
