// Command baseline is the bare server Pilar is measured against: a minimal
// Fiber application with bun that answers the benchmarks' two requests on the
// very same region databases — a ward's proposals, and a new aspiration —
// with no tenancy, no authentication, no policy and no audit. Each region's
// pool is opened on first use with the API server's pool settings and never
// closed. Whatever Pilar spends beyond this is the cost of what it adds.
//
// POST …/aspirations?audit=1 also appends the aspiration to the region's
// audit log in the same transaction, as Pilar does (apiserver/audit): the
// difference between the two baselines is the audit log's share of Pilar's
// cost, the rest is tenancy, authentication and policy.
//
//	baseline -listen 127.0.0.1:0 -regions regions.json
//
// regions.json lists {"slug", "dsn", "account"}: the region's database and the
// account its aspirations are filed under. The address is printed on stdout
// once listening.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"pilar.id/pilar/apiserver/audit"
)

// Region is one line of the regions file.
type Region struct {
	Slug    string `json:"slug"`
	DSN     string `json:"dsn"`
	Account int64  `json:"account"`
}

// proposal is a row of the proposals table as GET /api/proposals answers
// it: every column is read, created_by is not shown.
type proposal struct {
	bun.BaseModel `bun:"table:proposals"`
	ID            int64     `json:"id"`
	Institution   string    `json:"institution"`
	WardCode      string    `json:"ward"`
	FiscalYear    int       `json:"fiscalYear"`
	Activity      string    `json:"activity"`
	Title         string    `json:"title"`
	Description   string    `json:"description"`
	Cost          int64     `json:"cost"`
	Beneficiaries int       `json:"beneficiaries"`
	Location      string    `json:"location"`
	Kind          string    `json:"kind"`
	State         string    `json:"state"`
	Reason        string    `json:"reason,omitempty"`
	Agency        string    `json:"agency,omitempty"`
	MusrenbangID  *int64    `json:"musrenbang,omitempty"`
	CreatedBy     int64     `json:"-"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	Version       int       `json:"version"`
}

// aspiration is a row of the aspirations table as POST /api/aspirations
// stores and answers it; the insert leaves the id to the database and reads
// it back.
type aspiration struct {
	bun.BaseModel `bun:"table:aspirations"`
	ID            int64     `json:"id"`
	Institution   string    `json:"institution"`
	WardCode      string    `json:"ward"`
	AccountID     int64     `json:"account"`
	Title         string    `json:"title"`
	Body          string    `json:"body"`
	State         string    `json:"state"`
	SubmittedAt   time.Time `json:"submittedAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// execModes are pgx's query exec modes by their connection-string names.
var execModes = map[string]pgx.QueryExecMode{
	"cache_statement": pgx.QueryExecModeCacheStatement, "cache_describe": pgx.QueryExecModeCacheDescribe,
	"describe_exec": pgx.QueryExecModeDescribeExec, "exec": pgx.QueryExecModeExec, "simple_protocol": pgx.QueryExecModeSimpleProtocol,
}

// pools opens each region's database on first use.
type pools struct {
	regions  map[string]Region
	maxConns int
	execMode string
	mu       sync.Mutex
	open     map[string]*bun.DB
}

func (p *pools) get(slug string) (*bun.DB, Region, error) {
	r, ok := p.regions[slug]
	if !ok {
		return nil, r, fiber.ErrNotFound
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if db := p.open[slug]; db != nil {
		return db, r, nil
	}
	slug = strings.Clone(slug) // Fiber reuses the buffer behind c.Params
	cfg, err := pgx.ParseConfig(r.DSN)
	if err != nil {
		return nil, r, err
	}
	// The API server's settings (apiserver/store.Open): the query mode and the pool.
	mode, ok := execModes[p.execMode]
	if !ok {
		return nil, r, fmt.Errorf("unknown query exec mode %q", p.execMode)
	}
	cfg.DefaultQueryExecMode = mode
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(p.maxConns)
	sqldb.SetMaxIdleConns(p.maxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := bun.NewDB(sqldb, pgdialect.New())
	p.open[slug] = db
	return db, r, nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	file := flag.String("regions", "", "JSON file of the regions: [{slug, dsn, account}]")
	maxConns := flag.Int("max-conns", 4, "largest pool per region database, as the API server's -db-max-conns")
	execMode := flag.String("query-exec-mode", "cache_statement", "pgx's query exec mode: the API server's is pgx's default, cache_statement (apiserver/store.Open)")
	flag.Parse()
	if _, ok := execModes[*execMode]; !ok {
		fmt.Fprintf(os.Stderr, "baseline: -query-exec-mode %q: unknown\n", *execMode)
		os.Exit(2)
	}
	if err := run(*listen, *file, *maxConns, *execMode); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run(listen, file string, maxConns int, execMode string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var list []Region
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	p := &pools{regions: map[string]Region{}, maxConns: maxConns, execMode: execMode, open: map[string]*bun.DB{}}
	for _, r := range list {
		p.regions[r.Slug] = r
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/r/:region/api/proposals", listProposals(p))
	app.Post("/r/:region/api/aspirations", submitAspiration(p))

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		app.Shutdown()
	}()
	err = app.Listener(ln)
	for _, db := range p.open {
		db.Close()
	}
	return err
}

// listProposals is the same query as Pilar's GET /api/proposals?scope=: the
// proposals of the institutions a scope covers, oldest first, a page at a time.
func listProposals(p *pools) fiber.Handler {
	return func(c *fiber.Ctx) error {
		db, _, err := p.get(c.Params("region"))
		if err != nil {
			return err
		}
		scope := c.Query("scope")
		limit, err := strconv.Atoi(c.Query("limit", "50"))
		if err != nil || limit < 1 || limit > 500 {
			return fiber.ErrBadRequest
		}
		rows := make([]proposal, 0, limit)
		err = db.NewSelect().Model(&rows).Where("id > ?", 0).Order("id").Limit(int64(limit)).
			Where("(? = ? OR ? LIKE ? OR ? LIKE ?)", bun.Ident("institution"), scope, bun.Ident("institution"), scope+".%", bun.Ident("institution"), scope+"/%").
			Scan(c.UserContext())
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i].CreatedAt, rows[i].UpdatedAt = rows[i].CreatedAt.UTC(), rows[i].UpdatedAt.UTC()
		}
		out := struct {
			Items []proposal `json:"items"`
			Next  *int64     `json:"next,omitempty"`
		}{Items: rows}
		if len(rows) == limit {
			out.Next = &rows[len(rows)-1].ID
		}
		return c.JSON(out)
	}
}

// submitAspiration stores an aspiration as it comes, filed under the region's
// benchmark account.
func submitAspiration(p *pools) fiber.Handler {
	return func(c *fiber.Ctx) error {
		db, r, err := p.get(c.Params("region"))
		if err != nil {
			return err
		}
		var in struct{ Institution, Title, Body string }
		if err := json.Unmarshal(c.Body(), &in); err != nil || in.Institution == "" || in.Title == "" || in.Body == "" {
			return fiber.ErrBadRequest
		}
		ward, _, _ := strings.Cut(in.Institution, "/")
		now := time.Now().UTC()
		a := &aspiration{Institution: in.Institution, WardCode: ward, AccountID: r.Account, Title: in.Title, Body: in.Body,
			State: "submitted", SubmittedAt: now, UpdatedAt: now}
		if c.Query("audit") == "" {
			if _, err := db.NewInsert().Model(a).ExcludeColumn("id").Returning("id").Exec(c.UserContext()); err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(a)
		}
		err = db.RunInTx(c.UserContext(), nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewInsert().Model(a).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
				return err
			}
			_, err := audit.Append(ctx, tx, audit.Entry{Actor: strconv.FormatInt(r.Account, 10), ActorRole: "resident", ActorScope: ward,
				Action: "aspiration:submit", ObjectType: "aspiration", ObjectID: strconv.FormatInt(a.ID, 10),
				After: map[string]any{"institution": a.Institution, "state": a.State}})
			return err
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(a)
	}
}
