package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/apiserver/web"
	"pilar.id/pilar/policies"
)

// The administrative commands act on a region as named system actors, under
// the region's policy (role system), through the same steps the API takes,
// and are audited as such.
const (
	regionAdminActor   = "command:region-admin"
	nationalAdminActor = "command:national-admin"
	verifyAuditActor   = "command:verify-audit"
)

// command runs one of the API server's administrative commands and returns
// the exit code.
func command(name string, args []string) int {
	var err error
	switch name {
	case "verify-audit":
		err = verifyAuditCommand(context.Background(), args, os.Getenv, os.Stdout)
	case "national-admin":
		err = adminCommand(context.Background(), true, args, os.Getenv, os.Stdin, os.Stdout)
	case "region-admin":
		err = adminCommand(context.Background(), false, args, os.Getenv, os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q; the commands are verify-audit, region-admin and national-admin, or flags to serve (-h)", name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiserver "+name+":", err)
		return 1
	}
	return 0
}

// where says where a command finds its realm, in either mode: the embedded
// mode's files, or a cluster's region — through the Kubernetes API (the
// Region, its credentials Secret and its policy ConfigMap, as the server
// reads them) or straight at its database (-dsn, with its manifest from
// -tenants) — and the platform's database.
type where struct {
	mode, tenants, data, region string
	kubeconfig, namespace, dsn  string
	platformDSN                 string
	platform                    bool
	flags                       *flag.FlagSet
}

func newWhere(name string, platform bool, getenv func(string) string) *where {
	w := &where{platform: platform, flags: flag.NewFlagSet(name, flag.ContinueOnError)}
	fs := w.flags
	fs.StringVar(&w.mode, "mode", orDefault(getenv("PILAR_MODE"), modeEmbedded), "embedded (the files of -tenants and -data) or cluster")
	fs.StringVar(&w.data, "data", "data", "directory of the SQLite files (embedded mode)")
	if platform {
		fs.StringVar(&w.platformDSN, "platform-dsn", getenv("PILAR_PLATFORM_DSN"), "PostgreSQL URL of the national agencies' accounts (cluster mode)")
		return w
	}
	fs.StringVar(&w.tenants, "tenants", "tenants", "directory of Region manifests (embedded mode; the cluster mode with -dsn)")
	fs.StringVar(&w.region, "region", "", "the region, e.g. bandung")
	fs.StringVar(&w.kubeconfig, "kubeconfig", getenv("KUBECONFIG"), "kubeconfig file (cluster mode); $KUBECONFIG when empty, else the in-cluster configuration")
	fs.StringVar(&w.namespace, "namespace", orDefault(getenv("POD_NAMESPACE"), "pilar-system"), "the operator's namespace, with each region's Secret and ConfigMap (cluster mode)")
	fs.StringVar(&w.dsn, "dsn", "", "the region's PostgreSQL URL (cluster mode), instead of reading it from the Region's credentials Secret")
	return w
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// open opens the realm and returns it with what closes it. In the embedded
// mode a region's database is created and migrated when prepare says so, as
// the server would on its first start; in a cluster the operator migrates
// and a command never does.
func (w *where) open(ctx context.Context, prepare bool) (*step.Region, func(), error) {
	switch {
	case w.mode != modeEmbedded && w.mode != modeCluster:
		return nil, nil, fmt.Errorf("-mode %q: embedded or cluster", w.mode)
	case w.platform:
		return w.openPlatform(ctx)
	case w.region == "":
		return nil, nil, fmt.Errorf("-region is required")
	}
	var t *tenancy.Tenant
	var err error
	switch {
	case w.mode == modeEmbedded:
		path := filepath.Join(w.data, w.region+".db")
		if _, err := os.Stat(path); err != nil && !prepare {
			return nil, nil, fmt.Errorf("no database for region %q in %s (has the server run?): %w", w.region, w.data, err)
		}
		t, err = manifestTenant(ctx, w.tenants, w.region, store.Options{Driver: store.SQLite, DSN: path}, prepare)
	case w.dsn != "":
		t, err = manifestTenant(ctx, w.tenants, w.region, store.Options{Driver: store.Postgres, DSN: w.dsn, MaxConns: 2}, false)
	default:
		cfg, cerr := kubeConfig(w.kubeconfig)
		if cerr != nil {
			return nil, nil, cerr
		}
		t, err = tenancy.ClusterTenant(ctx, cfg, w.namespace, w.region, nil, nil)
	}
	if err != nil {
		return nil, nil, err
	}
	db, release, err := t.Acquire(ctx)
	if err != nil {
		t.Close()
		return nil, nil, err
	}
	return t.Realm(db), func() { release(); t.Close() }, nil
}

// openPlatform opens the national agencies' database: a SQLite file beside
// the regions' in the embedded mode, PostgreSQL in a cluster.
func (w *where) openPlatform(ctx context.Context) (*step.Region, func(), error) {
	opts := store.Options{Driver: store.SQLite, DSN: filepath.Join(w.data, "platform.db")}
	if w.mode == modeCluster {
		if w.platformDSN == "" {
			return nil, nil, fmt.Errorf("-platform-dsn is required in the cluster mode")
		}
		opts = store.Options{Driver: store.Postgres, DSN: w.platformDSN, MaxConns: 2}
	}
	p, err := openPlatformDB(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	return web.PlatformRealm(p), func() { p.DB.Close() }, nil
}

// manifestTenant is a region of the manifests in dir, reached with opts;
// migrated when it is opened only if migrate says so. Without its manifest,
// a region whose database the server has served is what the database
// records (tenancy.Recorded): its code and the policy it is served under.
func manifestTenant(ctx context.Context, dir, slug string, opts store.Options, migrate bool) (*tenancy.Tenant, error) {
	prepare := tenancy.Migrate
	if !migrate {
		prepare = func(context.Context, *bun.DB, *tenancy.Tenant) error { return nil }
	}
	regions, err := tenancy.LoadDir(dir)
	for _, r := range regions {
		if r.Slug == slug {
			return tenancy.NewTenant(r, opts, prepare)
		}
	}
	if migrate {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("no region %q in %s", slug, dir)
	}
	db, oerr := store.Open(ctx, opts)
	if oerr != nil {
		return nil, oerr
	}
	code, set, rerr := tenancy.Recorded(ctx, db)
	db.Close()
	if rerr != nil {
		return nil, fmt.Errorf("no manifest of region %q in %s (%v), and %w", slug, dir, err, rerr)
	}
	return tenancy.NewTenantWithPolicy(&partnership.Region{Slug: slug, Code: code, Name: slug}, set, opts, prepare), nil
}

// verifyAuditCommand walks a region's audit log and fails, naming the first
// broken entry, when the chain does not hold.
func verifyAuditCommand(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	w := newWhere("verify-audit", false, getenv)
	if err := w.flags.Parse(args); err != nil {
		return err
	}
	r, closeRealm, err := w.open(ctx, false)
	if err != nil {
		return err
	}
	defer closeRealm()
	rep, err := accounts.VerifyAudit(ctx, r, step.System(verifyAuditActor))
	if err != nil {
		return err
	}
	if !rep.OK {
		return fmt.Errorf("%d entries; broken at entry %d: %s", rep.Entries, rep.FirstBroken, rep.Reason)
	}
	fmt.Fprintf(out, "%s: %d entries, chain intact\n", w.region, rep.Entries)
	return nil
}

// adminCommand creates the first administrator of a region (regional-admin at
// the region's scope, in the region's database) or of the platform
// (national-admin, in the platform's database). The password is read from
// standard input, so that it appears in no process list and no shell history.
func adminCommand(ctx context.Context, national bool, args []string, getenv func(string) string, in io.Reader, out io.Writer) error {
	name, actor, role := "region-admin", regionAdminActor, policies.RegionalAdmin
	if national {
		name, actor, role = "national-admin", nationalAdminActor, policies.NationalAdmin
	}
	w := newWhere(name, national, getenv)
	username := w.flags.String("username", "", "the admin's username")
	display := w.flags.String("name", "", "the admin's display name (the username when empty)")
	if err := w.flags.Parse(args); err != nil {
		return err
	}
	password, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("unable to read the password from standard input: %w", err)
	}
	r, closeRealm, err := w.open(ctx, true)
	if err != nil {
		return err
	}
	defer closeRealm()
	_, err = accounts.CreateAdmin(ctx, r, step.System(actor),
		authz.NewAccount{Username: *username, DisplayName: *display, Password: strings.TrimRight(password, "\r\n")})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s created\n", role, *username)
	return nil
}
