package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
)

// The JSON handlers of most steps have one of two shapes, written once here:
// parse the body, take the step, answer with its result as the API shows it.

// takeNew is the handler of a step making an object of the body's input: it
// answers 201 with the object as out shows it.
func takeNew[I, T, J any](take func(context.Context, *step.Region, step.Actor, I) (T, error), out func(T) J) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in I
		if err := parseBody(c, &in); err != nil {
			return err
		}
		return answer(c, fiber.StatusCreated, out)(take(c.UserContext(), realmOf(c), actorOf(c), in))
	}
}

// takeOn is the handler of a step on the object the path's id names: the
// body parsed as B becomes the step's input by in; it answers 200 with the
// result as out shows it.
func takeOn[B, I, T, J any](in func(B) I, take func(context.Context, *step.Region, step.Actor, int64, I) (T, error), out func(T) J) fiber.Handler {
	return takeOnWith(parseBody, fiber.StatusOK, in, take, out)
}

// takeOnWith is takeOn with its own reading of the body (optionalBody for a
// step that may do without) and its own success status.
func takeOnWith[B, I, T, J any](parse func(*fiber.Ctx, any) error, status int, in func(B) I,
	take func(context.Context, *step.Region, step.Actor, int64, I) (T, error), out func(T) J) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body B
		if err := parse(c, &body); err != nil {
			return err
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		return answer(c, status, out)(take(c.UserContext(), realmOf(c), actorOf(c), id, in(body)))
	}
}

// answer answers with a step's result as out shows it, or with its refusal:
// answer(c, status, out)(step(...)).
func answer[T, J any](c *fiber.Ctx, status int, out func(T) J) func(T, error) error {
	return func(v T, err error) error {
		if err != nil {
			return err
		}
		return c.Status(status).JSON(out(v))
	}
}

// answer2 answers with the two results of a step or a read as out shows
// them, or with its refusal: answer2(c, status, out)(step(...)).
func answer2[A, B, J any](c *fiber.Ctx, status int, out func(A, B) J) func(A, B, error) error {
	return func(a A, b B, err error) error {
		if err != nil {
			return err
		}
		return c.Status(status).JSON(out(a, b))
	}
}

// same is a body the step takes as it is.
func same[B any](in B) B { return in }

// optionalBody decodes a body a step may do without: an empty one is no input.
func optionalBody(c *fiber.Ctx, v any) error {
	if err := parseBody(c, v); err != nil && len(c.Body()) > 0 {
		return err
	}
	return nil
}

// toward is a step moving the object the path's id names to the state to.
func toward[S, I, T any](move func(context.Context, *step.Region, step.Actor, int64, S, I) (T, error), to S) func(context.Context, *step.Region, step.Actor, int64, I) (T, error) {
	return func(ctx context.Context, r *step.Region, a step.Actor, id int64, in I) (T, error) {
		return move(ctx, r, a, id, to, in)
	}
}

// The JSON handlers of reads have three shapes, written once here: one
// object the path's id names (or a step on it that takes nothing else), what
// the query names, and a page of a list. A read is of the request's region's
// database (stored) or, where the answer depends on who asks, of the
// application layer on behalf of the caller (asCaller).

// stored reads from the request's region's database as read does.
func stored[X, T any](read func(context.Context, bun.IDB, X) (T, error)) func(*fiber.Ctx, X) (T, error) {
	return func(c *fiber.Ctx, x X) (T, error) { return read(c.UserContext(), regionOf(c).db, x) }
}

// asCaller calls the application layer on behalf of the caller.
func asCaller[X, T any](read func(context.Context, *step.Region, step.Actor, X) (T, error)) func(*fiber.Ctx, X) (T, error) {
	return func(c *fiber.Ctx, x X) (T, error) { return read(c.UserContext(), realmOf(c), actorOf(c), x) }
}

// inRealm calls the application layer for a read with no rule of who asks.
func inRealm[X, T any](read func(context.Context, *step.Region, X) (T, error)) func(*fiber.Ctx, X) (T, error) {
	return func(c *fiber.Ctx, x X) (T, error) { return read(c.UserContext(), realmOf(c), x) }
}

// byID is the handler of a read of the object the path's id names, or of a
// step on it that takes nothing else: it answers with the object as out
// shows it.
func byID[T, J any](read func(*fiber.Ctx, int64) (T, error), out func(T) J) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		return answer(c, fiber.StatusOK, out)(read(c, id))
	}
}

// readOf is the handler of a read of what the query names: filter makes the
// read's input of the query's parameters (q), and the answer shows what the
// read returns as out does.
func readOf[F, T, J any](filter func(c *fiber.Ctx, q *query) F, read func(*fiber.Ctx, F) (T, error), out func(T) J) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q := &query{c: c}
		f := filter(c, q)
		if q.err != nil {
			return q.err
		}
		return answer(c, fiber.StatusOK, out)(read(c, f))
	}
}

// listOf is the handler of a list: filter makes the read's filter of the
// query (q), read reads one page, and the answer shows each item as out
// does, continuing, when the page is full, after the id of its last.
func listOf[F, T, J any](filter func(c *fiber.Ctx, q *query) F, read func(*fiber.Ctx, F) ([]T, error), id func(T) int64, out func(T) J) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q := queryOf(c)
		f := filter(c, q)
		if q.err != nil {
			return q.err
		}
		items, err := read(c, f)
		if err != nil {
			return err
		}
		return c.JSON(pageOf(items, q.limit, out, func() int64 { return id(items[len(items)-1]) }))
	}
}

type page[T any] struct {
	Items []T    `json:"items"`
	Next  *int64 `json:"next,omitempty"` // pass as ?after= for the next page
}

// pageOf is one page of a list: each item as the answer shows it, and when
// the page is full, the id to continue after (lastID is called only then).
func pageOf[T, J any](items []T, limit int, out func(T) J, lastID func() int64) page[J] {
	return page[J]{Items: each(items, out), Next: next(len(items), limit, lastID)}
}

// next is the id to continue a page of n items after: lastID's when the
// page is full, else none.
func next(n, limit int, lastID func() int64) *int64 {
	if limit > 0 && n == limit {
		id := lastID()
		return &id
	}
	return nil
}

// whole is a list answered whole, each item as out shows it.
func whole[T, J any](out func(T) J) func([]T) page[J] {
	return func(items []T) page[J] { return page[J]{Items: each(items, out)} }
}

// each shows every item as out shows it; none is an empty list, not null.
func each[T, J any](items []T, out func(T) J) []J {
	js := make([]J, len(items))
	for i, it := range items {
		js[i] = out(it)
	}
	return js
}

// query reads a request's query: the page of a list asked for (?after=,
// ?limit=) and the read's own parameters, keeping the first it refuses.
type query struct {
	c     *fiber.Ctx
	after int64
	limit int
	err   error
}

// queryOf reads the query of a list, starting with its page.
func queryOf(c *fiber.Ctx) *query {
	q := &query{c: c, limit: 50}
	var err error
	if s := c.Query("after"); s != "" {
		if q.after, err = strconv.ParseInt(s, 10, 64); err != nil || q.after < 0 {
			return &query{c: c, err: partnership.Invalid("after", "a non-negative id")}
		}
	}
	if s := c.Query("limit"); s != "" {
		if q.limit, err = strconv.Atoi(s); err != nil || q.limit < 1 || q.limit > 500 {
			return &query{c: c, err: partnership.Invalid("limit", "a number from 1 to 500")}
		}
	}
	return q
}

// check keeps err unless a parameter was refused before.
func (q *query) check(err error) {
	if q.err == nil {
		q.err = err
	}
}

// count reads a non-negative whole number; 0 when absent.
func (q *query) count(name string) int64 {
	return param(q, name, 0, "a non-negative whole number", func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0
	})
}

// year reads a year; 0 when absent.
func (q *query) year(name string) int { return q.yearOr(name, 0) }

// yearOr reads a year; absent, it is the year given.
func (q *query) yearOr(name string, absent int) int {
	return param(q, name, absent, "a year", func(s string) (int, bool) {
		y, err := strconv.Atoi(s)
		return y, err == nil
	})
}

// flag reads an optional true/false.
func (q *query) flag(name string) bool {
	return param(q, name, false, "true or false", func(s string) (bool, bool) {
		b, err := strconv.ParseBool(s)
		return b, err == nil
	})
}

// param reads the query's parameter name as read parses it: absent, it is
// absent; refused, the zero value, and the query keeps the refusal (the
// parameter is not what want says).
func param[T any](q *query, name string, absent T, want string, read func(string) (T, bool)) T {
	s := q.c.Query(name)
	if s == "" {
		return absent
	}
	v, ok := read(s)
	if !ok {
		q.check(partnership.Invalid(name, "%s", want))
		var zero T
		return zero
	}
	return v
}

// scope is the scope the list asks for, the whole region by default.
func (q *query) scope() string {
	s, err := queryScope(q.c)
	q.check(err)
	return s
}
