package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
	corev1 "k8s.io/api/core/v1"

	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/operator/api/v1alpha1"
)

// reconcileSchema applies the API server's migrations to the region's
// database, connecting as the region (so that it also proves the Secret's
// credentials work), and records the newest one. It reads which migrations
// are applied first: a database already current sees no writing statement,
// not even the migration table's CREATE TABLE IF NOT EXISTS.
func (r *RegionReconciler) reconcileSchema(ctx context.Context, rc *reconciliation) {
	const cond = v1alpha1.ConditionDatabaseReady
	if rc.creds == nil {
		return // reconcileDatabase has said why
	}
	ctx, cancel := context.WithTimeout(ctx, pgTimeout)
	defer cancel()
	// Two connections: store.Migrate holds one for its advisory lock while
	// the migrations run on the other.
	db, err := store.Open(ctx, store.Options{Driver: store.Postgres, DSN: rc.creds.URI(), MaxConns: 2})
	if err != nil {
		rc.fail(cond, ReasonMigrationFailed, fmt.Errorf("unable to connect to database %s as %s: %w", rc.creds.Database, rc.creds.Username, err))
		return
	}
	defer db.Close()
	applied, err := appliedVersion(ctx, db)
	r.SQL.AddReads(1)
	if err != nil {
		rc.fail(cond, ReasonMigrationFailed, err)
		return
	}
	if want := store.SchemaVersion(); applied < want {
		r.SQL.AddWrites(1)
		if applied, err = store.Migrate(ctx, db); err != nil {
			rc.fail(cond, ReasonMigrationFailed, err)
			return
		}
		r.event(rc.region, corev1.EventTypeNormal, "Migrated", "Migrate", "database %s migrated to %s", rc.creds.Database, applied)
	}
	rc.status.SchemaVersion = applied
	rc.set(cond, true, ReasonProvisioned, "database %s owned by role %s on server %s, schema %s",
		rc.names.Database, rc.names.Role, rc.names.Server, applied)
}

// appliedVersion returns the newest migration applied to db, "" when none
// is. It only reads.
func appliedVersion(ctx context.Context, db *bun.DB) (string, error) {
	applied, err := migrate.NewMigrator(db, migrate.NewMigrations()).AppliedMigrations(ctx)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table: never migrated
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("unable to read the applied migrations: %w", err)
	}
	newest := ""
	for _, m := range applied {
		newest = max(newest, m.Name)
	}
	return newest, nil
}
