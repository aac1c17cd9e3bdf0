package authz

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// Grant is a role held by an account at a scope of the region's tree.
type Grant struct {
	bun.BaseModel `bun:"table:grants"`
	ID            int64         `bun:",pk,autoincrement" json:"id"`
	AccountID     int64         `json:"accountId"`
	Role          policies.Role `json:"role"`
	Scope         string        `json:"scope"`
	GrantedBy     *int64        `json:"grantedBy,omitempty"`
	CreatedAt     time.Time     `json:"createdAt"`
}

// CheckGrant refuses a role outside the region's catalogue (a platform role,
// the public role everyone holds, the server's own role) and a scope that is
// not a place of this region.
func CheckGrant(r *partnership.Region, role, scope string) (policies.Role, error) {
	pr := policies.Role(role)
	if !pr.Known() || pr.Platform() || pr == policies.Public || pr == policies.System {
		return "", partnership.Invalid("role", "%q is not a role that can be granted in a region", role)
	}
	if r.ScopeLevel(scope) == "" {
		return "", partnership.Invalid("scope", "%q is not the region, a kecamatan, a ward or an institution of %s", scope, r.Name)
	}
	return pr, nil
}

// GrantsOf returns the grants an account holds.
func GrantsOf(ctx context.Context, db bun.IDB, accountID int64) ([]Grant, error) {
	var gs []Grant
	if err := db.NewSelect().Model(&gs).Where("account_id = ?", accountID).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("authz: unable to read the grants of account %d: %w", accountID, err)
	}
	return gs, nil
}

// GrantByID finds one grant.
func GrantByID(ctx context.Context, db bun.IDB, id int64) (*Grant, error) {
	return one[Grant](ctx, db, fmt.Sprintf("grant %d", id), "id = ?", id)
}

// ListGrants returns a page of the region's grants, oldest first, after the given id.
func ListGrants(ctx context.Context, db bun.IDB, afterID int64, limit int) ([]Grant, error) {
	var gs []Grant
	if err := db.NewSelect().Model(&gs).Where("id > ?", afterID).Order("id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("authz: unable to list grants: %w", err)
	}
	return gs, nil
}

// AddGrant grants a role at a scope. Granting the same role at the same scope twice is a conflict.
func AddGrant(ctx context.Context, db bun.IDB, g *Grant) error {
	exists, err := db.NewSelect().Model((*Grant)(nil)).
		Where("account_id = ? AND role = ? AND scope = ?", g.AccountID, g.Role, g.Scope).Exists(ctx)
	if err != nil {
		return fmt.Errorf("authz: unable to check grants: %w", err)
	}
	if exists {
		return fmt.Errorf("%w: the account already holds %s at %s", partnership.ErrConflict, g.Role, g.Scope)
	}
	if _, err := db.NewInsert().Model(g).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("authz: unable to grant %s at %s: %w", g.Role, g.Scope, err)
	}
	return nil
}

// MoveGrant changes the scope of a grant.
func MoveGrant(ctx context.Context, db bun.IDB, id int64, scope string) error {
	if _, err := db.NewUpdate().Model((*Grant)(nil)).Set("scope = ?", scope).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("authz: unable to move grant %d: %w", id, err)
	}
	return nil
}

// RevokeGrant deletes a grant; it stops working with the next request.
func RevokeGrant(ctx context.Context, db bun.IDB, id int64) error {
	if _, err := db.NewDelete().Model((*Grant)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("authz: unable to revoke grant %d: %w", id, err)
	}
	return nil
}
