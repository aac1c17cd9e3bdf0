// Package schedule is the work the API server does on its own, on a clock:
// jobs such as expiring the CSR requests nobody claimed. Every few minutes
// each job runs over every region whose database is open — a region nobody
// uses stays closed, and its jobs catch up when it is next opened — and what
// a job changes is audited with "system" as the actor.
package schedule

import (
	"context"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/tenancy"
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
	{Name: "expire-csr-requests", Run: func(ctx context.Context, db *bun.DB, _ *tenancy.Tenant, now time.Time) error {
		_, err := ExpireRequests(ctx, db, now)
		return err
	}},
	{Name: "flag-overdue-csr", Run: func(ctx context.Context, db *bun.DB, t *tenancy.Tenant, now time.Time) error {
		_, err := FlagOverdue(ctx, db, t.Region, now)
		return err
	}},
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
