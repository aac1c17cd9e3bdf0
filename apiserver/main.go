// Command apiserver serves every region it knows: each region's workflows as
// a JSON API and its portal as server-rendered pages, under the region's own
// policy. In the embedded mode the regions come from tenants/*.yaml and each
// keeps its data in its own SQLite file; in the cluster mode (cluster.go) they
// are the Ready Regions of a Kubernetes cluster, each with its own PostgreSQL
// database provisioned by the operator.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/schedule"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/apiserver/web"
	"pilar.id/pilar/policies"
)

// openPlatform opens the national agencies' own database, beside the regions'
// but apart from them: national admins are nobody's residents.
func openPlatform(ctx context.Context, dataDir string) (*web.Platform, error) {
	return openPlatformDB(ctx, store.Options{Driver: store.SQLite, DSN: filepath.Join(dataDir, "platform.db")})
}

// openPlatformDB opens and migrates the platform's database wherever it is:
// a SQLite file in the embedded mode, PostgreSQL in a cluster.
func openPlatformDB(ctx context.Context, opts store.Options) (*web.Platform, error) {
	db, err := store.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	if _, err := store.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	e, err := policies.NewEnforcer(policies.Platform())
	if err != nil {
		db.Close()
		return nil, err
	}
	return &web.Platform{DB: db, Enforcer: e}, nil
}

func main() {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		os.Exit(command(os.Args[1], os.Args[2:]))
	}
	cfg, err := parseConfig(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		// Printed as is, not through the logger: a refused manifest lists one
		// problem a line, and those lines are for a person to read.
		fmt.Fprintln(os.Stderr, "apiserver:", err)
		os.Exit(1)
	}
}

// nikKey reads a region's key for hashing national ID numbers, creating it on
// first start. It lives beside the region's database, readable by the server only.
func nikKey(dataDir, slug string) ([]byte, error) {
	path := filepath.Join(dataDir, slug+".nik.key")
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, key, 0o600); err != nil {
			return nil, fmt.Errorf("apiserver: unable to store the NIK key of %s: %w", slug, err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("apiserver: unable to read the NIK key of %s: %w", slug, err)
	}
	return key, nil
}

func run(ctx context.Context, cfg config, log *slog.Logger) error {
	if cfg.Mode == modeCluster {
		return runCluster(ctx, cfg, log)
	}
	regions, err := tenancy.LoadDir(cfg.TenantsDir)
	if err != nil {
		return err
	}
	var tenants []*tenancy.Tenant
	for _, r := range regions {
		opts := store.Options{Driver: store.SQLite, DSN: filepath.Join(cfg.DataDir, r.Slug+".db")}
		t, err := tenancy.NewTenant(r, opts, prepareEmbedded)
		if err != nil {
			return err
		}
		key, err := nikKey(cfg.DataDir, r.Slug)
		if err != nil {
			return err
		}
		if t.NIK, err = authz.NewNIKHasher(key); err != nil {
			return err
		}
		tenants = append(tenants, t)
	}
	reg := tenancy.NewRegistry(tenants...)
	// The embedded mode loads every region's data on start, so that a broken
	// database or migration shows at once rather than on the first visit.
	for _, t := range tenants {
		_, release, err := t.Acquire(ctx)
		if err != nil {
			return err
		}
		release()
	}

	platform, err := openPlatform(ctx, cfg.DataDir)
	if err != nil {
		return err
	}
	defer platform.DB.Close()

	return serve(ctx, cfg, log, reg, platform, func(addr net.Addr) {
		log.Info("Pilar is serving", "address", addr.String(), "regions", len(tenants))
		for _, t := range tenants {
			fmt.Printf("  %s: http://%s/r/%s/\n", t.Region.Name, addr, t.Region.Slug)
		}
	})
}

// serve answers HTTP for the registry's regions (and the platform's accounts
// when platform is set) until ctx ends, then shuts down gracefully and closes
// every region's database. announce is told the address once listening.
func serve(ctx context.Context, cfg config, log *slog.Logger, reg *tenancy.Registry, platform *web.Platform, announce func(net.Addr)) error {
	// The demo sign-in lets any visitor act as any role: the embedded mode's
	// alone, never a cluster's.
	demo := cfg.Mode == modeEmbedded
	app := web.New(web.Options{Registry: reg, Platform: platform, BaseDomain: cfg.BaseDomain, PathRegions: cfg.PathRegions, InsecureCookies: cfg.InsecureCookies, Demo: demo, Log: log})
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("apiserver: unable to listen on %s: %w", cfg.Listen, err)
	}
	reapCtx, stopReap := context.WithCancel(context.Background())
	reaped := make(chan struct{})
	go func() { reg.ReapIdle(reapCtx, cfg.DBIdle, log); close(reaped) }()
	// Scheduled work (expiring unclaimed CSR requests, ...) in the regions
	// whose database is open; it stops before the databases are closed.
	schedCtx, stopSchedule := context.WithCancel(context.Background())
	scheduled := make(chan struct{})
	go func() { schedule.Run(schedCtx, reg, schedule.Every, nil, log, schedule.Jobs...); close(scheduled) }()

	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	announce(ln.Addr())

	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("shutting down")
		shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = app.ShutdownWithContext(shutCtx)
		cancel()
	}
	stopSchedule()
	<-scheduled
	stopReap()
	<-reaped // closes every region's database
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}
