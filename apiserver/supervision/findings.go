package supervision

import (
	"context"
	"fmt"
	"slices"
	"time"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// RecordFinding records an internal supervisor's finding at a place of the
// region — the region, a kecamatan, a ward or an institution — due at the
// date it gives or after the region's finding response time. It needs
// finding:record at that place, and an account.
func RecordFinding(ctx context.Context, r *step.Region, a step.Actor, in partnership.NewFinding) (*partnership.Finding, error) {
	var f *partnership.Finding
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if f, err = r.Spec.Finding(in, a.AccountID(), t.Now); err != nil {
			return err
		}
		if err := t.Require(policies.FindingRecord, f.Scope); err != nil {
			return err
		}
		if _, err := account(a); err != nil {
			return err
		}
		if err := store.InsertFinding(ctx, t, f); err != nil {
			return err
		}
		findings.Telling(func(f *partnership.Finding, rec *step.Record) {
			rec.After["scope"], rec.After["title"], rec.After["objectType"], rec.After["objectId"] = f.Scope, f.Title, f.ObjectType, f.ObjectID
		}).Audit(t, policies.FindingRecord, f, nil)
		return nil
	})
	return f, err
}

// FindingMove is what a move of a finding says: the answer (respond), or the
// reason and optionally a new due date (reopen); a close says nothing.
type FindingMove struct {
	Response string
	Reason   string
	DueAt    string
}

// findingMoves are the states a finding is moved to and the permission each
// move needs at the finding's scope.
var findingMoves = map[partnership.FindingState]policies.Permission{
	partnership.FindingResponded: policies.FindingRespond,
	partnership.FindingClosed:    policies.FindingRecord,
	partnership.FindingOpen:      policies.FindingRecord,
}

// findings is how the steps keep findings: each belongs to the place where
// it was made and concerns the supervisor who recorded it.
var findings = step.Kind[*partnership.Finding]{
	Name: "finding", Get: store.GetFinding, Insert: store.InsertFinding, Update: step.Guarded(store.UpdateFinding),
	Facts: func(f *partnership.Finding) step.Facts {
		return step.Facts{ID: f.ID, Scope: f.Scope, State: string(f.State), Owner: f.RecordedBy}
	},
	Image: findingImage,
}

// findingImage is what the audit log keeps of a finding before and after a move.
func findingImage(f *partnership.Finding) map[string]any {
	m := map[string]any{"state": f.State, "dueAt": f.DueAt, "version": f.Version}
	if f.RespondedBy != 0 {
		m["respondedBy"], m["response"] = f.RespondedBy, f.Response
	}
	if f.ReopenReason != "" {
		m["reopenReason"] = f.ReopenReason
	}
	return m
}

// MoveFinding moves a finding to a state: responded, the answer of the
// office or institution where it was made, needing finding:respond there;
// closed, the supervisor accepting the answer, or open again, the supervisor
// rejecting it with a reason and a new due date, both needing finding:record
// at the finding's scope. Moves are made by accounts, and the domain keeps
// the duties apart: whoever recorded a finding does not answer it, and
// whoever answered it neither closes nor reopens it.
func MoveFinding(ctx context.Context, r *step.Region, a step.Actor, id int64, to partnership.FindingState, in FindingMove) (*partnership.Finding, error) {
	perm, ok := findingMoves[to]
	if !ok {
		return nil, partnership.Invalid("state", "a finding moves to %s, %s or %s", partnership.FindingResponded, partnership.FindingClosed, partnership.FindingOpen)
	}
	answered := findings.Telling(func(f *partnership.Finding, rec *step.Record) { rec.Concerns = append(rec.Concerns, f.RespondedBy) })
	return step.Change(ctx, r, a, answered, id, perm, func(_ context.Context, t *step.Tx, f *partnership.Finding) error {
		by, err := account(a)
		if err != nil {
			return err
		}
		switch to {
		case partnership.FindingResponded:
			return f.Respond(in.Response, by, t.Now)
		case partnership.FindingClosed:
			return f.Close(by, t.Now)
		default: // partnership.FindingOpen
			return f.Reopen(r.Spec, in.Reason, in.DueAt, by, t.Now)
		}
	})
}

// Finding shows a finding to those who hold finding:read at its scope;
// anyone else is refused.
func Finding(ctx context.Context, r *step.Region, a step.Actor, id int64) (*partnership.Finding, error) {
	f, err := store.GetFinding(ctx, r.DB, id)
	if err != nil {
		return nil, err
	}
	if _, err := r.Must(a, policies.FindingRead, f.Scope); err != nil {
		return nil, err
	}
	return f, nil
}

// FindingQuery narrows the list of findings.
type FindingQuery struct {
	Scope string // beneath this place only
	State partnership.FindingState
	// OverdueAt keeps the findings still open after their due date as of this time.
	OverdueAt time.Time
	After     int64
	Limit     int
}

// Findings lists the findings beneath the scopes where the actor holds
// finding:read, narrowed by the query. It fails closed: an actor who holds
// it nowhere is refused rather than shown an unfiltered list.
func Findings(ctx context.Context, r *step.Region, a step.Actor, q FindingQuery) ([]*partnership.Finding, error) {
	readable, err := ScopesHolding(r, a, policies.FindingRead)
	if err != nil {
		return nil, err
	}
	if len(readable) == 0 {
		return nil, fmt.Errorf("%w: no scope where you may use %s", partnership.ErrForbidden, policies.FindingRead)
	}
	under := readable
	if err := place(r, q.Scope); err != nil {
		return nil, err
	}
	if q.Scope != "" {
		if under = narrowScopes(readable, q.Scope); len(under) == 0 {
			return []*partnership.Finding{}, nil
		}
	}
	if q.State != "" && !slices.Contains(partnership.FindingMachine.States(), q.State) {
		return nil, partnership.Invalid("state", "one of %v", partnership.FindingMachine.States())
	}
	return store.ListFindings(ctx, r.DB, store.FindingFilter{Under: under, State: q.State, OverdueAt: q.OverdueAt, AfterID: q.After, Limit: q.Limit})
}

// place refuses a scope a list is narrowed to that is no place of the region.
func place(r *step.Region, scope string) error {
	if scope != "" && r.Spec.ScopeLevel(scope) == "" {
		return partnership.Invalid("scope", "%q is not a place of %s", scope, r.Spec.Name)
	}
	return nil
}

// narrowScopes is the part of the scopes beneath scope: scope itself when one
// of them covers it, else those of them it covers.
func narrowScopes(scopes []string, scope string) []string {
	var out []string
	for _, s := range scopes {
		if partnership.Covers(s, scope) {
			return []string{scope}
		}
		if partnership.Covers(scope, s) {
			out = append(out, s)
		}
	}
	return out
}

// ScopesHolding lists the scopes at which the actor may use p: the region's
// root when everyone may, else the scopes of the actor's grants whose role
// the region's policy allows it (a system actor's role is held at the root).
func ScopesHolding(r *step.Region, a step.Actor, p policies.Permission) ([]string, error) {
	e, err := r.Enforcer()
	if err != nil {
		return nil, err
	}
	if ok, err := policies.Allowed(e, policies.Public, p); err != nil {
		return nil, err
	} else if ok {
		return []string{r.Root}, nil
	}
	grants := a.Principal.Grants
	if a.SystemName() != "" {
		grants = []authz.Grant{{Role: policies.System, Scope: r.Root}}
	}
	var out []string
	for _, g := range grants {
		ok, err := policies.Allowed(e, g.Role, p)
		if err != nil {
			return nil, err
		}
		if ok && !slices.Contains(out, g.Scope) {
			out = append(out, g.Scope)
		}
	}
	return out, nil
}

// account is the account that makes a move of supervision: supervision is
// done by people signed in, whatever a region's policy allows the public.
func account(a step.Actor) (int64, error) {
	if id := a.AccountID(); id != 0 {
		return id, nil
	}
	return 0, fmt.Errorf("%w: sign in first", partnership.ErrUnauthenticated)
}
