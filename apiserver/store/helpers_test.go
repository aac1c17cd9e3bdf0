package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/internal/testpg"
)

var pg *testpg.Server

func TestMain(m *testing.M) { os.Exit(testpg.Main(m, &pg)) }

// onBoth runs a test once against a fresh SQLite file and once against a fresh
// PostgreSQL database.
func onBoth(t *testing.T, test func(t *testing.T, db *bun.DB)) {
	for _, d := range []Driver{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			o := Options{Driver: d, DSN: filepath.Join(t.TempDir(), "region.db")}
			if d == Postgres {
				o.DSN = pg.NewDatabase(t)
			}
			db, err := Open(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			test(t, db)
		})
	}
}

// migrated migrates db, stores a region's areas and creates an account for
// each username; it returns their ids by username.
func migrated(t *testing.T, db *bun.DB, r *partnership.Region, usernames ...string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := SyncAreas(ctx, db, r); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, u := range usernames {
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO accounts (username, display_name, password_hash, created_at) VALUES (?, ?, 'x', ?) RETURNING id`,
			u, u, fpNow).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[u] = id
	}
	return ids
}
