package schedule

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/internal/testpg"
)

var pg *testpg.Server

func TestMain(m *testing.M) { os.Exit(testpg.Main(m, &pg)) }

var now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func bandung(t *testing.T) *partnership.Region {
	t.Helper()
	regions, err := tenancy.LoadDir("../../tenants")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if r.Slug == "bandung" {
			return r
		}
	}
	t.Fatal("no bandung in tenants/")
	return nil
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
	for _, driver := range []store.Driver{store.SQLite, store.Postgres} {
		t.Run(string(driver), func(t *testing.T) {
			ctx := context.Background()
			o := store.Options{Driver: driver, DSN: filepath.Join(t.TempDir(), "r.db")}
			if driver == store.Postgres {
				o.DSN = pg.NewDatabase(t)
			}
			db, err := store.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := store.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			region := bandung(t)
			if err := store.SyncAreas(ctx, db, region); err != nil {
				t.Fatal(err)
			}
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
}

// The schedule works only in regions whose database is open, never opens
// one, and never keeps one from being closed when idle.
func TestRunOnceOnlyTouchesOpenRegions(t *testing.T) {
	ctx := context.Background()
	tn, err := tenancy.NewTenant(bandung(t), store.Options{Driver: store.SQLite, DSN: filepath.Join(t.TempDir(), "bandung.db")}, tenancy.Migrate)
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
