package schedule

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
)

// odDB opens a fresh, migrated database of Bandung with one account, on a driver.
func odDB(t *testing.T, driver store.Driver, region *partnership.Region) (*bun.DB, int64) {
	t.Helper()
	ctx := context.Background()
	o := store.Options{Driver: driver, DSN: filepath.Join(t.TempDir(), "r.db")}
	if driver == store.Postgres {
		o.DSN = pg.NewDatabase(t)
	}
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := store.SyncAreas(ctx, db, region); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO accounts (username, display_name, password_hash, created_at) VALUES ('pt', 'PT', 'x', ?)`, now); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.NewSelect().Table("accounts").Column("id").Where("username = 'pt'").Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	return db, id
}

func odPartner(t *testing.T, db bun.IDB, account int64, name string, kind partnership.PartnerKind, approved time.Time) int64 {
	t.Helper()
	p := &partnership.Partner{Kind: kind, Name: name, AccountID: account, State: partnership.PartnerApproved, RegisteredAt: approved.Add(-time.Hour), ApprovedAt: &approved}
	if err := store.InsertPartner(context.Background(), db, p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func odProgramme(t *testing.T, db bun.IDB, partner int64, year int) *partnership.Programme {
	t.Helper()
	p := &partnership.Programme{Source: partnership.FromPlan, PartnerID: partner, Area: "education", WardCode: "32.73.01.1001", Title: "Program",
		SectorAgency: "Dinas Pendidikan", FiscalYear: year, State: partnership.ProgrammeActive, CreatedAt: now}
	if err := store.InsertProgramme(context.Background(), db, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func odPlan(t *testing.T, db bun.IDB, partner int64, year int) {
	t.Helper()
	plan := &partnership.CSRPlan{PartnerID: partner, FiscalYear: year, BoardApprovedAt: time.Date(year, 1, 5, 0, 0, 0, 0, time.UTC),
		SubmittedAt: time.Date(year, 1, 10, 0, 0, 0, 0, time.UTC), DueAt: time.Date(year, 2, 4, 0, 0, 0, 0, time.UTC), State: partnership.PlanSubmitted,
		Activities: []partnership.PlanActivity{{Title: "Kegiatan", Location: "32.73.01", Area: "education", Target: "siswa", Goal: "tujuan", Financing: 100}}}
	if err := store.InsertPlan(context.Background(), db, plan); err != nil {
		t.Fatal(err)
	}
}

func odRealise(t *testing.T, db bun.IDB, region *partnership.Region, p *partnership.Programme, end string, at time.Time) {
	t.Helper()
	in := partnership.RealisationInput{Programme: p.ID, ActivityStart: end, ActivityEnd: end, Amount: 10, SourceOfFunds: "Dana TJSL", Outputs: "Selesai", TargetsReached: "Semua"}
	rz, err := region.Realisation(p, p.PartnerID, in, nil, 0, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.InsertRealisation(context.Background(), db, rz); err != nil {
		t.Fatal(err)
	}
}

// Missing plans and reports are flagged once, companies get the next step of
// the ladder recommended once (universities are flagged, not sanctioned),
// meeting the obligation resolves the flag, and all of it is audited as the
// system's doing.
func TestFlagOverdueFlagsRecommendsOnceAndResolves(t *testing.T) {
	region := bandung(t)
	tn := tenantOf(t, region)
	for _, driver := range []store.Driver{store.SQLite, store.Postgres} {
		t.Run(string(driver), func(t *testing.T) {
			db, account := odDB(t, driver, region)
			ctx := context.Background()
			approved := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
			late := odPartner(t, db, account, "PT Lalai", partnership.PartnerCompany, approved)
			uni := odPartner(t, db, account, "Universitas Contoh", partnership.PartnerUniversity, approved)
			good := odPartner(t, db, account, "PT Tertib", partnership.PartnerCompany, approved)
			odPlan(t, db, good, 2025)
			odPlan(t, db, good, 2026)
			odPlan(t, db, late, 2025)
			missing := odProgramme(t, db, late, 2025)  // never reported
			reported := odProgramme(t, db, good, 2025) // reported
			odProgramme(t, db, late, 2026)             // not due until 2027
			odRealise(t, db, region, reported, "2025-06-01", time.Date(2025, 6, 5, 0, 0, 0, 0, time.UTC))

			// Before anything is due, nothing happens.
			run, err := FlagOverdue(ctx, db, tn, time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC))
			if err != nil || len(run.Flagged) != 0 || len(run.Recommended) != 0 {
				t.Fatalf("early run: %+v %v", run, err)
			}
			run, err = FlagOverdue(ctx, db, tn, now)
			if err != nil {
				t.Fatal(err)
			}
			// PT Lalai: its 2025 programme's report and its 2026 plan; the university: its plans of 2025 and 2026.
			kinds := map[int64][]string{}
			for _, f := range run.Flagged {
				kinds[f.Partner] = append(kinds[f.Partner], f.Kind)
			}
			if len(kinds[late]) != 2 || len(kinds[uni]) != 2 || len(kinds[good]) != 0 {
				t.Fatalf("flagged %+v", run.Flagged)
			}
			if len(run.Recommended) != 1 || run.Recommended[0].PartnerID != late || run.Recommended[0].Step != "written-warning" ||
				run.Recommended[0].RecommendedBy != partnership.SystemActor {
				t.Fatalf("recommended %+v", run.Recommended)
			}
			// Running again flags nothing twice and recommends nothing twice.
			again, err := FlagOverdue(ctx, db, tn, now.Add(time.Hour))
			if err != nil || len(again.Flagged) != 0 || len(again.Recommended) != 0 {
				t.Fatalf("second run: %+v %v", again, err)
			}
			// The forum issues the warning; obligations missed later lead to the next step.
			s := run.Recommended[0]
			if err := s.Move(partnership.SanctionIssued, "", "Perda 13/2012", 0, now); err != nil {
				t.Fatal(err)
			}
			if err := store.UpdateSanction(ctx, db, &s); err != nil {
				t.Fatal(err)
			}
			nextYear := time.Date(2027, 2, 15, 0, 0, 0, 0, time.UTC)
			third, err := FlagOverdue(ctx, db, tn, nextYear)
			if err != nil {
				t.Fatal(err)
			}
			// In 2027 the 2026 programme's report is missing too, and everyone's 2027 plan.
			steps := map[int64]string{}
			for _, r := range third.Recommended {
				steps[r.PartnerID] = r.Step
			}
			if len(steps) != 2 || steps[late] != "business-restriction" || steps[good] != "written-warning" {
				t.Fatalf("after the warning, more missing: %+v", third.Recommended)
			}
			// Reporting and planning resolve the flags.
			odRealise(t, db, region, missing, "2025-12-01", nextYear)
			odPlan(t, db, late, 2026)
			fourth, err := FlagOverdue(ctx, db, tn, nextYear.Add(time.Hour))
			if err != nil || fourth.Resolved != 2 {
				t.Fatalf("resolved %d, %v", fourth.Resolved, err)
			}
			open, err := store.ListOverdue(ctx, db, store.OverdueFilter{PartnerID: late, Open: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range open {
				if (o.Kind == store.OverdueRealisation && o.ObjectID == missing.ID) || (o.Kind == store.OverduePlan && o.FiscalYear == 2026) {
					t.Errorf("still open: %+v", o)
				}
			}
			// Every flag and recommendation is in the audit log, by the system, public.
			entries, err := audit.List(ctx, db, audit.Filter{Limit: 500, PublicOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			flags, recs := 0, 0
			for _, e := range entries {
				if e.Actor != partnership.SystemActor {
					continue
				}
				switch e.Action {
				case FlagAction:
					flags++
				case RecommendAction:
					recs++
				}
			}
			if flags != len(run.Flagged)+len(third.Flagged) || recs != 1+len(third.Recommended) {
				t.Fatalf("audited %d flags and %d recommendations", flags, recs)
			}
			// A region without the four-pillar model has nothing to flag.
			two := *region
			two.FourPillar = nil
			if run, err := FlagOverdue(ctx, db, tenantOf(t, &two), nextYear); err != nil || len(run.Flagged) != 0 {
				t.Fatalf("two-pillar region: %+v %v", run, err)
			}
		})
	}
}

// The job is among the server's scheduled jobs.
func TestFlagOverdueIsScheduled(t *testing.T) {
	for _, j := range Jobs {
		if j.Name == "flag-overdue-csr" {
			return
		}
	}
	t.Fatal("flag-overdue-csr is not a scheduled job")
}
