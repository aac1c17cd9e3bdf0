package step_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/step/steptest"
	"pilar.id/pilar/policies"
)

// recorder is a Listener that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	events []step.Event
}

func (l *recorder) Committed(_ context.Context, es []step.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, es...)
}

func accountExists(t *testing.T, r *step.Region, username string) bool {
	t.Helper()
	_, err := authz.AccountByUsername(context.Background(), r.DB, username)
	if err != nil && !errors.Is(err, partnership.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestAStepWithoutADecisionIsRolledBack(t *testing.T) {
	r := steptest.Region(t, "bandung", "")
	l := &recorder{}
	r.Listener = l
	err := step.Run(context.Background(), r, steptest.Everyone(t, r), func(ctx context.Context, tx *step.Tx) error {
		_, err := authz.CreateAccount(ctx, tx, nil, authz.NewAccount{Username: "undecided", DisplayName: "U", Password: "a long enough password"}, tx.Now)
		tx.Audit(step.Record{Action: policies.AccountRegister, ObjectType: "account", ObjectID: "1"})
		return err
	})
	if !errors.Is(err, step.ErrNoDecision) {
		t.Fatalf("Run without Require = %v, want ErrNoDecision", err)
	}
	if accountExists(t, r, "undecided") {
		t.Error("the step's write survived its refusal")
	}
	if len(l.events) != 0 {
		t.Errorf("listeners told of a rolled-back step: %v", l.events)
	}
}

func TestRefusalsSayWhatWasAskedAndChangeNothing(t *testing.T) {
	r := steptest.Region(t, "bandung", "")
	resident := steptest.Account(t, r, "warga", authz.Grant{Role: policies.Resident, Scope: r.Root})
	for _, tt := range []struct {
		name  string
		actor step.Actor
		want  error
	}{
		{"a resident", resident, partnership.ErrForbidden},
		{"an anonymous visitor", step.Person(authz.Principal{}), partnership.ErrUnauthenticated},
		{"the schedule", step.System(step.Schedule), partnership.ErrForbidden},
	} {
		err := step.Run(context.Background(), r, tt.actor, func(ctx context.Context, tx *step.Tx) error {
			if _, err := authz.CreateAccount(ctx, tx, nil, authz.NewAccount{Username: "granted", DisplayName: "G", Password: "a long enough password"}, tx.Now); err != nil {
				return err
			}
			return tx.Require(policies.MusrenbangDecide, "32.73.01")
		})
		var d *step.Denied
		if !errors.As(err, &d) || d.Permission != policies.MusrenbangDecide || d.Scope != "32.73.01" || !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want a refusal of musrenbang:decide at 32.73.01 that is %v", tt.name, err, tt.want)
		}
		if accountExists(t, r, "granted") {
			t.Errorf("%s: the refused step's write survived", tt.name)
		}
	}
}

func TestCommittedStepsAreAuditedAndToldAfterCommit(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "bandung", "")
	l := &recorder{}
	r.Listener = l
	admin := steptest.Account(t, r, "admin", authz.Grant{Role: policies.RegionalAdmin, Scope: r.Root})
	var inside int
	err := step.Run(ctx, r, admin, func(ctx context.Context, tx *step.Tx) error {
		if err := tx.Require(policies.GrantManage, "32.73.01"); err != nil {
			return err
		}
		tx.Audit(step.Record{Action: policies.GrantManage, ObjectType: "grant", ObjectID: "7", After: map[string]any{"state": "granted"},
			Concerns: []int64{0, admin.AccountID(), 42, 42}})
		tx.Audit(step.Record{Action: policies.DecisionRead, ObjectType: "note", ObjectID: "8", Public: true, Scope: "32.73.02"})
		inside = len(l.events)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside != 0 {
		t.Error("listeners were told before the commit")
	}
	if len(l.events) != 2 {
		t.Fatalf("told %d events, want 2: %+v", len(l.events), l.events)
	}
	e := l.events[0]
	if e.Region != "bandung" || e.Action != policies.GrantManage || e.ObjectID != "7" || e.State != "granted" || e.Scope != "32.73.01" ||
		len(e.Concerns) != 1 || e.Concerns[0] != 42 || e.Seq == 0 {
		t.Errorf("first event %+v", e)
	}
	if e2 := l.events[1]; e2.Scope != "32.73.02" || !e2.Public || e2.Seq != e.Seq+1 {
		t.Errorf("second event %+v", e2)
	}
	es := steptest.Entries(t, r, "grant", "7")
	if len(es) != 1 {
		t.Fatalf("audit entries %v", es)
	}
	if es[0].ActorRole != string(policies.RegionalAdmin) || es[0].ActorScope != r.Root || !strings.Contains(es[0].Decision, "allowed grant:manage at 32.73.01 by grant") {
		t.Errorf("the entry does not cite the decision: %+v", es[0])
	}
}

func TestSystemActorsAreDecidedOnByTheRegionsPolicy(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "bandung", "")
	sys := step.System("command:test")
	if !r.May(sys, policies.GrantManage, r.Root) || !r.May(sys, policies.CSRRequestExpire, "32.73.01.1001") {
		t.Error("the baseline lets the system actor manage grants and expire requests")
	}
	if r.May(sys, policies.MusrenbangDecide, r.Root) || r.May(sys, policies.AspirationSubmit, r.Root) {
		t.Error("the system actor holds nothing the baseline does not give it")
	}
	err := step.Run(ctx, r, sys, func(ctx context.Context, tx *step.Tx) error {
		if err := tx.Require(policies.GrantManage, r.Root); err != nil {
			return err
		}
		tx.Audit(step.Record{Action: policies.GrantManage, ObjectType: "account", ObjectID: "1"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	es := steptest.Entries(t, r, "account", "1")
	if len(es) != 1 {
		t.Fatalf("audit entries %v", es)
	}
	if es[0].Actor != "command:test" || es[0].ActorRole != "system" || !strings.Contains(es[0].Decision, "system actor command:test") {
		t.Errorf("the entry does not name the system actor: %+v", es[0])
	}
}

func TestARoutesDecisionIsReusedWhereItCovers(t *testing.T) {
	r := steptest.Region(t, "bandung", "")
	lurah := steptest.Account(t, r, "lurah", authz.Grant{Role: policies.WardOffice, Scope: "32.73.01.1001"})
	d, err := r.Decide(lurah, policies.MusrenbangDecide, "32.73.01.1001")
	if err != nil || !d.Allowed {
		t.Fatalf("the lurah may decide in the ward: %v, %v", d, err)
	}
	asked := 0
	real := r.Enforcer
	counting := *r
	counting.Enforcer = func() (*casbin.SyncedCachedEnforcer, error) { asked++; return real() }
	a := lurah.Deciding(d)
	if d2, err := counting.Decide(a, policies.MusrenbangDecide, "32.73.01.1001/rw-01"); err != nil || !d2.Allowed || asked != 0 {
		t.Errorf("beneath the decision's grant: %v, %v, enforcer asked %d times", d2, err, asked)
	}
	if d2, _ := counting.Decide(a, policies.MusrenbangDecide, "32.73.01.1002"); d2.Allowed || asked != 1 {
		t.Errorf("another ward must be decided afresh, and refused: %v, asked %d", d2, asked)
	}
	if _, _ = counting.Decide(a, policies.ReportVerify, "32.73.01.1001"); asked != 2 {
		t.Errorf("another permission must be decided afresh: asked %d", asked)
	}
	if b := lurah.Deciding(authz.Decision{Allowed: false, Permission: policies.GrantManage}); counting.May(b, policies.GrantManage, "32.73.01.1001") {
		t.Error("a refusal carried along allowed something")
	}
}
