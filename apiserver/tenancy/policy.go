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

// The settings a region's database keeps of what it is served as.
const (
	policyHashKey = "policy.hash"
	policyTextKey = "policy.text"
	regionCodeKey = "region.code"
)

// RecordPolicy notes the policy set a region's database is served under —
// its hash, its text and the region's code, so that a command holding only
// the database (Recorded) is decided on by the same policy — and, when it
// differs from the one last served, appends the change to the audit log: a
// change of policy is a change of state like any other.
func RecordPolicy(ctx context.Context, db bun.IDB, code string, set *policies.Set) error {
	var old setting
	err := db.NewSelect().Model(&old).Where("key = ?", policyHashKey).Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("tenancy: unable to read the policy hash: %w", err)
	}
	recorded, err := db.NewSelect().Model((*setting)(nil)).Where("key = ?", policyTextKey).Exists(ctx)
	if err != nil {
		return fmt.Errorf("tenancy: unable to read the policy set: %w", err)
	}
	if old.Value == set.Hash && recorded {
		return nil
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, kv := range []setting{{Key: policyHashKey, Value: set.Hash}, {Key: policyTextKey, Value: set.Text()}, {Key: regionCodeKey, Value: code}} {
			if _, err := tx.NewInsert().Model(&kv).On("CONFLICT (key) DO UPDATE").Set("value = EXCLUDED.value").Exec(ctx); err != nil {
				return fmt.Errorf("tenancy: unable to record the policy set: %w", err)
			}
		}
		if old.Value == set.Hash {
			return nil // recorded in full for the first time; no change of policy
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

// Recorded is what a region's database says it is served as: the region's
// code and the policy set it was last served under (see RecordPolicy).
func Recorded(ctx context.Context, db bun.IDB) (code string, set *policies.Set, err error) {
	var rows []setting
	if err := db.NewSelect().Model(&rows).Where("key IN (?)", bun.In([]string{policyTextKey, regionCodeKey})).Scan(ctx); err != nil {
		return "", nil, fmt.Errorf("tenancy: unable to read what the database is served as: %w", err)
	}
	var text string
	for _, r := range rows {
		switch r.Key {
		case policyTextKey:
			text = r.Value
		case regionCodeKey:
			code = r.Value
		}
	}
	if code == "" || text == "" {
		return "", nil, errors.New("tenancy: the database records no policy set: it has not been served since the policy was first recorded")
	}
	set, err = policies.ParseSet(text)
	if err != nil {
		return "", nil, fmt.Errorf("tenancy: the recorded policy set: %w", err)
	}
	return code, set, nil
}
