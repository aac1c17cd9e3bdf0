package authz

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store/storetest"
	"pilar.id/pilar/policies"
)

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
