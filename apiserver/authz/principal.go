package authz

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// principalRow is one row of an account joined with one of its grants (the
// grant's columns are NULL when it holds none), and with the API token it
// was found by.
type principalRow struct {
	TokenID      int64      `bun:"t_id"`
	TokenUsed    *time.Time `bun:"t_last_used"`
	TokenRevoked *time.Time `bun:"t_revoked_at"`

	AccountID    int64      `bun:"a_id"`
	Username     string     `bun:"a_username"`
	DisplayName  string     `bun:"a_display_name"`
	PasswordHash string     `bun:"a_password_hash"`
	NIKHash      *string    `bun:"a_nik_hash"`
	CreatedAt    time.Time  `bun:"a_created_at"`
	DisabledAt   *time.Time `bun:"a_disabled_at"`

	GrantID        *int64     `bun:"g_id"`
	GrantRole      *string    `bun:"g_role"`
	GrantScope     *string    `bun:"g_scope"`
	GrantedBy      *int64     `bun:"g_granted_by"`
	GrantCreatedAt *time.Time `bun:"g_created_at"`
}

const (
	accountColumns = `a.id AS a_id, a.username AS a_username, a.display_name AS a_display_name, a.password_hash AS a_password_hash,
		a.nik_hash AS a_nik_hash, a.created_at AS a_created_at, a.disabled_at AS a_disabled_at`
	grantColumns = `g.id AS g_id, g.role AS g_role, g.scope AS g_scope, g.granted_by AS g_granted_by, g.created_at AS g_created_at`
)

// principal gathers the joined rows of one account; ok is false when there are none.
func principal(rows []principalRow) (p Principal, ok bool) {
	if len(rows) == 0 {
		return Principal{}, false
	}
	r := rows[0]
	p.Account = &Account{ID: r.AccountID, Username: r.Username, DisplayName: r.DisplayName, PasswordHash: r.PasswordHash,
		NIKHash: r.NIKHash, CreatedAt: r.CreatedAt, DisabledAt: r.DisabledAt}
	for _, r := range rows {
		if r.GrantID == nil {
			continue
		}
		g := Grant{ID: *r.GrantID, AccountID: r.AccountID, Role: policies.Role(deref(r.GrantRole)), Scope: deref(r.GrantScope), GrantedBy: r.GrantedBy}
		if r.GrantCreatedAt != nil {
			g.CreatedAt = *r.GrantCreatedAt
		}
		p.Grants = append(p.Grants, g)
	}
	return p, true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// PrincipalOf reads an account and the grants it holds in one query: what
// every signed-in request needs before its authorization. A missing or
// disabled account is ErrUnauthenticated.
func PrincipalOf(ctx context.Context, db bun.IDB, accountID int64) (Principal, error) {
	var rows []principalRow
	err := db.NewRaw(`SELECT 0 AS t_id, `+accountColumns+`, `+grantColumns+`
		FROM accounts AS a LEFT JOIN grants AS g ON g.account_id = a.id
		WHERE a.id = ? ORDER BY g.id`, accountID).Scan(ctx, &rows)
	if err != nil {
		return Principal{}, fmt.Errorf("authz: unable to read account %d and its grants: %w", accountID, err)
	}
	p, ok := principal(rows)
	if !ok {
		return Principal{}, fmt.Errorf("%w: the account no longer exists", partnership.ErrUnauthenticated)
	}
	if p.Account.DisabledAt != nil {
		return Principal{}, fmt.Errorf("%w: the account is disabled", partnership.ErrUnauthenticated)
	}
	return p, nil
}

// TokenPrincipal finds who an API token speaks for — the account and its
// grants — in one query, and notes the token's use (at most once a minute).
// An unknown or revoked token, or a disabled account, is ErrUnauthenticated.
func TokenPrincipal(ctx context.Context, db bun.IDB, token string, now time.Time) (Principal, error) {
	var rows []principalRow
	err := db.NewRaw(`SELECT t.id AS t_id, t.last_used AS t_last_used, t.revoked_at AS t_revoked_at, `+accountColumns+`, `+grantColumns+`
		FROM api_tokens AS t JOIN accounts AS a ON a.id = t.account_id LEFT JOIN grants AS g ON g.account_id = a.id
		WHERE t.token_hash = ? ORDER BY g.id`, hashToken(token)).Scan(ctx, &rows)
	if err != nil {
		return Principal{}, fmt.Errorf("authz: unable to read a token: %w", err)
	}
	p, ok := principal(rows)
	if !ok || rows[0].TokenRevoked != nil {
		return Principal{}, fmt.Errorf("%w: the API token is unknown or revoked", partnership.ErrUnauthenticated)
	}
	if used := rows[0].TokenUsed; used == nil || now.Sub(*used) > touchEvery {
		if _, err := db.NewUpdate().Model((*APIToken)(nil)).Set("last_used = ?", now.UTC()).Where("id = ?", rows[0].TokenID).Exec(ctx); err != nil {
			return Principal{}, fmt.Errorf("authz: unable to record a token's use: %w", err)
		}
	}
	if p.Account.DisabledAt != nil {
		return Principal{}, fmt.Errorf("%w: the account is disabled", partnership.ErrUnauthenticated)
	}
	return p, nil
}
