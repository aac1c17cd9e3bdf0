package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

// table is how the store keeps one kind of object: R is its bun row type (a
// table whose key is the column id), T the domain value a row stands for.
// The queries that every kind runs alike — one by id, a page of a list, an
// insert that returns the id, an update refused when the row changed since
// it was read — are written once here; a kind keeps only its row type, its
// conversions and its filter's conditions; the methods add, get and save
// are the exported Insert, Get and Update of the kinds that need nothing
// more. Only add, insert, insertRow, save, update and move write: web's
// shape test finds the store's writing functions by the names of what they
// call, so a method that writes must not share its name with one that only
// reads.
type table[R, T any] struct {
	one, many string                                  // how messages name a row and several: "CSR request", "CSR requests"
	row       func(T) (*R, error)                     // the row that stores a value
	read      func(*R) (T, error)                     // the value a row stores
	writes    func(*bun.UpdateQuery) *bun.UpdateQuery // the columns an update writes: only or allBut
	// key is where a value keeps its id and its version (nil for a kind
	// whose rows carry none), for add and save.
	key func(T) (id *int64, version *int)
}

// add stores a new value and sets its id, and its version to 1.
func (t table[R, T]) add(ctx context.Context, db bun.IDB, v T) error {
	id, version := t.key(v)
	if version != nil {
		*version = 1
	}
	article := "a "
	if strings.ContainsRune("aeiou", rune(t.one[0])) {
		article = "an "
	}
	return t.insert(ctx, db, v, id, "insert "+article+t.one)
}

// save writes a changed value as update does, at the id and version the
// value keeps.
func (t table[R, T]) save(ctx context.Context, db bun.IDB, v T) error {
	id, version := t.key(v)
	return t.update(ctx, db, v, *id, version)
}

// always turns a conversion that cannot fail into one of a table's.
func always[A, B any](convert func(A) B) func(A) (B, error) {
	return func(a A) (B, error) { return convert(a), nil }
}

// only is an update of these columns.
func only(columns ...string) func(*bun.UpdateQuery) *bun.UpdateQuery {
	return func(q *bun.UpdateQuery) *bun.UpdateQuery { return q.Column(columns...) }
}

// allBut is an update of every column but these.
func allBut(columns ...string) func(*bun.UpdateQuery) *bun.UpdateQuery {
	return func(q *bun.UpdateQuery) *bun.UpdateQuery { return q.ExcludeColumn(columns...) }
}

// get reads the row id; a missing one is an ErrNotFound.
func (t table[R, T]) get(ctx context.Context, db bun.IDB, id int64) (T, error) {
	row := new(R)
	if err := db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		var none T
		return none, notFound(err, t.one, id)
	}
	return t.read(row)
}

// first reads the row a query made of the clauses selects (the first, when
// it selects several); none is an ErrNotFound that says what is missing, a
// query that fails "store: unable to <doing>".
func (t table[R, T]) first(ctx context.Context, db bun.IDB, missing, doing string, query ...clause) (T, error) {
	row := new(R)
	if err := apply(db.NewSelect().Model(row), query).Scan(ctx); err != nil {
		var none T
		if errors.Is(err, sql.ErrNoRows) {
			return none, fmt.Errorf("%w: %s", partnership.ErrNotFound, missing)
		}
		return none, fmt.Errorf("store: unable to %s: %w", doing, err)
	}
	return t.read(row)
}

// notFound is the error of a read of the row id that failed: an
// ErrNotFound when there is none.
func notFound(err error, what string, id int64) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: no %s %d", partnership.ErrNotFound, what, id)
	}
	return fmt.Errorf("store: unable to read %s %d: %w", what, id, err)
}

// A clause adds a part to a query of a table's rows: a condition of a
// filter, an order, a limit. A nil clause adds nothing: it is a filter's
// condition on a field the filter leaves unset.
type clause func(*bun.SelectQuery) *bun.SelectQuery

// where is the condition query, with its args.
func where(query string, args ...any) clause { return when(true, query, args...) }

// when is the condition query, with its args, if cond holds.
func when(cond bool, query string, args ...any) clause {
	if !cond {
		return nil
	}
	return func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where(query, args...) }
}

// given is the condition query on a filter's field v, its one argument, if
// the filter sets the field (v is not zero).
func given[V comparable](query string, v V) clause {
	var zero V
	return when(v != zero, query, v)
}

// group is a condition made of several, if cond holds.
func group(cond bool, conditions func(*bun.SelectQuery) *bun.SelectQuery) clause {
	if !cond {
		return nil
	}
	return func(q *bun.SelectQuery) *bun.SelectQuery { return q.WhereGroup(" AND ", conditions) }
}

// covering keeps the rows whose column a scope covers (see coveredBy), if
// the filter names a scope.
func covering(column, scope string) clause {
	if scope == "" {
		return nil
	}
	return func(q *bun.SelectQuery) *bun.SelectQuery { return coveredBy(q, column, scope) }
}

// list returns a page of the rows that the conditions keep, by id: those
// after the id after, at most limit of them (0: all).
func (t table[R, T]) list(ctx context.Context, db bun.IDB, after int64, limit int, conditions ...clause) ([]T, error) {
	page := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("id > ?", after).Order("id").Limit(int64(limit))
	}
	return t.all(ctx, db, "list "+t.many, append([]clause{page}, conditions...)...)
}

// all returns the rows a query made of the clauses selects, in its order; a
// query that fails is "store: unable to <doing>".
func (t table[R, T]) all(ctx context.Context, db bun.IDB, doing string, query ...clause) ([]T, error) {
	var rows []R
	if err := apply(db.NewSelect().Model(&rows), query).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: unable to %s: %w", doing, err)
	}
	out := make([]T, len(rows))
	for i := range rows {
		v, err := t.read(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// apply adds the clauses to a query.
func apply(q *bun.SelectQuery, clauses []clause) *bun.SelectQuery {
	for _, c := range clauses {
		if c != nil {
			q = c(q)
		}
	}
	return q
}

// insert stores a new value and sets *id to the id the database gives its
// row; a failure is "store: unable to <doing>".
func (t table[R, T]) insert(ctx context.Context, db bun.IDB, v T, id *int64, doing string) error {
	row, err := t.row(v)
	if err != nil {
		return err
	}
	return insertRow(ctx, db, row, id, doing)
}

// insertRow stores a new row, all but its id, and sets *id to the id the
// database gives it; a failure is "store: unable to <doing>".
func insertRow[R any](ctx context.Context, db bun.IDB, row *R, id *int64, doing string) error {
	if _, err := db.NewInsert().Model(row).ExcludeColumn("id").Returning("id").Exec(ctx, id); err != nil {
		return fmt.Errorf("store: unable to %s: %w", doing, err)
	}
	return nil
}

// update writes a changed value, the row id, in one conditional UPDATE of
// the columns t.writes names: only while the stored row is still at the
// version read, which it bumps, and *version with it. A row changed
// meanwhile, or gone, is ErrStale.
func (t table[R, T]) update(ctx context.Context, db bun.IDB, v T, id int64, version *int) error {
	row, err := t.row(v)
	if err != nil {
		return err
	}
	res, err := t.writes(db.NewUpdate().Model(row)).Set("version = version + 1").
		Where("id = ? AND version = ?", id, *version).Exec(ctx)
	if err := updatedOne(res, err, t.one, id); err != nil {
		return err
	}
	*version++
	return nil
}

// updatedOne turns an update that changed no row into ErrStale.
func updatedOne(res sql.Result, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("store: unable to update %s %d: %w", what, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrStale
	}
	return nil
}

// move writes a value's move from the state it was read in, as update
// does, but only while the stored row is also still in that state. Of two
// concurrent moves one wins; the other is told whether the row changed
// meanwhile (an ErrConflict) or is gone (an ErrNotFound).
func (t table[R, T]) move(ctx context.Context, db bun.IDB, v T, id int64, version *int64, from string) error {
	row, err := t.row(v)
	if err != nil {
		return err
	}
	res, err := t.writes(db.NewUpdate().Model(row)).Set("version = version + 1").
		Where("id = ? AND state = ? AND version = ?", id, from, *version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to update %s %d: %w", t.one, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: unable to update %s %d: %w", t.one, id, err)
	}
	if n == 1 {
		*version++
		return nil
	}
	exists, err := db.NewSelect().Model((*R)(nil)).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to read %s %d: %w", t.one, id, err)
	}
	if !exists {
		return fmt.Errorf("%w: no %s %d", partnership.ErrNotFound, t.one, id)
	}
	return fmt.Errorf("%w: %s %d was changed by someone else meanwhile; read it again", partnership.ErrConflict, t.one, id)
}
