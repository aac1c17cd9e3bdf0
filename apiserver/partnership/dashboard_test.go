package partnership

import (
	"errors"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	for bp, want := range map[int64]string{0: "0.00", 1: "0.01", 21: "0.21", 4792: "47.92", 10_000: "100.00", -1250: "-12.50", 123_456: "1234.56"} {
		if got := Percent(bp); got != want {
			t.Errorf("Percent(%d) = %q, want %q", bp, got, want)
		}
	}
}

// Bandung's realised CSR of 2015 (DESIGN.md): every share, rounded half up
// in integers, is the published one.
func TestDashboardSharesOfBandung2015(t *testing.T) {
	r := outcomesRegion()
	areas := []AreaFacts{
		{Area: "environment", Amount: 15_270_715_000, Partners: 220},
		{Area: "prosperity", Amount: 3_109_376_250, Partners: 46},
		{Area: "education", Amount: 969_208_500, Partners: 9},
		{Area: "health", Amount: 1_490_117_500, Partners: 8},
		{Area: "religion", Amount: 2_724_958_000, Partners: 8},
		{Area: "sport", Amount: 51_000_000, Partners: 2},
		{Area: "arts-culture", Amount: 423_532_800, Partners: 6},
	}
	d := r.Dashboard(2015, areas, AreaFacts{Amount: 24_038_908_050, Partners: 285})
	want := map[string]string{"environment": "63.52", "prosperity": "12.93", "education": "4.03", "health": "6.20", "religion": "11.34", "sport": "0.21", "arts-culture": "1.76"}
	if len(d.Areas) != 7 {
		t.Fatalf("%d rows", len(d.Areas))
	}
	for i, row := range d.Areas {
		if row.Area != r.FourPillar.PriorityAreas[i].Key || row.Name != r.FourPillar.PriorityAreas[i].Name {
			t.Errorf("row %d is %s, want the region's order", i, row.Area)
		}
		if row.Share != want[row.Area] {
			t.Errorf("%s: %s, want %s", row.Area, row.Share, want[row.Area])
		}
	}
	if d.Total.Area != TotalArea || d.Total.Share != "100.00" || d.Total.Partners != 285 || d.Total.Amount != 24_038_908_050 {
		t.Errorf("total %+v", d.Total)
	}
	// A year with nothing realised shows zeros, not a division by zero; an
	// area no longer a priority still shows what was realised in it.
	empty := r.Dashboard(2016, nil, AreaFacts{})
	if empty.Total.Share != "0.00" || empty.Areas[0].Share != "0.00" {
		t.Errorf("an empty year: %+v", empty)
	}
	old := r.Dashboard(2016, []AreaFacts{{Area: "infrastructure", Amount: 5}}, AreaFacts{Amount: 5})
	if last := old.Areas[len(old.Areas)-1]; last.Area != "infrastructure" || last.Share != "100.00" {
		t.Errorf("a former priority area: %+v", last)
	}
}

func TestCheckYearAndQuarter(t *testing.T) {
	r := outcomesRegion()
	for _, y := range []int{1999, 2027, -1} {
		if err := r.CheckDashboardYear(y, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("year %d: %v", y, err)
		}
	}
	if err := r.CheckDashboardYear(2014, now); err != nil {
		t.Errorf("2014: %v", err)
	}
	for _, tt := range []struct {
		year, quarter int
		ended         bool
		ok            bool
	}{
		{2026, 3, true, true}, {2026, 4, true, false}, {2026, 4, false, true}, {2026, 0, false, false}, {2026, 5, false, false}, {1999, 1, false, false},
	} {
		if err := r.CheckQuarter(tt.year, tt.quarter, now, tt.ended); (err == nil) != tt.ok {
			t.Errorf("Q%d %d (ended %v): %v", tt.quarter, tt.year, tt.ended, err)
		}
	}
	from, to := r.QuarterBounds(2026, 4)
	if !from.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, r.Location)) || !to.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, r.Location)) {
		t.Errorf("Q4 2026: %v to %v", from, to)
	}
}

func TestQuarterlyEvaluation(t *testing.T) {
	r := outcomesRegion()
	e := r.Evaluate(2026, 3,
		[]AreaFacts{{Area: "education", Amount: 300, Partners: 1, Programmes: 1}, {Area: "health", Amount: 100, Partners: 1, Programmes: 1}},
		AreaFacts{Amount: 400, Partners: 1, Programmes: 2},
		[]PartnerDeviation{{Partner: 1, Name: "PT A", Planned: 800, Realised: 400}, {Partner: 2, Name: "PT B", Planned: 0, Realised: 50}, {Partner: 3, Planned: 100, Realised: 125}},
		nil, 3, 2)
	if e.Areas[0].Share != "75.00" || e.Areas[1].Share != "25.00" || e.Total.Programmes != 2 {
		t.Errorf("areas %+v total %+v", e.Areas[:2], e.Total)
	}
	if d := e.Deviations[0]; d.Deviation != "-50.00" || *d.DeviationBasisPoints != -5000 {
		t.Errorf("under plan: %+v", d)
	}
	if d := e.Deviations[1]; d.Deviation != "n/a" || d.DeviationBasisPoints != nil {
		t.Errorf("without a plan: %+v", d)
	}
	if d := e.Deviations[2]; d.Deviation != "25.00" {
		t.Errorf("over plan: %+v", d)
	}
	if e.Requests.Share != "66.67" || e.Requests.ShareBasisPoints != 6667 || e.Overdue == nil {
		t.Errorf("requests %+v, overdue %v", e.Requests, e.Overdue)
	}
}

func TestSumDashboards(t *testing.T) {
	a := RegionDashboard{Slug: "bandung", Name: "Kota Bandung", Dashboard: Dashboard{Year: 2015,
		Areas: []DashboardRow{{Area: "education", Name: "Pendidikan", Amount: 300, Partners: 2, Requests: 1}, {Area: "sport", Name: "Olahraga", Amount: 100, Partners: 2}},
		Total: DashboardRow{Area: TotalArea, Amount: 400, Partners: 3, Requests: 1}}}
	b := RegionDashboard{Slug: "sumedang", Name: "Kabupaten Sumedang", Dashboard: Dashboard{Year: 2015,
		Areas: []DashboardRow{{Area: "education", Name: "Pendidikan", Amount: 100, Partners: 1, Programmes: 2}, {Area: "agriculture", Name: "Pertanian", Amount: 0}},
		Total: DashboardRow{Area: TotalArea, Amount: 100, Partners: 1, Programmes: 2}}}
	n := SumDashboards(2015, []RegionDashboard{a, b})
	if len(n.Regions) != 2 || n.Total.Amount != 500 || n.Total.PartnersSumOfRegions != 4 || n.Total.Requests != 1 || n.Total.Programmes != 2 || n.Total.Share != "100.00" {
		t.Fatalf("total %+v regions %+v", n.Total, n.Regions)
	}
	if len(n.Areas) != 3 || n.Areas[0].Area != "education" || n.Areas[1].Area != "sport" || n.Areas[2].Area != "agriculture" {
		t.Fatalf("areas %+v", n.Areas)
	}
	if e := n.Areas[0]; e.Amount != 400 || e.Share != "80.00" || e.PartnersSumOfRegions != 3 || e.Regions != 2 || e.Programmes != 2 {
		t.Errorf("education %+v", e)
	}
	if n.Note == "" {
		t.Error("no note on partners")
	}
	if empty := SumDashboards(2015, nil); empty.Total.Share != "0.00" || empty.Regions == nil || empty.Areas == nil {
		t.Errorf("no regions: %+v", empty)
	}
}
