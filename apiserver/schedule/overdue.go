package schedule

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
)

// The audit log's actions of the overdue schedule: steps no permission
// grants, since only the server takes them.
const (
	FlagAction      = "overdue:flag"
	RecommendAction = "sanction:recommend"
)

// OverdueRun is what one run of FlagOverdue did.
type OverdueRun struct {
	Flagged     []partnership.OverdueItem
	Resolved    int
	Recommended []partnership.Sanction
}

// FlagOverdue holds a region's partners to the four-pillar deadlines, in one
// transaction, auditing each flag and recommendation publicly with the actor
// "system":
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
func FlagOverdue(ctx context.Context, db bun.IDB, region *partnership.Region, now time.Time) (OverdueRun, error) {
	var run OverdueRun
	if region.FourPillar == nil || !region.Runs(partnership.FourPillar) {
		return run, nil
	}
	now = now.UTC().Truncate(time.Microsecond)
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		run = OverdueRun{}
		var err error
		if run.Resolved, err = store.ResolveOverdue(ctx, tx, now); err != nil {
			return err
		}
		if run.Flagged, err = store.FlagMissing(ctx, tx, region, now); err != nil {
			return err
		}
		for _, f := range run.Flagged {
			if err := systemEntry(ctx, tx, region, now, FlagAction, f.Kind, strconv.FormatInt(f.Object, 10),
				map[string]any{"partner": f.Partner, "fiscalYear": f.FiscalYear, "dueAt": f.DueAt, "state": "overdue"}); err != nil {
				return err
			}
		}
		run.Recommended, err = recommendByRule(ctx, tx, region, now)
		return err
	})
	if err != nil {
		return OverdueRun{}, fmt.Errorf("schedule: flagging the overdue obligations of %s: %w", region.Slug, err)
	}
	return run, nil
}

func systemEntry(ctx context.Context, tx bun.Tx, region *partnership.Region, now time.Time, action, objectType, objectID string, after map[string]any) error {
	_, err := audit.Append(ctx, tx, audit.Entry{
		At: now, Actor: partnership.SystemActor, ActorScope: region.Code, Action: action, ObjectType: objectType, ObjectID: objectID,
		Decision: "the server's own schedule of four-pillar deadlines", After: after, Public: true,
	})
	return err
}

func recommendByRule(ctx context.Context, tx bun.Tx, region *partnership.Region, now time.Time) ([]partnership.Sanction, error) {
	open, err := store.UnansweredOverdue(ctx, tx)
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
		sanctions, err := store.SanctionsOf(ctx, tx, partner)
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
			s, err := region.RecommendSanction(partner, sanctions, "", missingReason(flags, region), partnership.SystemActor, now)
			if err != nil {
				return nil, err
			}
			if err := store.InsertSanction(ctx, tx, s); err != nil {
				return nil, err
			}
			if err := systemEntry(ctx, tx, region, now, RecommendAction, "sanction", strconv.FormatInt(s.ID, 10),
				map[string]any{"partner": partner, "step": s.Step, "state": s.State, "reason": s.Reason}); err != nil {
				return nil, err
			}
			out = append(out, *s)
			answer = s
		}
		ids := make([]int64, len(flags))
		for k, f := range flags {
			ids[k] = f.ID
		}
		if err := store.AnswerOverdue(ctx, tx, ids, answer.ID); err != nil {
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
