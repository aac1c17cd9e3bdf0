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
