package authz

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

// TokenPrefix starts every API token, so that a leaked one is easy to recognise.
const TokenPrefix = "pilar_"

// APIToken is a machine client's credential. Only its hash is stored; the
// token is shown once, when it is created.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens"`
	ID            int64      `bun:",pk,autoincrement" json:"id"`
	AccountID     int64      `json:"accountId"`
	Name          string     `json:"name"`
	TokenHash     string     `json:"-"`
	CreatedAt     time.Time  `json:"createdAt"`
	LastUsed      *time.Time `json:"lastUsed,omitempty"`
	RevokedAt     *time.Time `json:"revokedAt,omitempty"`
}

// CreateToken makes an API token for an account and returns it with the token in clear.
func CreateToken(ctx context.Context, db bun.IDB, accountID int64, name string, now time.Time) (*APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return nil, "", partnership.Invalid("name", "required, at most 60 characters")
	}
	token, err := newToken(TokenPrefix)
	if err != nil {
		return nil, "", err
	}
	t := &APIToken{AccountID: accountID, Name: name, TokenHash: hashToken(token), CreatedAt: now.UTC()}
	if _, err := db.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
		return nil, "", fmt.Errorf("authz: unable to create a token: %w", err)
	}
	return t, token, nil
}

// TokenAccount returns the account an API token belongs to; an unknown or revoked token is ErrUnauthenticated.
func TokenAccount(ctx context.Context, db bun.IDB, token string, now time.Time) (*APIToken, error) {
	t := new(APIToken)
	err := db.NewSelect().Model(t).Where("token_hash = ?", hashToken(token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && t.RevokedAt != nil) {
		return nil, fmt.Errorf("%w: the API token is unknown or revoked", partnership.ErrUnauthenticated)
	}
	if err != nil {
		return nil, fmt.Errorf("authz: unable to read a token: %w", err)
	}
	if t.LastUsed == nil || now.Sub(*t.LastUsed) > touchEvery {
		if _, err := db.NewUpdate().Model(t).Set("last_used = ?", now.UTC()).WherePK().Exec(ctx); err != nil {
			return nil, fmt.Errorf("authz: unable to record a token's use: %w", err)
		}
	}
	return t, nil
}

// TokensOf lists an account's tokens, without their secrets.
func TokensOf(ctx context.Context, db bun.IDB, accountID int64) ([]APIToken, error) {
	var ts []APIToken
	if err := db.NewSelect().Model(&ts).Where("account_id = ?", accountID).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("authz: unable to list tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes one of an account's tokens; another account's token is not found.
func RevokeToken(ctx context.Context, db bun.IDB, accountID, id int64, now time.Time) error {
	res, err := db.NewUpdate().Model((*APIToken)(nil)).Set("revoked_at = ?", now.UTC()).
		Where("id = ? AND account_id = ? AND revoked_at IS NULL", id, accountID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("authz: unable to revoke token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: no active token %d of yours", partnership.ErrNotFound, id)
	}
	return nil
}
