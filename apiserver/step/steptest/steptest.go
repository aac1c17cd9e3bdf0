// Package steptest holds the workflow packages' tests to the rule of package
// step: every step is taken only under a decision of the region's policy,
// for the permission the step's table says it needs. It also opens the
// throwaway regions those tests act in.
package steptest

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/policies"
)

// Region opens a demo region of tenants/ ("bandung", "sumedang") in a fresh
// database — SQLite in a temporary directory, or PostgreSQL at dsn when it
// is not empty — migrated as the server migrates it, and returns it as its
// steps see it, under its own policy set. Everything closes with the test.
func Region(t testing.TB, slug, dsn string) *step.Region {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	regions, err := tenancy.LoadDir(filepath.Join(filepath.Dir(file), "..", "..", "..", "tenants"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if r.Slug != slug {
			continue
		}
		opts := store.Options{Driver: store.SQLite, DSN: filepath.Join(t.TempDir(), slug+".db")}
		if dsn != "" {
			opts = store.Options{Driver: store.Postgres, DSN: dsn, MaxConns: 4}
		}
		tn, err := tenancy.NewTenant(r, opts, tenancy.Migrate)
		if err != nil {
			t.Fatal(err)
		}
		if tn.NIK, err = authz.NewNIKHasher([]byte(strings.Repeat("k", 32))); err != nil {
			t.Fatal(err)
		}
		db, release, err := tn.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { release(); tn.Close() })
		return tn.Realm(db)
	}
	t.Fatalf("no region %q in tenants/", slug)
	return nil
}

// Account creates an account holding the roles at their scopes, for a
// test to act as: the person Actor of that account.
func Account(t testing.TB, r *step.Region, username string, grants ...authz.Grant) step.Actor {
	t.Helper()
	ctx := context.Background()
	var p authz.Principal
	err := r.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, err := authz.CreateAccount(ctx, tx, nil, authz.NewAccount{Username: username, DisplayName: username, Password: "a long enough password"}, time.Now())
		if err != nil {
			return err
		}
		p.Account = a
		for _, g := range grants {
			g.AccountID, g.CreatedAt = a.ID, time.Now().UTC()
			if err := authz.AddGrant(ctx, tx, &g); err != nil {
				return err
			}
			p.Grants = append(p.Grants, g)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return step.Person(p)
}

// Everyone is an account holding every role a region grants, at the whole
// region: under the region's own policy it may take any step a person may.
func Everyone(t testing.TB, r *step.Region) step.Actor {
	t.Helper()
	var gs []authz.Grant
	for _, role := range policies.RegionalRoles() {
		if role != policies.Public && role != policies.System {
			gs = append(gs, authz.Grant{Role: role, Scope: r.Root})
		}
	}
	return Account(t, r, "everyone", gs...)
}

// UnderPolicy is the region under another policy set, given as its text
// (policies.ParseSet): "" allows nothing.
func UnderPolicy(t testing.TB, r *step.Region, policy string) *step.Region {
	t.Helper()
	set, err := policies.ParseSet(policy)
	if err != nil {
		t.Fatal(err)
	}
	under := *r
	under.Policy = set
	under.Enforcer = sync.OnceValues(func() (*casbin.SyncedCachedEnforcer, error) { return policies.NewEnforcer(set) })
	return &under
}

// Stored stores a test's fixtures with a store function, failing the test
// if one cannot be stored.
func Stored[T any](t testing.TB, r *step.Region, insert func(context.Context, bun.IDB, T) error, fixtures ...T) {
	t.Helper()
	for _, x := range fixtures {
		if err := insert(context.Background(), r.DB, x); err != nil {
			t.Fatal(err)
		}
	}
}

// Must fails the test on an error of its set-up.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Case is one step as the table of a workflow package names it: the
// permission it needs, and how to take it on the fixtures the test made.
type Case struct {
	Step       string
	Permission policies.Permission
	Take       func(ctx context.Context, r *step.Region, a step.Actor) error
}

// Refused takes every step of the table in a copy of the region whose policy
// allows nothing, as everyone (a person holding every role at the whole
// region, an account the test made with Everyone) and as a system actor.
// Each must be refused by the policy for the permission the table names —
// not run without a decision, not refused for another permission — and
// leave the audit log as it was.
func Refused(t *testing.T, r *step.Region, everyone step.Actor, cases []Case) {
	t.Helper()
	denied := UnderPolicy(t, r, "")
	ctx := context.Background()
	for _, c := range cases {
		for _, a := range []step.Actor{everyone, step.System("steptest")} {
			before := AuditLength(t, r)
			err := c.Take(ctx, denied, a)
			var d *step.Denied
			switch {
			case errors.As(err, &d) && d.Permission == c.Permission:
			case errors.As(err, &d):
				t.Errorf("%s: refused for %s, but the table says it needs %s", c.Step, d.Permission, c.Permission)
			default:
				t.Errorf("%s as %q: %v, want a refusal of %s by the region's policy", c.Step, actorName(a), err, c.Permission)
			}
			if d != nil && !errors.Is(err, partnership.ErrForbidden) {
				t.Errorf("%s: a refusal that is not ErrForbidden for a signed-in or system actor: %v", c.Step, err)
			}
			if after := AuditLength(t, r); after != before {
				t.Errorf("%s: refused, yet the audit log grew from %d to %d entries", c.Step, before, after)
			}
		}
	}
}

func actorName(a step.Actor) string {
	if n := a.SystemName(); n != "" {
		return n
	}
	return "everyone"
}

// Entries are the region's audit entries about objects of a type, or about
// one object of it when id is not "", oldest first.
func Entries(t testing.TB, r *step.Region, objectType, id string) []audit.Entry {
	t.Helper()
	es, err := audit.List(context.Background(), r.DB, audit.Filter{ObjectType: objectType, ObjectID: id, Limit: audit.MaxLimit})
	Must(t, err)
	return es
}

// AuditLength counts the region's audit entries.
func AuditLength(t *testing.T, r *step.Region) int64 {
	t.Helper()
	n, err := r.DB.NewSelect().Table("audit_log").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
