package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"strings"

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

// schema holds the migrations, one SQL file each, named after the step:
// statements end with a semicolon at the end of a line, lines starting with
// "--" are comments, and {{id}} (an auto-incrementing primary key) and
// {{blob}} (a column of bytes) stand for what the two dialects spell
// differently. Each file is written once and never edited.
//
//go:embed schema/*.sql
var schema embed.FS

// steps is the schema, oldest first.
var steps = schemaSteps(schema)

// schemaSteps makes a step of each SQL file in the schema directory of
// fsys, in the order of their names.
func schemaSteps(fsys fs.FS) []step {
	files, err := fs.Glob(fsys, "schema/*.sql")
	if err != nil {
		panic(err)
	}
	var out []step
	for _, f := range files {
		text, err := fs.ReadFile(fsys, f)
		if err != nil {
			panic(err)
		}
		out = append(out, step{name: strings.TrimSuffix(path.Base(f), ".sql"), up: func(ctx context.Context, tx bun.Tx, d dialect.Name) error {
			return exec(ctx, tx, statements(string(text), d)...)
		}})
	}
	return out
}

// statements splits a migration into its statements, without comments, in
// the dialect's spelling.
func statements(sql string, d dialect.Name) []string {
	id, blob := "id INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"
	if d == dialect.PG {
		id, blob = "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BYTEA"
	}
	sql = strings.NewReplacer("{{id}}", id, "{{blob}}", blob).Replace(sql)
	var out []string
	var stmt strings.Builder
	for line := range strings.Lines(sql) {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		stmt.WriteString(line)
		if s := strings.TrimSpace(stmt.String()); strings.HasSuffix(s, ";") {
			out = append(out, strings.TrimSuffix(s, ";"))
			stmt.Reset()
		}
	}
	if s := strings.TrimSpace(stmt.String()); s != "" {
		out = append(out, s)
	}
	return out
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
