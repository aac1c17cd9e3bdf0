package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// config is everything the API server is told at start, parsed once from flags
// and the environment (PILAR_<FLAG> in upper case, with dashes as underscores);
// a flag given on the command line wins over the environment.
type config struct {
	Listen      string
	Mode        string // embedded: tenants from files, SQLite per region
	TenantsDir  string
	DataDir     string
	BaseDomain  string
	PathRegions bool
	// InsecureCookies drops the Secure attribute of session cookies.
	InsecureCookies bool
	DBMaxConns      int
	DBIdle          time.Duration
	LogLevel        slog.Level
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	var c config
	fs := flag.NewFlagSet("apiserver", flag.ContinueOnError)
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.Mode, "mode", "embedded", "where tenants come from: embedded (tenants/*.yaml, SQLite per region)")
	fs.StringVar(&c.TenantsDir, "tenants", "tenants", "directory of Region manifests (embedded mode)")
	fs.StringVar(&c.DataDir, "data", "data", "directory of the per-region SQLite files (embedded mode)")
	fs.StringVar(&c.BaseDomain, "base-domain", "", "serve <region>.<base-domain> as that region (e.g. pilar.localhost)")
	fs.BoolVar(&c.PathRegions, "path-regions", true, "also serve regions under /r/<region>/ (development)")
	fs.BoolVar(&c.InsecureCookies, "insecure-cookies", false, "send session cookies without the Secure attribute (plain HTTP other than localhost)")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", 4, "largest connection pool per region database (PostgreSQL)")
	fs.DurationVar(&c.DBIdle, "db-idle", 5*time.Minute, "close a region's database after it has been idle this long")
	level := fs.String("log-level", "info", "debug, info, warn or error")

	set := map[string]bool{}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []string
	fs.VisitAll(func(f *flag.Flag) {
		env := "PILAR_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" && !set[f.Name] {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", env, v, err))
			}
		}
	})
	if len(errs) > 0 {
		return c, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return c, fmt.Errorf("config: -log-level: %w", err)
	}
	if c.Mode != "embedded" {
		return c, fmt.Errorf("config: -mode %q: only embedded is available in this build", c.Mode)
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 64 {
		return c, fmt.Errorf("config: -db-max-conns %d: must be between 1 and 64", c.DBMaxConns)
	}
	if c.DBIdle <= 0 {
		return c, fmt.Errorf("config: -db-idle %s: must be positive", c.DBIdle)
	}
	return c, nil
}
