// Package store keeps a region's data in its own database — one SQLite file per
// region in the embedded mode, one PostgreSQL database per region in a cluster —
// through bun: opening with a small bounded pool, the schema migrations (the same
// for both dialects), and the queries the workflows need.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// Driver names a database engine.
type Driver string

// The supported engines.
const (
	SQLite   Driver = "sqlite"
	Postgres Driver = "postgres"
)

// Options say how to reach a region's database and how large its pool may be.
type Options struct {
	Driver Driver
	// DSN is a PostgreSQL URL, or for SQLite the path of the database file.
	DSN string
	// MaxConns bounds the pool; PostgreSQL pools default to 4. SQLite always
	// uses one connection, which serialises writes.
	MaxConns int
}

// Open opens a region's database. It does not migrate it.
func Open(ctx context.Context, o Options) (*bun.DB, error) {
	var db *bun.DB
	switch o.Driver {
	case SQLite:
		if dir := filepath.Dir(o.DSN); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: unable to create %s: %w", dir, err)
			}
		}
		// WAL lets readers proceed beside the writer; busy_timeout waits for
		// the lock instead of failing; foreign keys are off by default in SQLite.
		dsn := "file:" + o.DSN + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		sqldb, err := sql.Open(sqliteshim.ShimName, dsn)
		if err != nil {
			return nil, fmt.Errorf("store: unable to open %s: %w", o.DSN, err)
		}
		sqldb.SetMaxOpenConns(1)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	case Postgres:
		sqldb, err := sql.Open("pgx", o.DSN)
		if err != nil {
			return nil, fmt.Errorf("store: unable to open postgres: %w", err)
		}
		n := o.MaxConns
		if n <= 0 {
			n = 4
		}
		sqldb.SetMaxOpenConns(n)
		sqldb.SetMaxIdleConns(n)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New())
	default:
		return nil, fmt.Errorf("store: unknown driver %q (want sqlite or postgres)", o.Driver)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: unable to reach the %s database: %w", o.Driver, err)
	}
	return db, nil
}
