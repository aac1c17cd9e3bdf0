package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"pilar.id/pilar/bench/report"
)

// casbinSource is where Casbin publishes its enforcement figures: one
// uncached Enforce() call of Casbin's own models (model_b_test.go), measured
// with go test -bench on an Intel Core i7-6700HQ at 2.60 GHz.
const casbinSource = "https://casbin.org/docs/benchmark/"

// casbinPublished returns the figures of that page, as published.
func casbinPublished() ([]report.Published, string) {
	return []report.Published{
		{Case: "ACL", Rules: "2 rules (2 users)", MsPerOp: 0.015493, KB: 5.649},
		{Case: "RBAC", Rules: "5 rules (2 users, 1 role)", MsPerOp: 0.021738, KB: 7.522},
		{Case: "RBAC (small)", Rules: "1,100 rules (1,000 users, 100 roles)", MsPerOp: 0.164309, KB: 80.620},
		{Case: "RBAC (medium)", Rules: "11,000 rules (10,000 users, 1,000 roles)", MsPerOp: 2.258262, KB: 765.152},
		{Case: "RBAC (large)", Rules: "110,000 rules (100,000 users, 10,000 roles)", MsPerOp: 23.916776, KB: 7606},
		{Case: "RBAC with domains/tenants", Rules: "6 rules (2 users, 1 role, 2 domains)", MsPerOp: 0.032696, KB: 10.755},
	}, casbinSource
}

// pgVersion asks the server for its version string.
func pgVersion(ctx context.Context, dsn string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "unknown"
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "unknown"
	}
	return "PostgreSQL " + v
}
