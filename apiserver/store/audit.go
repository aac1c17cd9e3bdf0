package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// NewestPublicSeqs returns the sequence numbers of the newest n public
// entries of the audit log with one of the actions, newest first: where a
// page of the public decisions starts.
func NewestPublicSeqs(ctx context.Context, db bun.IDB, actions []string, n int) ([]int64, error) {
	var seqs []int64
	err := db.NewSelect().TableExpr("audit_log").Column("seq").Where("public").Where("action IN (?)", bun.In(actions)).
		OrderExpr("seq DESC").Limit(int64(n)).Scan(ctx, &seqs)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find the newest public decisions: %w", err)
	}
	return seqs, nil
}
