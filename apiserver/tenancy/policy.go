package tenancy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/policies"
)

type setting struct {
	bun.BaseModel `bun:"table:settings"`
	Key           string `bun:",pk"`
	Value         string
}

const policyHashKey = "policy.hash"

// RecordPolicy notes the policy set a region's database is served under and,
// when it differs from the one last served, appends the change to the audit
// log: a change of policy is a change of state like any other.
func RecordPolicy(ctx context.Context, db bun.IDB, set *policies.Set) error {
	var old setting
	err := db.NewSelect().Model(&old).Where("key = ?", policyHashKey).Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("tenancy: unable to read the policy hash: %w", err)
	}
	if old.Value == set.Hash {
		return nil
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&setting{Key: policyHashKey, Value: set.Hash}).
			On("CONFLICT (key) DO UPDATE").Set("value = EXCLUDED.value").Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: unable to record the policy hash: %w", err)
		}
		var overrides []string
		for _, r := range set.Overrides() {
			overrides = append(overrides, r.String())
		}
		e := audit.Entry{
			Actor: "system", Action: string(policies.RegionConfigure), ObjectType: "policy", ObjectID: set.Hash,
			Decision: "the region's manifest: national baseline and the region's overrides",
			After:    map[string]any{"hash": set.Hash, "overrides": overrides},
		}
		if old.Value != "" {
			e.Before = map[string]any{"hash": old.Value}
		}
		if _, err := audit.Append(ctx, tx, e); err != nil {
			return err
		}
		return nil
	})
}
