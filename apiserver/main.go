// Command apiserver serves every region it knows: each region's workflows as
// a JSON API and its portal as server-rendered pages, under the region's own
// policy. In the embedded mode the regions come from tenants/*.yaml and each
// keeps its data in its own SQLite file.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/apiserver/web"
)

func main() {
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

// prepare migrates a region's freshly opened database and brings its
// administrative tree up to date with the region's manifest.
func prepare(ctx context.Context, db *bun.DB, r *partnership.Region) error {
	if _, err := store.Migrate(ctx, db); err != nil {
		return err
	}
	return store.SyncAreas(ctx, db, r)
}

func run(ctx context.Context, cfg config, log *slog.Logger) error {
	regions, err := tenancy.LoadDir(cfg.TenantsDir)
	if err != nil {
		return err
	}
	var tenants []*tenancy.Tenant
	for _, r := range regions {
		opts := store.Options{Driver: store.SQLite, DSN: filepath.Join(cfg.DataDir, r.Slug+".db")}
		tenants = append(tenants, tenancy.NewTenant(r, opts, prepare))
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

	app := web.New(web.Options{Registry: reg, BaseDomain: cfg.BaseDomain, PathRegions: cfg.PathRegions, Log: log})
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("apiserver: unable to listen on %s: %w", cfg.Listen, err)
	}
	reapCtx, stopReap := context.WithCancel(context.Background())
	reaped := make(chan struct{})
	go func() { reg.ReapIdle(reapCtx, cfg.DBIdle, log); close(reaped) }()

	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	log.Info("Pilar is serving", "address", ln.Addr().String(), "regions", len(tenants))
	for _, t := range tenants {
		fmt.Printf("  %s: http://%s/r/%s/\n", t.Region.Name, ln.Addr(), t.Region.Slug)
	}

	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("shutting down")
		shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = app.ShutdownWithContext(shutCtx)
		cancel()
	}
	stopReap()
	<-reaped // closes every region's database
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}
