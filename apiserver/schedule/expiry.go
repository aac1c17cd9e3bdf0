package schedule

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
)

// ExpireAction is the audit log's action for a request the schedule
// expired: a step no permission grants, since only the server takes it.
const ExpireAction = "csr-request:expire"

// expiryBatch bounds how many requests one pass reads at a time.
const expiryBatch = 100

// ExpireRequests closes every CSR request still open after its expiry at
// now, each in a transaction of its own with its audit entry (actor
// "system", public), and returns how many it expired. A request claimed
// meanwhile is left to its claimer.
func ExpireRequests(ctx context.Context, db *bun.DB, now time.Time) (int, error) {
	n := 0
	for {
		qs, err := store.ExpirableRequests(ctx, db, now, expiryBatch)
		if err != nil {
			return n, err
		}
		expired := 0
		for _, q := range qs {
			err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				before := q.State
				if err := q.Expire(now); err != nil {
					return err
				}
				if err := store.UpdateRequest(ctx, tx, q); err != nil {
					return err
				}
				_, err := audit.Append(ctx, tx, audit.Entry{
					At: now, Actor: "system", Action: ExpireAction, ObjectType: "csr-request", ObjectID: strconv.FormatInt(q.ID, 10),
					Decision: "expired by the server's schedule: unclaimed at " + q.ExpiresAt.Format(time.RFC3339),
					Before:   map[string]any{"state": before}, After: map[string]any{"state": q.State, "expiresAt": q.ExpiresAt}, Public: true,
				})
				return err
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
