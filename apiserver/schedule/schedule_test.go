package schedule

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/store/storetest"
	"pilar.id/pilar/apiserver/tenancy"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// bandung is the demo region of tenants/bandung.yaml.
func bandung(t *testing.T) *partnership.Region {
	t.Helper()
	manifest, err := os.ReadFile("../../tenants/bandung.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := tenancy.ParseManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tenantOf is a region served under its own policy set, for the jobs to
// take their steps in; its database is the test's own.
func tenantOf(t *testing.T, r *partnership.Region) *tenancy.Tenant {
	t.Helper()
	tn, err := tenancy.NewTenant(r, store.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

func request(t *testing.T, db bun.IDB, expires time.Time) *partnership.CSRRequest {
	t.Helper()
	q := &partnership.CSRRequest{Source: partnership.SourceCommunity, Area: "education", WardCode: "32.73.01.1001", Amount: 10_000_000,
		Title: "Rak buku", Description: "Untuk taman baca RW 02", State: partnership.RequestOpen, CreatedAt: expires.Add(-90 * 24 * time.Hour), ExpiresAt: expires}
	if err := store.InsertRequest(context.Background(), db, q); err != nil {
		t.Fatal(err)
	}
	return q
}

// Requests open past their expiry are expired, each audited publicly as the
// system's doing; requests still in time, and claimed ones, are left alone.
func TestExpireRequests(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		region := bandung(t)
		storetest.Areas(t, db, region)
		tn := tenantOf(t, region)
		past := request(t, db, now.Add(-time.Minute))
		exact := request(t, db, now)
		future := request(t, db, now.Add(time.Minute))
		n, err := ExpireRequests(ctx, db, tn, now)
		if err != nil || n != 2 {
			t.Fatalf("expired %d: %v", n, err)
		}
		for q, want := range map[*partnership.CSRRequest]partnership.RequestState{past: partnership.RequestExpired, exact: partnership.RequestExpired, future: partnership.RequestOpen} {
			got, _ := store.GetRequest(ctx, db, q.ID)
			if got.State != want {
				t.Errorf("request %d is %s, want %s", q.ID, got.State, want)
			}
		}
		es, err := audit.List(ctx, db, audit.Filter{Action: ExpireAction, Limit: 10, PublicOnly: true})
		if err != nil || len(es) != 2 || es[0].Actor != "system" || es[0].ObjectType != "csr-request" {
			t.Fatalf("audit %+v %v", es, err)
		}
		if n, err := ExpireRequests(ctx, db, tn, now.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("the next pass expired %d: %v", n, err)
		}
		if n, err := ExpireRequests(ctx, db, tn, now.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("a pass with nothing to do expired %d: %v", n, err)
		}
		if r, err := audit.Verify(ctx, db); err != nil || !r.OK {
			t.Fatalf("audit chain %+v %v", r, err)
		}
	})
}

// The schedule works only in regions whose database is open, never opens
// one, and never keeps one from being closed when idle.
func TestRunOnceOnlyTouchesOpenRegions(t *testing.T) {
	ctx := context.Background()
	tn, err := tenancy.NewTenant(bandung(t), storetest.Options(t, store.SQLite), tenancy.Migrate)
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	reg := tenancy.NewRegistry(tn)
	runs := 0
	count := Job{Name: "count", Run: func(context.Context, *bun.DB, *tenancy.Tenant, time.Time) error { runs++; return nil }}
	RunOnce(ctx, reg, now, quiet, count)
	if runs != 0 || tn.State().Database != "closed" {
		t.Fatalf("a closed region: %d runs, database %s", runs, tn.State().Database)
	}

	db, release, err := tn.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := request(t, db, now.Add(-time.Hour))
	release()
	time.Sleep(30 * time.Millisecond)
	RunOnce(ctx, reg, now, quiet, append([]Job{count}, Jobs...)...)
	if runs != 1 {
		t.Fatalf("an open region: %d runs", runs)
	}
	got, err := store.GetRequest(ctx, db, q.ID)
	if err != nil || got.State != partnership.RequestExpired {
		t.Fatalf("the scheduled jobs left %+v (%v)", got, err)
	}
	// Last used 30 ms ago by a request, not by the schedule: idle for 20 ms, it closes.
	if n := reg.CloseIdle(20 * time.Millisecond); n != 1 || tn.State().Database != "closed" {
		t.Fatalf("closed %d; the schedule kept the region open", n)
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, tenancy.NewRegistry(), time.Millisecond, nil, quiet, Jobs...); close(done) }()
	time.Sleep(5 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// odAccount creates the account a partner acts through.
func odAccount(t *testing.T, db bun.IDB) int64 {
	t.Helper()
	a, err := authz.CreateAccount(context.Background(), db, nil, authz.NewAccount{Username: "mitra", DisplayName: "Mitra", Password: "a long enough password"}, now)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
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
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		storetest.Areas(t, db, region)
		account := odAccount(t, db)
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

// The job is among the server's scheduled jobs.
func TestFlagOverdueIsScheduled(t *testing.T) {
	for _, j := range Jobs {
		if j.Name == "flag-overdue-csr" {
			return
		}
	}
	t.Fatal("flag-overdue-csr is not a scheduled job")
}
