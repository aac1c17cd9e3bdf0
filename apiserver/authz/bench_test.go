package authz

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/store/storetest"
	"pilar.id/pilar/policies"
)

func bandungEnforcer(b *testing.B) (*policies.Set, func() bool) {
	b.Helper()
	f, err := policies.ExampleOverrides().Open("kota-bandung.txt")
	if err != nil {
		b.Fatal(err)
	}
	text, _ := io.ReadAll(f)
	set, e := enforcer(b, string(text))
	// A lurah's grants: the ward office, and a resident of the region.
	p := Principal{Account: &Account{ID: 1}, Grants: []Grant{
		{ID: 1, Role: policies.Resident, Scope: "32.73"},
		{ID: 2, Role: policies.WardOffice, Scope: "32.73.01.1001"},
	}}
	return set, func() bool {
		d, err := Authorize(e, p, policies.MusrenbangDecide, "32.73.01.1001/rw-03")
		if err != nil {
			b.Fatal(err)
		}
		return d.Allowed
	}
}

// BenchmarkAuthorize is the decision a request's route makes, with Kota
// Bandung's policy set: cached (the enforcer has answered these roles before)
// and uncached (its cache cleared before every decision).
func BenchmarkAuthorize(b *testing.B) {
	b.Run("cached", func(b *testing.B) {
		_, authorize := bandungEnforcer(b)
		b.ReportAllocs()
		for b.Loop() {
			if !authorize() {
				b.Fatal("denied")
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		set, _ := bandungEnforcer(b)
		e, _ := policies.NewEnforcer(set)
		p := Principal{Account: &Account{ID: 1}, Grants: []Grant{{ID: 2, Role: policies.WardOffice, Scope: "32.73.01.1001"}}}
		b.ReportAllocs()
		for b.Loop() {
			e.InvalidateCache()
			if d, _ := Authorize(e, p, policies.MusrenbangDecide, "32.73.01.1001"); !d.Allowed {
				b.Fatal("denied")
			}
		}
	})
}

// BenchmarkRequestAuthorization is the whole per-request path in a region
// holding 10,000 role grants: the account's grants read from the region's
// database (SQLite), then the decision.
func BenchmarkRequestAuthorization(b *testing.B) {
	ctx := context.Background()
	db := storetest.Open(b, storetest.Options(b, store.SQLite))
	set, _ := bandungEnforcer(b)
	e, _ := policies.NewEnforcer(set)
	now := time.Now()
	// 2,500 accounts with four grants each: 10,000 grants.
	var accounts []Account
	for i := range 2500 {
		accounts = append(accounts, Account{Username: fmt.Sprintf("user%04d", i), DisplayName: "u", PasswordHash: "x", CreatedAt: now})
	}
	if _, err := db.NewInsert().Model(&accounts).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	var grants []Grant
	for i, a := range accounts {
		ward := fmt.Sprintf("32.73.%02d.%04d", i%30+1, 1000+i%9+1)
		for _, g := range []Grant{
			{Role: policies.Resident, Scope: "32.73"},
			{Role: policies.WardOffice, Scope: ward},
			{Role: policies.InstitutionRW, Scope: ward + "/rw-01"},
			{Role: policies.KecamatanOffice, Scope: ward[:8]},
		} {
			g.AccountID, g.CreatedAt = a.ID, now
			grants = append(grants, g)
		}
	}
	for start := 0; start < len(grants); start += 1000 {
		chunk := grants[start:min(start+1000, len(grants))]
		if _, err := db.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a := accounts[i%len(accounts)]
		i++
		gs, err := GrantsOf(ctx, db, a.ID)
		if err != nil || len(gs) != 4 {
			b.Fatalf("%d grants, %v", len(gs), err)
		}
		if d, _ := Authorize(e, Principal{Account: &a, Grants: gs}, policies.MusrenbangDecide, gs[1].Scope); !d.Allowed {
			b.Fatal("denied")
		}
	}
}
