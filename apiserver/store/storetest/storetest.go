// Package storetest gives the tests of the packages that keep a region's
// data (audit, authz, demo, schedule) a database to work on, the way the
// server has one: a fresh SQLite file, or a fresh database on a throwaway
// PostgreSQL server (see internal/testpg), migrated, with a region's areas
// when the test needs them. The store's own tests cannot import it (it
// imports the store) and keep the same set-up in helpers_test.go.
//
// A package using it calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/internal/testpg"
)

var pg *testpg.Server

// Main runs a package's tests with a PostgreSQL server for them, and
// returns their exit code.
func Main(m *testing.M) int { return testpg.Main(m, &pg) }

// Each runs test once on each driver, in a subtest named after it.
func Each(t *testing.T, test func(t *testing.T, d store.Driver)) {
	t.Helper()
	for _, d := range []store.Driver{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { test(t, d) })
	}
}

// OnBoth runs test once on each driver with a fresh, migrated database.
func OnBoth(t *testing.T, test func(t *testing.T, db *bun.DB)) {
	t.Helper()
	Each(t, func(t *testing.T, d store.Driver) { test(t, Open(t, Options(t, d))) })
}

// Options reach a fresh, empty database on the driver: a file in the
// test's temporary directory, or a new database on the PostgreSQL server,
// dropped when the test ends.
func Options(t testing.TB, d store.Driver) store.Options {
	t.Helper()
	if d == store.Postgres {
		return store.Options{Driver: d, DSN: pg.NewDatabase(t)}
	}
	return store.Options{Driver: d, DSN: filepath.Join(t.TempDir(), "region.db")}
}

// Open opens the database o reaches and migrates it; it is closed when the
// test ends.
func Open(t testing.TB, o store.Options) *bun.DB {
	t.Helper()
	db, err := store.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// Areas stores a region's administrative tree and institutions.
func Areas(t testing.TB, db bun.IDB, r *partnership.Region) {
	t.Helper()
	if err := store.SyncAreas(context.Background(), db, r); err != nil {
		t.Fatal(err)
	}
}
