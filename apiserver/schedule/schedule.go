// Package schedule is the work the API server does on its own, on a clock:
// jobs such as expiring the CSR requests nobody claimed. Every few minutes
// each job runs over every region whose database is open — a region nobody
// uses stays closed, and its jobs catch up when it is next opened. A job
// takes its workflow's steps (package fourpillar) as the system actor
// step.System(step.Schedule), under the region's policy, and what it
// changes is audited with "system" as the actor.
package schedule

import (
	"context"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/policies"
)

// Every is how often the server runs its jobs.
const Every = 5 * time.Minute

// Job is one piece of scheduled work on one region's database.
type Job struct {
	Name string
	Run  func(ctx context.Context, db *bun.DB, t *tenancy.Tenant, now time.Time) error
}

// Jobs are the server's scheduled jobs, in the order they run.
var Jobs = []Job{
	{Name: "expire-csr-requests", Run: func(ctx context.Context, db *bun.DB, t *tenancy.Tenant, now time.Time) error {
		_, err := ExpireRequests(ctx, db, t, now)
		return err
	}},
	{Name: "flag-overdue-csr", Run: func(ctx context.Context, db *bun.DB, t *tenancy.Tenant, now time.Time) error {
		_, err := FlagOverdue(ctx, db, t, now)
		return err
	}},
}

// The audit log's actions of the schedule's steps: permissions the national
// baseline gives to the role system only.
const (
	ExpireAction    = string(policies.CSRRequestExpire)
	FlagAction      = string(policies.OverdueFlag)
	RecommendAction = string(policies.SanctionRecommend)
)

// OverdueRun is what one run of FlagOverdue did.
type OverdueRun = fourpillar.OverdueRun

// ExpireRequests is the job expiring a region's CSR requests still open
// after their expiry at now, each in a step of its own
// (fourpillar.ExpireRequests); it returns how many it expired.
func ExpireRequests(ctx context.Context, db bun.IDB, t *tenancy.Tenant, now time.Time) (int, error) {
	return fourpillar.ExpireRequests(ctx, realm(t, db, now), step.System(step.Schedule))
}

// FlagOverdue is the job holding a region's partners to the four-pillar
// deadlines at now: it flags what is missing and recommends sanctions by
// rule, in one step (fourpillar.FlagOverdue).
func FlagOverdue(ctx context.Context, db bun.IDB, t *tenancy.Tenant, now time.Time) (OverdueRun, error) {
	return fourpillar.FlagOverdue(ctx, realm(t, db, now), step.System(step.Schedule))
}

// realm is the region as the schedule's steps see it, at the time of the run.
func realm(t *tenancy.Tenant, db bun.IDB, now time.Time) *step.Region {
	r := t.Realm(db)
	r.Now = func() time.Time { return now }
	return r
}

// RunOnce runs the jobs once over every region whose database is open. A
// job failing in one region is logged and does not stop the others.
func RunOnce(ctx context.Context, reg *tenancy.Registry, now time.Time, log *slog.Logger, jobs ...Job) {
	for _, t := range reg.All() {
		db, release, ok := t.AcquireIfOpen()
		if !ok {
			continue
		}
		for _, j := range jobs {
			if ctx.Err() != nil {
				break
			}
			if err := j.Run(ctx, db, t, now); err != nil {
				log.Error("scheduled job failed", "job", j.Name, "region", t.Region.Slug, "err", err)
			}
		}
		release()
	}
}

// Run runs the jobs every interval until ctx ends. clock tells the time;
// time.Now when nil.
func Run(ctx context.Context, reg *tenancy.Registry, every time.Duration, clock func() time.Time, log *slog.Logger, jobs ...Job) {
	if clock == nil {
		clock = time.Now
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			RunOnce(ctx, reg, clock(), log, jobs...)
		}
	}
}
