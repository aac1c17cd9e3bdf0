package fourpillar

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// ScoreAwards scores every partner with a record in the award cycle's years
// by the region's weighted criteria and returns the cycle's scores, best
// first. Scores already made are scored again, keeping the forum's
// adjustments, unless published.
func ScoreAwards(ctx context.Context, r *step.Region, a step.Actor, cycle int) ([]*partnership.Award, error) {
	var scored []*partnership.Award
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.AwardScore, r.Root); err != nil {
			return err
		}
		first, last, err := r.Spec.AwardYears(cycle, t.Now)
		if err != nil {
			return err
		}
		records, err := store.AwardRecords(ctx, t, first, last)
		if err != nil {
			return err
		}
		fresh, err := r.Spec.ScoreAwards(cycle, records, t.Now)
		if err != nil {
			return err
		}
		existing, err := store.Awards(ctx, t, cycle)
		if err != nil {
			return err
		}
		have := map[int64]*partnership.Award{}
		for _, aw := range existing {
			have[aw.PartnerID] = aw
		}
		totals := map[string]any{}
		for _, f := range fresh {
			aw := f
			if old := have[f.PartnerID]; old != nil {
				if err := old.Rescore(f); err != nil {
					return err
				}
				aw = old
			}
			if err := store.SaveAward(ctx, t, aw); err != nil {
				return err
			}
			totals[strconv.FormatInt(aw.PartnerID, 10)] = aw.Adjusted()
		}
		if scored, err = store.Awards(ctx, t, cycle); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.AwardScore, ObjectType: "award-cycle", ObjectID: strconv.Itoa(cycle),
			After: map[string]any{"years": []int{first, last}, "totals": totals, "state": partnership.AwardScored}, Public: true})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return scored, nil
}

// Adjustment is the forum's change to a partner's award total: basis
// points either way, and why.
type Adjustment struct {
	Delta  int64
	Reason string
}

// AdjustAward records the forum's change to a partner's total in an award
// cycle, with its reason; a published score is final.
func AdjustAward(ctx context.Context, r *step.Region, a step.Actor, cycle int, partner int64, in Adjustment) (*partnership.Award, error) {
	var aw *partnership.Award
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		var err error
		if aw, err = store.GetAward(ctx, t, cycle, partner); err != nil {
			return err
		}
		if err := t.Require(policies.AwardAdjust, r.Root); err != nil {
			return err
		}
		before := map[string]any{"adjusted": aw.Adjusted(), "version": aw.Version}
		if err := aw.Adjust(in.Delta, in.Reason, a.AccountID(), t.Now); err != nil {
			return err
		}
		if err := store.SaveAward(ctx, t, aw); err != nil {
			return err
		}
		t.Audit(step.Record{Action: policies.AwardAdjust, ObjectType: "award", ObjectID: fmt.Sprintf("%d/%d", cycle, partner), Before: before,
			After: map[string]any{"adjusted": aw.Adjusted(), "delta": in.Delta, "reason": strings.TrimSpace(in.Reason), "version": aw.Version}, Public: true})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return aw, nil
}

// PublishAwards makes every score of an award cycle final and public. A
// cycle nobody is scored for has nothing to publish.
func PublishAwards(ctx context.Context, r *step.Region, a step.Actor, cycle int) ([]*partnership.Award, error) {
	var as []*partnership.Award
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.AwardScore, r.Root); err != nil {
			return err
		}
		var err error
		if as, err = store.Awards(ctx, t, cycle); err != nil {
			return err
		}
		if len(as) == 0 {
			return fmt.Errorf("%w: nobody is scored for the cycle of %d; score it first", partnership.ErrConflict, cycle)
		}
		totals := map[string]any{}
		for _, aw := range as {
			if err := aw.Publish(t.Now); err != nil {
				return err
			}
			if err := store.SaveAward(ctx, t, aw); err != nil {
				return err
			}
			totals[strconv.FormatInt(aw.PartnerID, 10)] = aw.Adjusted()
		}
		t.Audit(step.Record{Action: policies.AwardScore, ObjectType: "award-cycle", ObjectID: strconv.Itoa(cycle),
			After: map[string]any{"totals": totals, "state": partnership.AwardPublished}, Public: true})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return as, nil
}
