package testpg_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"pilar.id/pilar/internal/testpg"
)

var srv *testpg.Server

func TestMain(m *testing.M) {
	flag.Parse()
	start := time.Now()
	s, err := testpg.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "testpg: server on %s:%d started in %v\n", s.Host(), s.Port(), time.Since(start).Round(time.Millisecond))
	}
	srv = s
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func TestNewDatabaseWorks(t *testing.T) {
	ctx := t.Context()
	conn := testpg.Connect(t, srv.NewDatabase(t))

	if _, err := conn.Exec(ctx, `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO items (id, name) VALUES ($1, $2), ($3, $4)`, 1, "één", 2, "two"); err != nil {
		t.Fatalf("insert: %v", err)
	}
	var name string
	if err := conn.QueryRow(ctx, `SELECT name FROM items WHERE id = $1`, 1).Scan(&name); err != nil {
		t.Fatalf("select: %v", err)
	}
	if name != "één" {
		t.Errorf("name = %q, want %q", name, "één")
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM items`).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	if n != 2 {
		t.Errorf("count = %d, want 2", n)
	}
}

func TestNewDatabaseIsolated(t *testing.T) {
	ctx := t.Context()
	a := testpg.Connect(t, srv.NewDatabase(t))
	b := testpg.Connect(t, srv.NewDatabase(t))

	var dbA, dbB string
	if err := a.QueryRow(ctx, `SELECT current_database()`).Scan(&dbA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, `SELECT current_database()`).Scan(&dbB); err != nil {
		t.Fatal(err)
	}
	if dbA == dbB {
		t.Fatalf("both calls returned database %q", dbA)
	}

	if _, err := a.Exec(ctx, `CREATE TABLE only_in_a (v int)`); err != nil {
		t.Fatalf("create table in a: %v", err)
	}
	if _, err := a.Exec(ctx, `INSERT INTO only_in_a VALUES (42)`); err != nil {
		t.Fatalf("insert in a: %v", err)
	}
	var reg *string
	if err := b.QueryRow(ctx, `SELECT to_regclass('only_in_a')::text`).Scan(&reg); err != nil {
		t.Fatal(err)
	}
	if reg != nil {
		t.Errorf("table only_in_a visible in second database as %q", *reg)
	}
	// The same name is free in b.
	if _, err := b.Exec(ctx, `CREATE TABLE only_in_a (v text)`); err != nil {
		t.Errorf("create same-named table in b: %v", err)
	}
}

func TestNewDatabaseDroppedAfterCleanup(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		conn := testpg.Connect(t, srv.NewDatabase(t))
		if err := conn.QueryRow(t.Context(), `SELECT current_database()`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !srv.HasDatabase(t, name) {
			t.Fatalf("database %q not in pg_database while in use", name)
		}
		// Leave a connection open past the drop (it is never closed) to
		// check that the cleanup's DROP ... WITH (FORCE) is not blocked.
		if _, err := pgx.Connect(t.Context(), srv.DSN(name)); err != nil {
			t.Fatal(err)
		}
	})
	if name == "" {
		t.Fatal("subtest did not report a database name")
	}
	if srv.HasDatabase(t, name) {
		t.Errorf("database %q still exists after the test's cleanup", name)
	}
}

func TestNewDatabaseParallel(t *testing.T) {
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			conn := testpg.Connect(t, srv.NewDatabase(t))
			if _, err := conn.Exec(t.Context(), `CREATE TABLE t (v int); INSERT INTO t VALUES (1)`); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	if srv.Host() != "127.0.0.1" {
		t.Errorf("Host() = %q", srv.Host())
	}
	if srv.Port() <= 0 {
		t.Errorf("Port() = %d", srv.Port())
	}
	if srv.User() == "" || srv.Password() == "" {
		t.Errorf("User() = %q, Password() empty = %v", srv.User(), srv.Password() == "")
	}
	// The superuser needs its password: a wrong one is rejected.
	cfg, err := pgx.ParseConfig(srv.AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = "wrong"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		conn.Close(ctx)
		t.Fatal("connecting with a wrong password succeeded")
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
		t.Errorf("wrong password: got %v, want SQLSTATE 28P01 (invalid_password)", err)
	}
}

// A server started with options has the max_connections asked for, and
// tells its postmaster's process id.
func TestStartWith(t *testing.T) {
	s, err := testpg.StartWith(testpg.Options{MaxConnections: 150})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if max := testpg.Query[string](t, s, "SHOW max_connections"); max != "150" {
		t.Errorf("max_connections %q, want 150", max)
	}
	if got := testpg.Query[string](t, srv, "SHOW max_connections"); got != "300" {
		t.Errorf("the default max_connections is %s, want 300", got)
	}
	if s.PID() == 0 {
		t.Error("no process id")
	}
}
