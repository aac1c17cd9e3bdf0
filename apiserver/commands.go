package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/apiserver/web"
	"pilar.id/pilar/policies"
)

// command runs one of the API server's administrative commands on the
// embedded mode's data and returns the exit code.
func command(name string, args []string) int {
	var err error
	switch name {
	case "verify-audit":
		err = verifyAuditCommand(args, os.Stdout)
	case "national-admin":
		err = adminCommand(true, args, os.Stdin, os.Stdout)
	case "region-admin":
		err = adminCommand(false, args, os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q; the commands are verify-audit, region-admin and national-admin, or flags to serve (-h)", name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiserver "+name+":", err)
		return 1
	}
	return 0
}

// verifyAuditCommand walks a region's audit log and fails, naming the first
// broken entry, when the chain does not hold.
func verifyAuditCommand(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("verify-audit", flag.ContinueOnError)
	data := fs.String("data", "data", "directory of the per-region SQLite files")
	region := fs.String("region", "", "the region whose audit log to verify, e.g. bandung")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *region == "" {
		return fmt.Errorf("-region is required")
	}
	path := filepath.Join(*data, *region+".db")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database for region %q: %w", *region, err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Driver: store.SQLite, DSN: path})
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	if !r.OK {
		return fmt.Errorf("%d entries; broken at entry %d: %s", r.Entries, r.FirstBroken, r.Reason)
	}
	fmt.Fprintf(out, "%s: %d entries, chain intact\n", *region, r.Entries)
	return nil
}

// adminCommand creates the first administrator of a region (regional-admin at
// the region's scope, in the region's database) or of the platform
// (national-admin, in the platform's database). The password is read from
// standard input, so that it appears in no process list and no shell history.
// The account and its grant are audited in the realm they are made in.
func adminCommand(national bool, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	data := fs.String("data", "data", "directory of the SQLite files")
	tenants := fs.String("tenants", "tenants", "directory of Region manifests (for -region)")
	region := fs.String("region", "", "the region whose first admin to create, e.g. bandung")
	username := fs.String("username", "", "the admin's username")
	name := fs.String("name", "", "the admin's display name (the username when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("unable to read the password from standard input: %w", err)
	}
	ctx := context.Background()
	var (
		db    *bun.DB
		role  = policies.NationalAdmin
		scope = web.PlatformScope
	)
	if national {
		p, err := openPlatform(ctx, *data)
		if err != nil {
			return err
		}
		db = p.DB
		defer db.Close()
	} else {
		t, err := embeddedTenant(*tenants, *data, *region)
		if err != nil {
			return err
		}
		defer t.Close()
		var release func()
		if db, release, err = t.Acquire(ctx); err != nil {
			return err
		}
		defer release()
		role, scope = policies.RegionalAdmin, t.Region.Code
	}
	display := *name
	if display == "" {
		display = *username
	}
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := time.Now()
		a, err := authz.CreateAccount(ctx, tx, nil, authz.NewAccount{Username: *username, DisplayName: display, Password: strings.TrimRight(password, "\r\n")}, now)
		if err != nil {
			return err
		}
		g := &authz.Grant{AccountID: a.ID, Role: role, Scope: scope, CreatedAt: now.UTC()}
		if err := authz.AddGrant(ctx, tx, g); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{
			Actor: "system", Action: string(policies.GrantManage), ObjectType: "account", ObjectID: strconv.FormatInt(a.ID, 10),
			Decision: "the operator of the server, with the apiserver admin command",
			After:    map[string]any{"username": a.Username, "role": g.Role, "scope": g.Scope},
		})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s created\n", role, *username)
	return nil
}

// embeddedTenant is one region of the embedded mode, as the server would serve it.
func embeddedTenant(tenantsDir, dataDir, slug string) (*tenancy.Tenant, error) {
	if slug == "" {
		return nil, fmt.Errorf("-region is required")
	}
	regions, err := tenancy.LoadDir(tenantsDir)
	if err != nil {
		return nil, err
	}
	for _, r := range regions {
		if r.Slug == slug {
			return tenancy.NewTenant(r, store.Options{Driver: store.SQLite, DSN: filepath.Join(dataDir, r.Slug+".db")}, tenancy.Migrate)
		}
	}
	return nil, fmt.Errorf("no region %q in %s", slug, tenantsDir)
}
