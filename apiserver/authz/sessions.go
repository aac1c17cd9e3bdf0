package authz

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

// Session lifetimes: a session ends after half an hour without use, and after
// twelve hours whatever happens.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
	// touchEvery bounds the writes that keep a session alive to one a minute.
	touchEvery = time.Minute
)

// Session is a signed-in browser. Only the hash of its token is stored; the
// token itself lives in the browser's cookie.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`
	TokenHash     string `bun:",pk"`
	AccountID     int64
	CreatedAt     time.Time
	LastSeen      time.Time
	ExpiresAt     time.Time
}

func newToken(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("authz: unable to make a token: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartSession creates a session for an account and returns the token for its cookie.
func StartSession(ctx context.Context, db bun.IDB, accountID int64, now time.Time) (string, error) {
	token, err := newToken("")
	if err != nil {
		return "", err
	}
	now = now.UTC()
	s := &Session{TokenHash: hashToken(token), AccountID: accountID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(SessionAbsolute)}
	if _, err := db.NewInsert().Model(s).Exec(ctx); err != nil {
		return "", fmt.Errorf("authz: unable to start a session: %w", err)
	}
	return token, nil
}

// SessionAccount returns the account a session token belongs to. An unknown,
// idle or expired session is ErrUnauthenticated (and an ended one is deleted).
func SessionAccount(ctx context.Context, db bun.IDB, token string, now time.Time) (int64, error) {
	s := new(Session)
	err := db.NewSelect().Model(s).Where("token_hash = ?", hashToken(token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: the session is unknown or has ended", partnership.ErrUnauthenticated)
	}
	if err != nil {
		return 0, fmt.Errorf("authz: unable to read a session: %w", err)
	}
	if now.After(s.ExpiresAt) || now.Sub(s.LastSeen) > SessionIdle {
		if err := EndSession(ctx, db, token); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("%w: the session has expired; sign in again", partnership.ErrUnauthenticated)
	}
	if now.Sub(s.LastSeen) > touchEvery {
		if _, err := db.NewUpdate().Model(s).Set("last_seen = ?", now.UTC()).WherePK().Exec(ctx); err != nil {
			return 0, fmt.Errorf("authz: unable to keep a session alive: %w", err)
		}
	}
	return s.AccountID, nil
}

// EndSession signs a session out.
func EndSession(ctx context.Context, db bun.IDB, token string) error {
	if _, err := db.NewDelete().Model((*Session)(nil)).Where("token_hash = ?", hashToken(token)).Exec(ctx); err != nil {
		return fmt.Errorf("authz: unable to end a session: %w", err)
	}
	return nil
}

// CSRFToken is the token a session's forms and scripts must send back with
// every state-changing request. It is derived from the session token, so it
// changes with every sign-in and cannot be replayed with another session.
func CSRFToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("pilar csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a CSRF token belongs to the session.
func CheckCSRF(sessionToken, csrf string) bool {
	return csrf != "" && subtle.ConstantTimeCompare([]byte(CSRFToken(sessionToken)), []byte(csrf)) == 1
}
