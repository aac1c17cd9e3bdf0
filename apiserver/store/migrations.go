package store

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// A step is one schema migration. Its up function runs inside a transaction,
// so a step that fails half way leaves nothing behind, and it is recorded as
// applied only after it has succeeded.
type step struct {
	name string // sortable, e.g. "0001_areas"
	up   func(ctx context.Context, tx bun.Tx, d dialect.Name) error
}

// steps is the schema, oldest first. Each step is written once and never edited.
var steps = []step{
	{"0001_areas", migrateAreas},
	{"0002_audit", migrateAudit},
	{"0003_accounts", migrateAccounts},
	{"0004_two_pillar", migrateTwoPillar},
	{"0005_supervision", migrateSupervision},
	{"0006_reports", migrateReports},
	{"0007_participation", migrateParticipation},
	{"0008_four_pillar", migrateFourPillar},
	{"0009_csr_outcomes", migrateCSROutcomes},
}

// SchemaVersion is the name of the newest migration; a database migrated by
// this build reports it.
func SchemaVersion() string { return steps[len(steps)-1].name }

// Migrate applies the migrations a database lacks and returns the name of the
// newest one applied. Concurrent callers on PostgreSQL wait for each other.
func Migrate(ctx context.Context, db *bun.DB) (string, error) {
	return migrateSteps(ctx, db, steps)
}

func migrateSteps(ctx context.Context, db *bun.DB, steps []step) (string, error) {
	ms := migrate.NewMigrations()
	d := db.Dialect().Name()
	for _, s := range steps {
		ms.Add(migrate.Migration{
			Name: s.name,
			Up: func(ctx context.Context, m *migrate.Migrator, _ *migrate.Migration) error {
				return m.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					return s.up(ctx, tx, d)
				})
			},
		})
	}
	// bun's own lock is a row that a crashed process would leave behind; a
	// PostgreSQL advisory lock is released with the session that holds it.
	// SQLite needs none: its pool has a single connection.
	unlock, err := lock(ctx, db)
	if err != nil {
		return "", err
	}
	defer unlock()
	m := migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return "", fmt.Errorf("store: unable to create the migrations table: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return "", fmt.Errorf("store: migration failed: %w", err)
	}
	applied, err := m.AppliedMigrations(ctx)
	if err != nil {
		return "", fmt.Errorf("store: unable to list applied migrations: %w", err)
	}
	newest := ""
	for _, a := range applied {
		if a.Name > newest {
			newest = a.Name
		}
	}
	return newest, nil
}

func lock(ctx context.Context, db *bun.DB) (func(), error) {
	if db.Dialect().Name() != dialect.PG {
		return func() {}, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unable to reserve a connection for the migration lock: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("pilar.migrations"))
	key := int64(h.Sum64() >> 1)
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", key); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: unable to take the migration lock: %w", err)
	}
	return func() {
		conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", key)
		conn.Close()
	}, nil
}

// exec runs statements in order, stopping at the first error.
func exec(ctx context.Context, tx bun.Tx, stmts ...string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%.60s...: %w", s, err)
		}
	}
	return nil
}

// idColumn is an auto-incrementing primary key in the dialect at hand.
func idColumn(d dialect.Name) string {
	if d == dialect.PG {
		return "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
	}
	return "id INTEGER PRIMARY KEY AUTOINCREMENT"
}

func migrateAreas(ctx context.Context, tx bun.Tx, d dialect.Name) error {
	return exec(ctx, tx,
		`CREATE TABLE kecamatan (
			code TEXT PRIMARY KEY,
			name TEXT NOT NULL
		)`,
		`CREATE TABLE wards (
			code TEXT PRIMARY KEY,
			kecamatan_code TEXT NOT NULL REFERENCES kecamatan (code),
			name TEXT NOT NULL,
			kind TEXT NOT NULL CHECK (kind IN ('kelurahan', 'desa')),
			population BIGINT NOT NULL DEFAULT 0 CHECK (population >= 0),
			rw INTEGER NOT NULL DEFAULT 0 CHECK (rw >= 0)
		)`,
		`CREATE TABLE institutions (
			`+idColumn(d)+`,
			key TEXT NOT NULL UNIQUE,
			ward_code TEXT NOT NULL REFERENCES wards (code),
			type TEXT NOT NULL,
			rw INTEGER NOT NULL DEFAULT 0,
			name TEXT NOT NULL
		)`,
		`CREATE INDEX institutions_ward ON institutions (ward_code)`,
		`CREATE TABLE settings (
			key TEXT PRIMARY KEY,
			value TEXT NOT NULL
		)`,
	)
}
