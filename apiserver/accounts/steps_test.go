package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/step/steptest"
	"pilar.id/pilar/policies"
)

// TestEveryStepNeedsItsPermission lists every step of the accounts package
// with the permission it needs: under a policy that allows nothing, each is
// refused for that permission and changes nothing.
func TestEveryStepNeedsItsPermission(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "bandung", "")
	everyone := steptest.Everyone(t, r)
	other := steptest.Account(t, r, "lain", authz.Grant{Role: policies.Resident, Scope: r.Root})
	tok, _, err := authz.CreateToken(ctx, r.DB, everyone.AccountID(), "mesin", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	g := other.Principal.Grants[0]
	steptest.Refused(t, r, everyone, []steptest.Case{
		{Step: "Register", Permission: policies.AccountRegister, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := Register(ctx, r, a, authz.NewAccount{Username: "baru", DisplayName: "Baru", Password: "a long enough password"})
			return err
		}},
		{Step: "CreateToken", Permission: policies.TokenManage, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, _, err := CreateToken(ctx, r, a, "lagi")
			return err
		}},
		{Step: "RevokeToken", Permission: policies.TokenManage, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			return RevokeToken(ctx, r, a, tok.ID)
		}},
		{Step: "AddGrant", Permission: policies.GrantManage, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := AddGrant(ctx, r, a, GrantInput{Account: "lain", Role: string(policies.WardOffice), Scope: "32.73.01.1001"})
			return err
		}},
		{Step: "MoveGrant", Permission: policies.GrantManage, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveGrant(ctx, r, a, g.ID, "32.73.01")
			return err
		}},
		{Step: "RevokeGrant", Permission: policies.GrantManage, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			return RevokeGrant(ctx, r, a, g.ID)
		}},
		{Step: "CreateAdmin", Permission: policies.GrantManage, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := CreateAdmin(ctx, r, a, authz.NewAccount{Username: "admin", Password: "a long enough password"})
			return err
		}},
		{Step: "DemoSignIn", Permission: policies.GrantManage, Take: func(ctx context.Context, r *step.Region, _ step.Actor) error {
			_, err := DemoSignIn(ctx, r, policies.Ombudsman, r.Root, "Demo Ombudsman", "")
			return err
		}},
	})
}

// TestTheFirstAdminIsTheCommandsAndSignsIn creates a region's first admin as
// the command does and signs in with it.
func TestTheFirstAdminIsTheCommandsAndSignsIn(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "sumedang", "")
	cmd := step.System("command:region-admin")
	if _, err := CreateAdmin(ctx, r, cmd, authz.NewAccount{Username: "admin", Password: "a long enough password"}); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateAdmin(ctx, r, cmd, authz.NewAccount{Username: "admin", Password: "another long password"}); !errors.Is(err, partnership.ErrConflict) {
		t.Errorf("a second admin of the same name: %v, want a conflict", err)
	}
	s, err := SignIn(ctx, r, authz.NewThrottle(), Credentials{Username: "admin", Password: "a long enough password", Address: "192.0.2.1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Grants) != 1 || s.Grants[0].Role != policies.RegionalAdmin || s.Grants[0].Scope != r.Root || s.Account.DisplayName != "admin" {
		t.Errorf("signed in as %+v with %+v", s.Account, s.Grants)
	}
	es := steptest.Entries(t, r, "account", "")
	if len(es) != 1 || es[0].Action != string(policies.GrantManage) || es[0].Actor != "command:region-admin" || es[0].ActorRole != "system" ||
		!strings.Contains(es[0].Decision, "system actor command:region-admin") {
		t.Errorf("the command's entry: %+v", es)
	}
}

// TestSignInIsThrottled refuses the right password after too many wrong ones,
// saying when to try again.
func TestSignInIsThrottled(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "bandung", "")
	steptest.Account(t, r, "warga", authz.Grant{Role: policies.Resident, Scope: r.Root})
	th := authz.NewThrottle()
	for range th.PerAccount {
		if _, err := SignIn(ctx, r, th, Credentials{Username: "warga", Password: "wrong password!", Address: "192.0.2.9"}, ""); !errors.Is(err, partnership.ErrUnauthenticated) {
			t.Fatalf("a wrong password: %v", err)
		}
	}
	_, err := SignIn(ctx, r, th, Credentials{Username: "warga", Password: "a long enough password", Address: "192.0.2.10"}, "")
	var th2 *Throttled
	if !errors.As(err, &th2) || !errors.Is(err, partnership.ErrThrottled) || !th2.Until.After(time.Now()) {
		t.Errorf("the right password after five wrong ones: %v", err)
	}
}
