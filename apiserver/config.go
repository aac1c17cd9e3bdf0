package main

import (
	"flag"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// regionName is a Region's metadata.name: a DNS label.
var regionName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// config is everything the API server is told at start, parsed once from flags
// and the environment (PILAR_<FLAG> in upper case, with dashes as underscores);
// a flag given on the command line wins over the environment.
type config struct {
	Listen string
	// Mode is embedded (tenants from files, SQLite per region) or cluster
	// (the Ready Regions of a Kubernetes cluster, PostgreSQL per region).
	Mode        string
	TenantsDir  string
	DataDir     string
	BaseDomain  string
	PathRegions bool
	// InsecureCookies drops the Secure attribute of session cookies.
	InsecureCookies bool
	DBMaxConns      int
	DBIdle          time.Duration
	LogLevel        slog.Level

	// The cluster mode.
	// Kubeconfig is a kubeconfig file; when empty, $KUBECONFIG, else the
	// pod's in-cluster configuration.
	Kubeconfig string
	// Namespace is the operator's, where each region's Secret and ConfigMap are.
	Namespace string
	// Region serves one region only: the Deployment of a Dedicated region.
	Region string
	// NIKKeyFile holds the platform's key, from which each region's key for
	// hashing national ID numbers is derived (a mounted Secret).
	NIKKeyFile string
	// PlatformDSN is the PostgreSQL database of the national agencies'
	// accounts; /platform is not served without it.
	PlatformDSN string
}

// The modes.
const (
	modeEmbedded = "embedded"
	modeCluster  = "cluster"
)

func parseConfig(args []string, getenv func(string) string) (config, error) {
	var c config
	fs := flag.NewFlagSet("apiserver", flag.ContinueOnError)
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.Mode, "mode", modeEmbedded, "where tenants come from: embedded (tenants/*.yaml, SQLite per region) or cluster (Ready Regions of a Kubernetes cluster, PostgreSQL per region)")
	fs.StringVar(&c.TenantsDir, "tenants", "tenants", "directory of Region manifests (embedded mode)")
	fs.StringVar(&c.DataDir, "data", "data", "directory of the per-region SQLite files (embedded mode)")
	fs.StringVar(&c.BaseDomain, "base-domain", "", "serve <region>.<base-domain> as that region (e.g. pilar.localhost)")
	fs.BoolVar(&c.PathRegions, "path-regions", true, "also serve regions under /r/<region>/ (development)")
	fs.BoolVar(&c.InsecureCookies, "insecure-cookies", false, "send session cookies without the Secure attribute (plain HTTP other than localhost)")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", 4, "largest connection pool per region database (PostgreSQL)")
	fs.DurationVar(&c.DBIdle, "db-idle", 5*time.Minute, "close a region's database after it has been idle this long")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.Kubeconfig, "kubeconfig", "", "kubeconfig file (cluster mode); $KUBECONFIG when empty, else the in-cluster configuration")
	namespace := getenv("POD_NAMESPACE")
	if namespace == "" {
		namespace = "pilar-system"
	}
	fs.StringVar(&c.Namespace, "namespace", namespace, "the operator's namespace, holding each region's Secret and ConfigMap (cluster mode; default $POD_NAMESPACE or pilar-system)")
	fs.StringVar(&c.Region, "region", "", "serve this region only, whatever its serving mode (cluster mode: a Dedicated region's Deployment)")
	fs.StringVar(&c.NIKKeyFile, "nik-key-file", "", "file of the platform's key (32 bytes or more) each region's NIK hashing key is derived from (cluster mode, required)")
	fs.StringVar(&c.PlatformDSN, "platform-dsn", "", "PostgreSQL URL of the national agencies' accounts (cluster mode); /platform is not served without it")

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
	if c.Kubeconfig == "" {
		c.Kubeconfig = getenv("KUBECONFIG")
	}
	switch c.Mode {
	case modeEmbedded:
		if c.Region != "" || c.NIKKeyFile != "" || c.PlatformDSN != "" {
			return c, fmt.Errorf("config: -region, -nik-key-file and -platform-dsn are for -mode cluster")
		}
	case modeCluster:
		if c.NIKKeyFile == "" {
			return c, fmt.Errorf("config: -mode cluster needs -nik-key-file: the platform's key for hashing national ID numbers (a mounted Secret)")
		}
		if c.Namespace == "" {
			return c, fmt.Errorf("config: -mode cluster needs -namespace")
		}
		if c.Region != "" && !regionName.MatchString(c.Region) {
			return c, fmt.Errorf("config: -region %q: not a region name (a DNS label, e.g. bandung)", c.Region)
		}
	default:
		return c, fmt.Errorf("config: -mode %q: want embedded or cluster", c.Mode)
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 64 {
		return c, fmt.Errorf("config: -db-max-conns %d: must be between 1 and 64", c.DBMaxConns)
	}
	if c.DBIdle <= 0 {
		return c, fmt.Errorf("config: -db-idle %s: must be positive", c.DBIdle)
	}
	return c, nil
}
