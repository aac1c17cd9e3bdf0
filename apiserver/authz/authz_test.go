package authz

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store/storetest"
	"pilar.id/pilar/policies"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id with the chosen parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batter": false, "": false} {
		if ok, err := VerifyPassword(h, pw); err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "$bcrypt$x", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=1,t=1,p=1$!!$b"} {
		if _, err := VerifyPassword(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestNewAccountValidation(t *testing.T) {
	good := NewAccount{Username: "siti.aminah", DisplayName: "Siti Aminah", Password: "panjang sekali", NIK: "3273011234567890"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field  string
		mutate func(*NewAccount)
	}{
		{"username", func(n *NewAccount) { n.Username = "Siti" }},
		{"username", func(n *NewAccount) { n.Username = "ab" }},
		{"username", func(n *NewAccount) { n.Username = strings.Repeat("a", 41) }},
		{"displayName", func(n *NewAccount) { n.DisplayName = "  " }},
		{"displayName", func(n *NewAccount) { n.DisplayName = strings.Repeat("é", 101) }},
		{"password", func(n *NewAccount) { n.Password = "short" }},
		{"password", func(n *NewAccount) { n.Password = strings.Repeat("x", 257) }},
		{"nik", func(n *NewAccount) { n.NIK = "12345" }},
	}
	for _, tt := range tests {
		n := good
		tt.mutate(&n)
		var fe *partnership.FieldError
		if err := n.Validate(); !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%+v: error %v, want one for field %s", n, err, tt.field)
		}
	}
}

func TestAccountsKeepNoNIKInClear(t *testing.T) {
	nik, err := NewNIKHasher([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx, now := context.Background(), time.Now()
		a, err := CreateAccount(ctx, db, nik, NewAccount{Username: "siti", DisplayName: "Siti", Password: "panjang sekali", NIK: "3273011234567890"}, now)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.NewSelect().Table("accounts").Column("nik_hash").Where("id = ?", a.ID).Scan(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		if stored == "" || strings.Contains(stored, "3273011234567890") {
			t.Fatalf("stored NIK %q", stored)
		}
		// The same NIK or username again is a conflict, and nothing is stored.
		for _, n := range []NewAccount{
			{Username: "siti2", DisplayName: "S", Password: "panjang sekali", NIK: "3273011234567890"},
			{Username: "siti", DisplayName: "S", Password: "panjang sekali"},
		} {
			if _, err := CreateAccount(ctx, db, nik, n, now); !errors.Is(err, partnership.ErrConflict) {
				t.Errorf("%s: error %v, want a conflict", n.Username, err)
			}
		}
		if n, _ := db.NewSelect().Table("accounts").Count(ctx); n != 1 {
			t.Errorf("%d accounts stored, want 1", n)
		}
	})
}

func TestSessionsExpireAndCSRFTokensDoNotTravel(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx, t0 := context.Background(), time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
		a, err := CreateAccount(ctx, db, nil, NewAccount{Username: "lurah", DisplayName: "Lurah", Password: "panjang sekali"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		s1, err := StartSession(ctx, db, a.ID, t0)
		if err != nil {
			t.Fatal(err)
		}
		// Used every 20 minutes, it lives until its absolute end.
		at := t0
		for at.Before(t0.Add(SessionAbsolute - 20*time.Minute)) {
			at = at.Add(20 * time.Minute)
			if id, err := SessionAccount(ctx, db, s1, at); err != nil || id != a.ID {
				t.Fatalf("at %s: %d %v", at.Sub(t0), id, err)
			}
		}
		if _, err := SessionAccount(ctx, db, s1, t0.Add(SessionAbsolute+time.Minute)); !errors.Is(err, partnership.ErrUnauthenticated) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("past its absolute end: %v", err)
		}
		// Idle for longer than SessionIdle, it ends.
		s2, _ := StartSession(ctx, db, a.ID, t0)
		if _, err := SessionAccount(ctx, db, s2, t0.Add(SessionIdle+time.Minute)); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Fatalf("idle session: %v", err)
		}
		if _, err := SessionAccount(ctx, db, s2, t0); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Fatalf("an expired session came back: %v", err)
		}
		// A CSRF token belongs to its session only.
		s3, _ := StartSession(ctx, db, a.ID, t0)
		if !CheckCSRF(s3, CSRFToken(s3)) || CheckCSRF(s3, CSRFToken(s1)) || CheckCSRF(s3, "") {
			t.Fatal("CSRF tokens are not bound to their session")
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx, now := context.Background(), time.Now()
		a, _ := CreateAccount(ctx, db, nil, NewAccount{Username: "mesin", DisplayName: "Mesin", Password: "panjang sekali"}, now)
		b, _ := CreateAccount(ctx, db, nil, NewAccount{Username: "lain", DisplayName: "Lain", Password: "panjang sekali"}, now)
		tok, secret, err := CreateToken(ctx, db, a.ID, "laporan", now)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, TokenPrefix) || tok.TokenHash == secret {
			t.Fatalf("token %q stored as %q", secret, tok.TokenHash)
		}
		if got, err := TokenAccount(ctx, db, secret, now); err != nil || got.AccountID != a.ID {
			t.Fatalf("lookup: %v %v", got, err)
		}
		if err := RevokeToken(ctx, db, b.ID, tok.ID, now); !errors.Is(err, partnership.ErrNotFound) {
			t.Fatalf("another account revoked the token: %v", err)
		}
		if err := RevokeToken(ctx, db, a.ID, tok.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := TokenAccount(ctx, db, secret, now); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Fatalf("revoked token still works: %v", err)
		}
		if _, _, err := CreateToken(ctx, db, a.ID, " ", now); err == nil {
			t.Fatal("a token without a name was made")
		}
	})
}

func TestThrottle(t *testing.T) {
	th := NewThrottle()
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	for i := 0; i < th.PerAccount; i++ {
		if ok, _ := th.Allow("siti", "10.0.0.1", t0); !ok {
			t.Fatalf("refused after %d failures", i)
		}
		th.Fail("siti", "10.0.0.1", t0)
	}
	if ok, until := th.Allow("siti", "10.0.0.2", t0); ok || !until.Equal(t0.Add(th.LockOut)) {
		t.Fatalf("account not locked after %d failures: %v %v", th.PerAccount, ok, until)
	}
	if ok, _ := th.Allow("budi", "10.0.0.1", t0); !ok {
		t.Fatal("another account from the same address was locked by one account's failures")
	}
	if ok, _ := th.Allow("siti", "10.0.0.2", t0.Add(th.LockOut+time.Second)); !ok {
		t.Fatal("still locked after the lock-out")
	}
	// Many accounts from one address lock the address.
	for i := 0; i < th.PerAddress; i++ {
		th.Fail(fmt.Sprintf("user%d", i), "10.0.0.9", t0)
	}
	if ok, _ := th.Allow("fresh", "10.0.0.9", t0); ok {
		t.Fatal("address not locked after many failures")
	}
}

// enforcer is the national baseline with a region's overrides, and an
// enforcer of it.
func enforcer(t testing.TB, overrides string) (*policies.Set, *casbin.SyncedCachedEnforcer) {
	t.Helper()
	set, err := policies.Render(overrides)
	if err != nil {
		t.Fatal(err)
	}
	e, err := policies.NewEnforcer(set)
	if err != nil {
		t.Fatal(err)
	}
	return set, e
}

func TestAuthorizeFollowsScopes(t *testing.T) {
	set, e := enforcer(t, "")
	lurah := Principal{Account: &Account{ID: 1}, Grants: []Grant{{ID: 7, Role: policies.WardOffice, Scope: "32.73.01.1001"}}}
	camat := Principal{Account: &Account{ID: 2}, Grants: []Grant{{ID: 8, Role: policies.KecamatanOffice, Scope: "32.73.01"}}}
	tests := []struct {
		name  string
		p     Principal
		perm  policies.Permission
		scope string
		want  bool
	}{
		{"lurah decides in own kelurahan", lurah, policies.MusrenbangDecide, "32.73.01.1001", true},
		{"lurah decides for an institution of the kelurahan", lurah, policies.MusrenbangDecide, "32.73.01.1001/rw-03", true},
		{"lurah does not reach the next kelurahan", lurah, policies.MusrenbangDecide, "32.73.01.1002", false},
		{"lurah does not reach the kecamatan", lurah, policies.MusrenbangDecide, "32.73.01", false},
		{"camat consolidates in any kelurahan of the kecamatan", camat, policies.ReportConsolidate, "32.73.01.1002", true},
		{"camat does not reach another kecamatan", camat, policies.ReportConsolidate, "32.73.02.1001", false},
		{"anyone reads proposals", Principal{}, policies.ProposalRead, "32.73.01.1001", true},
		{"nobody anonymous decides", Principal{}, policies.MusrenbangDecide, "32.73.01.1001", false},
		{"the lurah's role does not grant grants", lurah, policies.GrantManage, "32.73.01.1001", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Authorize(e, tt.p, tt.perm, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tt.want {
				t.Fatalf("%s: allowed %v, want %v", d, d.Allowed, tt.want)
			}
			if d.Allowed && d.Grant == nil && d.Role != policies.Public {
				t.Errorf("allowed without naming the grant or the public role: %+v", d)
			}
		})
	}
	x, err := Explain(set, e, lurah, policies.MusrenbangDecide, "32.73.01.1002")
	if err != nil {
		t.Fatal(err)
	}
	if x.Allowed || len(x.Ignored) != 1 || len(x.Considered) != 1 || x.Considered[0].Role != policies.Public {
		t.Fatalf("explanation of a grant out of scope: %+v", x)
	}
}

// The one-query principal is what the account and its grants read one by
// one are, for a token's and for an account id's, with grants in id order.
func TestPrincipalInOneQuery(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx, now := context.Background(), time.Now().Truncate(time.Second)
		lurah, _ := CreateAccount(ctx, db, nil, NewAccount{Username: "lurah", DisplayName: "Bu Lurah", Password: "panjang sekali"}, now)
		warga, _ := CreateAccount(ctx, db, nil, NewAccount{Username: "warga", DisplayName: "Warga", Password: "panjang sekali"}, now)
		for _, g := range []*Grant{
			{AccountID: lurah.ID, Role: policies.WardOffice, Scope: "32.73.01.1001", GrantedBy: &warga.ID, CreatedAt: now},
			{AccountID: warga.ID, Role: policies.Resident, Scope: "32.73", CreatedAt: now},
			{AccountID: lurah.ID, Role: policies.Resident, Scope: "32.73", CreatedAt: now},
		} {
			if err := AddGrant(ctx, db, g); err != nil {
				t.Fatal(err)
			}
		}
		nobody, _ := CreateAccount(ctx, db, nil, NewAccount{Username: "tanpa-peran", DisplayName: "Tanpa peran", Password: "panjang sekali"}, now)
		for _, a := range []*Account{lurah, warga, nobody} {
			want, err := AccountByID(ctx, db, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			grants, err := GrantsOf(ctx, db, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, secret, err := CreateToken(ctx, db, a.ID, "mesin", now)
			if err != nil {
				t.Fatal(err)
			}
			byToken, err := TokenPrincipal(ctx, db, secret, now)
			if err != nil {
				t.Fatal(err)
			}
			byID, err := PrincipalOf(ctx, db, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]Principal{"TokenPrincipal": byToken, "PrincipalOf": byID} {
				if !reflect.DeepEqual(got.Account, want) {
					t.Errorf("%s(%s): account %+v, want %+v", name, a.Username, got.Account, want)
				}
				if !reflect.DeepEqual(got.Grants, grants) {
					t.Errorf("%s(%s): grants %+v, want %+v", name, a.Username, got.Grants, grants)
				}
			}
		}
	})
}

func TestTokenPrincipalRefuses(t *testing.T) {
	storetest.OnBoth(t, func(t *testing.T, db *bun.DB) {
		ctx, now := context.Background(), time.Now()
		a, _ := CreateAccount(ctx, db, nil, NewAccount{Username: "mesin", DisplayName: "Mesin", Password: "panjang sekali"}, now)
		tok, secret, _ := CreateToken(ctx, db, a.ID, "laporan", now)
		if _, err := TokenPrincipal(ctx, db, secret+"x", now); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Errorf("unknown token: %v", err)
		}
		// Its use is noted once, then not again within the minute.
		if _, err := TokenPrincipal(ctx, db, secret, now); err != nil {
			t.Fatal(err)
		}
		stored, _ := TokenAccount(ctx, db, secret, now)
		if stored.LastUsed == nil || stored.LastUsed.Sub(now.UTC()).Abs() > time.Second {
			t.Errorf("last used %v, want %v", stored.LastUsed, now)
		}
		if _, err := TokenPrincipal(ctx, db, secret, now.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if again, _ := TokenAccount(ctx, db, secret, now); !again.LastUsed.Equal(*stored.LastUsed) {
			t.Errorf("last used moved to %v within a minute", again.LastUsed)
		}
		if _, err := db.NewUpdate().Model((*Account)(nil)).Set("disabled_at = ?", now.UTC()).Where("id = ?", a.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := TokenPrincipal(ctx, db, secret, now); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Errorf("disabled account: %v", err)
		}
		if _, err := PrincipalOf(ctx, db, a.ID); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Errorf("disabled account by id: %v", err)
		}
		if _, err := PrincipalOf(ctx, db, a.ID+100); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Errorf("missing account: %v", err)
		}
		if err := RevokeToken(ctx, db, a.ID, tok.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := TokenPrincipal(ctx, db, secret, now); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Errorf("revoked token: %v", err)
		}
	})
}
