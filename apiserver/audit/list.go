package audit

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Limits on the number of entries List returns.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// A Filter selects entries for List. Zero fields select everything.
type Filter struct {
	// PublicOnly keeps only the entries everyone may read.
	PublicOnly bool
	// AfterSeq keeps the entries after this seq: pass the last seq of one
	// page to get the next.
	AfterSeq int64
	// Limit is the page size: DefaultLimit when zero or less, at most MaxLimit.
	Limit int
	// Action keeps the entries of one permission, e.g. "grant:manage".
	Action string
	// ObjectType and ObjectID keep the entries about one kind of object, or
	// one object.
	ObjectType, ObjectID string
}

// List returns a page of the entries f selects, in seq order. It never
// returns nil for an empty page.
func List(ctx context.Context, db bun.IDB, f Filter) ([]Entry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	var rows []row
	q := db.NewSelect().Model(&rows).Where("seq > ?", f.AfterSeq).OrderExpr("seq ASC").Limit(int64(limit))
	if f.PublicOnly {
		q = q.Where("public")
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("audit: unable to list entries: %w", err)
	}
	es := make([]Entry, 0, len(rows))
	for i := range rows {
		e, err := rows[i].entry()
		if err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return es, nil
}
