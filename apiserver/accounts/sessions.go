package accounts

import (
	"context"
	"fmt"
	"time"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
)

// Session is a signed-in browser's session: the token for its cookie (shown
// to nobody else), whose it is, and when it ends at the latest.
type Session struct {
	Token   string
	Account *authz.Account
	Grants  []authz.Grant
	Expires time.Time
}

// Throttled refuses a sign-in while its account or address is locked out
// after too many failures; Until says when it may be tried again.
type Throttled struct {
	Until time.Time
	loc   *time.Location
}

func (e *Throttled) Error() string {
	return fmt.Sprintf("%s: too many failed sign-ins; try again after %s", partnership.ErrThrottled, e.Until.In(e.loc).Format("15:04"))
}

// Unwrap makes a refusal ErrThrottled.
func (e *Throttled) Unwrap() error { return partnership.ErrThrottled }

// Credentials are what a person signs in with, and the address they sign in
// from (for the throttle).
type Credentials struct {
	Username string `json:"username" form:"username"`
	Password string `json:"password" form:"password"`
	Address  string `json:"-" form:"-"`
}

// SignIn checks a username and password and starts a session, ending the
// session replaced (a browser's earlier one) if there is one. Failures are
// counted per account and per address by the throttle, which refuses further
// attempts for a while once over its limit, even with the right password;
// the refusal never says whether the username or the password was wrong.
func SignIn(ctx context.Context, r *step.Region, th *authz.Throttle, in Credentials, replaced string) (Session, error) {
	if in.Username == "" {
		return Session{}, partnership.Invalid("username", "required")
	}
	if in.Password == "" {
		return Session{}, partnership.Invalid("password", "required")
	}
	now := r.Clock()
	if ok, until := th.Allow(in.Username, in.Address, now); !ok {
		return Session{}, &Throttled{Until: until, loc: r.Location}
	}
	a, err := authz.AccountByUsername(ctx, r.DB, in.Username)
	ok := false
	if err == nil && a.DisabledAt == nil {
		if ok, err = authz.VerifyPassword(a.PasswordHash, in.Password); err != nil {
			return Session{}, err
		}
	}
	if !ok {
		th.Fail(in.Username, in.Address, now)
		return Session{}, fmt.Errorf("%w: wrong username or password", partnership.ErrUnauthenticated)
	}
	th.Succeed(in.Username)
	s, err := start(ctx, r, a.ID, replaced)
	if err != nil {
		return Session{}, err
	}
	s.Account = a
	if s.Grants, err = authz.GrantsOf(ctx, r.DB, a.ID); err != nil {
		return Session{}, err
	}
	return s, nil
}

// start begins a session for an account, ending the one it replaces.
func start(ctx context.Context, r *step.Region, account int64, replaced string) (Session, error) {
	if replaced != "" {
		if err := authz.EndSession(ctx, r.DB, replaced); err != nil {
			return Session{}, err
		}
	}
	now := r.Clock()
	token, err := authz.StartSession(ctx, r.DB, account, now)
	if err != nil {
		return Session{}, err
	}
	return Session{Token: token, Expires: now.Add(authz.SessionAbsolute)}, nil
}

// SignOut ends a session.
func SignOut(ctx context.Context, r *step.Region, token string) error {
	return authz.EndSession(ctx, r.DB, token)
}

// BySession is who a session cookie speaks for: the account and its grants.
// An unknown, idle or expired session is ErrUnauthenticated; a live one is
// kept alive.
func BySession(ctx context.Context, r *step.Region, token string) (authz.Principal, error) {
	id, err := authz.SessionAccount(ctx, r.DB, token, r.Clock())
	if err != nil {
		return authz.Principal{}, err
	}
	return authz.PrincipalOf(ctx, r.DB, id)
}

// ByToken is who an API token speaks for, noting the token's use. An unknown
// or revoked token, or a disabled account, is ErrUnauthenticated.
func ByToken(ctx context.Context, r *step.Region, token string) (authz.Principal, error) {
	return authz.TokenPrincipal(ctx, r.DB, token, r.Clock())
}
