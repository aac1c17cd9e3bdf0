package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

var ocNow = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// ocRegion runs Bandung's four-pillar rules on two kecamatan.
func ocRegion() *partnership.Region {
	jkt, _ := time.LoadLocation("Asia/Jakarta")
	r := &partnership.Region{Slug: "bandung", Code: "32.73", Name: "Kota Bandung", Location: jkt,
		Pillars: []partnership.Pillar{partnership.TwoPillar, partnership.FourPillar},
		Kecamatan: []partnership.Kecamatan{
			{Code: "32.73.01", Name: "Sukasari", Wards: []partnership.Ward{{Code: "32.73.01.1001", Name: "Sukarasa", Kind: "kelurahan", RW: 2}}},
			{Code: "32.73.02", Name: "Coblong", Wards: []partnership.Ward{{Code: "32.73.02.1001", Name: "Cipaganti", Kind: "kelurahan", RW: 1}}},
		},
		InstitutionTypes: []partnership.InstitutionType{{Key: "rw", PerRW: true}},
		FourPillar: &partnership.FourPillarRules{
			PriorityAreas: []partnership.PriorityArea{{Key: "education", Name: "Pendidikan"}, {Key: "health", Name: "Kesehatan"}, {Key: "environment", Name: "Lingkungan hidup"}},
			PlanDeadline:  30 * 24 * time.Hour, RealisationDeadline: 30 * 24 * time.Hour, AwardCycleYears: 2,
			AwardWeights:   map[string]int{"commitment": 25, "alignment": 20, "deviation": 15, "reporting": 15, "sustainability": 15, "documents": 10},
			SanctionLadder: []string{"written-warning", "business-restriction", "facility-freeze", "revocation"},
		},
		LegalBasis: []partnership.Regulation{{Kind: "Perda", Number: "13", Year: 2012, Covers: []string{"csr-obligation"}}},
	}
	r.IndexScopes()
	return r
}

// onOutcomes runs a test on both drivers in a database of ocRegion, with
// the account of its partners.
func onOutcomes(t *testing.T, test func(t *testing.T, db *bun.DB, region *partnership.Region, account int64)) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		region := ocRegion()
		test(t, db, region, migrated(t, db, region, "pt")["pt"])
	})
}

func ocPartner(t *testing.T, db bun.IDB, account int64, name string, kind partnership.PartnerKind, approved time.Time) int64 {
	t.Helper()
	p := &partnership.Partner{Kind: kind, Name: name, AccountID: account, State: partnership.PartnerApproved,
		RegisteredAt: approved.Add(-time.Hour), ApprovedAt: &approved}
	if err := InsertPartner(context.Background(), db, p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func ocProgramme(t *testing.T, db bun.IDB, partner int64, area string, year int) *partnership.Programme {
	t.Helper()
	p := &partnership.Programme{Source: partnership.FromPlan, PartnerID: partner, Area: area, WardCode: "32.73.01.1001", Title: "Program " + area,
		SectorAgency: "Dinas", FiscalYear: year, State: partnership.ProgrammeActive, CreatedAt: ocNow}
	if err := InsertProgramme(context.Background(), db, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// ocPlan stores a plan with one activity per financing; aligned says which are aligned.
func ocPlan(t *testing.T, db bun.IDB, partner int64, year int, financing []partnership.Rupiah, aligned []bool) {
	t.Helper()
	plan := &partnership.CSRPlan{PartnerID: partner, FiscalYear: year, BoardApprovedAt: time.Date(year, 1, 5, 0, 0, 0, 0, time.UTC),
		SubmittedAt: time.Date(year, 1, 10, 0, 0, 0, 0, time.UTC), DueAt: time.Date(year, 2, 4, 0, 0, 0, 0, time.UTC), State: partnership.PlanApproved}
	for i, f := range financing {
		a := partnership.PlanActivity{Title: "Kegiatan", Location: "32.73.01", Area: "education", Target: "siswa", Goal: "tujuan", Financing: f}
		if aligned[i] {
			a.AlignedArea, a.AlignedTarget, a.Alignment = "education", "facilities", partnership.Aligned
		} else {
			a.Alignment = partnership.NotAligned
		}
		plan.Activities = append(plan.Activities, a)
	}
	if err := InsertPlan(context.Background(), db, plan); err != nil {
		t.Fatal(err)
	}
}

func ocRealise(t *testing.T, db bun.IDB, region *partnership.Region, p *partnership.Programme, amount partnership.Rupiah, end string, at time.Time, evidence bool) *partnership.Realisation {
	t.Helper()
	in := partnership.RealisationInput{Programme: p.ID, ActivityStart: end, ActivityEnd: end, Amount: amount, SourceOfFunds: "Dana TJSL",
		Outputs: "Selesai", TargetsReached: "Semua"}
	var files []partnership.Upload
	if evidence {
		data := []byte("%PDF-1.7 bukti")
		files = []partnership.Upload{{Name: "bukti.pdf", Size: int64(len(data)), Data: data}}
	}
	rz, err := region.Realisation(p, p.PartnerID, in, files, 0, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := InsertRealisation(context.Background(), db, rz); err != nil {
		t.Fatal(err)
	}
	return rz
}

func TestRealisationsRoundTripWithEvidence(t *testing.T) {
	onOutcomes(t, func(t *testing.T, db *bun.DB, region *partnership.Region, account int64) {
		ctx := context.Background()
		pid := ocPartner(t, db, account, "PT Satu", partnership.PartnerCompany, ocNow.AddDate(-1, 0, 0))
		prog := ocProgramme(t, db, pid, "education", 2026)
		rz := ocRealise(t, db, region, prog, 250_000_000, "2026-10-31", ocNow, true)

		got := read(t, db, GetRealisation, rz.ID)
		if got.Amount != 250_000_000 || got.ProgrammeID != prog.ID || got.WardCode != "32.73.01.1001" || got.Late || got.Historical ||
			!got.DueAt.Equal(rz.DueAt) || len(got.Evidence) != 1 || got.Evidence[0].ContentType != "application/pdf" || got.Evidence[0].Data != nil {
			t.Fatalf("read back %+v", got)
		}
		doc, err := RealisationEvidence(ctx, db, rz.ID, 1)
		if err != nil || !bytes.Equal(doc.Data, []byte("%PDF-1.7 bukti")) {
			t.Fatalf("evidence: %v %v", doc, err)
		}
		if _, err := RealisationEvidence(ctx, db, rz.ID, 2); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("missing evidence: %v", err)
		}
		if _, err := GetRealisation(ctx, db, 999); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("unknown realisation: %v", err)
		}
		list, err := ListRealisations(ctx, db, RealisationFilter{PartnerID: pid, FiscalYear: 2026})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v %v", list, err)
		}
		if ok, _ := ActsFor(ctx, db, account, pid); !ok {
			t.Error("the partner's account does not act for it")
		}
		if ok, _ := ActsFor(ctx, db, account+1, pid); ok {
			t.Error("another account acts for the partner")
		}

		// What the domain would refuse, the store refuses too, and stores nothing.
		bad := *rz
		bad.ID = 0
		bad.Evidence = []partnership.Attachment{{Name: "foto.png", ContentType: "image/png", Size: 6, Data: []byte("<html>")}}
		if err := InsertRealisation(ctx, db, &bad); !errors.Is(err, partnership.ErrInvalid) {
			t.Fatalf("disguised evidence: %v", err)
		}
		for name, edit := range map[string]func(*partnership.Realisation){
			"negative amount":      func(r *partnership.Realisation) { r.Amount = -1 },
			"absurd amount":        func(r *partnership.Realisation) { r.Amount = partnership.MaxAmount + 1 },
			"unknown programme":    func(r *partnership.Realisation) { r.ProgrammeID = 999 },
			"unknown partner":      func(r *partnership.Realisation) { r.PartnerID = 999 },
			"no programme, live":   func(r *partnership.Realisation) { r.ProgrammeID = 0 },
			"dates in wrong order": func(r *partnership.Realisation) { r.ActivityStart = r.ActivityEnd.Add(24 * time.Hour) },
			"year out of range":    func(r *partnership.Realisation) { r.FiscalYear = 1999 },
		} {
			r := *rz
			r.ID, r.Evidence = 0, nil
			edit(&r)
			err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return InsertRealisation(ctx, tx, &r) })
			if err == nil {
				t.Errorf("%s: stored", name)
			}
		}
		if n, _ := db.NewSelect().Table("csr_realisations").Count(ctx); n != 1 {
			t.Fatalf("%d realisations after refusals, want 1", n)
		}
	})
}

func TestSanctionsStoreOneOpenRecommendationAndStaleWrites(t *testing.T) {
	onOutcomes(t, func(t *testing.T, db *bun.DB, region *partnership.Region, account int64) {
		ctx := context.Background()
		pid := ocPartner(t, db, account, "PT Satu", partnership.PartnerCompany, ocNow)
		s, err := region.RecommendSanction(pid, nil, "", "Laporan tidak ada", "9", ocNow)
		if err != nil {
			t.Fatal(err)
		}
		if err := InsertSanction(ctx, db, s); err != nil {
			t.Fatal(err)
		}
		// The database refuses a second open recommendation even when the domain was not asked.
		again := *s
		again.ID = 0
		if err := InsertSanction(ctx, db, &again); !errors.Is(err, partnership.ErrConflict) {
			t.Fatalf("a second open recommendation: %v", err)
		}
		read, _ := GetSanction(ctx, db, s.ID)
		if err := s.Move(partnership.SanctionIssued, "", "Perda 13/2012", 0, ocNow); err != nil {
			t.Fatal(err)
		}
		if err := UpdateSanction(ctx, db, s); err != nil {
			t.Fatal(err)
		}
		if err := read.Move(partnership.SanctionDismissed, "tidak jadi", "", 0, ocNow); err != nil {
			t.Fatal(err)
		}
		if err := UpdateSanction(ctx, db, read); !errors.Is(err, ErrStale) {
			t.Fatalf("a stale dismissal: %v", err)
		}
		got, _ := GetSanction(ctx, db, s.ID)
		if got.State != partnership.SanctionIssued || got.LegalBasis != "Perda 13/2012" || !got.NotifiedAt.Equal(ocNow) {
			t.Fatalf("stored %+v", got)
		}
		// An issued sanction without a legal basis is refused by the table.
		_, err = db.NewUpdate().Table("csr_sanctions").Set("legal_basis = ''").Where("id = ?", s.ID).Exec(ctx)
		if err == nil {
			t.Fatal("an issued sanction lost its legal basis")
		}
		st, err := Standings(ctx, db, region, nil)
		if err != nil || len(st) != 1 || st[0].Compliance != partnership.Warned || st[0].Sanction == nil || st[0].Sanction.ID != s.ID {
			t.Fatalf("standing %+v %v", st, err)
		}
	})
}

func TestDashboardCountsPartnersDistinct(t *testing.T) {
	onOutcomes(t, func(t *testing.T, db *bun.DB, region *partnership.Region, account int64) {
		ctx := context.Background()
		a := ocPartner(t, db, account, "PT A", partnership.PartnerCompany, ocNow.AddDate(-2, 0, 0))
		b := ocPartner(t, db, account, "PT B", partnership.PartnerCompany, ocNow.AddDate(-2, 0, 0))
		pa1, pa2 := ocProgramme(t, db, a, "education", 2026), ocProgramme(t, db, a, "health", 2026)
		pb := ocProgramme(t, db, b, "education", 2026)
		ocRealise(t, db, region, pa1, 300, "2026-03-01", ocNow, false)
		ocRealise(t, db, region, pa1, 100, "2026-08-01", ocNow, false) // the same programme twice
		ocRealise(t, db, region, pa2, 100, "2026-08-01", ocNow, false)
		ocRealise(t, db, region, pb, 500, "2026-08-01", ocNow, false)
		q := &partnership.CSRRequest{Source: partnership.SourceResident, Area: "education", WardCode: "32.73.01.1001", Amount: 10, Title: "x",
			Description: "y", State: partnership.RequestOpen, CreatedAt: ocNow, ExpiresAt: ocNow.AddDate(0, 3, 0)}
		if err := InsertRequest(ctx, db, q); err != nil {
			t.Fatal(err)
		}
		d, err := DashboardOf(ctx, db, region, 2026)
		if err != nil {
			t.Fatal(err)
		}
		edu, health := d.Areas[0], d.Areas[1]
		if edu.Amount != 900 || edu.Partners != 2 || edu.Programmes != 2 || edu.Requests != 1 || edu.Share != "90.00" {
			t.Errorf("education %+v", edu)
		}
		if health.Amount != 100 || health.Partners != 1 || health.Share != "10.00" {
			t.Errorf("health %+v", health)
		}
		if d.Total.Amount != 1000 || d.Total.Partners != 2 || d.Total.Programmes != 3 || d.Total.Requests != 1 {
			t.Errorf("total %+v: partners and programmes are distinct, not the rows' sum", d.Total)
		}
		if empty, err := DashboardOf(ctx, db, region, 2025); err != nil || empty.Total.Amount != 0 || len(empty.Areas) != 3 {
			t.Errorf("an empty year: %+v %v", empty, err)
		}

		// The third quarter's evaluation: August's realisations, plans against
		// the year to date; November's request is not in it.
		ocPlan(t, db, a, 2026, []partnership.Rupiah{400, 600}, []bool{true, false})
		e, err := EvaluationOf(ctx, db, region, 2026, 3)
		if err != nil {
			t.Fatal(err)
		}
		if e.Total.Amount != 700 || e.Areas[0].Amount != 600 || e.Requests.Submitted != 0 || e.Requests.Share != "0.00" {
			t.Errorf("Q3: total %+v, areas %+v, requests %+v", e.Total, e.Areas, e.Requests)
		}
		if len(e.Deviations) != 2 || e.Deviations[0].Planned != 1000 || e.Deviations[0].Realised != 500 || e.Deviations[0].Deviation != "-50.00" ||
			e.Deviations[1].Deviation != "n/a" {
			t.Errorf("deviations %+v", e.Deviations)
		}
		snap, _ := json.Marshal(e)
		rec := &EvaluationRecord{FiscalYear: 2026, Quarter: 3, Snapshot: snap, PublishedBy: account, PublishedAt: ocNow}
		if err := InsertEvaluation(ctx, db, rec); err != nil {
			t.Fatal(err)
		}
		if err := InsertEvaluation(ctx, db, &EvaluationRecord{FiscalYear: 2026, Quarter: 3, Snapshot: snap, PublishedBy: account, PublishedAt: ocNow}); !errors.Is(err, partnership.ErrConflict) {
			t.Fatalf("published twice: %v", err)
		}
		got, err := GetEvaluation(ctx, db, rec.ID)
		if err != nil || !bytes.Equal(got.Snapshot, snap) {
			t.Fatalf("snapshot read back %s, %v", got.Snapshot, err)
		}
		if list, _ := ListEvaluations(ctx, db, 2026); len(list) != 1 || list[0].Snapshot != nil {
			t.Fatalf("list %+v", list)
		}
	})
}

func TestAwardRecordsAndMaturity(t *testing.T) {
	onOutcomes(t, func(t *testing.T, db *bun.DB, region *partnership.Region, account int64) {
		ctx := context.Background()
		a := ocPartner(t, db, account, "PT A", partnership.PartnerCompany, ocNow.AddDate(-3, 0, 0))
		b := ocPartner(t, db, account, "PT B", partnership.PartnerCompany, ocNow.AddDate(-3, 0, 0))
		ocPartner(t, db, account, "PT Diam", partnership.PartnerCompany, ocNow.AddDate(-3, 0, 0)) // nothing to score
		ocPlan(t, db, a, 2024, []partnership.Rupiah{100}, []bool{true})
		ocPlan(t, db, a, 2025, []partnership.Rupiah{400, 100}, []bool{true, false})
		ocPlan(t, db, a, 2026, []partnership.Rupiah{500}, []bool{true})
		for _, y := range []int{2024, 2025, 2026} {
			p := ocProgramme(t, db, a, "education", y)
			ocRealise(t, db, region, p, 300, time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), time.Date(y, 6, 10, 0, 0, 0, 0, time.UTC), y != 2025)
		}
		pb := ocProgramme(t, db, b, "health", 2026)
		ocRealise(t, db, region, pb, 50, "2026-01-01", ocNow, false) // late: due 2026-01-31

		recs, err := AwardRecords(ctx, db, 2025, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 {
			t.Fatalf("records %+v", recs)
		}
		ra, rb := recs[0], recs[1]
		if ra.PartnerID != a || ra.Programmes != 2 || ra.ProgrammeValue != 600 || ra.PlanFinancing != 1000 || ra.AlignedFinancing != 900 ||
			ra.Realised != 600 || ra.Reports != 2 || ra.OnTime != 2 || ra.WithEvidence != 1 || len(ra.PlanYears) != 3 {
			t.Errorf("PT A %+v", ra)
		}
		if rb.PartnerID != b || rb.Reports != 1 || rb.OnTime != 0 || rb.PlanFinancing != 0 {
			t.Errorf("PT B %+v", rb)
		}
		awards, err := region.ScoreAwards(2025, recs, ocNow)
		if err != nil {
			t.Fatal(err)
		}
		for _, aw := range awards {
			if err := SaveAward(ctx, db, aw); err != nil {
				t.Fatal(err)
			}
		}
		if err := awards[0].Adjust(-500, "Dokumen tidak lengkap", account, ocNow); err != nil {
			t.Fatal(err)
		}
		stale := *awards[0]
		if err := SaveAward(ctx, db, awards[0]); err != nil {
			t.Fatal(err)
		}
		if err := SaveAward(ctx, db, &stale); !errors.Is(err, ErrStale) {
			t.Fatalf("a stale award write: %v", err)
		}
		dup := *awards[1]
		dup.ID = 0
		if err := SaveAward(ctx, db, &dup); err == nil {
			t.Fatal("a partner scored twice in a cycle")
		}
		got, err := GetAward(ctx, db, 2025, a)
		if err != nil || got.Adjusted() != awards[0].Total-500 || len(got.Adjustments) != 1 || got.Adjustments[0].Reason != "Dokumen tidak lengkap" {
			t.Fatalf("read back %+v %v", got, err)
		}
		list, _ := Awards(ctx, db, 2025)
		if len(list) != 2 || list[0].Adjusted() < list[1].Adjusted() {
			t.Fatalf("ranking %+v", list)
		}
		if _, err := GetAward(ctx, db, 2025, 999); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("unknown award: %v", err)
		}

		st, err := Standings(ctx, db, region, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]partnership.Maturity{a: partnership.CorporateCitizen, b: partnership.Charity}
		for _, s := range st {
			if w, ok := want[s.PartnerID]; ok && s.Maturity != w {
				t.Errorf("%s: %s, want %s", s.Name, s.Maturity, w)
			}
			if s.Compliance != partnership.Compliant {
				t.Errorf("%s: %s", s.Name, s.Compliance)
			}
		}
		if len(st) != 3 || st[2].Maturity != partnership.MaturityNone {
			t.Errorf("standings %+v", st)
		}
	})
}
