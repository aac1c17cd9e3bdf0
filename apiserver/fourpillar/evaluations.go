package fourpillar

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// Quarter names a quarter (1 to 4) of a fiscal year.
type Quarter struct {
	Year    int
	Quarter int
}

// PublishEvaluation generates the forum's evaluation of a quarter that has
// ended from the data and publishes it: stored as it stands, never to
// change, and audited publicly. A quarter is published once.
func PublishEvaluation(ctx context.Context, r *step.Region, a step.Actor, in Quarter) (*store.EvaluationRecord, error) {
	var rec *store.EvaluationRecord
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.EvaluationPublish, r.Root); err != nil {
			return err
		}
		e, err := evaluation(ctx, t, r.Spec, in, t.Now, true)
		if err != nil {
			return err
		}
		snap, err := json.Marshal(e)
		if err != nil {
			return err
		}
		rec = &store.EvaluationRecord{FiscalYear: in.Year, Quarter: in.Quarter, Snapshot: snap, PublishedBy: a.AccountID(),
			PublishedAt: t.Now.UTC().Truncate(time.Microsecond)}
		if err := store.InsertEvaluation(ctx, t, rec); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.EvaluationPublish, ObjectType: "evaluation", ObjectID: strconv.FormatInt(rec.ID, 10),
			After: map[string]any{"year": in.Year, "quarter": in.Quarter, "realised": e.Total.Amount, "overdue": len(e.Overdue),
				"requestsFulfilled": e.Requests.Share}, Public: true})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// PreviewEvaluation is the evaluation of a quarter begun, as the data stand
// now: what PublishEvaluation would publish, unpublished.
func PreviewEvaluation(ctx context.Context, r *step.Region, in Quarter) (partnership.Evaluation, error) {
	return evaluation(ctx, r.DB, r.Spec, in, r.Clock(), false)
}

// evaluation generates a quarter's evaluation: of a quarter that has
// ended, for publishing.
func evaluation(ctx context.Context, db bun.IDB, spec *partnership.Region, in Quarter, now time.Time, ended bool) (partnership.Evaluation, error) {
	if err := spec.CheckQuarter(in.Year, in.Quarter, now, ended); err != nil {
		return partnership.Evaluation{}, err
	}
	return store.EvaluationOf(ctx, db, spec, in.Year, in.Quarter)
}
