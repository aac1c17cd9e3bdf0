package main

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/demo"
	"pilar.id/pilar/apiserver/tenancy"
)

// prepareEmbedded is the embedded mode's Prepare: tenancy.Migrate, then the
// demo data the region's manifest asks for (annotation pilar.id/demo-data),
// seeded once. A cluster's regions never get demo data.
func prepareEmbedded(ctx context.Context, db *bun.DB, t *tenancy.Tenant) error {
	if err := tenancy.Migrate(ctx, db, t); err != nil {
		return err
	}
	return demo.Seed(ctx, db, t.Region, time.Now())
}
