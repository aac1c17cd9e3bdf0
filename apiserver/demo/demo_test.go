package demo

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/schedule"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/store/storetest"
	"pilar.id/pilar/apiserver/tenancy"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// The table of DESIGN.md: per year and area, the amount and the companies;
// and per year the total and the distinct companies.
var table = map[int]struct {
	areas    map[string][2]int64 // amount, companies
	total    int64
	distinct int
}{
	2014: {map[string][2]int64{
		"environment": {13_824_062_725, 72}, "prosperity": {5_279_986_000, 32}, "education": {5_716_924_950, 22}, "health": {2_238_035_337, 18},
		"religion": {868_166_000, 25}, "sport": {482_190_000, 9}, "arts-culture": {439_702_340, 13},
	}, 28_849_067_352, 132},
	2015: {map[string][2]int64{
		"environment": {15_270_715_000, 220}, "prosperity": {3_109_376_250, 46}, "education": {969_208_500, 9}, "health": {1_490_117_500, 8},
		"religion": {2_724_958_000, 8}, "sport": {51_000_000, 2}, "arts-culture": {423_532_800, 6},
	}, 24_038_908_050, 285},
}

func TestBandungFiguresAreTheTable(t *testing.T) {
	years, err := BandungFigures()
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != 2 {
		t.Fatalf("%d years", len(years))
	}
	for _, y := range years {
		want := table[y.Year]
		if int64(y.Total) != want.total || y.Companies != want.distinct || len(y.Areas) != 7 {
			t.Errorf("%d: total %s, %d companies, %d areas", y.Year, y.Total, y.Companies, len(y.Areas))
		}
		for _, f := range y.Areas {
			if w := want.areas[f.Area]; int64(f.Amount) != w[0] || int64(f.Companies) != w[1] {
				t.Errorf("%d %s: %s by %d", y.Year, f.Area, f.Amount, f.Companies)
			}
		}
	}
}

// Split gives each area exactly its companies and its amount to the rupiah,
// and the year exactly its distinct companies.
func TestSplitDealsOutExactly(t *testing.T) {
	years, _ := BandungFigures()
	for _, y := range years {
		shares := Split(y)
		amount := map[string]partnership.Rupiah{}
		companies := map[string]map[int]bool{}
		all := map[int]bool{}
		for _, s := range shares {
			if s.Company < 1 || s.Company > y.Companies {
				t.Fatalf("%d: company %d", y.Year, s.Company)
			}
			if companies[s.Area] == nil {
				companies[s.Area] = map[int]bool{}
			}
			if companies[s.Area][s.Company] {
				t.Fatalf("%d %s: company %d twice", y.Year, s.Area, s.Company)
			}
			companies[s.Area][s.Company] = true
			amount[s.Area] += s.Amount
			all[s.Company] = true
		}
		for _, f := range y.Areas {
			if amount[f.Area] != f.Amount || len(companies[f.Area]) != f.Companies {
				t.Errorf("%d %s: %s by %d, want %s by %d", y.Year, f.Area, amount[f.Area], len(companies[f.Area]), f.Amount, f.Companies)
			}
		}
		if len(all) != y.Companies {
			t.Errorf("%d: %d distinct companies, want %d", y.Year, len(all), y.Companies)
		}
	}
}

func TestParseFiguresRefusesWhatDoesNotAddUp(t *testing.T) {
	const header = "area,year,amount,companies\n"
	for name, csv := range map[string]string{
		"no header":                   "education,2014,10,1\ntotal,2014,10,1\n",
		"wrong header":                "area,year,rupiah,companies\n",
		"areas do not sum":            header + "education,2014,10,1\nhealth,2014,5,1\ntotal,2014,16,2\n",
		"no total":                    header + "education,2014,10,1\n",
		"two totals":                  header + "education,2014,10,1\ntotal,2014,10,1\ntotal,2014,10,1\n",
		"an area twice":               header + "education,2014,5,1\neducation,2014,5,1\ntotal,2014,10,1\n",
		"negative amount":             header + "education,2014,-10,1\ntotal,2014,-10,1\n",
		"absurd amount":               header + "education,2014,1000000000001,1\ntotal,2014,1000000000001,1\n",
		"not a number":                header + "education,2014,sepuluh,1\ntotal,2014,10,1\n",
		"year out of range":           header + "education,1999,10,1\ntotal,1999,10,1\n",
		"money without company":       header + "education,2014,10,0\ntotal,2014,10,0\n",
		"more distinct than all":      header + "education,2014,10,2\nhealth,2014,10,2\ntotal,2014,20,5\n",
		"fewer distinct than an area": header + "education,2014,10,4\nhealth,2014,10,2\ntotal,2014,20,3\n",
		"a short line":                header + "education,2014,10\n",
	} {
		if _, err := ParseFigures(strings.NewReader(csv)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseFigures(f *testing.F) {
	f.Add(string(bandungCSR))
	f.Add("area,year,amount,companies\neducation,2014,10,3\nhealth,2014,7,2\ntotal,2014,17,4\n")
	f.Fuzz(func(t *testing.T, csv string) {
		years, err := ParseFigures(strings.NewReader(csv))
		if err != nil {
			return
		}
		// Whatever is accepted deals out exactly.
		for _, y := range years {
			var sum partnership.Rupiah
			all := map[int]bool{}
			for _, s := range Split(y) {
				sum += s.Amount
				all[s.Company] = true
			}
			if sum != y.Total || len(all) != y.Companies {
				t.Fatalf("%d: dealt %s to %d companies, want %s to %d", y.Year, sum, len(all), y.Total, y.Companies)
			}
		}
	})
}

func bandung(t *testing.T) *partnership.Region {
	t.Helper()
	regions, err := tenancy.LoadDir("../../tenants")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if r.Slug == "bandung" {
			if r.DemoData != BandungCSR {
				t.Fatalf("tenants/bandung.yaml asks for demo data %q", r.DemoData)
			}
			return r
		}
	}
	t.Fatal("no bandung manifest")
	return nil
}

// Seeded into a real database, on SQLite and on PostgreSQL, the figures come
// back out of the dashboard's query exactly as the table has them; seeding
// again changes nothing.
func TestSeedBandungCSRGivesTheTable(t *testing.T) {
	region := bandung(t)
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		storetest.Areas(t, db, region)
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		for i, want := range []bool{true, false} {
			seeded, err := SeedBandungCSR(ctx, db, region, now)
			if err != nil || seeded != want {
				t.Fatalf("seed %d: seeded %v, %v", i+1, seeded, err)
			}
		}
		assertTable(t, ctx, db, region)
		if n, _ := db.NewSelect().Table("partners").Count(ctx); n != 285 {
			t.Errorf("%d demo partners, want 285", n)
		}
		// The imported companies have no approval date on record: no plan
		// deadline runs against them, and nobody is sanctioned for the demo.
		tn, err := tenancy.NewTenant(region, store.Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		run, err := schedule.FlagOverdue(ctx, db, tn, now)
		if err != nil || len(run.Flagged) != 0 || len(run.Recommended) != 0 {
			t.Fatalf("overdue after the seed: %d flagged, %d recommended, %v", len(run.Flagged), len(run.Recommended), err)
		}
		st, err := store.Standings(ctx, db, region, nil)
		if err != nil || len(st) != 285 || st[0].Maturity != partnership.Charity || st[0].Name != "PT Mitra Bandung 001" {
			t.Fatalf("standings: %d, first %+v, %v", len(st), st[0], err)
		}
	})
	// A region without the four-pillar model cannot take the figures.
	two := *region
	two.FourPillar = nil
	if _, err := SeedBandungCSR(context.Background(), nil, &two, time.Now()); err == nil {
		t.Error("seeded a two-pillar region")
	}
}

func assertTable(t *testing.T, ctx context.Context, db bun.IDB, region *partnership.Region) {
	t.Helper()
	for year, want := range table {
		d, err := store.DashboardOf(ctx, db, region, year)
		if err != nil {
			t.Fatal(err)
		}
		if int64(d.Total.Amount) != want.total || d.Total.Partners != int64(want.distinct) {
			t.Errorf("%d total: %s by %d partners, want Rp %d by %d", year, d.Total.Amount, d.Total.Partners, want.total, want.distinct)
		}
		for _, row := range d.Areas {
			w := want.areas[row.Area]
			if int64(row.Amount) != w[0] || row.Partners != w[1] {
				t.Errorf("%d %s: %s by %d, want Rp %d by %d", year, row.Area, row.Amount, row.Partners, w[0], w[1])
			}
		}
	}
}

func TestSeedDispatchesOnTheManifest(t *testing.T) {
	region := bandung(t)
	other := *region
	other.DemoData = ""
	if err := Seed(context.Background(), nil, &other, time.Now()); err != nil {
		t.Errorf("no demo data asked: %v", err)
	}
	other.DemoData = "jakarta-2030"
	if err := Seed(context.Background(), nil, &other, time.Now()); err == nil {
		t.Error("an unknown data set was accepted")
	}
}
