package supervision

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
)

// The kinds of stored object the steps of supervision make and change, and
// what the audit log keeps of each.

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
