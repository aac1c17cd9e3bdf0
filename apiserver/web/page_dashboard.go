package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
)

// The public dashboard: every figure as a chart drawn on the server in SVG
// (no chart library in the browser), as an HTML table beside it, and as CSV.

type participationView struct {
	Region     partnership.AreaEvaluation
	Kecamatan  []partnership.AreaEvaluation
	Wards      []wardGroup
	ChartKec   template.HTML
	ChartWards template.HTML
}

type wardGroup struct {
	Kecamatan string
	Rows      []partnership.AreaEvaluation
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
func dashboardYear(c *fiber.Ctx, o Options) (int, error) {
	r := regionOf(c).tenant.Region
	year := o.now().In(r.Location).Year()
	if y := c.Query("year"); y != "" {
		var err error
		if year, err = strconv.Atoi(y); err != nil {
			return 0, partnership.Invalid("year", "a year")
		}
	}
	return year, r.CheckReadableYear(year, o.now())
}

// participationOf evaluates the region per kecamatan and per ward for a
// year, with the participation functions the API's evaluation uses.
func participationOf(c *fiber.Ctx, year int) (partnership.AreaEvaluation, []partnership.AreaEvaluation, []wardGroup, error) {
	rr := regionOf(c)
	r := rr.tenant.Region
	ctx, db := c.UserContext(), rr.db
	from, to := r.FiscalYearBounds(year)
	wards, err := store.ParticipationTallies(ctx, db, rr.root, year, from, to, store.ByWard)
	if err != nil {
		return partnership.AreaEvaluation{}, nil, nil, err
	}
	phases, err := store.LatestPhases(ctx, db, rr.root, year)
	if err != nil {
		return partnership.AreaEvaluation{}, nil, nil, err
	}
	top, kec, err := r.Participation(rr.root, wards, nil, phases)
	if err != nil {
		return top, nil, nil, err
	}
	var groups []wardGroup
	for _, k := range r.Kecamatan {
		_, rows, err := r.Participation(k.Code, wards, nil, phases)
		if err != nil {
			return top, nil, nil, err
		}
		groups = append(groups, wardGroup{Kecamatan: k.Name, Rows: rows})
	}
	return top, kec, groups, nil
}

func dashboardPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		r := rr.tenant.Region
		v := newView(c, o, "dashboard")
		year, err := dashboardYear(c, o)
		if err != nil {
			return err
		}
		d := dashboardData{Year: year}
		current := o.now().In(r.Location).Year()
		for y := current; y >= current-5; y-- {
			d.Years = append(d.Years, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == year})
		}
		if r.TwoPillar != nil {
			top, kec, wards, err := participationOf(c, year)
			if err != nil {
				return err
			}
			pv := &participationView{Region: top, Kecamatan: kec, Wards: wards}
			var bars []bar
			for _, k := range kec {
				bars = append(bars, bar{Label: k.Name, Value: k.Indicators.AspirationRate.Value, Second: k.Indicators.AttendanceRate.Value})
			}
			pv.ChartKec = barChart(v, "chart-kec", v.L.T("dashboard.chart.kecamatan", year), v.L.T("dashboard.chart.desc"), bars,
				v.L.T("dashboard.aspirationRate"), v.L.T("dashboard.attendanceRate"))
			bars = nil
			for _, g := range wards {
				for _, w := range g.Rows {
					bars = append(bars, bar{Label: w.Name, Value: w.Indicators.AspirationRate.Value, Second: w.Indicators.AttendanceRate.Value})
				}
			}
			pv.ChartWards = barChart(v, "chart-wards", v.L.T("dashboard.chart.wards", year), v.L.T("dashboard.chart.desc"), bars,
				v.L.T("dashboard.aspirationRate"), v.L.T("dashboard.attendanceRate"))
			d.Participation = pv
		}
		if r.Runs(partnership.FourPillar) && r.CheckDashboardYear(year, o.now()) == nil {
			db, err := store.DashboardOf(c.UserContext(), rr.db, r, year)
			if err != nil {
				return err
			}
			var bars []bar
			for _, a := range db.Areas {
				bars = append(bars, bar{Label: a.Name, Value: int64(a.Amount), Money: true})
			}
			d.CSR = &csrView{Dashboard: db, Chart: barChart(v, "chart-csr", v.L.T("dashboard.chart.csr", year), v.L.T("dashboard.chart.desc"), bars, v.L.T("dashboard.amount"), "")}
		}
		v.Data = d
		return render(c, v, "dashboard")
	}
}

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
func participationCSV(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, o, "dashboard")
		year, err := dashboardYear(c, o)
		if err != nil {
			return err
		}
		_, kec, wards, err := participationOf(c, year)
		if err != nil {
			return err
		}
		header := []string{v.L.T("dashboard.code"), v.L.T("dashboard.area"), v.L.T("dashboard.population"), v.L.T("dashboard.aspirations"),
			v.L.T("dashboard.aspirationRate"), v.L.T("dashboard.attendance"), v.L.T("dashboard.attendanceRate"), v.L.T("dashboard.participants"),
			v.L.T("dashboard.empowermentShare")}
		rows := [][]string{}
		line := func(kecamatan string, e partnership.AreaEvaluation) []string {
			in := e.Indicators
			out := []string{e.Scope, e.Name, strconv.FormatInt(in.Population, 10), strconv.FormatInt(in.Aspirations, 10), perMilleCSV(in.AspirationRate),
				strconv.FormatInt(in.Attendance, 10), perMilleCSV(in.AttendanceRate), strconv.FormatInt(in.Participants, 10), shareCSV(in.EmpowermentShare)}
			if kecamatan != "" {
				out = append([]string{kecamatan}, out...)
			}
			return out
		}
		name := fmt.Sprintf("participation-kecamatan-%d.csv", year)
		if c.Query("level") == "ward" {
			name = fmt.Sprintf("participation-wards-%d.csv", year)
			rows = append(rows, append([]string{v.L.T("dashboard.kecamatan")}, append(header, v.L.T("dashboard.phase"))...))
			for _, g := range wards {
				for _, w := range g.Rows {
					phase := ""
					if w.Phase != nil {
						phase = string(w.Phase.Phase)
					}
					rows = append(rows, append(line(g.Kecamatan, w), phase))
				}
			}
		} else {
			rows = append(rows, header)
			for _, k := range kec {
				rows = append(rows, line("", k))
			}
		}
		return sendCSV(c, name, rows)
	}
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

// csrCSV is the four-pillar realisation per priority area of a year as CSV.
func csrCSV(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		r := rr.tenant.Region
		v := newView(c, o, "dashboard")
		year := o.now().In(r.Location).Year()
		if y := c.Query("year"); y != "" {
			var err error
			if year, err = strconv.Atoi(y); err != nil {
				return partnership.Invalid("year", "a year")
			}
		}
		if !r.Runs(partnership.FourPillar) {
			return fmt.Errorf("%w: %s does not run the four-pillar model", partnership.ErrNotFound, r.Name)
		}
		if err := r.CheckDashboardYear(year, o.now()); err != nil {
			return err
		}
		d, err := store.DashboardOf(c.UserContext(), rr.db, r, year)
		if err != nil {
			return err
		}
		rows := [][]string{{v.L.T("dashboard.year"), v.L.T("dashboard.areaKey"), v.L.T("dashboard.priorityArea"), v.L.T("dashboard.amountRp"),
			v.L.T("dashboard.sharePercent"), v.L.T("dashboard.partners"), v.L.T("dashboard.requests"), v.L.T("dashboard.programmes")}}
		for _, a := range append(d.Areas, d.Total) {
			rows = append(rows, []string{strconv.Itoa(year), a.Area, a.Name, strconv.FormatInt(int64(a.Amount), 10), a.Share,
				strconv.FormatInt(a.Partners, 10), strconv.FormatInt(a.Requests, 10), strconv.FormatInt(a.Programmes, 10)})
		}
		return sendCSV(c, fmt.Sprintf("csr-realisation-%d.csv", year), rows)
	}
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
