package store

import (
	"context"
	"errors"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"pilar.id/pilar/apiserver/partnership"
)

func TestMigrateIsIdempotent(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			v, err := Migrate(ctx, db)
			if err != nil {
				t.Fatalf("run %d: %v", i+1, err)
			}
			if v != SchemaVersion() {
				t.Fatalf("run %d: version %q, want %q", i+1, v, SchemaVersion())
			}
		}
	})
}

func TestMigrationFailingHalfWayIsNotRecordedAndIsRetried(t *testing.T) {
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		good := step{"0001_first", func(ctx context.Context, tx bun.Tx, _ dialect.Name) error {
			return exec(ctx, tx, `CREATE TABLE first (id INTEGER PRIMARY KEY)`)
		}}
		broken := step{"0002_second", func(ctx context.Context, tx bun.Tx, _ dialect.Name) error {
			// The first statement succeeds, the second fails: half way.
			return exec(ctx, tx, `CREATE TABLE second (id INTEGER PRIMARY KEY)`, `INSERT INTO no_such_table VALUES (1)`)
		}}
		if _, err := migrateSteps(ctx, db, []step{good, broken}); err == nil {
			t.Fatal("a failing migration reported success")
		}
		applied := appliedNames(t, db)
		if len(applied) != 1 || applied[0] != "0001_first" {
			t.Fatalf("applied after the failure: %v, want only 0001_first", applied)
		}
		if tableExists(t, db, "second") {
			t.Fatal("the failed migration left its first statement behind")
		}

		fixed := step{"0002_second", func(ctx context.Context, tx bun.Tx, _ dialect.Name) error {
			return exec(ctx, tx, `CREATE TABLE second (id INTEGER PRIMARY KEY)`)
		}}
		v, err := migrateSteps(ctx, db, []step{good, fixed})
		if err != nil {
			t.Fatalf("retry: %v", err)
		}
		if v != "0002_second" || !tableExists(t, db, "second") {
			t.Fatalf("retry: version %q, table second exists %v", v, tableExists(t, db, "second"))
		}
	})
}

func TestConcurrentMigrationsWaitForEachOther(t *testing.T) {
	ctx := context.Background()
	dsn := pg.NewDatabase(t)
	errs := race(4, func(int) error {
		db, err := Open(ctx, Options{Driver: Postgres, DSN: dsn, MaxConns: 2})
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = Migrate(ctx, db)
		return err
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func TestSyncAreas(t *testing.T) {
	region := &partnership.Region{
		Code: "32.73",
		Kecamatan: []partnership.Kecamatan{{Code: "32.73.01", Name: "Sukasari", Wards: []partnership.Ward{
			{Code: "32.73.01.1001", Name: "Sukarasa", Kind: "kelurahan", Population: 100, RW: 2},
			{Code: "32.73.01.1002", Name: "Gegerkalong", Kind: "kelurahan", Population: 200, RW: 1},
		}}},
		InstitutionTypes: []partnership.InstitutionType{{Key: "rw", PerRW: true}, {Key: "lpm"}},
	}
	onBoth(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		if _, err := Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := SyncAreas(ctx, db, region); err != nil {
				t.Fatal(err)
			}
		}
		got, err := CountAreas(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		// 3 RW and one LPM per ward.
		if want := (AreaCounts{Kecamatan: 1, Wards: 2, Institutions: 5}); got != want {
			t.Fatalf("counts %+v, want %+v", got, want)
		}

		renamed := *region
		renamed.Kecamatan = []partnership.Kecamatan{{Code: "32.73.01", Name: "Sukasari Baru", Wards: region.Kecamatan[0].Wards}}
		if err := SyncAreas(ctx, db, &renamed); err != nil {
			t.Fatal(err)
		}
		var name string
		if err := db.NewSelect().Table("kecamatan").Column("name").Where("code = ?", "32.73.01").Scan(ctx, &name); err != nil {
			t.Fatal(err)
		}
		if name != "Sukasari Baru" {
			t.Fatalf("renamed kecamatan reads %q", name)
		}
	})
}

func appliedNames(t *testing.T, db *bun.DB) []string {
	t.Helper()
	var names []string
	if err := db.NewSelect().Table("bun_migrations").Column("name").Order("name").Scan(context.Background(), &names); err != nil {
		t.Fatal(err)
	}
	return names
}

func tableExists(t *testing.T, db *bun.DB, name string) bool {
	t.Helper()
	q := `SELECT count(*) FROM information_schema.tables WHERE table_name = ?`
	if db.Dialect().Name() == dialect.SQLite {
		q = `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	}
	var n int
	if err := db.QueryRowContext(context.Background(), q, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
