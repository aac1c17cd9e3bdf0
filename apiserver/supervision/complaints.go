package supervision

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// ComplaintView is a complaint as someone sees it: whether it is their own,
// and whether they handle it (those handling it see who filed it).
type ComplaintView struct {
	*partnership.Complaint
	Own     bool
	Handler bool
}

// Filing is a complaint as filed: what it says, and whether a filer who is
// signed in files it anonymously.
type Filing struct {
	partnership.NewComplaint
	Anonymous bool
}

// complaints is how the steps keep complaints: each belongs to the place it
// is about, concerns whoever filed it, and is audited publicly when it is
// public. They are stored as filed (filing).
var complaints = step.Kind[*partnership.Complaint]{
	Name: "complaint",
	Facts: func(cp *partnership.Complaint) step.Facts {
		return step.Facts{ID: cp.ID, Scope: cp.Scope, Public: cp.Public, Owner: cp.AccountID}
	},
	Image: complaintImage,
}

// complaintImage is what the audit log keeps of a complaint before and after
// a move: its state and dates, never its texts or its filer.
func complaintImage(cp *partnership.Complaint) map[string]any {
	m := map[string]any{"state": cp.State, "dueAt": cp.DueAt, "ombudsman": cp.Ombudsman, "version": cp.Version}
	for k, t := range map[string]time.Time{"receivedAt": cp.ReceivedAt, "escalatedAt": cp.EscalatedAt, "resolvedAt": cp.ResolvedAt} {
		if !t.IsZero() {
			m[k] = t
		}
	}
	return m
}

// filing is complaints for the step that files one: storing it keeps in
// *code the tracking code returned.
func filing(code *string) step.Kind[*partnership.Complaint] {
	k := complaints
	k.Insert = func(ctx context.Context, db bun.IDB, cp *partnership.Complaint) (err error) {
		*code, err = store.InsertComplaint(ctx, db, cp)
		return err
	}
	return k
}

// FileComplaint files a complaint about a ward or an institution of it,
// due after the region's complaint response time; it needs complaint:file
// there. Filed by nobody signed in, or anonymously by someone who is, it is
// made and audited as the public's — neither the filer's account nor their
// grant is written in the audit log — so the public must be allowed to file
// too, and the filer follows it with the tracking code returned, which is
// stored only hashed and cannot be shown again.
func FileComplaint(ctx context.Context, r *step.Region, a step.Actor, in Filing) (ComplaintView, string, error) {
	anonymously := in.Anonymous && !a.Anonymous()
	filer := a
	if anonymously {
		filer = step.Person(authz.Principal{})
	}
	var code string
	filed := filing(&code).Telling(func(cp *partnership.Complaint, rec *step.Record) {
		rec.After["scope"], rec.After["public"], rec.After["anonymous"] = cp.Scope, cp.Public, cp.Anonymous()
	})
	cp, err := step.Create(ctx, r, filer, filed, policies.ComplaintFile, func(_ context.Context, t *step.Tx) (*partnership.Complaint, error) {
		cp, err := r.Spec.Complaint(in.NewComplaint, filer.AccountID(), t.Now)
		if err != nil {
			return nil, err
		}
		if anonymously {
			if _, err := r.Must(a, policies.ComplaintFile, cp.Scope); err != nil {
				return nil, err
			}
			if !r.May(filer, policies.ComplaintFile, cp.Scope) {
				return nil, partnership.Invalid("anonymous", "%s does not take anonymous complaints", r.Spec.Name)
			}
		}
		return cp, nil
	})
	if err != nil {
		return ComplaintView{}, "", err
	}
	return ComplaintView{Complaint: cp, Own: !cp.Anonymous()}, code, nil
}

// ComplaintMove is what a move of a complaint says: the resolution
// (resolve) or the reason (escalate); receive and investigate say nothing.
type ComplaintMove struct {
	Resolution string
	Reason     string
}

// complaintMoves are the states a complaint is moved to and the permission
// each move needs at the complaint's scope.
var complaintMoves = map[partnership.ComplaintState]policies.Permission{
	partnership.ComplaintReceived:      policies.ComplaintHandle,
	partnership.ComplaintInvestigating: policies.ComplaintHandle,
	partnership.ComplaintResolved:      policies.ComplaintHandle,
	partnership.ComplaintEscalated:     policies.ComplaintEscalate,
}

// MoveComplaint moves a complaint to a state: received, investigating or
// resolved (with a resolution), needing complaint:handle at the complaint's
// scope, or escalated to the ombudsman (with a reason), needing
// complaint:escalate there. Only the grants the rules let count decide (see
// MayMove): the ombudsman's grants handle escalated complaints and only
// those, and a resident escalates only their own. Moves are made by
// accounts, and nobody handles a complaint they filed.
func MoveComplaint(ctx context.Context, r *step.Region, a step.Actor, id int64, to partnership.ComplaintState, in ComplaintMove) (ComplaintView, error) {
	perm, ok := complaintMoves[to]
	if !ok {
		return ComplaintView{}, partnership.Invalid("state", "a complaint moves to %s, %s, %s or %s",
			partnership.ComplaintReceived, partnership.ComplaintInvestigating, partnership.ComplaintResolved, partnership.ComplaintEscalated)
	}
	var v ComplaintView
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		cp, err := store.GetComplaint(ctx, t, id)
		if err != nil {
			return err
		}
		// The step acts with the grants that count for this move only, so
		// that its decision, and the audit entry citing it, is made by one of them.
		t.Actor = handling(a, cp, perm)
		if err := t.Require(perm, cp.Scope); err != nil {
			return refusal(err, cp, perm)
		}
		by, err := account(a)
		if err != nil {
			return err
		}
		from, before := cp.State, complaintImage(cp)
		switch to {
		case partnership.ComplaintReceived:
			err = cp.Receive(by, t.Now)
		case partnership.ComplaintInvestigating:
			err = cp.Investigate(by, t.Now)
		case partnership.ComplaintResolved:
			err = cp.Resolve(in.Resolution, by, t.Now)
		case partnership.ComplaintEscalated:
			err = cp.Escalate(in.Reason, t.Now)
		}
		if err != nil {
			return err
		}
		if err := store.UpdateComplaint(ctx, t, cp, from); err != nil {
			return err
		}
		complaints.Audit(t, perm, cp, before)
		d := t.Decision()
		v = ComplaintView{Complaint: cp, Own: a.Is(cp.AccountID), Handler: d.Grant != nil && d.Role != policies.Resident}
		return nil
	})
	if err != nil {
		return ComplaintView{}, err
	}
	return v, nil
}

// MayMove decides whether the actor may make a move of the complaint that
// needs p, as MoveComplaint decides it, for a transport that authorizes
// before it calls the step; a refusal says which rule refused.
func MayMove(r *step.Region, a step.Actor, cp *partnership.Complaint, p policies.Permission) (authz.Decision, error) {
	d, err := r.Must(handling(a, cp, p), p, cp.Scope)
	return d, refusal(err, cp, p)
}

// handling is the actor with only the grants that count for a move of the
// complaint that needs p. Escalated complaints are the ombudsman's: only
// ombudsman grants handle them, and only other grants handle the rest. A
// resident escalates only their own complaint: for anyone but the filer,
// resident grants do not count. A system actor acts with its own role.
func handling(a step.Actor, cp *partnership.Complaint, p policies.Permission) step.Actor {
	if a.SystemName() != "" {
		return a
	}
	filer := a.Is(cp.AccountID)
	acting := authz.Principal{Account: a.Principal.Account}
	for _, g := range a.Principal.Grants {
		var counts bool
		switch {
		case p == policies.ComplaintEscalate:
			counts = filer || g.Role != policies.Resident
		case cp.Ombudsman:
			counts = g.Role == policies.Ombudsman
		default:
			counts = g.Role != policies.Ombudsman
		}
		if counts {
			acting.Grants = append(acting.Grants, g)
		}
	}
	return step.Person(acting)
}

// refusal adds to the policy's refusal of a signed-in actor the rule of
// handling that made it.
func refusal(err error, cp *partnership.Complaint, p policies.Permission) error {
	var d *step.Denied
	if !errors.As(err, &d) || !errors.Is(err, partnership.ErrForbidden) {
		return err
	}
	switch {
	case p == policies.ComplaintEscalate:
		return fmt.Errorf("%w (residents escalate only their own complaints)", err)
	case cp.Ombudsman:
		return fmt.Errorf("%w (complaint %d is escalated: the ombudsman handles it)", err, cp.ID)
	}
	return err
}

// Complaint shows a complaint to its filer, to those who may read
// complaints where it is (who also see who filed it), and to everyone when
// it is public; anyone else is told it does not exist.
func Complaint(ctx context.Context, r *step.Region, a step.Actor, id int64) (ComplaintView, error) {
	cp, err := store.GetComplaint(ctx, r.DB, id)
	if err != nil {
		return ComplaintView{}, err
	}
	rd, err := readerOf(r, a)
	if err != nil {
		return ComplaintView{}, err
	}
	v := viewOf(rd, cp)
	if !v.Handler && !v.Own && !cp.Public {
		return ComplaintView{}, fmt.Errorf("%w: no complaint %d", partnership.ErrNotFound, id)
	}
	return v, nil
}

// Tracked is the anonymous complaint a tracking code follows, shown to
// whoever holds the code: as nobody's own, and without a filer.
func Tracked(ctx context.Context, r *step.Region, code string) (ComplaintView, error) {
	cp, err := store.ComplaintByTrackingCode(ctx, r.DB, code)
	if err != nil {
		return ComplaintView{}, err
	}
	return ComplaintView{Complaint: cp}, nil
}

// ComplaintQuery narrows the list of complaints.
type ComplaintQuery struct {
	Scope string // beneath this place only
	State partnership.ComplaintState
	// OverdueAt keeps the complaints not resolved by their due date as of this time.
	OverdueAt time.Time
	Public    bool // public complaints only
	Mine      bool // the asker's own only
	After     int64
	Limit     int
}

// Complaints lists the complaints the actor may read — beneath the scopes
// where they may read complaints, their own, and the public ones — narrowed
// by the query.
func Complaints(ctx context.Context, r *step.Region, a step.Actor, q ComplaintQuery) ([]ComplaintView, error) {
	rd, err := readerOf(r, a)
	if err != nil {
		return nil, err
	}
	f := store.ComplaintFilter{Reader: &rd, State: q.State, OverdueAt: q.OverdueAt, PublicOnly: q.Public, AfterID: q.After, Limit: q.Limit}
	if err := place(r, q.Scope); err != nil {
		return nil, err
	}
	if q.Scope != "" {
		f.Under = []string{q.Scope}
	}
	if q.State != "" && !slices.Contains(partnership.ComplaintMachine.States(), q.State) {
		return nil, partnership.Invalid("state", "one of %v", partnership.ComplaintMachine.States())
	}
	if q.Mine {
		if rd.AccountID == 0 {
			return nil, fmt.Errorf("%w: sign in to list your own complaints", partnership.ErrUnauthenticated)
		}
		f.AccountID = rd.AccountID
	}
	cs, err := store.ListComplaints(ctx, r.DB, f)
	if err != nil {
		return nil, err
	}
	out := make([]ComplaintView, len(cs))
	for i, cp := range cs {
		out[i] = viewOf(rd, cp)
	}
	return out, nil
}

// readerOf is who reads complaints: where they may read them all, and their account.
func readerOf(r *step.Region, a step.Actor) (store.ComplaintReader, error) {
	scopes, err := ScopesHolding(r, a, policies.ComplaintRead)
	if err != nil {
		return store.ComplaintReader{}, err
	}
	return store.ComplaintReader{Scopes: scopes, AccountID: a.AccountID()}, nil
}

// viewOf is a complaint as its reader sees it.
func viewOf(rd store.ComplaintReader, cp *partnership.Complaint) ComplaintView {
	return ComplaintView{Complaint: cp, Own: !cp.Anonymous() && rd.AccountID == cp.AccountID,
		Handler: slices.ContainsFunc(rd.Scopes, func(s string) bool { return partnership.Covers(s, cp.Scope) })}
}
