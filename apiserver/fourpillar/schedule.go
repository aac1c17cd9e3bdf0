package fourpillar

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// The server's own steps of the four-pillar workflow, which its schedule
// takes as the system actor step.System(step.Schedule): expiring the CSR
// requests nobody claimed, flagging the obligations missed and recommending
// sanctions for them by rule. The region's policy decides on them as on any
// step: the national baseline gives them to the role system only.

// expiryBatch bounds how many requests one pass of ExpireRequests reads at a time.
const expiryBatch = 100

// ExpireRequests closes every CSR request still open after its expiry at the
// realm's time, each in a step of its own audited publicly (csr-request:expire,
// at the request's ward), and returns how many it expired. A request claimed
// or withdrawn meanwhile is left as it is.
func ExpireRequests(ctx context.Context, r *step.Region, a step.Actor) (int, error) {
	n := 0
	for {
		qs, err := store.ExpirableRequests(ctx, r.DB, r.Clock(), expiryBatch)
		if err != nil {
			return n, err
		}
		expired := 0
		for _, q := range qs {
			err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
				if err := t.Require(policies.CSRRequestExpire, q.WardCode); err != nil {
					return err
				}
				before := q.State
				if err := q.Expire(t.Now); err != nil {
					return err
				}
				if err := store.UpdateRequest(ctx, t, q); err != nil {
					return err
				}
				t.Audit(step.Record{Action: policies.CSRRequestExpire, ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10),
					Before: map[string]any{"state": before}, After: map[string]any{"state": q.State, "expiresAt": q.ExpiresAt}, Public: true,
					Scope: q.WardCode, Concerns: []int64{q.AccountID}})
				return nil
			})
			switch {
			case err == nil:
				expired++
			case errors.Is(err, partnership.ErrConflict):
				// claimed or withdrawn between the read and the write
			default:
				return n + expired, fmt.Errorf("schedule: unable to expire CSR request %d: %w", q.ID, err)
			}
		}
		n += expired
		if len(qs) < expiryBatch || expired == 0 {
			return n, nil
		}
	}
}

// OverdueRun is what one run of FlagOverdue did.
type OverdueRun struct {
	Flagged     []partnership.OverdueItem
	Resolved    int
	Recommended []partnership.Sanction
}

// FlagOverdue holds a region's partners to the four-pillar deadlines, in one
// step (overdue:flag, and sanction:recommend for what it recommends), each
// flag and recommendation audited publicly:
//
//   - obligations flagged earlier and met since are marked resolved;
//   - plans and realisation reports missing past their deadline are flagged
//     (see store.FlagMissing);
//   - for every company with flags that no sanction answers yet, the next
//     step of the region's ladder is recommended, saying what is missing —
//     unless the company already has an open recommendation, which then
//     answers the new flags too, or already stands at the top of the ladder.
//
// Each flag leads to at most one recommendation: escalating a sanction the
// forum issued takes a new missed obligation, or the forum's own decision.
// A region that does not run the four-pillar model has nothing to flag.
func FlagOverdue(ctx context.Context, r *step.Region, a step.Actor) (OverdueRun, error) {
	var run OverdueRun
	if r.Spec.FourPillar == nil || !r.Spec.Runs(partnership.FourPillar) {
		return run, nil
	}
	err := step.Run(ctx, r, a, func(ctx context.Context, t *step.Tx) error {
		run = OverdueRun{}
		if err := t.Require(policies.OverdueFlag, r.Root); err != nil {
			return err
		}
		if err := t.Require(policies.SanctionRecommend, r.Root); err != nil {
			return err
		}
		now := t.Now.UTC().Truncate(time.Microsecond)
		var err error
		if run.Resolved, err = store.ResolveOverdue(ctx, t, now); err != nil {
			return err
		}
		if run.Flagged, err = store.FlagMissing(ctx, t, r.Spec, now); err != nil {
			return err
		}
		for _, f := range run.Flagged {
			t.Audit(step.Record{Action: policies.OverdueFlag, ObjectType: f.Kind, ObjectID: strconv.FormatInt(f.Object, 10),
				After: map[string]any{"partner": f.Partner, "fiscalYear": f.FiscalYear, "dueAt": f.DueAt, "state": "overdue"}, Public: true})
		}
		run.Recommended, err = recommendByRule(ctx, t, now)
		return err
	})
	if err != nil {
		return OverdueRun{}, fmt.Errorf("schedule: flagging the overdue obligations of %s: %w", r.Spec.Slug, err)
	}
	return run, nil
}

// recommendByRule recommends the next step of the ladder for every company
// whose flags no sanction answers yet, and lets an open recommendation
// answer them where there is one.
func recommendByRule(ctx context.Context, t *step.Tx, now time.Time) ([]partnership.Sanction, error) {
	region := t.Region.Spec
	open, err := store.UnansweredOverdue(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []partnership.Sanction
	for i := 0; i < len(open); {
		j := i
		for j < len(open) && open[j].PartnerID == open[i].PartnerID {
			j++
		}
		flags, partner := open[i:j], open[i].PartnerID
		i = j
		sanctions, err := store.SanctionsOf(ctx, t, partner)
		if err != nil {
			return nil, err
		}
		var answer *partnership.Sanction
		for k := range sanctions {
			if sanctions[k].Open() {
				answer = &sanctions[k]
			}
		}
		if answer == nil {
			if region.NextSanctionStep(sanctions) == "" {
				continue // at the top of the ladder: nothing more to recommend
			}
			s, err := region.RecommendSanction(partner, sanctions, "", missingReason(flags, region), recommender(t.Actor), now)
			if err != nil {
				return nil, err
			}
			if err := store.InsertSanction(ctx, t, s); err != nil {
				return nil, err
			}
			t.Audit(step.Record{Action: policies.SanctionRecommend, ObjectType: "sanction", ObjectID: strconv.FormatInt(s.ID, 10),
				After: map[string]any{"partner": partner, "step": s.Step, "state": s.State, "reason": s.Reason}, Public: true})
			out = append(out, *s)
			answer = s
		}
		ids := make([]int64, len(flags))
		for k, f := range flags {
			ids[k] = f.ID
		}
		if err := store.AnswerOverdue(ctx, t, ids, answer.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// missingReason says what a company failed to deliver, for the recommendation.
func missingReason(flags []store.OverdueRecord, region *partnership.Region) string {
	var parts []string
	for _, f := range flags {
		due := f.DueAt.In(region.Location).Format(time.DateOnly)
		if f.Kind == store.OverduePlan {
			parts = append(parts, fmt.Sprintf("no CSR plan for %d (due %s)", f.FiscalYear, due))
		} else {
			parts = append(parts, fmt.Sprintf("no realisation report on programme %d of %d (due %s)", f.ObjectID, f.FiscalYear, due))
		}
	}
	return "Recommended by rule: " + strings.Join(parts, "; ") + "."
}
