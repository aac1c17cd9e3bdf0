package authz

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// Account is a local account of one region.
type Account struct {
	bun.BaseModel `bun:"table:accounts"`
	ID            int64      `bun:",pk,autoincrement" json:"id"`
	Username      string     `json:"username"`
	DisplayName   string     `json:"displayName"`
	PasswordHash  string     `json:"-"`
	NIKHash       *string    `bun:"nik_hash" json:"-"`
	CreatedAt     time.Time  `json:"createdAt"`
	DisabledAt    *time.Time `json:"disabledAt,omitempty"`
}

// NewAccount is what creating an account takes.
type NewAccount struct {
	Username    string `json:"username" form:"username"`
	DisplayName string `json:"displayName" form:"displayName"`
	Password    string `json:"password" form:"password"`
	// NIK is the national ID number, where the region verifies residents by it.
	// Only its keyed hash is stored.
	NIK string `json:"nik" form:"nik"`
}

var (
	usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,39}$`)
	nikPattern      = regexp.MustCompile(`^[0-9]{16}$`)
)

// Validate refuses bad input with the field and the reason.
func (n NewAccount) Validate() error {
	switch {
	case !usernamePattern.MatchString(n.Username):
		return partnership.Invalid("username", "3 to 40 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit")
	case strings.TrimSpace(n.DisplayName) == "" || utf8.RuneCountInString(n.DisplayName) > 100:
		return partnership.Invalid("displayName", "required, at most 100 characters")
	case utf8.RuneCountInString(n.Password) < 10:
		return partnership.Invalid("password", "at least 10 characters")
	case len(n.Password) > 256:
		return partnership.Invalid("password", "at most 256 bytes")
	case n.NIK != "" && !nikPattern.MatchString(n.NIK):
		return partnership.Invalid("nik", "a national ID number has 16 digits")
	}
	return nil
}

// NIKHasher turns a national ID number into a keyed hash, so that the number
// itself is never stored, logged or audited, yet a second account with the
// same number can be refused.
type NIKHasher struct{ key []byte }

// NewNIKHasher returns a hasher with the region's secret key (at least 32 bytes).
func NewNIKHasher(key []byte) (*NIKHasher, error) {
	if len(key) < 32 {
		return nil, errors.New("authz: the NIK key must be at least 32 bytes")
	}
	return &NIKHasher{key: key}, nil
}

// Hash returns the keyed hash of a national ID number.
func (h *NIKHasher) Hash(nik string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(nik))
	return hex.EncodeToString(m.Sum(nil))
}

// CreateAccount stores a new account. The username and the NIK must be unused.
func CreateAccount(ctx context.Context, db bun.IDB, nik *NIKHasher, n NewAccount, now time.Time) (*Account, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	a := &Account{Username: n.Username, DisplayName: strings.TrimSpace(n.DisplayName), PasswordHash: hash, CreatedAt: now.UTC()}
	if n.NIK != "" {
		h := nik.Hash(n.NIK)
		a.NIKHash = &h
	}
	if exists, err := db.NewSelect().Model((*Account)(nil)).Where("username = ?", n.Username).Exists(ctx); err != nil {
		return nil, fmt.Errorf("authz: unable to check the username: %w", err)
	} else if exists {
		return nil, fmt.Errorf("%w: username %q is taken", partnership.ErrConflict, n.Username)
	}
	if a.NIKHash != nil {
		if exists, err := db.NewSelect().Model((*Account)(nil)).Where("nik_hash = ?", *a.NIKHash).Exists(ctx); err != nil {
			return nil, fmt.Errorf("authz: unable to check the NIK: %w", err)
		} else if exists {
			return nil, fmt.Errorf("%w: an account with this NIK exists already", partnership.ErrConflict)
		}
	}
	if _, err := db.NewInsert().Model(a).Returning("id").Exec(ctx); err != nil {
		return nil, fmt.Errorf("authz: unable to create account %q: %w", n.Username, err)
	}
	return a, nil
}

// AccountByUsername finds an account by its username.
func AccountByUsername(ctx context.Context, db bun.IDB, username string) (*Account, error) {
	return one[Account](ctx, db, fmt.Sprintf("account %q", username), "username = ?", username)
}

// AccountByID finds an account by its id.
func AccountByID(ctx context.Context, db bun.IDB, id int64) (*Account, error) {
	return one[Account](ctx, db, fmt.Sprintf("account %d", id), "id = ?", id)
}

// one reads the row of M that the condition where (on its one argument)
// selects: what, to messages. None is an ErrNotFound.
func one[M any](ctx context.Context, db bun.IDB, what, where string, arg any) (*M, error) {
	m := new(M)
	err := db.NewSelect().Model(m).Where(where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no %s", partnership.ErrNotFound, what)
	}
	if err != nil {
		return nil, fmt.Errorf("authz: unable to read %s: %w", what, err)
	}
	return m, nil
}

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
