package tenancy

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/internal/testcluster"
	"pilar.id/pilar/internal/testpg"
)

var (
	pg      *testpg.Server
	cluster *testcluster.Cluster // for the Watcher's tests (kubernetes_test.go)
)

func TestMain(m *testing.M) {
	var err error
	if pg, err = testpg.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if cluster, err = testcluster.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		pg.Stop()
		os.Exit(1)
	}
	code := m.Run()
	if err := cluster.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if err := pg.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// connectionsTo counts the server's connections to one database, asking
// through a connection of its own to another.
func connectionsTo(t *testing.T, database string) func() int {
	t.Helper()
	admin, err := pgx.Connect(context.Background(), pg.AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	return func() int {
		t.Helper()
		var n int
		if err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", database).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// A region served from PostgreSQL holds no connection until it is used, never
// more than its pool's bound under load, and none again once it has idled.
func TestPostgresPoolIsLazyBoundedAndReleased(t *testing.T) {
	r, err := ParseManifest([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	dsn := pg.NewDatabase(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := NewTenant(r, store.Options{Driver: store.Postgres, DSN: dsn, MaxConns: 3}, Migrate)
	if err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry(tn)
	t.Cleanup(func() { tn.Close() })
	connections := connectionsTo(t, cfg.Database)
	if n := connections(); n != 0 {
		t.Fatalf("%d connections before first use", n)
	}
	// While the twelve queries queue for the pool, the server sees at least
	// one connection and never more than the pool's bound.
	done := acquireAll(t, tn, 12, func(_ int, db *bun.DB) {
		if _, err := db.ExecContext(context.Background(), "SELECT pg_sleep(0.2)"); err != nil {
			t.Error(err)
		}
	})
	most := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-time.After(10 * time.Millisecond):
		}
		n := connections()
		most = max(most, n)
		if n > 3 {
			t.Fatalf("%d connections under load, want at most 3 (the pool's bound)", n)
		}
	}
	if most == 0 {
		t.Error("no connection was seen under load")
	}
	time.Sleep(5 * time.Millisecond)
	if closed := reg.CloseIdle(time.Millisecond); closed != 1 {
		t.Fatalf("closed %d idle databases, want 1", closed)
	}
	deadline := time.Now().Add(5 * time.Second)
	for connections() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections remain after the region idled", connections())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
