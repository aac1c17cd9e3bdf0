package tenancy

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/store"
)

func testTenant(t *testing.T, prepare Prepare) *Tenant {
	t.Helper()
	r, err := ParseManifest([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	tn, err := NewTenant(r, store.Options{Driver: store.SQLite, DSN: filepath.Join(t.TempDir(), "r.db")}, prepare)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tn.Close() })
	return tn
}

// acquire takes the tenant's database, failing the test if it cannot.
func acquire(t *testing.T, tn *Tenant) (*bun.DB, func()) {
	t.Helper()
	db, release, err := tn.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return db, release
}

// acquireAll has n goroutines take the tenant's database at once, each
// running use while it holds it; the channel closes once all are done.
func acquireAll(t *testing.T, tn *Tenant, n int, use func(i int, db *bun.DB)) <-chan struct{} {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			db, release, err := tn.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			defer release()
			use(i, db)
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

func TestDatabaseOpensOnceUnderConcurrentFirstUse(t *testing.T) {
	var opened atomic.Int32
	tn := testTenant(t, func(ctx context.Context, db *bun.DB, _ *Tenant) error {
		opened.Add(1)
		time.Sleep(20 * time.Millisecond) // widen the window for a second opening
		return nil
	})
	if s := tn.State(); s.Database != "closed" {
		t.Fatalf("before first use: %+v", s)
	}
	dbs := make([]*bun.DB, 16)
	<-acquireAll(t, tn, len(dbs), func(i int, db *bun.DB) { dbs[i] = db })
	if n := opened.Load(); n != 1 {
		t.Fatalf("prepared %d times, want once", n)
	}
	for _, db := range dbs[1:] {
		if db != dbs[0] {
			t.Fatal("callers got different pools")
		}
	}
}

func TestIdleDatabaseIsClosedButNotWhileInUse(t *testing.T) {
	tn := testTenant(t, nil)
	reg := NewRegistry(tn)
	db, release := acquire(t, tn)
	time.Sleep(5 * time.Millisecond)
	if n := reg.CloseIdle(time.Millisecond); n != 0 {
		t.Fatalf("closed %d databases while one was in use", n)
	}
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatalf("database in use was closed: %v", err)
	}
	release()
	if n := reg.CloseIdle(time.Hour); n != 0 {
		t.Fatal("closed a database used a moment ago")
	}
	time.Sleep(5 * time.Millisecond)
	if n := reg.CloseIdle(time.Millisecond); n != 1 {
		t.Fatalf("closed %d idle databases, want 1", n)
	}
	if s := tn.State(); s.Database != "closed" {
		t.Fatalf("after idling: %+v", s)
	}
	// The next use opens it again.
	_, release = acquire(t, tn)
	release()
	if s := tn.State(); s.Database != "open" {
		t.Fatalf("after reuse: %+v", s)
	}
}

func TestFailedPreparationIsReportedAndRetried(t *testing.T) {
	fail := true
	tn := testTenant(t, func(ctx context.Context, db *bun.DB, _ *Tenant) error {
		if fail {
			return context.DeadlineExceeded
		}
		return nil
	})
	if _, _, err := tn.Acquire(context.Background()); err == nil {
		t.Fatal("a failed preparation gave out a database")
	}
	if s := tn.State(); s.Database != "error" || s.Error == "" {
		t.Fatalf("after a failure: %+v", s)
	}
	fail = false
	_, release, err := tn.Acquire(context.Background())
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	release()
}

func TestRegistryPutAndRemove(t *testing.T) {
	tn := testTenant(t, nil)
	reg := NewRegistry()
	if _, err := reg.Get("contoh"); err == nil {
		t.Fatal("empty registry found a region")
	}
	reg.Put(tn)
	if got, err := reg.Get("contoh"); err != nil || got != tn {
		t.Fatalf("Get after Put: %v %v", got, err)
	}
	_, release := acquire(t, tn)
	release()
	reg.Remove("contoh")
	if _, err := reg.Get("contoh"); err == nil {
		t.Fatal("removed region still served")
	}
	if s := tn.State(); s.Database != "closed" {
		t.Fatalf("removed region's database: %+v", s)
	}
}

func TestEnforcerIsBuiltLazilyAndDroppedWhenIdle(t *testing.T) {
	tn := testTenant(t, nil)
	reg := NewRegistry(tn)
	e1, err := tn.Enforcer()
	if err != nil {
		t.Fatal(err)
	}
	if e2, _ := tn.Enforcer(); e2 != e1 {
		t.Fatal("a second enforcer was built while the first was in use")
	}
	_, release := acquire(t, tn)
	release()
	time.Sleep(5 * time.Millisecond)
	reg.CloseIdle(time.Millisecond)
	if e3, _ := tn.Enforcer(); e3 == e1 {
		t.Fatal("the enforcer of an idle region was kept")
	}
}

func TestOverrideBeyondTheGuardrailsIsRefused(t *testing.T) {
	r, err := ParseManifest([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	r.PolicyOverrides = "allow resident musrenbang:decide\n"
	if _, err := NewTenant(r, store.Options{}, nil); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("override beyond the guardrails: %v", err)
	}
}

// A region removed while a request uses its database keeps it until that
// request is done; then it is closed, and the region cannot be used again.
func TestRemovedRegionFinishesItsRequestsFirst(t *testing.T) {
	tn := testTenant(t, nil)
	reg := NewRegistry(tn)
	db, release := acquire(t, tn)
	reg.Remove("contoh")
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatalf("the database was closed under a request: %v", err)
	}
	release()
	if s := tn.State(); s.Database != "closed" {
		t.Fatalf("after the last request: %+v", s)
	}
	if _, _, err := tn.Acquire(context.Background()); !errors.Is(err, ErrUnknownRegion) {
		t.Fatalf("a removed region was opened again: %v", err)
	}
}
